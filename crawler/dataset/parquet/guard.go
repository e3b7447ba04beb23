package parquet

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/pierrec/lz4/v4"

	"github.com/attrib/attrib/crawler/dataset"
)

// parquet-go trusts the sizes a file declares: it allocates a footer, a
// page or a thrift list of whatever length the file claims, and its
// decompressors grow their output without limit (its LZ4 decoder doubles
// its buffer forever on corrupt input). The guard below checks those
// claims, and the real decompressed size of every page, before parquet-go
// reads a column chunk, so a forged or bomb file fails here with an error
// instead of exhausting memory.

// maxFooterBytes bounds the file metadata (real footers are KBs to a few MBs).
const maxFooterBytes = 64 << 20

// maxPageValues bounds the values of one page; writers flush pages at
// about 20k rows or 1 MiB, so this only refuses forged counts.
const maxPageValues = 1 << 22

// errCorrupt is wrapped by guard failures that are not size bounds.
var errCorrupt = errors.New("corrupt parquet file")

// checkFooter reads and decodes the footer with bounded lists and strings.
func checkFooter(ra io.ReaderAt, size int64) error {
	if size < 12 {
		return fmt.Errorf("%w: %d bytes is too short", errCorrupt, size)
	}
	var tail [8]byte
	if _, err := ra.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("reading footer: %w", err)
	}
	switch string(tail[4:]) {
	case "PAR1":
	case "PARE":
		return errors.New("encrypted parquet files are not supported")
	default:
		return fmt.Errorf("%w: no PAR1 magic at the end", errCorrupt)
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 || n > maxFooterBytes {
		return fmt.Errorf("%w: footer of %d bytes in a %d-byte file (bound %d)", errCorrupt, n, size, int64(maxFooterBytes))
	}
	footer := make([]byte, n)
	if _, err := ra.ReadAt(footer, size-8-n); err != nil {
		return fmt.Errorf("reading footer: %w", err)
	}
	var proto thrift.CompactProtocol
	counted := &countingReader{r: bytes.NewReader(footer)}
	r := &boundedThrift{thriftReader: proto.NewReader(counted), left: func() int64 { return n - counted.n }}
	var md format.FileMetaData
	if err := thrift.NewDecoder(r).Decode(&md); err != nil {
		return fmt.Errorf("%w: footer: %w", errCorrupt, err)
	}
	return nil
}

// thriftReader lets boundedThrift embed thrift.Reader, whose Reader method
// would clash with an embedded field of that name.
type thriftReader = thrift.Reader

// boundedThrift refuses lists, sets, maps and strings longer than the
// bytes left to decode, before anything is allocated for them.
type boundedThrift struct {
	thriftReader
	left func() int64 // bytes not yet consumed
}

func (b *boundedThrift) remaining() int64 { return b.left() }

func (b *boundedThrift) check(what string, n int64) error {
	if n < 0 || n > b.remaining() {
		return fmt.Errorf("%w: %s of %d in %d remaining bytes", errCorrupt, what, n, b.remaining())
	}
	return nil
}

func (b *boundedThrift) ReadList() (thrift.List, error) {
	l, err := b.thriftReader.ReadList()
	if err == nil {
		err = b.check("list", int64(l.Size))
	}
	return l, err
}

func (b *boundedThrift) ReadSet() (thrift.Set, error) {
	s, err := b.thriftReader.ReadSet()
	if err == nil {
		err = b.check("set", int64(s.Size))
	}
	return s, err
}

func (b *boundedThrift) ReadMap() (thrift.Map, error) {
	m, err := b.thriftReader.ReadMap()
	if err == nil {
		err = b.check("map", int64(m.Size))
	}
	return m, err
}

