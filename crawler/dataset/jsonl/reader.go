package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/attrib/attrib/crawler/dataset"
)

// Options configure a Reader. Zero values mean auto-detection and the
// default limits.
type Options struct {
	// Preset is a corpus layout from Presets ("c4", "redpajama", "dolma",
	// "text", "content"), or "" / "auto" to tell it from the first record.
	Preset string
	// TextField and URLField are dotted paths with "|" alternatives
	// ("text|raw_content", "meta.url"); they override the preset's.
	TextField string
	URLField  string
	// Limits bound one line (MaxRecordBytes) and the decompressed file.
	Limits dataset.Limits
}

// detectLines is how many leading lines may be tried for a valid record
// before auto-detection gives up.
const detectLines = 64

// readBufferSize is the bufio size; lines longer than this are assembled
// piecewise up to the record bound.
const readBufferSize = 64 << 10

// Reader streams the records of one JSONL file. It is not safe for
// concurrent use.
type Reader struct {
	name   string
	file   io.Closer // nil when reading from a caller's reader
	stream io.ReadCloser
	br     *bufio.Reader
	comp   Compression
	limits dataset.Limits

	spec fieldSpec

	line    int64  // number of the last line read (1-based)
	buf     []byte // assembles lines longer than the bufio buffer
	pending []item // results read ahead during detection, in order
	err     error  // sticky fatal error
}

// item is one line's outcome, read ahead while the preset is detected: an
// error, or a parsed object still to be turned into a record.
type item struct {
	rec dataset.Record
	err error
	top map[string]json.RawMessage
}

var _ dataset.Reader = (*Reader)(nil)

