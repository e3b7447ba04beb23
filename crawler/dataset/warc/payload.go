package warc

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"slices"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/attrib/attrib/crawler/dataset"
)

// decodeBody undoes the recorded transfer and content codings of an HTTP
// payload, within max bytes. Archives differ: some store the bytes as
// received, some decoded but with the headers unchanged (Common Crawl
// renames them X-Crawler-*), so a coding whose data is not there (not
// chunked, no gzip magic) is taken as already undone.
func decodeBody(body []byte, h http.Header, max int64) ([]byte, error) {
	if slices.Contains(codings(h, "Transfer-Encoding"), "chunked") {
		b, err := readBounded(httputil.NewChunkedReader(bytes.NewReader(body)), max)
		switch {
		case errors.Is(err, errBound):
			return nil, tooBig(max)
		case len(b) > 0 || err == nil:
			body = b // a cut-short chunked body keeps what was recorded
		} // else not chunked after all: keep the bytes as stored
	}
	ce := codings(h, "Content-Encoding")
	for i := len(ce) - 1; i >= 0; i-- {
		b, err := decode(ce[i], body, max)
		if err != nil {
			return nil, err
		}
		body = b
	}
	return body, nil
}

func decode(coding string, body []byte, max int64) ([]byte, error) {
	var rd io.Reader
	switch coding {
	case "gzip", "x-gzip":
		if !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
			return body, nil
		}
		gz, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %w", errEncoding, err)
		}
		rd = gz
	case "deflate": // zlib-wrapped as the RFC says, or raw as some servers send it
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			rd = zr
		} else {
			rd = flate.NewReader(bytes.NewReader(body))
		}
	case "br":
		rd = brotli.NewReader(bytes.NewReader(body))
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(body), zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxMemory(uint64(max)+1))
		if err != nil {
			return nil, fmt.Errorf("%w: zstd: %w", errEncoding, err)
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, fmt.Errorf("%w: content coding %q not supported", errEncoding, coding)
	}
	b, err := readBounded(rd, max)
	switch {
	case errors.Is(err, errBound):
		return nil, tooBig(max)
	case err != nil && len(b) == 0:
		return nil, fmt.Errorf("%w: %s: %w", errEncoding, coding, err)
	}
	return b, nil // a payload the crawler cut short keeps what was recorded
}

// errBound is readBounded's signal that the data passed the bound.
var errBound = errors.New("over the bound")

// readBounded reads r to its end, or up to an error (returning what it
// read before it), or past max (errBound).
func readBounded(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if int64(len(b)) > max {
		return nil, errBound
	}
	return b, err
}

func tooBig(max int64) error {
	return fmt.Errorf("%w: decoded payload over %d bytes", dataset.ErrTooLarge, max)
}
