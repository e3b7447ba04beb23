package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/attrib/attrib/crawler/dataset"
)

// Options configure a Reader; zero values pick columns by the presets and
// use the default limits.
type Options struct {
	// TextColumn is a document text column ("text", "content" by default);
	// dotted for nested columns, "|" for alternatives. A set column must exist.
	TextColumn string
	// URLColumn is the source URL column ("url", "URL", "image_url").
	URLColumn string
	// ImageColumn holds embedded image bytes ("image.bytes", "jpg", ...).
	ImageColumn string
	// ImageURLs says the URL column names images to fetch, not pages. It is
	// implied for LAION-style files: a URL and a caption (TEXT, caption)
	// column and no text or image column.
	ImageURLs bool
	// Limits bound one value (MaxRecordBytes) and the decompressed bytes of
	// the pages read (MaxDecompressedBytes).
	Limits dataset.Limits
	// MaxPageBytes bounds one page, compressed or not (default 256 MiB:
	// writers batch rows of embedded images into large pages).
	MaxPageBytes int64
}

// batchSize is how many values per column are decoded at a time.
const batchSize = 64

// Reader streams the records of one Parquet file, one row group and one
// page per selected column at a time; columns not selected are never read.
// It is not safe for concurrent use.
type Reader struct {
	name   string
	file   io.Closer // nil when reading from a caller's ReaderAt
	pf     *parquet.File
	layout layout
	limits dataset.Limits
	guard  *pageGuard

	group   int   // index of the next row group to open
	left    int64 // rows left in the open row group
	row     int64 // index of the next row in the file
	cursors []*cursor
	queue   []dataset.Record // the second record of a row
	err     error            // sticky fatal error
}

// cursor walks one column of the open row group.
type cursor struct {
	col    *column
	values parquet.ColumnChunkValueReader
	buf    []parquet.Value
	pos, n int
}

var _ dataset.Reader = (*Reader)(nil)

