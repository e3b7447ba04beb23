package warc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nlnwa/gowarc/v3"

	"github.com/attrib/attrib/crawler/dataset"
)

// Reader reads the records of one WARC, WET or WAT file, plain or gzip
// (one member per record, or the whole file in one). It is a
// dataset.Reader and is not safe for concurrent use.
type Reader struct {
	name string
	lim  dataset.Limits
	fr   *framer
	file io.Closer
	un   gowarc.Unmarshaler
	raw  appender      // the current record's bytes
	rd   bytes.Reader  // raw, for gowarc
	br   *bufio.Reader // over rd, for gowarc
}

var _ dataset.Reader = (*Reader)(nil)

// Open opens a WARC, WET or WAT file.
func Open(path string, lim dataset.Limits) (*Reader, error) {
	return OpenAt(path, lim, "")
}

// OpenAt opens the file to read from the record at locator on (a
// Record.Locator or RecordError.Locator of this file), so that an
// interrupted audit continues where it stopped; "" reads from the start.
// It seeks there, except inside a whole-file gzip ("offset:N+D"), which it
// has to inflate up to the record.
func OpenAt(path string, lim dataset.Limits, locator string) (*Reader, error) {
	var off, inner int64
	if locator != "" {
		var err error
		if off, inner, err = ParseLocator(locator); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := openAt(f, path, lim, off, inner, locator != "")
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

func openAt(f *os.File, path string, lim dataset.Limits, off, inner int64, check bool) (*Reader, error) {
	var head [2]byte
	n, _ := f.ReadAt(head[:], 0)
	fileGzipped := n == 2 && head[0] == 0x1f && head[1] == 0x8b
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, fmt.Errorf("warc %s: %w", path, err)
	}
	r, err := NewReaderAt(f, path, lim, off)
	if err != nil {
		return nil, err
	}
	if !check {
		return r, nil
	}
	if r.fr.src.gzipped != fileGzipped || (!fileGzipped && inner > 0) {
		return nil, fmt.Errorf("warc %s: locator %s does not point at a record", path, formatLocator(off, inner))
	}
	if err := r.skip(inner); err != nil {
		return nil, fmt.Errorf("warc %s: locator %s: %w", path, formatLocator(off, inner), err)
	}
	if b := r.fr.fill(5); !bytes.HasPrefix(b, []byte("WARC/")) {
		return nil, fmt.Errorf("warc %s: locator %s does not point at a record", path, formatLocator(off, inner))
	}
	return r, nil
}

// NewReader reads a WARC stream from its start; name goes into each
// Record's Dataset. The caller closes in.
func NewReader(in io.Reader, name string, lim dataset.Limits) (*Reader, error) {
	return NewReaderAt(in, name, lim, 0)
}

// NewReaderAt reads a WARC stream whose first byte is at file offset off
// (where a record or gzip member starts), so that locators stay offsets
// in the file.
func NewReaderAt(in io.Reader, name string, lim dataset.Limits, off int64) (*Reader, error) {
	lim = withDefaults(lim)
	src, err := newSource(in, off, lim)
	if err != nil {
		return nil, fmt.Errorf("warc %s: %w", name, err)
	}
	r := &Reader{
		name: name,
		lim:  lim,
		fr:   newFramer(src),
		// gowarc parses the header only: the block is in memory already.
		un: gowarc.NewUnmarshaler(gowarc.WithNoValidation()),
	}
	r.br = bufio.NewReaderSize(&r.rd, 64<<10)
	return r, nil
}

func withDefaults(l dataset.Limits) dataset.Limits {
	d := dataset.DefaultLimits()
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = d.MaxRecordBytes
	}
	if l.MaxDecompressedBytes <= 0 {
		l.MaxDecompressedBytes = d.MaxDecompressedBytes
	}
	return l
}

// skip moves n bytes into the decompressed stream.
func (r *Reader) skip(n int64) error {
	for n > 0 {
		b := r.fr.fill(int(min(n, window)))
		if len(b) == 0 {
			return r.fr.stopCause()
		}
		k := min(int64(len(b)), n)
		r.fr.consume(int(k))
		n -= k
	}
	return nil
}

// Next returns the next record. Errors wrapping dataset.ErrRecord are
// *RecordError: one record (or unreadable stretch) was skipped, and Next
// may be called again. Other errors stop the file: a decompression bomb
// (dataset.ErrTooLarge), an I/O error, ctx's error.
func (r *Reader) Next(ctx context.Context) (dataset.Record, error) {
	sp, err := r.fr.next(ctx)
	if err != nil {
		return dataset.Record{}, r.wrap(err)
	}
	if sp.clen > r.lim.MaxRecordBytes {
		if err := r.fr.copyRecord(ctx, &sp, io.Discard); err != nil {
			return dataset.Record{}, r.wrap(err)
		}
		return dataset.Record{}, &RecordError{Locator: sp.loc,
			Err: fmt.Errorf("%w: block of %d bytes, bound %d", dataset.ErrTooLarge, sp.clen, r.lim.MaxRecordBytes)}
	}
	r.raw = r.raw[:0]
	if err := r.fr.copyRecord(ctx, &sp, &r.raw); err != nil {
		return dataset.Record{}, r.wrap(err)
	}
	rec, err := r.parse(sp.loc, r.raw, sp.hlen, sp.clen)
	if err != nil {
		return dataset.Record{}, &RecordError{Locator: sp.loc, Err: err}
	}
	return rec, nil
}

// wrap names the file in errors that stop it.
func (r *Reader) wrap(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, dataset.ErrRecord) {
		return err
	}
	return fmt.Errorf("warc %s: %w", r.name, err)
}

// Close closes the file Open opened.
func (r *Reader) Close() error {
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

// appender is an io.Writer that appends to a byte slice.
type appender []byte

func (a *appender) Write(p []byte) (int, error) {
	*a = append(*a, p...)
	return len(p), nil
}
