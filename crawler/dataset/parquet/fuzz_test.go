package parquet

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/attrib/attrib/crawler/dataset"
)

var updateSeeds = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz")

// fuzzSeeds are small files of every layout, written to testdata/fuzz.
func fuzzSeeds(t testing.TB) [][]byte {
	laion := []laionRow{{URL: "https://i/0.jpg", TEXT: "cap", Hashes: []int64{1}}, {URL: "https://i/1.jpg", TEXT: "c2"}}
	return [][]byte{
		writeParquet(t, []c4Row{{Text: ptr("a"), URL: ptr("https://u/")}, {Text: nil}, {Text: ptr("b")}}, &parquet.Snappy, 2),
		writeParquet(t, []c4Row{{Text: ptr("zstd text")}}, &parquet.Zstd, 1),
		writeParquet(t, []c4Row{{Text: ptr("gzip text")}}, &parquet.Gzip, 1),
		writeParquet(t, []c4Row{{Text: ptr("lz4 text")}}, &parquet.Lz4Raw, 1),
		writeParquet(t, laion, &parquet.Uncompressed, 1),
		writeParquet(t, []hfImageRow{{Image: hfImage{Bytes: []byte("\x89PNG"), Path: "p"}, Caption: "c"}}, &parquet.Brotli, 1),
	}
}

func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReader")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, seed := range fuzzSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", seed)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzReader: any bytes open with an error or read to EOF or one fatal
// error, within the bounds, without panicking or hanging.
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		limits := dataset.Limits{MaxRecordBytes: 1 << 10, MaxDecompressedBytes: 1 << 20}
		r, err := open(t, data, Options{Limits: limits, MaxPageBytes: 64 << 10})
		if err != nil {
			return
		}
		defer r.Close()
		for i := 0; ; i++ {
			rec, err := r.Next(context.Background())
			if err == io.EOF || (err != nil && !errors.Is(err, dataset.ErrRecord)) {
				return
			}
			if int64(len(rec.Text)+len(rec.Body)) > 2*limits.MaxRecordBytes {
				t.Fatalf("record of %d bytes passed the bound", len(rec.Text)+len(rec.Body))
			}
			if i > 1<<20 {
				t.Fatal("more than a million records from a fuzz input")
			}
		}
	})
}
