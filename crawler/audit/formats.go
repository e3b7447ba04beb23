package audit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/dataset/dir"
	"github.com/attrib/attrib/crawler/dataset/jsonl"
	"github.com/attrib/attrib/crawler/dataset/parquet"
	"github.com/attrib/attrib/crawler/dataset/warc"
	"github.com/attrib/attrib/crawler/dataset/webdataset"
)

// Formats lists the dataset formats `attrib audit --format` accepts.
var Formats = []string{"auto", "warc", "wet", "jsonl", "parquet", "webdataset", "dir"}

// FormatOptions say how to read the dataset files.
type FormatOptions struct {
	Format    string // one of Formats; "auto" or "" detects per file
	Preset    string // JSONL field preset (c4, redpajama, dolma, ...); "" detects
	TextField string // JSONL field / Parquet column of the text
	URLField  string // JSONL field / Parquet column of the URL
	Limits    dataset.Limits
}

// Files resolves paths into dataset files with their readers.
func Files(paths []string, o FormatOptions) ([]File, error) {
	if o.Limits == (dataset.Limits{}) {
		o.Limits = dataset.DefaultLimits()
	}
	var out []File
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("dataset %s: %w", p, err)
		}
		format := o.Format
		if format == "" || format == "auto" {
			if format, err = Detect(p); err != nil {
				return nil, err
			}
		}
		f, err := file(p, info, format, o)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// file builds the File of one path in a known format.
func file(p string, info os.FileInfo, format string, o FormatOptions) (File, error) {
	f := File{Path: p, Size: info.Size()}
	if info.IsDir() != (format == "dir") {
		return f, fmt.Errorf("dataset %s: format %s does not fit a %s", p, format, map[bool]string{true: "folder", false: "file"}[info.IsDir()])
	}
	var open func(ctx context.Context) (dataset.Reader, error)
	switch format {
	case "warc", "wet":
		open = func(context.Context) (dataset.Reader, error) { return warc.Open(p, o.Limits) }
		f.Clean = warc.CleanWithLimits(o.Limits)
	case "jsonl":
		jo := jsonl.Options{Preset: o.Preset, TextField: o.TextField, URLField: o.URLField, Limits: o.Limits}
		open = func(ctx context.Context) (dataset.Reader, error) { return jsonl.Open(ctx, p, jo) }
		f.Clean = jsonl.Cleaner(o.Limits)
	case "parquet":
		po := parquet.Options{TextColumn: o.TextField, URLColumn: o.URLField, Limits: o.Limits}
		open = func(ctx context.Context) (dataset.Reader, error) { return parquet.Open(ctx, p, po) }
		f.Clean = parquet.Cleaner(o.Limits)
	case "webdataset":
		wo := webdataset.Options{Limits: o.Limits}
		open = func(ctx context.Context) (dataset.Reader, error) { return webdataset.Open(ctx, p, wo) }
		f.Clean = webdataset.Cleaner(o.Limits)
	case "dir":
		open = func(context.Context) (dataset.Reader, error) { return dir.Open(p, o.Limits) }
		f.Clean = dir.Clean
		f.Size = 0 // a folder's size is not its content's; the ETA counts it as done when done
	default:
		return f, fmt.Errorf("dataset %s: format %q is not supported (%s)", p, format, strings.Join(Formats, ", "))
	}
	f.Open = func(ctx context.Context, skip int64) (dataset.Reader, error) {
		r, err := open(ctx)
		if err != nil {
			return nil, fmt.Errorf("open %s as %s: %w", p, format, err)
		}
		if skip > 0 {
			return &skipping{Reader: r, skip: skip}, nil
		}
		return r, nil
	}
	return f, nil
}

// skipping drops a reader's first records: where a resumed audit stopped.
type skipping struct {
	dataset.Reader
	skip int64
}

func (s *skipping) Next(ctx context.Context) (dataset.Record, error) {
	for ; s.skip > 0; s.skip-- {
		if _, err := s.Reader.Next(ctx); err != nil && !isRecordErr(err) {
			return dataset.Record{}, err
		}
	}
	return s.Reader.Next(ctx)
}

// Detect tells a dataset's format from its name, or its first bytes.
func Detect(p string) (string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("dataset %s: %w", p, err)
	}
	if info.IsDir() {
		return "dir", nil
	}
	name := strings.ToLower(filepath.Base(p))
	for _, c := range []struct{ suffix, format string }{
		{".warc", "warc"}, {".warc.gz", "warc"}, {".wet", "wet"}, {".wet.gz", "wet"}, {".warc.wet.gz", "wet"},
		{".wat", "warc"}, {".wat.gz", "warc"}, {".arc.gz", "warc"},
		{".jsonl", "jsonl"}, {".jsonl.gz", "jsonl"}, {".jsonl.zst", "jsonl"}, {".ndjson", "jsonl"},
		{".json.gz", "jsonl"}, {".json.zst", "jsonl"}, {".json", "jsonl"},
		{".parquet", "parquet"}, {".tar", "webdataset"}, {".tar.gz", "webdataset"}, {".tgz", "webdataset"},
	} {
		if strings.HasSuffix(name, c.suffix) {
			return c.format, nil
		}
	}
	return sniff(p)
}

// sniff looks at the first bytes (through gzip) of a file with an unknown name.
func sniff(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("dataset %s: %w", p, err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		if zr, err := gzip.NewReader(bytes.NewReader(head)); err == nil {
			inner, _ := io.ReadAll(io.LimitReader(bufio.NewReader(zr), 512))
			if len(inner) > 0 {
				head = inner
			}
		}
	}
	switch {
	case bytes.HasPrefix(head, []byte("WARC/")):
		return "warc", nil
	case bytes.HasPrefix(head, []byte("PAR1")):
		return "parquet", nil
	case bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")):
		return "jsonl", nil
	case len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return "webdataset", nil
	}
	return "", fmt.Errorf("dataset %s: cannot tell its format; give --format (%s)", p, strings.Join(Formats[1:], ", "))
}