// Open opens the Parquet file at path.
func Open(ctx context.Context, path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("parquet: %w", err)
	}
	r, err := NewReader(ctx, f, st.Size(), path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewReader reads the Parquet file of size bytes in ra; name is the
// records' dataset. A file without the columns asked for fails with an
// error that lists the columns present.
func NewReader(ctx context.Context, ra io.ReaderAt, size int64, name string, opts Options) (r *Reader, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer recoverPanic(name, &err)
	limits := withDefaults(opts.Limits)
	pf, err := openFile(ra, size)
	if err != nil {
		return nil, fmt.Errorf("parquet: %s: %w", name, err)
	}
	l, err := resolveLayout(pf.Schema(), opts)
	if err != nil {
		return nil, fmt.Errorf("parquet: %s: %w", name, err)
	}
	maxPage := opts.MaxPageBytes
	if maxPage <= 0 {
		maxPage = 256 << 20
	}
	return &Reader{
		name: name, pf: pf, layout: l, limits: limits,
		guard: newPageGuard(ra, size, maxPage, limits.MaxDecompressedBytes),
	}, nil
}

// openFile checks the footer, then lets parquet-go decode it.
func openFile(ra io.ReaderAt, size int64) (*parquet.File, error) {
	if err := checkFooter(ra, size); err != nil {
		return nil, err
	}
	return parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
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

// recoverPanic turns a panic of the Parquet decoder on a malformed file
// into an error: one bad file must not stop an audit.
func recoverPanic(name string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("parquet: %s: %w: decoder panic: %v", name, errCorrupt, p)
	}
}

// Columns names the columns in use, by role ("text", "caption", "url",
// "image"); roles without a column are absent.
func (r *Reader) Columns() map[string]string {
	m := map[string]string{}
	for role, c := range map[string]*column{"text": r.layout.text, "caption": r.layout.caption, "url": r.layout.url, "image": r.layout.image} {
		if c != nil {
			m[role] = c.path
		}
	}
	return m
}

// ImageURLs tells whether the URL column names images (LAION-style).
func (r *Reader) ImageURLs() bool { return r.layout.imageURLs }

// NumRows is the file's row count from its footer.
func (r *Reader) NumRows() int64 { return r.pf.NumRows() }

// Next returns the next record. A row yields a KindText record for its
// text, a KindImage record for its image (bytes, or URL only when the URL
// column names images; Text holds the caption), or both, with the same
// locator "row:N"; rows with nothing to audit yield none. An error
// wrapping dataset.ErrRecord is about one value and reading goes on.
func (r *Reader) Next(ctx context.Context) (rec dataset.Record, err error) {
	if err := ctx.Err(); err != nil {
		return dataset.Record{}, err
	}
	if len(r.queue) > 0 {
		rec, r.queue = r.queue[0], r.queue[1:]
		return rec, nil
	}
	if r.err != nil {
		return dataset.Record{}, r.err
	}
	defer func() {
		if err != nil && !errors.Is(err, dataset.ErrRecord) {
			r.err = err
		}
	}()
	defer recoverPanic(r.name, &err)
	for {
		if r.left == 0 {
			if err := r.openGroup(); err != nil {
				return dataset.Record{}, err
			}
			continue
		}
		recs, err := r.nextRow()
		if err != nil || len(recs) > 0 {
			if len(recs) > 1 {
				r.queue = append(r.queue, recs[1:]...)
			}
			return first(recs), err
		}
		if r.row%1024 == 0 && ctx.Err() != nil {
			return dataset.Record{}, ctx.Err()
		}
	}
}

func first(recs []dataset.Record) dataset.Record {
	if len(recs) == 0 {
		return dataset.Record{}
	}
	return recs[0]
}

// openGroup guards and opens the next row group's selected columns.
func (r *Reader) openGroup() error {
	r.closeCursors()
	groups := r.pf.RowGroups()
	if r.group >= len(groups) {
		return io.EOF
	}
	g := groups[r.group]
	meta := &r.pf.Metadata().RowGroups[r.group]
	r.group++
	chunks := g.ColumnChunks()
	for _, col := range r.layout.columns() {
		if col.index >= len(meta.Columns) || col.index >= len(chunks) {
			return fmt.Errorf("parquet: %s: row group %d: %w: no chunk for column %s", r.name, r.group-1, errCorrupt, col.path)
		}
		if err := r.guard.checkChunk(&meta.Columns[col.index]); err != nil {
			return fmt.Errorf("parquet: %s: row group %d: %w", r.name, r.group-1, err)
		}
		r.cursors = append(r.cursors, &cursor{col: col, values: parquet.NewColumnChunkValueReader(chunks[col.index]), buf: make([]parquet.Value, batchSize)})
	}
	r.left = g.NumRows()
	if r.left < 0 {
		return fmt.Errorf("parquet: %s: %w: row group of %d rows", r.name, errCorrupt, r.left)
	}
	return nil
}

func (r *Reader) closeCursors() {
	for _, c := range r.cursors {
		c.values.Close()
	}
	r.cursors = r.cursors[:0]
}

// Close releases the file.
func (r *Reader) Close() error {
	r.closeCursors()
	r.guard.close()
	if r.file != nil {
		return r.file.Close()
	}
	return nil
}

// next returns the cursor's value for the current row; the value's bytes
// are valid until the next call.
func (c *cursor) next() (parquet.Value, error) {
	if c.pos == c.n {
		n, err := c.values.ReadValues(c.buf)
		if n == 0 {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return parquet.Value{}, fmt.Errorf("column %s: %w", c.col.path, err)
		}
		c.pos, c.n = 0, n
	}
	v := c.buf[c.pos]
	c.pos++
	return v, nil
}

// nextRow reads one row of the selected columns and makes its records.
func (r *Reader) nextRow() ([]dataset.Record, error) {
	vals := map[*column][]byte{}
	for _, c := range r.cursors {
		v, err := c.next()
		if err != nil {
			return nil, fmt.Errorf("parquet: %s: row %d: %w", r.name, r.row, err)
		}
		if !v.IsNull() {
			vals[c.col] = v.ByteArray()
		}
	}
	row := r.row
	r.row++
	r.left--
	return r.records(row, vals)
}

// records makes a row's records from its column values.
func (r *Reader) records(row int64, vals map[*column][]byte) ([]dataset.Record, error) {
	l := r.layout
	base := dataset.Record{Dataset: r.name, Locator: "row:" + strconv.FormatInt(row, 10)}
	if u, ok := vals[l.url]; ok && l.url != nil {
		base.URL = string(u)
	}
	for _, c := range l.columns() {
		if v, ok := vals[c]; ok && int64(len(v)) > r.limits.MaxRecordBytes {
			base.Kind = dataset.KindText
			return []dataset.Record{base}, fmt.Errorf("parquet: %s: %s: column %s holds %d bytes, over %d: %w", r.name, base.Locator, c.path, len(v), r.limits.MaxRecordBytes,
				errors.Join(dataset.ErrTooLarge, dataset.ErrRecord))
		}
	}
	var recs []dataset.Record
	if text, ok := vals[l.text]; ok && l.text != nil && len(text) > 0 {
		rec := base
		rec.Kind, rec.Text = dataset.KindText, string(text)
		if l.imageURLs {
			rec.URL = ""
		}
		recs = append(recs, rec)
	}
	img, hasImg := vals[l.image]
	hasImg = hasImg && l.image != nil && len(img) > 0
	if hasImg || (l.imageURLs && base.URL != "") {
		rec := base
		rec.Kind = dataset.KindImage
		if hasImg {
			rec.Body = append([]byte(nil), img...)
		}
		if c, ok := vals[l.caption]; ok && l.caption != nil {
			rec.Text = string(c)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}
