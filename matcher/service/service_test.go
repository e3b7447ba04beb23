package service

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/intake"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redistest"
	"github.com/attrib/attrib/store/sqlite"
)

const poem = `The lighthouse keeper climbs the winding stair each evening when the tide
turns grey, and lights the lamp that guides the fishing boats home through the fog and
the long November dark, and he writes their names in a ledger by the window.`

type fixture struct {
	st     store.Store
	in     *intake.Queue
	scans  *scanreg.Registry
	work   store.Work
	crawlD atomic.Bool // what CrawlDone answers
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	c, prefix := redistest.Client(t)
	ns := strings.TrimSuffix(prefix, ":")
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "attrib.db"))
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
	f := &fixture{st: st, in: intake.New(c, intake.Options{Namespace: ns, Block: 20 * time.Millisecond}), scans: scanreg.New(c, ns), work: w}
	if _, err := st.CreateScan(ctx, store.Scan{ID: "s1", Kind: "crawl", Targets: []string{"http://x/"}, State: store.ScanRunning, StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := f.scans.Activate(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) service() *Service {
	return &Service{
		Store: f.st, Intake: f.in, Scans: f.scans, Options: matcher.DefaultOptions(), Workers: 2,
		PollEvery: 20 * time.Millisecond,
		CrawlDone: func(context.Context, string) (bool, error) { return f.crawlD.Load(), nil },
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServiceMatchesAndFinishes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	page := "Blog header. Quoted today: " + poem + " Thanks for reading."
	if err := f.in.Send(ctx, intake.Page{Scan: "s1", URL: "http://x/quote", Text: page,
		Signals: []store.OptOutSignal{{Kind: "meta", Value: "noai", Source: "http://x/quote"}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.in.Send(ctx, intake.Page{Scan: "s1", URL: "http://x/other", Text: "nothing to see here at all"}); err != nil {
		t.Fatal(err)
	}
	if err := f.scans.AddStats(ctx, "s1", store.Stats{Pages: 2, Bytes: 1234}); err != nil {
		t.Fatal(err)
	}
	svc := f.service()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx, nil) }()

	waitFor(t, "both pages matched", func() bool { return svc.Matched() == 2 })
	ms, err := f.st.Matches(ctx, "s1", store.MatchFilter{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches %+v, %v; want one", ms, err)
	}
	m := ms[0]
	if m.WorkID != f.work.ID || m.FoundURL != "http://x/quote" || m.Method != "text" || m.OptOut == nil || !m.OptOut.Reserved {
		t.Errorf("match %+v", m)
	}
	if sc, _ := f.st.Scan(ctx, "s1"); sc.State != store.ScanRunning {
		t.Errorf("scan closed while its crawl is still running: %s", sc.State)
	}
	f.crawlD.Store(true)
	waitFor(t, "scan closed", func() bool {
		sc, _ := f.st.Scan(ctx, "s1")
		return sc.State == store.ScanFinished
	})
	sc, _ := f.st.Scan(ctx, "s1")
	if sc.Stats.Pages != 2 || sc.Stats.Bytes != 1234 || sc.FinishedAt.IsZero() {
		t.Errorf("closed scan %+v: want the workers' counters", sc)
	}
	if ok, _ := f.scans.IsActive(ctx, "s1"); ok {
		t.Error("finished scan still active")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel: %v", err)
	}
}

func TestServiceDrain(t *testing.T) {
	f := newFixture(t)
	svc := f.service()
	drain := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- svc.Run(context.Background(), drain) }()
	if err := f.in.Send(context.Background(), intake.Page{Scan: "s1", URL: "http://x/1", Text: poem}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "page matched", func() bool { return svc.Matched() == 1 })
	close(drain)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("drained Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after drain")
	}
	if n, _ := f.in.Backlog(context.Background(), "s1"); n != 0 {
		t.Errorf("backlog %d after drain", n)
	}
}
