package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

const poem = `The lighthouse keeper climbs the winding stair each evening when the tide
turns grey, and lights the lamp that guides the fishing boats home through the fog and
the long November dark, and he writes their names in a ledger by the window.`

type env struct {
	st   *sqlite.DB
	m    *matcher.Matcher
	work store.Work
	dir  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "attrib.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := matcher.New(st, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := m.Register(ctx, matcher.Input{Creator: "ada", Title: "keeper", Kind: store.KindText, Data: []byte(poem), Text: poem})
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, m: m, work: w, dir: dir}
}

// writeJSONL writes n records; the ones in quote quote the poem, the ones
// in bad are not JSON.
func writeJSONL(t *testing.T, path string, n int, quote, bad map[int]bool) []string {
	t.Helper()
	var lines []string
	for i := 1; i <= n; i++ {
		var line string
		switch {
		case bad[i]:
			line = `{"text": "broken`
		case quote[i]:
			b, _ := json.Marshal(map[string]string{"text": fmt.Sprintf("Record %d quotes a poem: %s", i, poem), "url": fmt.Sprintf("https://example.org/%d", i)})
			line = string(b)
		default:
			b, _ := json.Marshal(map[string]string{"text": fmt.Sprintf("Record %d is about something else entirely, weather and tides.", i), "url": fmt.Sprintf("https://example.org/%d", i)})
			line = string(b)
		}
		lines = append(lines, line)
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return lines
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func TestAuditJSONLWithCleanCopy(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	in := filepath.Join(e.dir, "corpus.jsonl")
	lines := writeJSONL(t, in, 6, map[int]bool{3: true}, map[int]bool{5: true})
	files, err := Files([]string{in}, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "clean")
	r := &Runner{Store: e.st, Matcher: e.m}
	res, err := r.Audit(ctx, files, Options{CleanOut: out}, "")
	if err != nil {
		t.Fatal(err)
	}
	sc := res.Scan
	if res.Matched != 1 || res.ByDomain["example.org"].Records != 5 || res.ByDomain["example.org"].Matched != 1 {
		t.Errorf("tallies %+v", res)
	}
	if sc.Kind != "audit" || sc.State != store.ScanFinished || sc.Stats.Records != 5 || sc.Stats.Errors != 1 {
		t.Errorf("scan %+v: want a finished audit of 5 records and 1 error", sc)
	}
	ms, err := e.st.Matches(ctx, sc.ID, store.MatchFilter{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches %+v, %v", ms, err)
	}
	if m := ms[0]; m.Dataset != in || m.Record != "line:3" || m.FoundURL != "https://example.org/3" || m.WorkID != e.work.ID {
		t.Errorf("match at %s %s %s, want line:3 of %s", m.Dataset, m.Record, m.FoundURL, in)
	}
	// The clean copy lacks line 3 and keeps every other line byte for byte
	// (the broken line too: it is not flagged, only unreadable).
	got := readLines(t, filepath.Join(out, "corpus.jsonl"))
	want := append(append([]string{}, lines[:2]...), lines[3:]...)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("clean copy:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var entry ManifestEntry
	man := readLines(t, filepath.Join(out, manifestName))
	if len(man) != 1 || json.Unmarshal([]byte(man[0]), &entry) != nil || entry.Record != "line:3" || len(entry.Reasons) != 1 || entry.Reasons[0] != "matched:"+e.work.ID {
		t.Errorf("manifest %v", man)
	}
	// Re-auditing the clean copy finds nothing.
	files, _ = Files([]string{filepath.Join(out, "corpus.jsonl")}, FormatOptions{})
	res2, err := r.Audit(ctx, files, Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if ms, _ := e.st.Matches(ctx, res2.Scan.ID, store.MatchFilter{}); len(ms) != 0 {
		t.Errorf("the clean copy still matches: %+v", ms)
	}
}

func TestAuditResume(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	in := filepath.Join(e.dir, "big.jsonl")
	quote := map[int]bool{}
	for i := 7; i <= 3000; i += 97 {
		quote[i] = true
	}
	writeJSONL(t, in, 3000, quote, nil)
	files, err := Files([]string{in}, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cps := &Checkpoints{Dir: filepath.Join(e.dir, "checkpoints")}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &Runner{Store: e.st, Matcher: e.m, ProgressEvery: time.Millisecond, OnProgress: func(p Progress) {
		if p.Records >= 300 {
			cancel() // interrupted part-way
		}
	}}
	res, err := r.Audit(cctx, files, Options{Workers: 2, Checkpoints: cps}, "")
	sc := res.Scan
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted audit: %v", err)
	}
	if sc.State != store.ScanFailed {
		t.Errorf("interrupted audit stored as %s", sc.State)
	}
	latest, err := cps.Latest([]string{in})
	if err != nil || latest != sc.ID {
		t.Fatalf("latest checkpoint %q, %v; want %s", latest, err, sc.ID)
	}
	r.OnProgress = nil
	res, err = r.Audit(ctx, files, Options{Workers: 2, Checkpoints: cps}, sc.ID)
	sc = res.Scan
	if err != nil {
		t.Fatalf("resumed audit: %v", err)
	}
	ms, _ := e.st.Matches(ctx, sc.ID, store.MatchFilter{})
	found := map[string]bool{}
	for _, m := range ms {
		found[m.Record] = true
	}
	for i := range quote {
		if !found[fmt.Sprintf("line:%d", i)] {
			t.Errorf("line %d not attributed after the resume", i)
		}
	}
	if len(ms) != len(quote) || sc.State != store.ScanFinished || sc.Stats.Records < 3000 {
		t.Errorf("%d matches (want %d), state %s, %d records", len(ms), len(quote), sc.State, sc.Stats.Records)
	}
	if latest, _ := cps.Latest([]string{in}); latest != "" {
		t.Errorf("checkpoint %s left after the audit finished", latest)
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, content, want string
	}{
		{"a.warc.gz", "x", "warc"}, {"a.wet.gz", "x", "wet"}, {"a.jsonl.zst", "x", "jsonl"}, {"a.parquet", "x", "parquet"},
		{"shard-0001.tar", "x", "webdataset"}, {"noext", "WARC/1.0\r\n", "warc"}, {"data.bin", `{"text":"x"}`, "jsonl"},
		{"magic", "PAR1....", "parquet"},
	} {
		p := filepath.Join(dir, tt.name)
		if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := Detect(p); err != nil || got != tt.want {
			t.Errorf("Detect(%s) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if got, err := Detect(dir); err != nil || got != "dir" {
		t.Errorf("Detect(folder) = %q, %v", got, err)
	}
	p := filepath.Join(dir, "mystery")
	os.WriteFile(p, []byte("\x00\x01binary"), 0o644)
	if _, err := Detect(p); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("unknown format: %v, want advice to give --format", err)
	}
}

// TestAuditFolder audits a plain folder: the copied text is found at its
// file locator and the clean copy leaves it out.
func TestAuditFolder(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	root := filepath.Join(e.dir, "corpus")
	for name, text := range map[string]string{
		"a/notes.txt": "Shopping list: bread, tea, more tea.",
		"b/copied.md": "# A poem I like\n\n" + poem,
		"c/other.txt": "Nothing here but weather reports and tide tables.",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Files([]string{root}, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "clean")
	res, err := (&Runner{Store: e.st, Matcher: e.m}).Audit(ctx, files, Options{CleanOut: out}, "")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := e.st.Matches(ctx, res.Scan.ID, store.MatchFilter{})
	if len(ms) != 1 || ms[0].Record != "file:b/copied.md" {
		t.Fatalf("matches %+v, want file:b/copied.md", ms)
	}
	if _, err := os.Stat(filepath.Join(out, "corpus", "b", "copied.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copied file is in the clean copy: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "corpus", "a", "notes.txt")); err != nil || string(got) != "Shopping list: bread, tea, more tea." {
		t.Errorf("kept file: %q, %v", got, err)
	}
}

// warcResponse is one plain WARC response record.
func warcResponse(uri, headers, body string) string {
	http := "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + headers + "\r\n" + body
	return fmt.Sprintf("WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\nWARC-Date: 2024-05-01T00:00:00Z\r\n"+
		"WARC-Record-ID: <urn:uuid:%08d-0000-0000-0000-000000000000>\r\nContent-Type: application/http; msgtype=response\r\n"+
		"Content-Length: %d\r\n\r\n%s\r\n\r\n", uri, len(uri), len(http), http)
}

// TestAuditOptOutSignals: a WARC record's recorded X-Robots-Tag and an
// HTML meta robots noai mark their records reserved, with the signal's
// source; a record without either is not reserved; --drop reserved
// removes exactly the reserved records.
func TestAuditOptOutSignals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	page := func(meta string) string {
		return "<html><head>" + meta + "</head><body><main><p>" + poem + "</p></main></body></html>"
	}
	in := filepath.Join(e.dir, "crawl.warc")
	data := warcResponse("https://a.example/header", "X-Robots-Tag: noai\r\n", page("")) +
		warcResponse("https://b.example/meta", "", page(`<meta name="robots" content="noai, noimageai">`)) +
		warcResponse("https://c.example/free", "", page(""))
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := Files([]string{in}, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "clean")
	res, err := (&Runner{Store: e.st, Matcher: e.m}).Audit(ctx, files, Options{CleanOut: out, Drop: FlagReserved}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Reserved != 2 || res.Matched != 3 {
		t.Errorf("reserved %d, matched %d: want 2 and 3", res.Reserved, res.Matched)
	}
	ms, _ := e.st.Matches(ctx, res.Scan.ID, store.MatchFilter{})
	byURL := map[string]store.Match{}
	for _, m := range ms {
		byURL[m.FoundURL] = m
	}
	for url, want := range map[string]string{"https://a.example/header": "x-robots-tag", "https://b.example/meta": "meta"} {
		m := byURL[url]
		if m.OptOut == nil || !m.OptOut.Reserved || len(m.OptOut.Signals) == 0 || m.OptOut.Signals[0].Kind != want || m.OptOut.Signals[0].Source != url {
			t.Errorf("%s: opt-out %+v, want a %s signal from the record", url, m.OptOut, want)
		}
	}
	if m := byURL["https://c.example/free"]; m.OptOut == nil || m.OptOut.Reserved {
		t.Errorf("unreserved record: %+v", m.OptOut)
	}
	man := readLines(t, filepath.Join(out, manifestName))
	if len(man) != 2 || !strings.Contains(strings.Join(man, "\n"), `"reserved"`) || strings.Contains(strings.Join(man, "\n"), "matched:") {
		t.Errorf("manifest with --drop reserved: %v", man)
	}
}