func (b *boundedThrift) ReadBytes() ([]byte, error) {
	n, err := b.thriftReader.ReadLength()
	if err != nil {
		return nil, err
	}
	if err := b.check("binary", int64(n)); err != nil {
		return nil, err
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(b.thriftReader.Reader(), p); err != nil {
		return nil, err
	}
	return p, nil
}

func (b *boundedThrift) ReadString() (string, error) {
	p, err := b.ReadBytes()
	return string(p), err
}

// pageGuard checks column chunks page by page against a page bound and a
// budget of decompressed bytes for the whole file.
type pageGuard struct {
	ra       io.ReaderAt
	size     int64
	maxPage  int64
	budget   int64 // decompressed bytes left for this file
	buf      []byte
	zstd     *zstd.Decoder
	scratch  []byte
	discards [32 << 10]byte
}

func newPageGuard(ra io.ReaderAt, size, maxPage, budget int64) *pageGuard {
	return &pageGuard{ra: ra, size: size, maxPage: maxPage, budget: budget}
}

func (g *pageGuard) close() {
	if g.zstd != nil {
		g.zstd.Close()
	}
}

// checkChunk walks every page header of the column chunk and verifies each
// page's sizes, value count and real decompressed size.
func (g *pageGuard) checkChunk(cc *format.ColumnChunk) error {
	md := &cc.MetaData
	if cc.CryptoMetadata.Value != nil || len(cc.EncryptedColumnMetadata) > 0 {
		return errors.New("encrypted columns are not supported")
	}
	start := md.DataPageOffset
	if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < start {
		start = md.DictionaryPageOffset
	}
	length := md.TotalCompressedSize
	if start < 4 || length < 0 || start > g.size || length > g.size-start {
		return fmt.Errorf("%w: column chunk at %d+%d outside the %d-byte file", errCorrupt, start, length, g.size)
	}
	counted := &countingReader{r: bufio.NewReaderSize(io.NewSectionReader(g.ra, start, length), 64<<10)}
	var proto thrift.CompactProtocol
	for counted.n < length {
		tr := &boundedThrift{thriftReader: proto.NewReader(counted), left: func() int64 { return length - counted.n }}
		var h format.PageHeader
		if err := thrift.NewDecoder(tr).Decode(&h); err != nil {
			return fmt.Errorf("%w: page header at %d: %w", errCorrupt, start+counted.n, err)
		}
		if err := g.checkPage(&h, md.Codec, counted, length-counted.n); err != nil {
			return fmt.Errorf("column %v, page at offset %d: %w", md.PathInSchema, start+counted.n, err)
		}
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// checkPage verifies one page whose header was just read from r.
func (g *pageGuard) checkPage(h *format.PageHeader, codec format.CompressionCodec, r io.Reader, left int64) error {
	csize, usize := int64(h.CompressedPageSize), int64(h.UncompressedPageSize)
	if csize < 0 || usize < 0 || csize > left {
		return fmt.Errorf("%w: page of %d bytes with %d left in the chunk", errCorrupt, csize, left)
	}
	if usize > g.maxPage || csize > g.maxPage {
		return fmt.Errorf("page of %d bytes over the %d-byte page bound: %w", max(usize, csize), g.maxPage, dataset.ErrTooLarge)
	}
	if g.budget -= usize; g.budget < 0 {
		return fmt.Errorf("decompressed file: %w", dataset.ErrTooLarge)
	}
	values, levels, compressed := pageShape(h)
	if values < 0 || values > maxPageValues {
		return fmt.Errorf("%w: page of %d values (bound %d)", errCorrupt, values, maxPageValues)
	}
	if cap(g.buf) < int(csize) {
		g.buf = make([]byte, csize)
	}
	data := g.buf[:csize]
	if _, err := io.ReadFull(r, data); err != nil {
		return fmt.Errorf("%w: page data: %w", errCorrupt, err)
	}
	if !compressed || codec == format.Uncompressed {
		return nil
	}
	if levels < 0 || levels > csize || levels > usize {
		return fmt.Errorf("%w: levels of %d bytes in a %d-byte page", errCorrupt, levels, csize)
	}
	return g.checkDecompressed(codec, data[levels:], usize-levels)
}

// pageShape returns a page's value count, the byte length of its
// uncompressed level prefix (data page v2) and whether its body is compressed.
func pageShape(h *format.PageHeader) (values, levels int64, compressed bool) {
	switch {
	case h.DataPageHeaderV2.Valid:
		v := &h.DataPageHeaderV2.V
		compressed = !v.IsCompressed.Valid || v.IsCompressed.V
		return int64(v.NumValues), int64(v.RepetitionLevelsByteLength) + int64(v.DefinitionLevelsByteLength), compressed
	case h.DataPageHeader.Valid:
		return int64(h.DataPageHeader.V.NumValues), 0, true
	case h.DictionaryPageHeader.Valid:
		return int64(h.DictionaryPageHeader.V.NumValues), 0, true
	}
	return 0, 0, true
}

// checkDecompressed fails unless src decompresses without error to at most
// limit bytes; nothing larger than limit is ever held.
func (g *pageGuard) checkDecompressed(codec format.CompressionCodec, src []byte, limit int64) error {
	var (
		n   int64
		err error
	)
	switch codec {
	case format.Snappy:
		var l int
		if l, err = snappy.DecodedLen(src); err == nil {
			n = int64(l)
		}
	case format.Gzip:
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(bytes.NewReader(src)); err == nil {
			n, err = g.drain(zr, limit)
		}
	case format.Zstd:
		if g.zstd == nil {
			g.zstd, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(128<<20))
		}
		if err == nil {
			if err = g.zstd.Reset(bytes.NewReader(src)); err == nil {
				n, err = g.drain(g.zstd, limit)
			}
		}
	case format.Brotli:
		n, err = g.drain(brotli.NewReader(bytes.NewReader(src)), limit)
	case format.Lz4Raw:
		if int64(cap(g.scratch)) < limit {
			g.scratch = make([]byte, limit)
		}
		var l int
		l, err = lz4.UncompressBlock(src, g.scratch[:limit])
		n = int64(l)
	default:
		return fmt.Errorf("unsupported compression codec %v", codec)
	}
	if err != nil {
		return fmt.Errorf("%w: %v page: %w", errCorrupt, codec, err)
	}
	if n > limit {
		return fmt.Errorf("%v page decompresses past its declared %d bytes: %w", codec, limit, dataset.ErrTooLarge)
	}
	return nil
}

// drain reads r to its end or one byte past limit, and returns the count.
func (g *pageGuard) drain(r io.Reader, limit int64) (int64, error) {
	var n int64
	for n <= limit {
		m, err := r.Read(g.discards[:min(int64(len(g.discards)), limit+1-n)])
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
