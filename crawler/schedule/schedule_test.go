package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/changes"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

const essay = `What the tide teaches is not patience, exactly. It is a kind of attention: the habit of
looking at the world before deciding what to do in it. A fisherman reads the colour of the water
and the shape of the clouds over the headland the way a scholar reads a manuscript, slowly, with a
suspicion that the important part is written in the margins.`

const poem = `The lighthouse keeper climbs the winding stair each evening when the tide
turns grey, and lights the lamp that guides the fishing boats home through the fog and
the long November dark, and he writes their names in a ledger by the window.`

// env is a store with two creators' works, a launcher over it, and what
// the launcher reported.
type env struct {
	st       *sqlite.DB
	l        *launch.Launcher
	essay    store.Work // creator ann
	poem     store.Work // creator bob
	finished chan store.Scan
}

func newEnv(t *testing.T, onFinished func(store.Scan)) *env {
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
	e := &env{st: st, finished: make(chan store.Scan, 16)}
	if e.essay, _, err = m.Register(ctx, matcher.Input{Creator: "ann", Title: "essay", Kind: store.KindText, Data: []byte(essay), Text: essay}); err != nil {
		t.Fatal(err)
	}
	if e.poem, _, err = m.Register(ctx, matcher.Input{Creator: "bob", Title: "poem", Kind: store.KindText, Data: []byte(poem), Text: poem}); err != nil {
		t.Fatal(err)
	}
	cfg := launch.Config{Crawl: crawler.DefaultOptions(), Matcher: matcher.DefaultOptions(), MaxConcurrent: 2}
	cfg.Crawl.Rate = 0
	cfg.OnFinished = func(_ context.Context, sc store.Scan) {
		if onFinished != nil {
			onFinished(sc)
		}
		e.finished <- sc
	}
	if e.l, err = launch.New(st, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.l.Close() })
	return e
}

func (e *env) scheduler(t *testing.T, cfg Config) *Scheduler {
	t.Helper()
	s, err := New(e.st, e.l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.Stop(ctx)
	})
	return s
}

func (e *env) next(t *testing.T) store.Scan {
	t.Helper()
	select {
	case sc := <-e.finished:
		return sc
	case <-time.After(30 * time.Second):
		t.Fatal("no scan finished within 30s")
		return store.Scan{}
	}
}

func html(body string) string { return "<html><body><main>" + body + "</main></body></html>" }

// site is a loopback site whose pages change from version 1 to 2. It
// honours If-None-Match with ETags derived from the content and counts the
// conditional requests and the 304s it answers.
type site struct {
	version     atomic.Int32
	conditional atomic.Int32
	notModified atomic.Int32
	*httptest.Server
}

func newSite(t *testing.T) *site {
	s := &site{}
	s.version.Store(1)
	pages := map[int]map[string]string{
		1: {
			"/a": html("<p>A blog post quoting the essay: " + essay + "</p>"), // stays
			"/b": html("<p>A poem copied: " + poem + "</p>"),                  // removed in v2
			"/c": html("<p>Nothing here yet: a page about bread and salt.</p>"),
			"/d": html("<p>An unrelated page about knots and sailing.</p>"), // stays
		},
		2: {
			"/a": html("<p>A blog post quoting the essay: " + essay + "</p>"),
			"/b": html("<p>The poem was taken down at the author's request.</p>"),
			"/c": html("<p>Now it quotes the essay too: " + essay + "</p>"), // new in v2
			"/d": html("<p>An unrelated page about knots and sailing.</p>"),
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, html(`<p>Home.</p><a href="/a">a</a> <a href="/b">b</a> <a href="/c">c</a> <a href="/d">d</a>`))
	})
	for _, p := range []string{"/a", "/b", "/c", "/d"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			body := pages[int(s.version.Load())][p]
			sum := sha256.Sum256([]byte(body))
			etag := `"` + hex.EncodeToString(sum[:8]) + `"`
			w.Header().Set("ETag", etag)
			if inm := r.Header.Get("If-None-Match"); inm != "" {
				s.conditional.Add(1)
				if inm == etag {
					s.notModified.Add(1)
					w.WriteHeader(http.StatusNotModified)
					return
				}
			}
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, body)
		})
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

type found struct{ work, url string }

func foundOf(ms []store.Match, base string) []found {
	var out []found
	for _, m := range ms {
		out = append(out, found{m.WorkID, strings.TrimPrefix(m.FoundURL, base)})
	}
	return out
}

