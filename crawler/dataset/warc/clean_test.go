package warc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

// cleanAndReread cleans src dropping drop's locators and reads the copy.
func cleanAndReread(tb testing.TB, src string, drop map[string]bool) (dataset.CleanStats, string, []result) {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "clean-"+filepath.Base(src))
	st, err := Clean(context.Background(), src, dst, func(loc string) bool { return drop[loc] })
	if err != nil {
		tb.Fatal(err)
	}
	return st, dst, readFile(tb, dst, dataset.Limits{})
}

// same reports whether two records hold the same document.
func same(a, b dataset.Record) bool {
	return a.URL == b.URL && a.Kind == b.Kind && bytes.Equal(a.Body, b.Body) && a.Text == b.Text
}

// iana.warc.gz minus its HTML pages: the copy is exactly the kept gzip
// members, and re-reads as the same records minus the dropped ones.
func TestCleanPerRecordGzip(t *testing.T) {
	src := warcPath(t, "iana.warc.gz")
	data, offs, _ := ianaMembers(t)
	orig := readFile(t, src, dataset.Limits{})
	drop := map[string]bool{}
	var want bytes.Buffer
	var kept []dataset.Record
	for i, r := range orig {
		if r.rec.Kind == dataset.KindHTML {
			drop[r.rec.Locator] = true
			continue
		}
		end := int64(len(data))
		if i+1 < len(offs) {
			end = offs[i+1]
		}
		want.Write(data[offs[i]:end])
		kept = append(kept, r.rec)
	}
	st, dst, again := cleanAndReread(t, src, drop)
	if st != (dataset.CleanStats{Kept: 325, Dropped: 18}) {
		t.Errorf("stats = %+v, want 325 kept, 18 dropped", st)
	}
	if got := readBytes(t, dst); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("copy is %d bytes, want the %d bytes of the kept members", len(got), want.Len())
	}
	if len(again) != len(kept) {
		t.Fatalf("re-read %d records, want %d", len(again), len(kept))
	}
	for i, r := range again {
		if r.err != nil || !same(r.rec, kept[i]) {
			t.Fatalf("record %d: %v %s, want %s", i, r.err, r.rec.URL, kept[i].URL)
		}
	}
	if n := tally(again)["html"]; n != 0 {
		t.Errorf("the copy still has %d HTML records", n)
	}
}

func TestCleanKeepsEverythingByDefault(t *testing.T) {
	src := warcPath(t, "iana.warc.gz")
	st, dst, _ := cleanAndReread(t, src, nil)
	if st.Kept != 343 || st.Dropped != 0 || st.Unreadable != 0 {
		t.Errorf("stats = %+v", st)
	}
	if !bytes.Equal(readBytes(t, dst), readBytes(t, src)) {
		t.Error("a copy dropping nothing differs from the input")
	}
}

// Plain and whole-file gzip inputs: the copy's decompressed bytes are the
// kept records' bytes, and it re-reads as the kept records.
func TestCleanPlainAndWholeFileGzip(t *testing.T) {
	_, _, plain := ianaMembers(t)
	whole := bytes.Join(plain, nil)
	good := readBytes(t, warcPath(t, "gowarc-bad/good.warc.gz.open"))
	tests := []struct {
		name   string
		file   []byte
		gz     bool
		record func(i int) []byte // the i-th record's decompressed bytes
	}{
		{"plain WARC", whole, false, func(i int) []byte { return plain[i] }},
		{"whole-file gzip of iana", gzipMember(t, whole), true, func(i int) []byte { return plain[i] }},
		{"gowarc whole-file gzip", good, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := writeTemp(t, "in.warc", tt.file)
			orig := readFile(t, src, dataset.Limits{})
			drop := map[string]bool{}
			var kept []dataset.Record
			var want []byte
			for i, r := range orig {
				if i%3 == 1 {
					drop[r.rec.Locator] = true
					continue
				}
				kept = append(kept, r.rec)
				if tt.record != nil {
					want = append(want, tt.record(i)...)
				}
			}
			st, dst, again := cleanAndReread(t, src, drop)
			if st.Kept != int64(len(kept)) || st.Dropped != int64(len(drop)) || st.Unreadable != 0 {
				t.Errorf("stats = %+v, want %d kept, %d dropped", st, len(kept), len(drop))
			}
			got := readBytes(t, dst)
			if tt.gz {
				got = gunzip(t, got)
			}
			if tt.record != nil && !bytes.Equal(got, want) {
				t.Errorf("copy's records are %d bytes, want %d", len(got), len(want))
			}
			if len(again) != len(kept) {
				t.Fatalf("re-read %d, want %d", len(again), len(kept))
			}
			for i, r := range again {
				if r.err != nil || !same(r.rec, kept[i]) {
					t.Fatalf("record %d: %v %s, want %s", i, r.err, r.rec.URL, kept[i].URL)
				}
			}
		})
	}
}

