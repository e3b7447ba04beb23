package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/store/redistest"
)

// sitePages is how many pages testSite serves.
const sitePages = 60

// testSite serves /p0../p59 on loopback: page i links to its children
// 2i+1 and 2i+2, to its parent and to /old, which redirects to /p5.
func testSite(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/p5", http.StatusMovedPermanently)
			return
		}
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/p"))
		if err != nil || i < 0 || i >= sitePages {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>p%d</title></head><body><p>Page %d.</p>", i, i)
		for _, k := range []int{2*i + 1, 2*i + 2, (i - 1) / 2} {
			if k < sitePages {
				fmt.Fprintf(w, `<a href="/p%d">p%d</a>`, k, k)
			}
		}
		fmt.Fprint(w, `<a href="/old">old</a></body></html>`)
	}))
	t.Cleanup(s.Close)
	return s
}

// handled counts the pages each worker handled.
type handled struct {
	mu    sync.Mutex // guards pages
	pages map[string][]string
}

// handler returns worker's Handler; it sleeps a little per page so that
// both workers get work, and calls hook (if any) first.
func (h *handled) handler(worker string, hook func(ctx context.Context, url string) error) crawler.Handler {
	return crawler.HandlerFunc(func(ctx context.Context, p *crawler.Page) error {
		if hook != nil {
			if err := hook(ctx, p.URL); err != nil {
				return err
			}
		}
		h.mu.Lock()
		h.pages[p.URL] = append(h.pages[p.URL], worker)
		h.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		return nil
	})
}

// workerFrontier opens scan on a client of its own, as another process
// would.
func workerFrontier(t *testing.T, ns, scan, consumer string, visibility time.Duration, seed string) *Frontier {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: redistest.Addr()})
	t.Cleanup(func() { c.Close() })
	f, err := Open(context.Background(), Config{
		Client: c, Namespace: ns, Consumer: consumer, Visibility: visibility, PollInterval: 50 * time.Millisecond,
	}, scan, frontier.Options{Seeds: []string{seed}, MaxDepth: 10})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func newCrawler(t *testing.T, seed string) *crawler.Crawler {
	t.Helper()
	opts := crawler.DefaultOptions()
	opts.Seeds, opts.MaxDepth, opts.Rate, opts.Workers = []string{seed}, 10, 0, 3
	opts.Timeout, opts.SkipImages = 5*time.Second, true
	c, err := crawler.New(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCrawlTwoWorkers runs two crawlers ("workers") on one scan: every
// page is handled exactly once, by one of them.
func TestCrawlTwoWorkers(t *testing.T) {
	e := singleEnv(t, 0)
	site := testSite(t)
	seed := site.URL + "/p0"
	scan := scanName(t)
	h := &handled{pages: map[string][]string{}}
	var wg sync.WaitGroup
	for _, w := range []string{"a", "b"} {
		f := workerFrontier(t, e.ns, scan, w, time.Minute, seed)
		wg.Go(func() {
			if _, err := newCrawler(t, seed).Run(context.Background(), f, h.handler(w, nil)); err != nil {
				t.Errorf("worker %s: %v", w, err)
			}
		})
	}
	wg.Wait()
	perWorker := map[string]int{}
	for i := range sitePages {
		u := fmt.Sprintf("%s/p%d", site.URL, i)
		if got := h.pages[u]; len(got) != 1 {
			t.Errorf("%s handled by %v, want exactly once", u, got)
		} else {
			perWorker[got[0]]++
		}
	}
	if len(h.pages) != sitePages || perWorker["a"] == 0 || perWorker["b"] == 0 {
		t.Errorf("%d pages handled, per worker %v", len(h.pages), perWorker)
	}
	// 60 pages and /old. /p5 is admitted, or claimed as /old's redirect
	// target if /old is crawled first.
	if c := e.counts(t, scan); c.Seen != sitePages+1 || c.Admitted < sitePages || c.Done != c.Admitted || !c.Finished() || c.Dead != 0 {
		t.Errorf("counts %+v", c)
	}
}

// attempts records the deliveries a frontier hands out.
type attempts struct {
	*Frontier
	redelivered atomic.Int64
}

func (a *attempts) Pop(ctx context.Context) (frontier.Job, error) {
	j, err := a.Frontier.Pop(ctx)
	if err == nil && Attempt(j) > 1 {
		a.redelivered.Add(1)
	}
	return j, err
}

// TestCrawlWorkerKilled kills one of two workers mid-crawl: its context
// is cancelled while its handler holds a page, so that page and the pages
// it was fetching are never acknowledged. The other worker reclaims them
// once their lease expires; nothing is lost. A page is handled twice only
// if the killed worker's handler finished it but the worker died before
// its Done: at-least-once delivery cannot tell that from a handler that
// died halfway, so consumers make handling idempotent.
func TestCrawlWorkerKilled(t *testing.T) {
	e := singleEnv(t, 0)
	site := testSite(t)
	seed := site.URL + "/p0"
	scan := scanName(t)
	h := &handled{pages: map[string][]string{}}
	const visibility = 300 * time.Millisecond

	killCtx, kill := context.WithCancel(context.Background())
	defer kill()
	var n atomic.Int64
	var victim atomic.Value
	dies := func(ctx context.Context, url string) error {
		if n.Add(1) == 10 {
			victim.Store(url)
			kill()
			return ctx.Err() // the worker dies inside the handler
		}
		return nil
	}
	doomed := workerFrontier(t, e.ns, scan, "doomed", visibility, seed)
	survivor := &attempts{Frontier: workerFrontier(t, e.ns, scan, "survivor", visibility, seed)}
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := newCrawler(t, seed).Run(killCtx, doomed, h.handler("doomed", dies))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("killed worker: %v, want context.Canceled", err)
		}
	})
	wg.Go(func() {
		if _, err := newCrawler(t, seed).Run(context.Background(), survivor, h.handler("survivor", nil)); err != nil {
			t.Errorf("surviving worker: %v", err)
		}
	})
	wg.Wait()

	twice := 0
	for i := range sitePages {
		u := fmt.Sprintf("%s/p%d", site.URL, i)
		switch got := h.pages[u]; {
		case len(got) == 0:
			t.Errorf("%s lost", u)
		case len(got) > 1:
			twice++
		}
	}
	v, _ := victim.Load().(string)
	if v == "" || len(h.pages[v]) != 1 || h.pages[v][0] != "survivor" {
		t.Errorf("the page the worker died on (%q) was handled by %v, want once more by the survivor", v, h.pages[v])
	}
	// Only pages the doomed worker held can be handled twice.
	if twice > 3 {
		t.Errorf("%d pages handled twice, more than the killed worker's 3 fetchers", twice)
	}
	if survivor.redelivered.Load() == 0 {
		t.Error("the survivor reclaimed nothing")
	}
	if c := e.counts(t, scan); c.Done != c.Admitted || !c.Finished() || c.Dead != 0 {
		t.Errorf("counts %+v", c)
	}
}