// A schedule runs twice against a site that changes in between: the second
// run asks for the pages conditionally, skips the unchanged ones and
// reports exactly the new and the removed appearances.
func TestScheduleRecrawlReportsChanges(t *testing.T) {
	var s *site
	e := newEnv(t, func(store.Scan) {
		s.version.Store(2) // the site changes once the first run is over
	})
	s = newSite(t)
	ctx := context.Background()
	opts := []byte(`{"depth":1}`)
	sched, err := e.st.PutSchedule(ctx, store.Schedule{Name: "nightly", Cron: "@every 1s", Kind: "crawl",
		Targets: []string{s.URL + "/"}, Options: opts, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	sch := e.scheduler(t, Config{})
	if err := sch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	first := e.next(t)
	if s.conditional.Load() != 0 {
		t.Fatalf("%d conditional requests in the first run, which has no validators", s.conditional.Load())
	}
	second := e.next(t)
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := sch.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if first.State != store.ScanFinished || second.State != store.ScanFinished {
		t.Fatalf("runs: %+v, %+v", first, second)
	}
	// The 4 leaf pages are asked for conditionally; /a and /d are unchanged.
	if got := s.conditional.Load(); got != 4 {
		t.Errorf("%d conditional requests in the second run, want 4 (the leaf pages)", got)
	}
	if got := s.notModified.Load(); got != 2 {
		t.Errorf("%d answered 304, want 2 (/a and /d)", got)
	}
	if first.Stats.Pages != 5 || second.Stats.Pages != 3 || second.Stats.Skipped-first.Stats.Skipped != 2 {
		t.Errorf("stats: first %+v, second %+v; want 5 pages, then 3 fetched and 2 more skipped unchanged", first.Stats, second.Stats)
	}

	ch, err := changes.Since(ctx, e.st, second.ID, store.MatchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Previous == nil || ch.Previous.ID != first.ID {
		t.Fatalf("compared with %+v, want the first run %s", ch.Previous, first.ID)
	}
	if got := foundOf(ch.New, s.URL); len(got) != 1 || got[0] != (found{e.essay.ID, "/c"}) {
		t.Errorf("new %v, want only the essay on /c", got)
	}
	if got := foundOf(ch.Removed, s.URL); len(got) != 1 || got[0] != (found{e.poem.ID, "/b"}) {
		t.Errorf("removed %v, want only the poem on /b", got)
	}
	// The unchanged /a still shows the essay in the second scan, carried
	// forward, and per creator the changes split.
	ms, _ := e.st.Matches(ctx, second.ID, store.MatchFilter{})
	if got := foundOf(ms, s.URL); len(got) != 2 {
		t.Errorf("second scan's matches %v, want the essay on /a (carried) and /c", got)
	}
	bob, err := changes.Since(ctx, e.st, second.ID, store.MatchFilter{Creator: "bob"})
	if err != nil || len(bob.New) != 0 || len(bob.Removed) != 1 {
		t.Errorf("bob's changes %+v, %v", bob, err)
	}
	// LastScan names the second run, or a third one that started before
	// Stop.
	stored, err := e.st.Schedule(ctx, sched.ID)
	if err != nil {
		t.Fatal(err)
	}
	last, err := e.st.Scan(ctx, stored.LastScan)
	if err != nil || last.StartedAt.Before(second.StartedAt) {
		t.Errorf("schedule's last scan %q (%+v, %v), want %s or a later run", stored.LastScan, last, err, second.ID)
	}
}

// logCounter counts log records whose message starts with a prefix.
type logCounter struct {
	prefix string
	n      atomic.Int32
}

func (c *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCounter) Handle(_ context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, c.prefix) {
		c.n.Add(1)
	}
	return nil
}
func (c *logCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *logCounter) WithGroup(string) slog.Handler      { return c }

// A run that would overlap the previous one does not start: not from this
// scheduler's ticks, and not from a second scheduler sharing the store.
func TestOverlappingRunDoesNotStart(t *testing.T) {
	e := newEnv(t, nil)
	release := make(chan struct{})
	var inFlight, maxInFlight atomic.Int32
	var mu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" { // robots.txt and the AI policy files
			http.NotFound(w, r)
			return
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		mu.Lock()
		maxInFlight.Store(max(maxInFlight.Load(), n))
		mu.Unlock()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		fmt.Fprint(w, html("<p>Slow home.</p>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	sched, err := e.st.PutSchedule(ctx, store.Schedule{Name: "slow", Cron: "@every 1s", Kind: "crawl",
		Targets: []string{srv.URL + "/"}, Options: []byte(`{"depth":1}`), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	skips := &logCounter{prefix: "scheduled run skipped: the previous run"}
	a := e.scheduler(t, Config{Owner: "server-a", Logger: slog.New(skips)})
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two ticks skipped while the first run is slow", func() bool { return skips.n.Load() >= 2 })

	// A second server over the same store: the lease keeps it out.
	b := e.scheduler(t, Config{Owner: "server-b"})
	if _, err := b.RunNow(ctx, sched.ID); !errors.Is(err, ErrBusy) {
		t.Errorf("second scheduler RunNow: %v, want ErrBusy", err)
	}
	if _, err := a.RunNow(ctx, sched.ID); !errors.Is(err, ErrBusy) {
		t.Errorf("same scheduler RunNow: %v, want ErrBusy", err)
	}
	scans, _ := e.st.ListScans(ctx)
	if len(scans) != 1 {
		t.Errorf("%d scans while the first run holds the schedule, want 1", len(scans))
	}
	close(release)
	first := e.next(t)
	if first.State != store.ScanFinished {
		t.Errorf("first run %+v", first)
	}
	// Once it ended, the schedule runs again (the lease was released).
	second := e.next(t)
	if second.ID == first.ID {
		t.Error("no second run after the first ended")
	}
	if maxInFlight.Load() != 1 {
		t.Errorf("%d runs fetched at once, want 1", maxInFlight.Load())
	}
}

func TestValidate(t *testing.T) {
	ok := store.Schedule{Name: "n", Cron: "0 2 * * *", Kind: "crawl", Targets: []string{"https://a.example/"}}
	tests := []struct {
		name string
		edit func(*store.Schedule)
		ok   bool
	}{
		{"five fields", func(*store.Schedule) {}, true},
		{"descriptor", func(s *store.Schedule) { s.Cron = "@daily" }, true},
		{"every", func(s *store.Schedule) { s.Cron = "@every 10m" }, true},
		{"weekly audit", func(s *store.Schedule) {
			s.Cron, s.Kind, s.Targets = "0 3 * * 0", "audit", []string{"/data/corpus.jsonl"}
		}, true},
		{"six fields", func(s *store.Schedule) { s.Cron = "0 0 2 * * *" }, false},
		{"garbage cron", func(s *store.Schedule) { s.Cron = "nightly" }, false},
		{"empty cron", func(s *store.Schedule) { s.Cron = "" }, false},
		{"bad kind", func(s *store.Schedule) { s.Kind = "index" }, false},
		{"no targets", func(s *store.Schedule) { s.Targets = nil }, false},
		{"bad options", func(s *store.Schedule) { s.Options = []byte(`{"depth":"deep"}`) }, false},
		{"unknown option", func(s *store.Schedule) { s.Options = []byte(`{"dpth":1}`) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			err := Validate(s)
			if tc.ok && err != nil {
				t.Errorf("Validate: %v", err)
			}
			if !tc.ok && !errors.Is(err, launch.ErrInvalid) {
				t.Errorf("Validate: %v, want ErrInvalid", err)
			}
		})
	}
}

// Config schedules are checked when the scheduler is made, and are listed
// with the stored ones.
func TestStaticSchedules(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := New(e.st, e.l, Config{Static: []store.Schedule{{Name: "x", Cron: "bad", Kind: "crawl", Targets: []string{"https://a.example/"}}}}); !errors.Is(err, launch.ErrInvalid) {
		t.Errorf("bad config schedule: %v", err)
	}
	dup := []store.Schedule{
		{Name: "x", Cron: "@daily", Kind: "crawl", Targets: []string{"https://a.example/"}},
		{Name: "x", Cron: "@daily", Kind: "crawl", Targets: []string{"https://b.example/"}},
	}
	if _, err := New(e.st, e.l, Config{Static: dup}); !errors.Is(err, launch.ErrInvalid) {
		t.Errorf("duplicate names: %v", err)
	}
	stored, err := e.st.PutSchedule(ctx, store.Schedule{Name: "api", Cron: "@weekly", Kind: "crawl", Targets: []string{"https://c.example/"}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.PutSchedule(ctx, store.Schedule{Name: "off", Cron: "@weekly", Kind: "crawl", Targets: []string{"https://d.example/"}}); err != nil {
		t.Fatal(err)
	}
	s := e.scheduler(t, Config{Static: dup[:1]})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	got := s.Entries()
	if len(got) != 2 || got[0].ID != ConfigPrefix+"x" || got[1].ID != stored.ID || got[0].Next.IsZero() {
		t.Errorf("entries %+v; want the config schedule and the enabled stored one", got)
	}
	if err := e.st.DeleteSchedule(ctx, stored.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.Entries(); len(got) != 1 {
		t.Errorf("entries after deleting one and Reload: %+v", got)
	}
	if _, err := s.RunNow(ctx, stored.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RunNow of a deleted schedule: %v", err)
	}
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
