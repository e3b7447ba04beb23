package workfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/attrib/attrib/crawler/extract"
	"github.com/attrib/attrib/store"
)

// Errors of Read; test with errors.Is.
var (
	ErrUnsupported = errors.New("unsupported file type")
	ErrEmpty       = errors.New("file has no text")
	ErrBinary      = errors.New("file is binary, not text")
	ErrTooLarge    = errors.New("file too large")
)

// Limits bound what Read loads.
type Limits struct {
	MaxTextBytes  int64
	MaxImageBytes int64
}

// DefaultLimits allows a long book (the KJV is 4.3 MB) and camera photos.
func DefaultLimits() Limits { return Limits{MaxTextBytes: 64 << 20, MaxImageBytes: 20 << 20} }

var kinds = map[string]store.WorkKind{
	".txt": store.KindText, ".md": store.KindText, ".rst": store.KindText,
	".html": store.KindText, ".htm": store.KindText,
	".jpg": store.KindImage, ".jpeg": store.KindImage, ".png": store.KindImage,
	".gif": store.KindImage, ".webp": store.KindImage,
}

// KindOf returns the work kind of path by its extension.
func KindOf(path string) (store.WorkKind, bool) {
	k, ok := kinds[strings.ToLower(filepath.Ext(path))]
	return k, ok
}

// File is one file read for registration.
type File struct {
	Path  string
	Kind  store.WorkKind
	Title string // the base name
	Data  []byte // the file's bytes (hashed as the work's SHA-256)
	Text  string // text works: the text to fingerprint
}

// Expand returns the files named by paths: a file as is, a folder as every
// file inside it, recursively, with a supported extension, sorted. A named
// file with an unsupported extension is an error; inside folders such files
// are skipped (returned in skipped) so a folder of mixed content registers.
func Expand(ctx context.Context, paths []string) (files, skipped []string, err error) {
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("register %s: %w", p, err)
		}
		if !info.IsDir() {
			if _, ok := KindOf(p); !ok {
				return nil, nil, fmt.Errorf("register %s: %w (want .txt .md .rst .html .htm .jpg .jpeg .png .gif .webp)", p, ErrUnsupported)
			}
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !d.Type().IsRegular() {
				return nil
			}
			if _, ok := KindOf(path); ok {
				found = append(found, path)
			} else {
				skipped = append(skipped, path)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("register %s: %w", p, err)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, skipped, nil
}

// Read loads one file within lim.
func Read(path string, lim Limits) (File, error) {
	kind, ok := KindOf(path)
	if !ok {
		return File{}, fmt.Errorf("%s: %w", path, ErrUnsupported)
	}
	max := lim.MaxTextBytes
	if kind == store.KindImage {
		max = lim.MaxImageBytes
	}
	data, err := readBounded(path, max)
	if err != nil {
		return File{}, err
	}
	f := File{Path: path, Kind: kind, Title: filepath.Base(path), Data: data}
	if kind == store.KindImage {
		return f, nil
	}
	f.Text, err = textOf(path, data)
	return f, err
}

func readBounded(path string, max int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w (limit %d bytes)", path, ErrTooLarge, max)
	}
	return data, nil
}

func textOf(path string, data []byte) (string, error) {
	if looksBinary(data) {
		return "", fmt.Errorf("%s: %w", path, ErrBinary)
	}
	text := strings.ToValidUTF8(string(data), "\uFFFD")
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".html" || ext == ".htm" {
		base := &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
		res, err := extract.FromReader(strings.NewReader(text), base, int64(len(data))+1)
		if err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		text = res.Text
	}
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("%s: %w", path, ErrEmpty)
	}
	return text, nil
}

// looksBinary reports NUL bytes or mostly invalid UTF-8 in the first 8 KB:
// the heuristic git and file(1) use.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	bad := 0
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size == 1 && len(head) >= utf8.UTFMax {
			bad++
		}
		head = head[size:]
	}
	return bad*10 > len(data[:min(len(data), 8192)])
}