// Open opens the JSONL file at path, which records name as their dataset.
func Open(ctx context.Context, path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	r, err := NewReader(ctx, f, path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewReader reads JSONL from src, telling plain, gzip and zstd apart by the
// first bytes; name is the records' dataset.
func NewReader(ctx context.Context, src io.Reader, name string, opts Options) (*Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	spec, detect, err := resolveSpec(opts)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	limits := withDefaults(opts.Limits)
	raw := bufio.NewReaderSize(src, readBufferSize)
	comp := sniff(raw)
	stream, err := decompress(raw, comp, limits.MaxDecompressedBytes)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %s: %w", name, err)
	}
	r := &Reader{
		name: name, stream: stream, comp: comp, limits: limits, spec: spec,
		br: bufio.NewReaderSize(stream, readBufferSize),
	}
	if detect {
		if err := r.detectSpec(ctx); err != nil {
			stream.Close()
			return nil, err
		}
	}
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

// Preset names the layout in use: a preset, "custom" for explicit fields,
// or "" when the file held no record to detect one from.
func (r *Reader) Preset() string { return r.spec.preset }

// Compression tells how the file is stored.
func (r *Reader) Compression() Compression { return r.comp }

// Next returns the next record; an error wrapping dataset.ErrRecord is
// about one line (the returned Record still names it) and reading goes on.
func (r *Reader) Next(ctx context.Context) (dataset.Record, error) {
	if err := ctx.Err(); err != nil {
		return dataset.Record{}, err
	}
	if len(r.pending) > 0 {
		it := r.pending[0]
		r.pending = r.pending[1:]
		if it.top != nil {
			return r.fromObject(it.rec, it.top)
		}
		return it.rec, it.err
	}
	if r.err != nil {
		return dataset.Record{}, r.err
	}
	line, err := r.nextLine()
	if err != nil {
		return r.fail(err)
	}
	top, err := parseObject(line)
	if err != nil {
		return r.locate(), r.recordErr(err)
	}
	return r.fromObject(r.locate(), top)
}

// Close releases the file and the decompressor.
func (r *Reader) Close() error {
	err := r.stream.Close()
	if r.file != nil {
		err = errors.Join(err, r.file.Close())
	}
	return err
}

// detectSpec reads up to the first valid object, tells the preset from it
// and queues every line read so far for Next.
func (r *Reader) detectSpec(ctx context.Context) error {
	for range detectLines {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := r.nextLine()
		if err == io.EOF {
			return nil // no record at all: Next reports what was queued, then EOF
		}
		if err != nil && !errors.Is(err, dataset.ErrRecord) {
			return fmt.Errorf("jsonl: %s: %w", r.name, err)
		}
		if err != nil {
			r.pending = append(r.pending, item{rec: r.locate(), err: err})
			continue
		}
		top, perr := parseObject(line)
		if perr != nil {
			r.pending = append(r.pending, item{rec: r.locate(), err: r.recordErr(perr)})
			continue
		}
		spec, err := detectPreset(top, r.spec.url)
		if err != nil {
			return fmt.Errorf("jsonl: %s: line %d: %w", r.name, r.line, err)
		}
		r.spec = spec
		r.pending = append(r.pending, item{rec: r.locate(), top: top})
		return nil
	}
	return fmt.Errorf("jsonl: %s: no JSON object in the first %d lines: %w", r.name, detectLines, r.pending[len(r.pending)-1].err)
}

func (r *Reader) fail(err error) (dataset.Record, error) {
	if errors.Is(err, dataset.ErrRecord) {
		return r.locate(), err
	}
	if err != io.EOF {
		err = fmt.Errorf("jsonl: %s: after line %d: %w", r.name, r.line, err)
	}
	r.err = err
	return dataset.Record{}, err
}

// locate is the record skeleton naming the current line.
func (r *Reader) locate() dataset.Record {
	return dataset.Record{Dataset: r.name, Locator: "line:" + strconv.FormatInt(r.line, 10), Kind: dataset.KindText}
}

// fromObject fills rec from a parsed line.
func (r *Reader) fromObject(rec dataset.Record, top map[string]json.RawMessage) (dataset.Record, error) {
	text, url, err := r.spec.extract(top)
	if err != nil {
		return rec, fmt.Errorf("jsonl: %s: %s: %w: %w", r.name, rec.Locator, err, dataset.ErrRecord)
	}
	rec.Text, rec.URL = text, url
	return rec, nil
}

func (r *Reader) recordErr(err error) error {
	return fmt.Errorf("jsonl: %s: line %d: %w: %w", r.name, r.line, err, dataset.ErrRecord)
}

// nextLine returns the next non-empty line without its line ending; the
// slice is valid until the next read. A line over the bound is consumed
// and reported as ErrTooLarge|ErrRecord.
func (r *Reader) nextLine() ([]byte, error) {
	for {
		line, err := r.readLine()
		if err != nil || len(bytes.TrimSpace(line)) > 0 {
			return line, err
		}
	}
}

// readLine reads one line, blank ones included (they count in locators).
func (r *Reader) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	limit := r.limits.MaxRecordBytes + 2 // the bound is on content, "\r\n" aside
	var size int64
	for {
		chunk, err := r.br.ReadSlice('\n')
		size += int64(len(chunk))
		if size <= limit {
			if len(r.buf) == 0 && err == nil { // the whole line is in the buffer
				r.line++
				return r.checkLen(trimEOL(chunk))
			}
			r.buf = append(r.buf, chunk...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && size == 0:
			return nil, io.EOF
		case err != nil && err != io.EOF:
			return nil, err
		}
		r.line++
		if size > limit {
			return nil, r.tooLarge()
		}
		return r.checkLen(trimEOL(r.buf))
	}
}

func (r *Reader) checkLen(line []byte) ([]byte, error) {
	if int64(len(line)) > r.limits.MaxRecordBytes {
		return nil, r.tooLarge()
	}
	return line, nil
}

// trimEOL drops one "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

func (r *Reader) tooLarge() error {
	return fmt.Errorf("jsonl: %s: line %d: longer than %d bytes: %w", r.name, r.line, r.limits.MaxRecordBytes,
		errors.Join(dataset.ErrTooLarge, dataset.ErrRecord))
}
