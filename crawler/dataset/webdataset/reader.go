package webdataset

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/klauspost/compress/gzip"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/dataset/internal/bounded"
)

// Options configure a Reader; zero values use the defaults.
type Options struct {
	// Limits bound one member (MaxRecordBytes; larger members are skipped)
	// and the decompressed shard (MaxDecompressedBytes).
	Limits dataset.Limits
	// MaxSampleMembers bounds the members held to give a sample's records
	// the URL of its .json (default 64); a larger sample is read in parts.
	MaxSampleMembers int
}

// Reader streams the records of one shard: one per regular member
// (images KindImage with Body, .txt KindText, .html KindHTML, a .json's
// caption KindText, other members KindOther without Body), with Group set
// to the sample key, Locator "member:NAME", and URL from the sample's .json.
// Directories, links and devices are skipped. It is not safe for
// concurrent use.
type Reader struct {
	name       string
	file       io.Closer // nil when reading from a caller's reader
	stream     io.ReadCloser
	tr         *tar.Reader
	gzipped    bool
	limits     dataset.Limits
	maxMembers int

	queue   []item // the records of the sample being returned
	ahead   *item  // the first member of the next sample, read ahead
	lastKey string // key and URL of the last sample, for one split by the bounds
	lastURL string
	err     error // sticky: io.EOF or a fatal error, returned once the queue is empty
}

// item is one member's outcome.
type item struct {
	rec  dataset.Record
	err  error
	meta *sampleMeta // set for a readable .json
	size int
}

var _ dataset.Reader = (*Reader)(nil)

// Open opens the shard at path.
func Open(ctx context.Context, path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("webdataset: %w", err)
	}
	r, err := NewReader(ctx, f, path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewReader reads a shard from src, plain or gzip (told by its first
// bytes); name is the records' dataset.
func NewReader(ctx context.Context, src io.Reader, name string, opts Options) (*Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limits := withDefaults(opts.Limits)
	stream, gzipped, err := openStream(src, limits.MaxDecompressedBytes)
	if err != nil {
		return nil, fmt.Errorf("webdataset: %s: %w", name, err)
	}
	maxMembers := opts.MaxSampleMembers
	if maxMembers <= 0 {
		maxMembers = 64
	}
	return &Reader{name: name, stream: stream, tr: tar.NewReader(stream), gzipped: gzipped, limits: limits, maxMembers: maxMembers}, nil
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

// openStream returns the tar stream of src, decompressing gzip, bounded
// to max bytes.
func openStream(src io.Reader, max int64) (io.ReadCloser, bool, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(2)
	if !bytes.Equal(head, []byte{0x1f, 0x8b}) {
		return bounded.NewReader(io.NopCloser(br), max), false, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, false, fmt.Errorf("gzip header: %w", err)
	}
	return bounded.NewReader(zr, max), true, nil
}

// Gzipped tells whether the shard is gzip-compressed.
func (r *Reader) Gzipped() bool { return r.gzipped }

// Close releases the shard.
func (r *Reader) Close() error {
	err := r.stream.Close()
	if r.file != nil {
		err = errors.Join(err, r.file.Close())
	}
	return err
}

// Next returns the next record; an error wrapping dataset.ErrRecord is
// about one member (the returned Record still names it) and reading goes on.
func (r *Reader) Next(ctx context.Context) (dataset.Record, error) {
	for {
		if err := ctx.Err(); err != nil {
			return dataset.Record{}, err
		}
		if len(r.queue) > 0 {
			it := r.queue[0]
			r.queue = r.queue[1:]
			return it.rec, it.err
		}
		if r.err != nil {
			return dataset.Record{}, r.err
		}
		r.readSample()
	}
}

// readSample queues the records of the next sample: the members that share
// a key, up to the member and byte bounds.
func (r *Reader) readSample() {
	var items []item
	var key string
	var size int64
	if r.ahead != nil {
		items, key, size = append(items, *r.ahead), r.ahead.rec.Group, int64(r.ahead.size)
		r.ahead = nil
	}
	for len(items) < r.maxMembers && size <= 4*r.limits.MaxRecordBytes {
		it, err := r.readMember()
		if err != nil {
			r.err = err
			break
		}
		if len(items) > 0 && it.rec.Group != key {
			r.ahead = &it
			break
		}
		items, key, size = append(items, it), it.rec.Group, size+int64(it.size)
	}
	r.queue = r.withURLs(items, key)
}

// withURLs gives the sample's records the URL of its .json, and turns a
// .json into a record only when it has a caption.
func (r *Reader) withURLs(items []item, key string) []item {
	url := ""
	if key == r.lastKey {
		url = r.lastURL
	}
	for _, it := range items {
		if it.meta != nil && it.meta.url != "" {
			url = it.meta.url
		}
	}
	r.lastKey, r.lastURL = key, url
	out := items[:0]
	for _, it := range items {
		if it.meta != nil {
			if it.meta.caption == "" {
				continue
			}
			it.rec.Text = it.meta.caption
		}
		if it.err == nil && it.rec.URL == "" {
			it.rec.URL = url
		}
		out = append(out, it)
	}
	return out
}

// readMember reads the next regular member. Errors about the member are
// in item.err; the returned error is io.EOF or fatal for the shard.
func (r *Reader) readMember() (item, error) {
	for {
		h, err := r.tr.Next()
		if err == io.EOF {
			return item{}, io.EOF
		}
		if err != nil {
			return item{}, fmt.Errorf("webdataset: %s: %w", r.name, err)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeGNUSparse {
			continue // directories, links, devices, global headers: no content
		}
		return r.member(h)
	}
}

func (r *Reader) member(h *tar.Header) (item, error) {
	if !safeName(h.Name) {
		rec := dataset.Record{Dataset: r.name, Locator: "member:" + strconv.Quote(h.Name), Kind: dataset.KindOther}
		return item{rec: rec, err: r.memberErr(rec, errors.New("unsafe member name"), dataset.ErrRecord)}, nil
	}
	key, ext := splitKey(h.Name)
	kind := kindOf(ext)
	rec := dataset.Record{Dataset: r.name, Locator: "member:" + h.Name, Group: key, Kind: kind.recordKind()}
	switch {
	case isSparse(h):
		return item{rec: rec, err: r.memberErr(rec, errors.New("sparse member"), dataset.ErrRecord)}, nil
	case kind == kindOther:
		return item{rec: rec}, nil // not auditable: named, not read
	case h.Size > r.limits.MaxRecordBytes:
		return item{rec: rec, err: r.memberErr(rec, fmt.Errorf("%d bytes, over %d", h.Size, r.limits.MaxRecordBytes), errors.Join(dataset.ErrTooLarge, dataset.ErrRecord))}, nil
	}
	body := make([]byte, h.Size)
	if _, err := io.ReadFull(r.tr, body); err != nil {
		return item{}, fmt.Errorf("webdataset: %s: %s: %w", r.name, rec.Locator, err)
	}
	it := item{rec: rec, size: len(body)}
	switch kind {
	case kindText:
		it.rec.Text = string(body)
	case kindJSON:
		meta, err := parseMeta(body)
		if err != nil {
			it.err = r.memberErr(rec, fmt.Errorf("invalid JSON: %w", err), dataset.ErrRecord)
			break
		}
		it.meta = &meta
	default:
		it.rec.Body = body
	}
	return it, nil
}

func (r *Reader) memberErr(rec dataset.Record, err, kind error) error {
	return fmt.Errorf("webdataset: %s: %s: %w: %w", r.name, rec.Locator, err, kind)
}
