package webdataset

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

var updateSeeds = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz")

// fuzzSeeds are small shards, written to testdata/fuzz.
func fuzzSeeds(t testing.TB) [][]byte {
	sample := []member{
		reg("000000.jpg", "\xff\xd8jpeg"), reg("000000.txt", "cap"), reg("000000.json", `{"url":"https://u/","caption":"c"}`),
		{name: "d/", flag: tar.TypeDir}, {name: "l", flag: tar.TypeSymlink, link: "x"}, reg("../x.txt", "x"),
		{name: "000001.txt", body: "pax", pax: map[string]string{"k": "v"}},
	}
	return [][]byte{
		tarOf(t, sample...),
		gzipBytes(t, tarOf(t, sample...)),
		tarOf(t, reg("a.json", "{bad"), reg("b.txt", "")),
		tarOf(t),
	}
}

func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	for _, name := range []string{"FuzzReader", "FuzzClean"} {
		dir := filepath.Join("testdata", "fuzz", name)
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
}

var fuzzLimits = dataset.Limits{MaxRecordBytes: 1 << 10, MaxDecompressedBytes: 1 << 20}

// readRecords reads every record of a shard file, keyed for comparison.
func readRecords(t *testing.T, path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return readShard(t, data)
}

func readShard(t *testing.T, data []byte) ([]string, error) {
	r, err := NewReader(context.Background(), bytes.NewReader(data), "in.tar", Options{Limits: fuzzLimits})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []string
	for {
		rec, err := r.Next(context.Background())
		if err == io.EOF {
			return out, nil
		}
		if err != nil && !errors.Is(err, dataset.ErrRecord) {
			return out, err
		}
		if int64(len(rec.Body)+len(rec.Text)) > 2*fuzzLimits.MaxRecordBytes {
			t.Fatalf("record of %d bytes passed the bound", len(rec.Body)+len(rec.Text))
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%q|%q|%v", rec.Locator, rec.Group, rec.Kind, rec.Text, rec.Body, err != nil))
	}
}

// FuzzReader: any bytes read to EOF or one fatal error within the bounds.
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		readShard(t, data)
	})
}

// FuzzClean: cleaning with nothing flagged keeps every safe record: the
// copy reads back to the same records, less the unsafe-name ones.
func FuzzClean(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		src := filepath.Join(dir, "in.tar")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		before, err := readShard(t, data)
		if err != nil {
			return
		}
		dst := filepath.Join(dir, "out.tar")
		if _, err := Cleaner(fuzzLimits)(context.Background(), src, dst, func(string) bool { return false }); err != nil {
			return
		}
		after, err := readRecords(t, dst)
		if err != nil {
			t.Fatalf("clean copy unreadable: %v", err)
		}
		var safe []string
		for _, rec := range before {
			if !strings.HasPrefix(rec, `member:"`) { // unsafe names are quoted
				safe = append(safe, rec)
			}
		}
		if fmt.Sprint(safe) != fmt.Sprint(after) {
			t.Fatalf("records changed:\n%v\nwant\n%v", after, safe)
		}
	})
}
