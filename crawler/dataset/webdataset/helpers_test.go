package webdataset

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/attrib/attrib/crawler/dataset"
)

// member is one tar entry of a fixture.
type member struct {
	name string
	body string
	flag byte // tar.TypeReg when zero
	link string
	pax  map[string]string
}

func reg(name, body string) member { return member{name: name, body: body} }

// tarOf writes members as archive/tar does; the same members always give
// the same bytes, so a clean copy can be compared with tarOf(kept).
func tarOf(t testing.TB, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Typeflag: m.flag, Mode: 0o644, ModTime: time.Unix(1700000000, 0), Linkname: m.link, PAXRecords: m.pax}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			h = &tar.Header{Name: m.name, Typeflag: m.flag, PAXRecords: m.pax, Format: tar.FormatPAX}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(m.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gunzip(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readAll drains r, stopping at the first error that is not ErrRecord.
func readAll(t testing.TB, r dataset.Reader) ([]dataset.Record, []error, error) {
	t.Helper()
	var recs []dataset.Record
	var errs []error
	for {
		rec, err := r.Next(context.Background())
		switch {
		case err == io.EOF:
			return recs, errs, nil
		case err != nil && !errors.Is(err, dataset.ErrRecord):
			return recs, errs, err
		}
		recs = append(recs, rec)
		errs = append(errs, err)
	}
}