// TestCrawlRetriesTransientFailures runs the crawler over a site whose
// /flaky page answers 503 twice before it works and whose /down page
// always answers 503: the crawler hands both back to the frontier, which
// retries /flaky until it is crawled and dead-letters /down after
// MaxAttempts; a handler failure is retried too, not acknowledged.
func TestCrawlRetriesTransientFailures(t *testing.T) {
	e := singleEnv(t, 0)
	var flaky, handlerFails atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<html><body><p>Home.</p><a href="/flaky">f</a> <a href="/down">d</a> <a href="/picky">p</a></body></html>`)
		case "/flaky":
			if flaky.Add(1) <= 2 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, `<html><body><p>Flaky, finally.</p></body></html>`)
		case "/down":
			http.Error(w, "down", http.StatusServiceUnavailable)
		case "/picky":
			fmt.Fprint(w, `<html><body><p>Picky.</p></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	scan := scanName(t)
	opts := frontier.Options{Seeds: []string{srv.URL + "/"}, MaxDepth: 1}
	cfg := e.config()
	cfg.MaxAttempts = 3
	f := e.open(t, scan, cfg, opts)
	co := crawler.DefaultOptions()
	co.Seeds, co.MaxDepth, co.Rate, co.SkipImages = opts.Seeds, 1, 0, true
	c, err := crawler.New(co, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]int{}
	h := crawler.HandlerFunc(func(_ context.Context, p *crawler.Page) error {
		if strings.HasSuffix(p.URL, "/picky") && handlerFails.Add(1) == 1 {
			return errors.New("intake unavailable")
		}
		mu.Lock()
		got[strings.TrimPrefix(p.URL, srv.URL)]++
		mu.Unlock()
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stats, err := c.Run(ctx, f, h)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	if got["/flaky"] != 1 || got["/"] != 1 || got["/picky"] != 1 || got["/down"] != 0 {
		t.Errorf("handled %v: want /, /flaky (third try) and /picky (second try) once each", got)
	}
	// /flaky twice, /down until dead, /picky once.
	if stats.Retried < 5 {
		t.Errorf("retried %d transient failures, want at least 5", stats.Retried)
	}
	n := e.counts(t, scan)
	if n.Dead != 1 || n.Queued+n.InFlight+n.Delayed != 0 {
		t.Errorf("counts %+v: want /down dead-lettered and nothing left", n)
	}
	dl, err := DeadLetters(context.Background(), e.c, e.ns, scan, 10)
	if err != nil || len(dl) != 1 || !strings.HasSuffix(dl[0].URL, "/down") {
		t.Errorf("dead letters %+v, %v", dl, err)
	}
}
