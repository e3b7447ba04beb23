package launch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

const essay = `What the tide teaches is not patience, exactly. It is a kind of attention: the habit of
looking at the world before deciding what to do in it. A fisherman reads the colour of the water
and the shape of the clouds over the headland the way a scholar reads a manuscript, slowly, with a
suspicion that the important part is written in the margins.`

// newStore returns a SQLite store with the essay registered.
func newStore(t *testing.T) (*sqlite.DB, store.Work) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := matcher.New(st, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := m.Register(ctx, matcher.Input{Creator: "C", Title: "essay", Kind: store.KindText, Data: []byte(essay), Text: essay})
	if err != nil {
		t.Fatal(err)
	}
	return st, w
}

func page(body string) string {
	return "<html><body><main>" + body + "</main></body></html>"
}

// recorder collects what a launcher reports through its hooks.
type recorder struct {
	mu       sync.Mutex
	finished []store.Scan
	progress map[string]int
}

func (r *recorder) config() Config {
	c := Config{Crawl: crawler.DefaultOptions(), Matcher: matcher.DefaultOptions()}
	c.Crawl.Rate = 0
	c.OnFinished = func(_ context.Context, sc store.Scan) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.finished = append(r.finished, sc)
	}
	c.OnProgress = func(id string, _ scan.Progress) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.progress == nil {
			r.progress = map[string]int{}
		}
		r.progress[id]++
	}
	return c
}

func (r *recorder) ended() []store.Scan {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]store.Scan(nil), r.finished...)
}

