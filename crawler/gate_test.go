package crawler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/polite"
	"github.com/attrib/attrib/store/redistest"
)

// fanSite serves "/" linking to n-1 pages, and robots.txt.
func fanSite(t *testing.T, n int, robots string, page2 func(string) http.HandlerFunc) *site {
	t.Helper()
	routes := map[string]http.HandlerFunc{}
	var hrefs []string
	for i := range n - 1 {
		p := fmt.Sprintf("/p%d", i)
		hrefs = append(hrefs, p)
		routes[p] = page2(p)
	}
	routes["/"] = page("root", links(hrefs...))
	if robots != "" {
		routes["/robots.txt"] = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, robots) }
	}
	return newSite(t, routes)
}

// requestTimes returns the site's page request times, in order.
func (s *site) requestTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	times := slices.Clone(s.times)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	return times
}

// loopbackSlack is how much closer than the gate's interval two requests
// may reach the server: the gate spaces the slots exactly, the way from a
// slot to the server (a Redis reply, a goroutine waking, a loopback
// request) varies by a few milliseconds, more on a loaded machine.
const loopbackSlack = 25 * time.Millisecond

func TestHostConcurrency(t *testing.T) {
	for _, limit := range []int{1, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var inFlight, peak atomic.Int64
			s := fanSite(t, 12, "", func(p string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					n := inFlight.Add(1)
					defer inFlight.Add(-1)
					for old := peak.Load(); n > old && !peak.CompareAndSwap(old, n); old = peak.Load() {
					}
					time.Sleep(5 * time.Millisecond)
					page(p, "")(w, r)
				}
			})
			opts := testOptions(s.URL + "/")
			opts.Workers, opts.HostConcurrency = 8, limit
			stats, _ := crawl(t, opts)
			if stats.Pages != 12 {
				t.Fatalf("stats %+v", stats)
			}
			if p := peak.Load(); p > int64(limit) {
				t.Errorf("%d requests in flight at once, limit %d", p, limit)
			}
		})
	}
}

// TestCrawlDelayObeyed: with no rate of ours, the site's Crawl-delay
// spaces the requests.
func TestCrawlDelayObeyed(t *testing.T) {
	const n, delay = 5, 100 * time.Millisecond
	s := fanSite(t, n, "User-agent: *\nCrawl-delay: 0.1\n", func(p string) http.HandlerFunc { return page(p, "") })
	opts := testOptions(s.URL + "/")
	opts.Workers = 8
	crawl(t, opts)
	times := s.requestTimes()
	if len(times) != n {
		t.Fatalf("%d requests, want %d", len(times), n)
	}
	checkSpacing(t, times, delay)
}

// TestTwoWorkersShareRedisPoliteness: two crawls ("workers"), each with its
// own in-memory frontier over the same site, share a Redis gate and robots
// cache: the site never sees two requests closer than its Crawl-delay, and
// its robots.txt is fetched once.
func TestTwoWorkersShareRedisPoliteness(t *testing.T) {
	c, ns := redistest.Client(t)
	const n, interval = 5, 100 * time.Millisecond
	s := fanSite(t, n, "User-agent: *\nCrawl-delay: 0.1\n", func(p string) http.HandlerFunc { return page(p, "") })
	var wg sync.WaitGroup
	var pages atomic.Int64
	for w := range 2 {
		cl := redis.UniversalClient(c)
		if w > 0 {
			own := redis.NewClient(&redis.Options{Addr: redistest.Addr()})
			defer own.Close()
			cl = own
		}
		gate, err := polite.NewRedis(cl, ns, polite.Options{Rate: 20, Concurrency: 2})
		if err != nil {
			t.Fatal(err)
		}
		robots, err := polite.NewRedisRobots(cl, ns, 0)
		if err != nil {
			t.Fatal(err)
		}
		opts := testOptions(s.URL + "/")
		opts.Workers, opts.Gate, opts.Robots = 4, gate, robots
		wg.Go(func() {
			stats, _ := crawl(t, opts)
			pages.Add(stats.Pages)
		})
	}
	wg.Wait()
	times := s.requestTimes()
	if pages.Load() != 2*n || len(times) != 2*n {
		t.Fatalf("%d pages crawled, %d requests; want %d each", pages.Load(), len(times), 2*n)
	}
	checkSpacing(t, times, interval)
	if h := s.Hits("/robots.txt"); h != 1 {
		t.Errorf("robots.txt fetched %d times by two workers, want 1", h)
	}
}

// TestSharedStateDown: a crawl whose gate or robots cache fails stops with
// the error instead of counting every page as failed.
func TestSharedStateDown(t *testing.T) {
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer dead.Close()
	gate, err := polite.NewRedis(dead, "attribtest:down:", polite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	robots, err := polite.NewRedisRobots(dead, "attribtest:down:", 0)
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, map[string]http.HandlerFunc{"/": page("root", "")})
	tests := []struct {
		name   string
		change func(*Options)
	}{
		{"gate", func(o *Options) { o.Gate = gate }},
		{"robots", func(o *Options) { o.Robots = robots }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(s.URL + "/")
			tt.change(&opts)
			c, err := New(opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			stats, err := c.Run(context.Background(), nil, &recorder{})
			if err == nil || stats.PageErrors != 0 {
				t.Errorf("Run: %v, stats %+v; want an error and no page errors", err, stats)
			}
		})
	}
	if h := s.Hits("/"); h != 0 {
		t.Errorf("the page was fetched %d times without politeness", h)
	}
}

// TestRobotsUnavailable: a robots.txt answering 503 disallows the site;
// its pages count as errors (the site is down), not as robots skips.
func TestRobotsUnavailable(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) },
		"/":           page("root", ""),
	})
	stats, _ := crawl(t, testOptions(s.URL+"/"))
	if s.Hits("/") != 0 || stats.PageErrors != 1 || stats.Robots != 0 {
		t.Errorf("page fetched %d times, stats %+v; want no fetch and 1 page error", s.Hits("/"), stats)
	}
}

// checkSpacing checks requests seen by the server against the interval the
// gate books between their start slots. The gate spaces when requests may
// start; the server sees them after client and server scheduling, which on
// a loaded machine (CI runs packages in parallel under -race) can delay one
// request until just before the next. So: the whole run must span at least
// (n-1) intervals, and at most one gap may fall short.
func checkSpacing(t *testing.T, times []time.Time, interval time.Duration) {
	t.Helper()
	short := 0
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < interval-loopbackSlack {
			short++
			t.Logf("requests %d and %d %v apart, interval %v", i-1, i, gap, interval)
		}
	}
	if short > 1 {
		t.Errorf("%d of %d gaps between requests shorter than the interval %v", short, len(times)-1, interval)
	}
	if span, lower := times[len(times)-1].Sub(times[0]), time.Duration(len(times)-1)*interval; span < lower-loopbackSlack {
		t.Errorf("%d requests spanned %v, want ≥ %v", len(times), span, lower)
	}
}
