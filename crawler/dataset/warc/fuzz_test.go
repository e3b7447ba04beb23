package warc

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

// Run the fuzzer with
//
//	go test -run '^$' -fuzz=FuzzWARC -fuzztime=5s ./crawler/dataset/warc
//
// `go test` replays testdata/fuzz/FuzzWARC; TestMutatedSeeds runs a fixed
// set of mutations of the seeds through the same checks on every run.

var writeSeeds = flag.Bool("write-fuzz-seeds", false, "rewrite testdata/fuzz/FuzzWARC from fuzzSeeds")

var fuzzLimits = dataset.Limits{MaxRecordBytes: 64 << 10, MaxDecompressedBytes: 1 << 20}

func FuzzWARC(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkWARC(t, data) })
}

// checkWARC reads data and cleans it, and checks what must hold for any
// input: Next ends; every error is a record error or the decompression
// bound; locators parse; bodies are bounded; a clean copy (dropping
// nothing) reads without unreadable stretches, with the same records.
func checkWARC(t *testing.T, data []byte) {
	r, err := NewReader(bytes.NewReader(data), "fuzz", fuzzLimits)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	bomb := false
	for i := 0; ; i++ {
		if i > len(data)+int(fuzzLimits.MaxDecompressedBytes)+2 {
			t.Fatal("Next does not end")
		}
		rec, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		var re *RecordError
		switch {
		case errors.As(err, &re):
			if _, _, perr := ParseLocator(re.Locator); perr != nil {
				t.Fatalf("error locator: %v", perr)
			}
			continue
		case errors.Is(err, dataset.ErrTooLarge) && !errors.Is(err, dataset.ErrRecord):
			bomb = true
		case err != nil:
			t.Fatalf("fatal error on in-memory input: %v", err)
		}
		if bomb {
			break
		}
		if _, _, perr := ParseLocator(rec.Locator); perr != nil {
			t.Fatalf("record locator: %v", perr)
		}
		if int64(len(rec.Body)) > fuzzLimits.MaxRecordBytes || int64(len(rec.Text)) > fuzzLimits.MaxRecordBytes {
			t.Fatalf("record of %d+%d bytes passes the bound", len(rec.Body), len(rec.Text))
		}
		docs = append(docs, fmt.Sprintf("%s|%s|%x|%s", rec.URL, rec.Kind, rec.Body, rec.Text))
	}
	if bomb {
		return
	}
	checkCleanCopy(t, data, docs)
}

func checkCleanCopy(t *testing.T, data []byte, docs []string) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	clean := CleanWithLimits(fuzzLimits)
	st, err := clean(context.Background(), src, dst, func(string) bool { return false })
	if err != nil {
		t.Fatalf("clean: %v", err)
	}
	again, err := clean(context.Background(), dst, filepath.Join(dir, "again"), func(string) bool { return false })
	if err != nil || again.Unreadable != 0 || again.Kept != st.Kept {
		t.Fatalf("cleaning the copy: %+v, %v; first clean %+v", again, err, st)
	}
	r, err := Open(dst, fuzzLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []string
	for {
		rec, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, dataset.ErrRecord) {
			continue
		}
		if err != nil {
			t.Fatalf("reading the copy: %v", err)
		}
		got = append(got, fmt.Sprintf("%s|%s|%x|%s", rec.URL, rec.Kind, rec.Body, rec.Text))
	}
	if len(got) != len(docs) {
		t.Fatalf("the copy reads as %d records, the input as %d", len(got), len(docs))
	}
	for i := range got {
		if got[i] != docs[i] {
			t.Fatalf("record %d differs in the copy:\n%.200s\n%.200s", i, got[i], docs[i])
		}
	}
}

// TestMutatedSeeds runs deterministic mutations of the seeds through
// checkWARC, so every `go test` fuzzes a little.
func TestMutatedSeeds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i, seed := range fuzzSeeds(t) {
		for j := range 40 {
			data := mutate(rng, seed)
			t.Run(fmt.Sprintf("seed%d/%d", i, j), func(t *testing.T) { checkWARC(t, data) })
		}
	}
}

// mutate flips, inserts, deletes or duplicates a few bytes.
func mutate(rng *rand.Rand, seed []byte) []byte {
	b := bytes.Clone(seed)
	for range 1 + rng.IntN(4) {
		if len(b) == 0 {
			return append(b, byte(rng.IntN(256)))
		}
		i := rng.IntN(len(b))
		switch rng.IntN(5) {
		case 0:
			b[i] ^= byte(1 << rng.IntN(8))
		case 1:
			b = append(b[:i:i], append([]byte{byte(rng.IntN(256))}, b[i:]...)...)
		case 2:
			b = append(b[:i:i], b[min(len(b), i+1+rng.IntN(16)):]...)
		case 3:
			b = b[:i]
		case 4:
			j := min(len(b), i+rng.IntN(64))
			b = append(b[:j:j], append(bytes.Clone(b[i:j]), b[j:]...)...)
		}
	}
	return b
}

// fuzzSeeds are small WARC files of each shape the reader handles.
func fuzzSeeds(tb testing.TB) [][]byte {
	html := response("http://example.org/", "Content-Type: text/html\r\n", []byte("<html><p>hello</p></html>"))
	chunked := response("http://example.org/c", "Content-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
		chunk(gzipMember(tb, []byte("<p>zipped page</p>"))))
	img := response("http://example.org/i.png", "Content-Type: image/png\r\n", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	wet := record("conversion", "http://example.org/", "text/plain", []byte("some converted text"))
	info := record("warcinfo", "", "application/warc-fields", []byte("software: attrib\r\n"))
	seeds := [][]byte{
		html,
		cat(info, html, wet),
		cat(gzipMember(tb, info), gzipMember(tb, html), gzipMember(tb, chunked)),
		gzipMember(tb, cat(html, img, wet)),
		cat(gzipMember(tb, html), []byte("garbage"), gzipMember(tb, wet)),
		gzipMember(tb, html)[:40],
		cat([]byte("noise\n"), html, html[:len(html)-10]),
		bytes.Replace(html, []byte("Content-Length: "), []byte("Content-Length: 9"), 1),
	}
	if *writeSeeds {
		dir := filepath.Join("testdata", "fuzz", "FuzzWARC")
		for i, s := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return seeds
}