// Damaged stretches are left out and counted; the copy reads cleanly.
func TestCleanDamagedInput(t *testing.T) {
	data, offs, plain := ianaMembers(t)
	whole := bytes.Join(plain, nil)
	const k = 100
	tests := []struct {
		name           string
		file           []byte
		wantKept       int64
		wantUnreadable int64
	}{
		{"corrupted member", flip(data, offs[k]+30, offs[k]+60), 342, 1},
		{"garbage between members and at the end", cat(data[:offs[k]], []byte("JUNK"), data[offs[k]:], []byte("tail")), 343, 2},
		{"truncated gzip", data[:offs[k]+100], k, 1},
		{"plain, truncated inside a record larger than the window", truncateInBig(t, plain), -1, 1},
		{"plain, corrupt Content-Length", replaceAt(whole, int64(bytes.Index(whole, []byte("Content-Length: ")))+16, '9'), 342, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := writeTemp(t, "in.warc.gz", tt.file)
			st, _, again := cleanAndReread(t, src, nil)
			if (tt.wantKept >= 0 && st.Kept != tt.wantKept) || st.Unreadable != tt.wantUnreadable {
				t.Errorf("stats = %+v, want %d kept, %d unreadable", st, tt.wantKept, tt.wantUnreadable)
			}
			if got := tally(again); got["error"] != 0 || int64(len(again)) != st.Kept {
				t.Errorf("the copy reads as %v, want %d records and no error", got, st.Kept)
			}
		})
	}
}

// truncateInBig cuts a plain WARC of iana's records plus a 2 MiB record
// inside that record.
func truncateInBig(tb testing.TB, plain [][]byte) []byte {
	big := response("http://example.org/big", "Content-Type: text/html\r\n", bytes.Repeat([]byte("y"), 2<<20))
	return cat(bytes.Join(plain, nil), big[:1<<20+500])
}

// Records over the reader's bound are kept: they were not audited.
func TestCleanKeepsGiantRecords(t *testing.T) {
	giant := response("http://example.org/big", "Content-Type: text/html\r\n", bytes.Repeat([]byte("x"), 3<<20))
	src := writeTemp(t, "g.warc.gz", cat(gzipMember(t, small()), gzipMember(t, giant)))
	st, dst, _ := cleanAndReread(t, src, map[string]bool{"offset:0": true})
	if st != (dataset.CleanStats{Kept: 1, Dropped: 1}) {
		t.Errorf("stats = %+v", st)
	}
	if !bytes.Equal(gunzip(t, readBytes(t, dst)), giant) {
		t.Error("the giant record is not in the copy as it was")
	}
}

func TestCleanErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Clean(context.Background(), filepath.Join(dir, "missing.warc"), filepath.Join(dir, "out.warc"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing input: err = %v", err)
	}
	src := warcPath(t, "whirlwind.warc.gz")
	dst := filepath.Join(dir, "no-such-dir", "out.warc.gz")
	if _, err := Clean(context.Background(), src, dst, func(string) bool { return false }); err == nil {
		t.Error("unwritable output: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dst = filepath.Join(dir, "out.warc.gz")
	if _, err := Clean(ctx, src, dst, func(string) bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed clean left %v behind", slices.Collect(func(yield func(string) bool) {
			for _, e := range entries {
				yield(e.Name())
			}
		}))
	}
}
