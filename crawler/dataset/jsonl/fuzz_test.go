package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

var updateSeeds = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz")

// fuzzSeeds are the inputs written to testdata/fuzz (go test replays them).
func fuzzSeeds(t testing.TB) [][]byte {
	plain := []byte(`{"text":"a","url":"https://x/"}` + "\n\n" + `{"text":"b"` + "\r\n" + `{"raw_content":"c","meta":"{\"url\":\"u\"}"}`)
	return [][]byte{
		plain,
		[]byte(`{"id":"1","text":"d","source":"s","added":"x","metadata":{"url":"https://d/"}}`),
		[]byte("[]\nnull\n\"str\"\n{}\n{\"text\":1}\n"),
		compressBytes(t, Gzip, plain),
		compressBytes(t, Zstd, plain),
		[]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff},
		[]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0},
	}
}

func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	for _, name := range []string{"FuzzReader", "FuzzCopyLines", "FuzzJSONString"} {
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

// FuzzReader: any input either fails to open or yields records with
// strictly increasing line locators, ending in EOF or one fatal error.
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		opts := Options{Limits: dataset.Limits{MaxRecordBytes: 256, MaxDecompressedBytes: 1 << 20}}
		r, err := NewReader(ctx, bytes.NewReader(data), "fuzz.jsonl", opts)
		if err != nil {
			return
		}
		defer r.Close()
		prev := int64(0)
		for {
			rec, err := r.Next(ctx)
			if err == io.EOF || (err != nil && !errors.Is(err, dataset.ErrRecord)) {
				return
			}
			n, perr := strconv.ParseInt(strings.TrimPrefix(rec.Locator, "line:"), 10, 64)
			if perr != nil || n <= prev {
				t.Fatalf("locator %q after line %d", rec.Locator, prev)
			}
			prev = n
			if err == nil && len(rec.Text) > 256 {
				t.Fatalf("text of %d bytes passed the 256-byte line bound", len(rec.Text))
			}
		}
	})
}

// FuzzCopyLines: keeping every line copies the input exactly; dropping
// every line leaves only blank lines.
func FuzzCopyLines(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		var all, none bytes.Buffer
		keepAll, err := copyLines(ctx, bufio.NewReaderSize(bytes.NewReader(data), 16), &all, func(string) bool { return false })
		if err != nil || !bytes.Equal(all.Bytes(), data) {
			t.Fatalf("keep all: %v, copy differs from input", err)
		}
		dropAll, err := copyLines(ctx, bufio.NewReaderSize(bytes.NewReader(data), 16), &none, func(string) bool { return true })
		if err != nil || len(bytes.TrimSpace(none.Bytes())) != 0 {
			t.Fatalf("drop all: %v, left %q", err, none.Bytes())
		}
		if keepAll.Kept != dropAll.Dropped || keepAll.Dropped != 0 || dropAll.Kept != 0 {
			t.Fatalf("stats keep-all %+v, drop-all %+v", keepAll, dropAll)
		}
	})
}

// FuzzJSONString: the fast string decoder agrees with encoding/json on
// every valid JSON string.
func FuzzJSONString(f *testing.F) {
	f.Add([]byte(`"a\u00e9\ud83d\ude00\n\"q\""`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &want) != nil {
			return
		}
		if got, ok := jsonString(raw); !ok || got != want {
			t.Fatalf("jsonString(%q) = %q %v, want %q", raw, got, ok, want)
		}
	})
}
