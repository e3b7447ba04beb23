package dir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/dataset/internal/sniff"
)

// Reader reads a folder's files as records. It is a dataset.Reader and is
// not safe for concurrent use.
type Reader struct {
	name string
	lim  dataset.Limits
	root *os.Root
	walk *walker
}

var _ dataset.Reader = (*Reader)(nil)

// RecordError is an error about one file (or folder) that the reader
// skipped; it wraps dataset.ErrRecord.
type RecordError struct {
	Locator string
	Err     error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %s: %v", e.Locator, e.Err) }

// Unwrap exposes dataset.ErrRecord and the cause.
func (e *RecordError) Unwrap() []error { return []error{dataset.ErrRecord, e.Err} }

// ErrOutside is wrapped for a symbolic link that leads out of the folder
// (or is absolute, or broken): it is not followed.
var ErrOutside = errors.New("symbolic link not followed: it leaves the folder or leads nowhere")

// Open opens the folder root.
func Open(root string, lim dataset.Limits) (*Reader, error) {
	return OpenAt(root, lim, "")
}

// OpenAt opens the folder to read from the file at locator ("file:REL")
// on, or from where it would sort if it is gone, so that an interrupted
// audit continues; "" reads from the start.
func OpenAt(root string, lim dataset.Limits, locator string) (*Reader, error) {
	from := ""
	if locator != "" {
		rel, err := ParseLocator(locator)
		if err != nil {
			return nil, err
		}
		from = rel
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	w, err := newWalker(r, from)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("dir %s: %w", root, err)
	}
	if lim.MaxRecordBytes <= 0 {
		lim.MaxRecordBytes = dataset.DefaultLimits().MaxRecordBytes
	}
	return &Reader{name: root, lim: lim, root: r, walk: w}, nil
}

// Locator returns the locator of the file at rel ('/'-separated).
func Locator(rel string) string { return "file:" + rel }

// ParseLocator returns the relative path in a "file:REL" locator.
func ParseLocator(loc string) (string, error) {
	rel, ok := strings.CutPrefix(loc, "file:")
	if !ok || rel == "" || !fs.ValidPath(rel) || rel == "." {
		return "", fmt.Errorf("locator %q: want file:REL, a path inside the folder", loc)
	}
	return rel, nil
}

// Next returns the next file's record, or io.EOF after the last. Errors
// wrapping dataset.ErrRecord are *RecordError: a file over the bound
// (dataset.ErrTooLarge), an unreadable file or folder, a symbolic link out
// of the folder; Next may be called again. Special files (pipes, devices,
// sockets) and symbolic links to folders are passed over.
func (r *Reader) Next(ctx context.Context) (dataset.Record, error) {
	for {
		if err := ctx.Err(); err != nil {
			return dataset.Record{}, err
		}
		s, ok, err := r.walk.next()
		switch {
		case err != nil:
			return dataset.Record{}, &RecordError{Locator: Locator(s.rel), Err: err}
		case !ok:
			return dataset.Record{}, io.EOF
		case s.entry == nil || s.entry.IsDir():
			continue
		}
		rec, use, err := r.read(s.rel)
		if err != nil {
			return dataset.Record{}, &RecordError{Locator: Locator(s.rel), Err: err}
		}
		if use {
			return rec, nil
		}
	}
}

// read reads one file (following a symbolic link inside the folder).
// use is false for what is no file to read.
func (r *Reader) read(rel string) (rec dataset.Record, use bool, err error) {
	info, err := regular(r.root, rel)
	if err != nil || info == nil {
		return rec, false, err
	}
	if info.Size() > r.lim.MaxRecordBytes {
		return rec, false, fmt.Errorf("%w: %d bytes, bound %d", dataset.ErrTooLarge, info.Size(), r.lim.MaxRecordBytes)
	}
	f, err := r.root.Open(rel)
	if err != nil {
		return rec, false, err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, r.lim.MaxRecordBytes+1))
	if err != nil {
		return rec, false, err
	}
	if int64(len(body)) > r.lim.MaxRecordBytes { // it grew since Stat
		return rec, false, fmt.Errorf("%w: over %d bytes", dataset.ErrTooLarge, r.lim.MaxRecordBytes)
	}
	rec = dataset.Record{Dataset: r.name, Locator: Locator(rel), Kind: kind(rel, body)}
	if rec.Kind != dataset.KindOther {
		rec.Body = body
	}
	return rec, true, nil
}

// regular returns the file info of rel when it is a regular file or a
// symbolic link to one inside the folder, nil for special files and
// links to folders, and ErrOutside for links that leave the folder.
func regular(root *os.Root, rel string) (fs.FileInfo, error) {
	info, err := root.Lstat(rel)
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if info, err = root.Stat(rel); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrOutside, err)
		}
	}
	if !info.Mode().IsRegular() {
		return nil, nil
	}
	return info, nil
}

// kind tells a file's kind: raster image bytes make an image; .html/.htm
// are pages and .txt/.md/.rst text; a file without an extension is
// sniffed; anything else is not auditable.
func kind(rel string, body []byte) dataset.Kind {
	if sniff.Image(body) {
		return dataset.KindImage
	}
	ext := strings.ToLower(path.Ext(rel))
	switch k := sniff.Ext(ext); k {
	case dataset.KindHTML, dataset.KindText:
		if len(body) == 0 {
			return dataset.KindOther
		}
		return k
	}
	if ext == "" {
		return sniff.Kind("", body)
	}
	return dataset.KindOther
}

// Close releases the folder.
func (r *Reader) Close() error { return r.root.Close() }
