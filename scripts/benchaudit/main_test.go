package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGenPlantsQuotes checks that every record the manifest names holds
// 100 words of the registered work it names, at the locator attrib audit
// will report, for both formats.
func TestGenPlantsQuotes(t *testing.T) {
	dir := t.TempDir()
	var corpus strings.Builder
	for i := range 20000 {
		corpus.WriteString("word" + strconv.Itoa(i%997) + " ")
	}
	if err := os.WriteFile(filepath.Join(dir, "c.txt"), []byte(corpus.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	words, err := readCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"jsonl", "warc"} {
		t.Run(format, func(t *testing.T) {
			o := genOptions{format: format, out: filepath.Join(dir, "out."+format), manifest: filepath.Join(dir, format+".man"),
				bytes: 500_000, works: 50, workSize: 2000, plantEvery: 5, plantMax: 6, seed: 1}
			if err := o.write(words); err != nil {
				t.Fatal(err)
			}
			man, err := readManifest(o.manifest)
			if err != nil {
				t.Fatal(err)
			}
			if len(man) != o.plantMax {
				t.Fatalf("planted %d, want %d", len(man), o.plantMax)
			}
			for loc, title := range man {
				w, _ := strconv.Atoi(title)
				text := recordAt(t, o.out, format, loc)
				if quote := excerpt(work(words, w, o.workSize), 25, 100); !strings.Contains(text, quote) {
					t.Errorf("record %s does not quote work %s", loc, title)
				}
			}
		})
	}
}

// recordAt reads the text of the record at locator loc.
func recordAt(t *testing.T, path, format, loc string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if format == "warc" {
		off, _ := strconv.ParseInt(strings.TrimPrefix(loc, "offset:"), 10, 64)
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("no gzip member at %s: %v", loc, err)
		}
		zr.Multistream(false)
		b, err := io.ReadAll(zr)
		if err != nil || !strings.HasPrefix(string(b), "WARC/1.0\r\n") {
			t.Fatalf("no WARC record at %s: %v", loc, err)
		}
		return string(b)
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(loc, "line:"))
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			var rec struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			return rec.Text
		}
	}
	t.Fatalf("no line %d", n)
	return ""
}