func newLauncher(t *testing.T, st Store, cfg Config) *Launcher {
	t.Helper()
	l, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestStartCrawlReturnsQueuedThenFinishes(t *testing.T) {
	st, w := newStore(t)
	gate := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		<-gate // the scan cannot get past its first page before the test looked at it
		fmt.Fprint(rw, page(`<p>Home.</p><a href="/copy">copy</a>`))
	})
	mux.HandleFunc("/copy", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, page("<p>Someone wrote: "+essay+"</p>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var rec recorder
	l := newLauncher(t, st, rec.config())
	ctx := context.Background()

	sc, err := l.Start(ctx, Spec{Kind: KindCrawl, Targets: []string{srv.URL}, Options: Options{Depth: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if sc.ID == "" || sc.State != store.ScanQueued || sc.Targets[0] != srv.URL+"/" {
		t.Fatalf("Start returned %+v; want a queued scan with the canonical seed", sc)
	}
	if got, err := st.Scan(ctx, sc.ID); err != nil || (got.State != store.ScanQueued && got.State != store.ScanRunning) {
		t.Fatalf("stored scan while the site holds its first page: %+v, %v", got, err)
	}
	close(gate)
	l.Wait()

	got, err := st.Scan(ctx, sc.ID)
	if err != nil || got.State != store.ScanFinished || got.Stats.Pages != 2 {
		t.Fatalf("scan after Wait: %+v, %v", got, err)
	}
	ms, err := st.Matches(ctx, sc.ID, store.MatchFilter{})
	if err != nil || len(ms) != 1 || ms[0].WorkID != w.ID || ms[0].FoundURL != srv.URL+"/copy" {
		t.Fatalf("matches %+v, %v", ms, err)
	}
	if ended := rec.ended(); len(ended) != 1 || ended[0].ID != sc.ID || ended[0].State != store.ScanFinished {
		t.Errorf("OnFinished saw %+v, want the finished scan once", ended)
	}
	if rec.progress[sc.ID] < 1 {
		t.Error("no progress reported")
	}
}

func TestStartAuditJSONL(t *testing.T) {
	st, w := newStore(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "part-0.jsonl")
	lines := fmt.Sprintf("{\"text\":%q,\"url\":\"https://a.example/copy\"}\n{\"text\":\"A recipe for bread: flour, water, salt and time.\",\"url\":\"https://a.example/bread\"}\n", essay)
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	var rec recorder
	l := newLauncher(t, st, rec.config())
	ctx := context.Background()
	sc, err := l.Start(ctx, Spec{Kind: KindAudit, Targets: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	if sc.State != store.ScanQueued || sc.Kind != KindAudit {
		t.Fatalf("Start returned %+v", sc)
	}
	l.Wait()
	got, err := st.Scan(ctx, sc.ID)
	if err != nil || got.State != store.ScanFinished || got.Stats.Records != 2 {
		t.Fatalf("audit scan %+v, %v", got, err)
	}
	ms, _ := st.Matches(ctx, sc.ID, store.MatchFilter{})
	if len(ms) != 1 || ms[0].WorkID != w.ID || ms[0].Dataset != path || ms[0].Record == "" {
		t.Fatalf("matches %+v; want the first record's", ms)
	}
	if ended := rec.ended(); len(ended) != 1 || ended[0].State != store.ScanFinished {
		t.Errorf("OnFinished saw %+v", ended)
	}
}

// Close while a page is loading: the scan is stored as failed with what
// it found, and OnFinished still hears of it.
func TestCloseMidScanStoresFailed(t *testing.T) {
	st, _ := newStore(t)
	slow := make(chan struct{})
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, page("<p>"+essay+`</p><a href="/slow">next</a>`))
	})
	mux.HandleFunc("/slow", func(_ http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(slow) })
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var rec recorder
	cfg := rec.config()
	cfg.Crawl.Workers = 1 // the home page is handled before /slow is fetched
	l := newLauncher(t, st, cfg)
	ctx := context.Background()
	sc, err := l.Start(ctx, Spec{Kind: KindCrawl, Targets: []string{srv.URL + "/"}, Options: Options{Depth: 1}})
	if err != nil {
		t.Fatal(err)
	}
	<-slow
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := st.Scan(ctx, sc.ID)
	if err != nil || got.State != store.ScanFailed || got.Error == "" || got.FinishedAt.IsZero() {
		t.Fatalf("scan after Close: %+v, %v", got, err)
	}
	if ms, _ := st.Matches(ctx, sc.ID, store.MatchFilter{}); len(ms) != 1 {
		t.Errorf("%d matches kept, want the home page's", len(ms))
	}
	if ended := rec.ended(); len(ended) != 1 || ended[0].State != store.ScanFailed {
		t.Errorf("OnFinished saw %+v", ended)
	}
	if _, err := l.Start(ctx, Spec{Kind: KindCrawl, Targets: []string{srv.URL}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v, want ErrClosed", err)
	}
}

// Scans beyond MaxConcurrent wait, queued, and are failed when the
// launcher closes before they could start.
func TestMaxConcurrentQueues(t *testing.T) {
	st, _ := newStore(t)
	hold := make(chan struct{})
	started := make(chan struct{}, 4)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-hold:
		case <-r.Context().Done():
		}
		fmt.Fprint(rw, page("<p>Home.</p>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var rec recorder
	cfg := rec.config()
	cfg.MaxConcurrent = 1
	l := newLauncher(t, st, cfg)
	ctx := context.Background()
	first, err := l.Start(ctx, Spec{Kind: KindCrawl, Targets: []string{srv.URL}, Options: Options{Depth: 1}})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	second, err := l.Start(ctx, Spec{Kind: KindCrawl, Targets: []string{srv.URL}, Options: Options{Depth: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Scan(ctx, second.ID); got.State != store.ScanQueued {
		t.Fatalf("second scan is %s while the first holds the only slot", got.State)
	}
	l.Close()
	for _, id := range []string{first.ID, second.ID} {
		if got, _ := st.Scan(ctx, id); got.State != store.ScanFailed {
			t.Errorf("scan %s after Close: %s, want failed", id, got.State)
		}
	}
	if len(started) != 0 {
		t.Error("the second scan fetched while the first held the only slot")
	}
}

func TestStartRejectsInvalidSpecs(t *testing.T) {
	st, _ := newStore(t)
	dir := t.TempDir()
	inside := filepath.Join(dir, "ok.jsonl")
	if err := os.WriteFile(inside, []byte("{\"text\":\"x\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret.jsonl")
	if err := os.WriteFile(outside, []byte("{\"text\":\"x\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var rec recorder
	cfg := rec.config()
	cfg.AuditRoots = []string{dir}
	l := newLauncher(t, st, cfg)
	tests := []struct {
		name string
		spec Spec
	}{
		{"unknown kind", Spec{Kind: "index", Targets: []string{"https://a.example/"}}},
		{"no targets", Spec{Kind: KindCrawl}},
		{"bad url", Spec{Kind: KindCrawl, Targets: []string{"https://exa mple.org/"}}},
		{"not http", Spec{Kind: KindCrawl, Targets: []string{"ftp://a.example/"}}},
		{"negative depth", Spec{Kind: KindCrawl, Targets: []string{"https://a.example/"}, Options: Options{Depth: -1}}},
		{"deep", Spec{Kind: KindCrawl, Targets: []string{"https://a.example/"}, Options: Options{Depth: MaxDepth + 1}}},
		{"bad scope", Spec{Kind: KindCrawl, Targets: []string{"https://a.example/"}, Options: Options{Scope: "planet"}}},
		{"format on crawl", Spec{Kind: KindCrawl, Targets: []string{"https://a.example/"}, Options: Options{Format: "warc"}}},
		{"bad format", Spec{Kind: KindAudit, Targets: []string{inside}, Options: Options{Format: "zip"}}},
		{"missing file", Spec{Kind: KindAudit, Targets: []string{filepath.Join(dir, "nope.jsonl")}}},
		{"outside the audit roots", Spec{Kind: KindAudit, Targets: []string{outside}}},
		{"escape by dots", Spec{Kind: KindAudit, Targets: []string{dir + "/../" + filepath.Base(filepath.Dir(outside)) + "/secret.jsonl"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if sc, err := l.Start(context.Background(), tc.spec); !errors.Is(err, ErrInvalid) {
				t.Errorf("Start: %+v, %v; want ErrInvalid", sc, err)
			}
		})
	}
	scans, _ := st.ListScans(context.Background())
	if len(scans) != 0 {
		t.Errorf("invalid specs stored scans: %+v", scans)
	}
	if _, err := l.Start(context.Background(), Spec{Kind: KindAudit, Targets: []string{inside}}); err != nil {
		t.Errorf("audit inside the roots: %v", err)
	}
	l.Wait()
}

func TestDecodeOptions(t *testing.T) {
	o, err := DecodeOptions([]byte(`{"depth":2,"max_pages":10,"scope":"prefix","rate":1.5,"full":true}`))
	if err != nil || o != (Options{Depth: 2, MaxPages: 10, Scope: "prefix", Rate: 1.5, Full: true}) {
		t.Errorf("DecodeOptions: %+v, %v", o, err)
	}
	if _, err := DecodeOptions([]byte(`{"dpth":2}`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown field: %v, want ErrInvalid", err)
	}
	if o, err := DecodeOptions(nil); err != nil || o != (Options{}) {
		t.Errorf("empty: %+v, %v", o, err)
	}
}
