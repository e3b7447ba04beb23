package parquet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/attrib/attrib/crawler/dataset"
)

// Row types of the fixtures, as their corpora lay them out.
type (
	c4Row struct {
		Text *string `parquet:"text,optional"`
		URL  *string `parquet:"url,optional"`
	}
	contentRow struct {
		Content string `parquet:"content"`
		Lang    string `parquet:"lang"`
	}
	laionRow struct {
		URL    string  `parquet:"URL"`
		TEXT   string  `parquet:"TEXT"`
		Width  int64   `parquet:"WIDTH"`
		Sim    float64 `parquet:"similarity"`
		NSFW   string  `parquet:"NSFW"`
		Hashes []int64 `parquet:"hashes,list"`
	}
	hfImage struct {
		Bytes []byte `parquet:"bytes"`
		Path  string `parquet:"path"`
	}
	hfImageRow struct {
		Image   hfImage `parquet:"image"`
		Caption string  `parquet:"caption"`
	}
	nestedRow struct {
		Doc struct {
			Body  string `parquet:"body"`
			Title string `parquet:"title"`
		} `parquet:"doc"`
		Src string `parquet:"src"`
	}
	wrongRow struct {
		Title string   `parquet:"title"`
		Body  string   `parquet:"body"`
		Count int64    `parquet:"text_len"`
		Tags  []string `parquet:"tags,list"`
	}
)

func ptr(s string) *string { return &s }

// codecs are the compressions fixtures are written with.
var codecs = []compress.Codec{&parquet.Uncompressed, &parquet.Snappy, &parquet.Gzip, &parquet.Zstd, &parquet.Lz4Raw, &parquet.Brotli}

// writeParquet encodes rows with rowsPerGroup rows per row group.
func writeParquet[T any](t testing.TB, rows []T, codec compress.Codec, rowsPerGroup int64, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	opts = append([]parquet.WriterOption{parquet.Compression(codec), parquet.MaxRowsPerRowGroup(rowsPerGroup)}, opts...)
	w := parquet.NewGenericWriter[T](&buf, opts...)
	for i := int64(0); i < int64(len(rows)); i += rowsPerGroup {
		end := min(int64(len(rows)), i+rowsPerGroup)
		if _, err := w.Write(rows[i:end]); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
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

func open(t testing.TB, data []byte, opts Options) (*Reader, error) {
	t.Helper()
	return NewReader(context.Background(), bytes.NewReader(data), int64(len(data)), "in.parquet", opts)
}
