package jsonl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/attrib/attrib/crawler/dataset"
)

var compressions = []Compression{Plain, Gzip, Zstd}

// compress returns data stored with c.
func compressBytes(t testing.TB, c Compression, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := compressor(&buf, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decompressBytes undoes compressBytes, and checks the stored compression.
func decompressBytes(t testing.TB, want Compression, data []byte) []byte {
	t.Helper()
	switch {
	case want == Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	case want == Zstd:
		zr, err := zstd.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("not zstd: %v", err)
		}
		return out
	}
	if bytes.HasPrefix(data, gzipMagic) || bytes.HasPrefix(data, zstdMagic) {
		t.Fatalf("want plain, got compressed data")
	}
	return data
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// result is one Next outcome, flattened for comparison.
type result struct {
	loc, text, url string
	err            error // a sentinel the error must wrap, or nil
}

// readAll drains r, stopping at the first error that is not ErrRecord.
func readAll(t testing.TB, r *Reader) ([]dataset.Record, []error, error) {
	t.Helper()
	ctx := context.Background()
	var recs []dataset.Record
	var errs []error
	for {
		rec, err := r.Next(ctx)
		switch {
		case err == io.EOF:
			return recs, errs, nil
		case errors.Is(err, dataset.ErrRecord):
			recs = append(recs, rec)
			errs = append(errs, err)
		case err != nil:
			return recs, errs, err
		default:
			recs = append(recs, rec)
			errs = append(errs, nil)
		}
	}
}
