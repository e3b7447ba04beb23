package jsonl

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

func TestClean(t *testing.T) {
	// Raw lines with their endings, as they must come out again.
	lines := []string{
		`{"text":"keep one","url":"https://k.example/1"}` + "\n",
		`{"text":"drop me","url":"https://d.example/2"}` + "\r\n",
		"\n",
		`{"text": not json` + "\n",
		`{"text":"keep   spacing \u00e9","url":"https://k.example/5"}` + "\r\n",
		`{"text":"drop last","url":"https://d.example/6"}` + "\n",
		`{"text":"keep, no final newline","url":"https://k.example/7"}`,
	}
	tests := []struct {
		name      string
		drop      map[string]bool
		wantLines []int // indexes into lines
		wantStats dataset.CleanStats
	}{
		{name: "drop some", drop: map[string]bool{"line:2": true, "line:6": true}, wantLines: []int{0, 2, 3, 4, 6}, wantStats: dataset.CleanStats{Kept: 4, Dropped: 2}},
		{name: "drop none", drop: nil, wantLines: []int{0, 1, 2, 3, 4, 5, 6}, wantStats: dataset.CleanStats{Kept: 6}},
		{name: "drop the unterminated last line and an invalid one", drop: map[string]bool{"line:7": true, "line:4": true}, wantLines: []int{0, 1, 2, 4, 5}, wantStats: dataset.CleanStats{Kept: 4, Dropped: 2}},
	}
	for _, comp := range compressions {
		for _, tt := range tests {
			t.Run(comp.String()+"/"+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				src := writeFile(t, dir, "in.jsonl", compressBytes(t, comp, []byte(strings.Join(lines, ""))))
				dst := filepath.Join(dir, "out.jsonl")
				var asked []string
				stats, err := Clean(context.Background(), src, dst, func(loc string) bool {
					asked = append(asked, loc)
					return tt.drop[loc]
				})
				if err != nil {
					t.Fatal(err)
				}
				if stats != tt.wantStats {
					t.Errorf("stats %+v, want %+v", stats, tt.wantStats)
				}
				if len(asked) != len(lines) || asked[6] != "line:7" {
					t.Errorf("drop asked about %v, want line:1..line:7", asked)
				}
				stored, err := os.ReadFile(dst)
				if err != nil {
					t.Fatal(err)
				}
				var want strings.Builder
				for _, i := range tt.wantLines {
					want.WriteString(lines[i])
				}
				if got := decompressBytes(t, comp, stored); string(got) != want.String() {
					t.Errorf("clean copy:\n%q\nwant\n%q", got, want.String())
				}
				checkReread(t, dst, tt.wantLines, lines)
			})
		}
	}
}

// checkReread reads the clean copy back: its valid records are exactly the
// kept valid lines, in order.
func checkReread(t *testing.T, path string, kept []int, lines []string) {
	t.Helper()
	r, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, errs, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for i, rec := range recs {
		if errs[i] == nil {
			got = append(got, rec.Text)
		}
	}
	for _, i := range kept {
		if top, err := parseObject([]byte(strings.TrimSpace(lines[i]))); err == nil {
			text, _, _ := compile("", "text", "").extract(top)
			want = append(want, text)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("re-read texts %q, want %q", got, want)
	}
}

func TestCleanFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, dir, "in.jsonl.gz", compressBytes(t, Gzip, []byte(strings.Repeat(`{"text":"a"}`+"\n", 100)))[:20])
	dst := filepath.Join(dir, "out.jsonl.gz")
	if _, err := Clean(context.Background(), src, dst, func(string) bool { return false }); err == nil {
		t.Fatal("clean of a truncated gzip succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("want only the source left, got %v", entries)
	}
}

// bomb returns a stream that decompresses to copies × the member (each
// member compressed once and repeated: tiny on disk, huge decompressed).
func bomb(t testing.TB, comp Compression, member []byte, copies int) []byte {
	t.Helper()
	one := compressBytes(t, comp, member)
	return bytes.Repeat(one, copies) // gzip members and zstd frames both concatenate
}

func TestDecompressionBomb(t *testing.T) {
	line := []byte(`{"text":"` + strings.Repeat("a", 1000) + `"}` + "\n")
	member := bytes.Repeat(line, (4<<20)/len(line)) // 4 MiB
	const copies = 2560                             // ~10 GiB decompressed
	limits := dataset.Limits{MaxDecompressedBytes: 8 << 20}
	for _, comp := range []Compression{Gzip, Zstd} {
		t.Run(comp.String(), func(t *testing.T) {
			data := bomb(t, comp, member, copies)
			if len(data) > 64<<20 {
				t.Fatalf("bomb is %d bytes compressed; the test wants it small", len(data))
			}
			r, err := NewReader(context.Background(), bytes.NewReader(data), "bomb.jsonl", Options{Limits: limits})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			recs, _, err := readAll(t, r)
			if !errors.Is(err, dataset.ErrTooLarge) || errors.Is(err, dataset.ErrRecord) {
				t.Fatalf("got %v, want a fatal ErrTooLarge", err)
			}
			if max := int(limits.MaxDecompressedBytes) / len(line); len(recs) > max {
				t.Fatalf("read %d records, more than the bound allows (%d)", len(recs), max)
			}
			dir := t.TempDir()
			src := writeFile(t, dir, "bomb.jsonl", data)
			_, err = Cleaner(limits)(context.Background(), src, filepath.Join(dir, "out.jsonl"), func(string) bool { return false })
			if !errors.Is(err, dataset.ErrTooLarge) {
				t.Fatalf("clean: got %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestBoundExactlyAtEnd(t *testing.T) {
	data := []byte(`{"text":"a"}` + "\n" + `{"text":"b"}` + "\n")
	for _, comp := range compressions {
		r, err := NewReader(context.Background(), bytes.NewReader(compressBytes(t, comp, data)), "in.jsonl",
			Options{Limits: dataset.Limits{MaxDecompressedBytes: int64(len(data))}})
		if err != nil {
			t.Fatal(err)
		}
		recs, _, err := readAll(t, r)
		r.Close()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%v: a stream of exactly the bound: %d records, err %v", comp, len(recs), err)
		}
	}
}
