package jsonl

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/attrib/attrib/crawler/dataset/internal/bounded"
)

// Compression is how a JSONL file is stored.
type Compression int

// Compressions, told by the file's first bytes (not its name).
const (
	Plain Compression = iota
	Gzip
	Zstd
)

// String names the compression.
func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return "plain"
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// maxZstdWindow bounds the memory a zstd frame may ask for: 128 MiB covers
// every level up to --long=27; larger windows are refused rather than held.
const maxZstdWindow = 128 << 20

// sniff tells the compression from the first bytes of br without consuming them.
func sniff(br *bufio.Reader) Compression {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return Gzip
	case bytes.HasPrefix(head, zstdMagic):
		return Zstd
	}
	return Plain
}

// decompress returns the decompressed stream of br, guarded so that reading
// more than max decompressed bytes fails with dataset.ErrTooLarge.
func decompress(br *bufio.Reader, c Compression, max int64) (io.ReadCloser, error) {
	var rc io.ReadCloser
	switch c {
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip header: %w", err)
		}
		rc = zr
	case Zstd:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		rc = zr.IOReadCloser()
	default:
		rc = io.NopCloser(br)
	}
	return bounded.NewReader(rc, max), nil
}

// compressor wraps w so that what is written is stored with compression c.
func compressor(w io.Writer, c Compression) (io.WriteCloser, error) {
	switch c {
	case Gzip:
		return gzip.NewWriter(w), nil
	case Zstd:
		zw, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd writer: %w", err)
		}
		return zw, nil
	}
	return nopWriteCloser{w}, nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
