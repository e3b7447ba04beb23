package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"
)

func TestCheckRobots(t *testing.T) {
	robots := map[string]http.HandlerFunc{
		"/rules/": text("User-agent: *\nDisallow: /private\nCrawl-delay: 0.5\n\n" +
			"User-agent: attrib\nDisallow: /no-attrib\nCrawl-delay: 2\n"),
		"/star/":      text("User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /private\nCrawl-delay: 0.25\n"),
		"/missing/":   http.NotFound,
		"/forbidden/": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) },
		"/down/":      func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) },
		"/slowdown/":  func(w http.ResponseWriter, r *http.Request) { http.Error(w, "later", http.StatusTooManyRequests) },
		"/moved/": func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/real-robots.txt") {
				text("User-agent: *\nDisallow: /private\n")(w, r)
				return
			}
			http.Redirect(w, r, "/real-robots.txt", http.StatusMovedPermanently)
		},
		"/loop/": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) },
		// robotstxt refuses rules before a User-agent and a non-numeric
		// Crawl-delay; the rest of the file still applies.
		"/sloppy/": text("Disallow: /everything\nUser-agent: *\nCrawl-delay: soon\nDisallow: /private # comment\n"),
		"/empty/":  text(""),
		"/gzip/": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-gzip")
			io.WriteString(w, "\x1f\x8b not really")
		},
		"/stall/": stall,
	}
	mux := http.NewServeMux()
	for prefix, h := range robots {
		mux.HandleFunc(prefix+"{path...}", func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "robots.txt") {
				h(w, r)
				return
			}
			html("<title>ok</title>")(w, r)
		})
	}
	srv := newServer(t, mux)
	// Each prefix stands for a host: the transport rewrites
	// http://<name>.test/x to <srv>/<name>/x.
	f := newFetcher(t, Options{Transport: prefixTransport(srv.URL), Timeout: 300 * time.Millisecond})

	tests := []struct {
		url   string
		want  error // nil: allowed
		delay time.Duration
	}{
		{"http://rules.test/page", nil, 2 * time.Second},
		{"http://rules.test/no-attrib/x", ErrRobots, 0},
		{"http://rules.test/private", nil, 2 * time.Second}, // the attrib group replaces *
		{"http://star.test/private/x?q=1", ErrRobots, 0},
		{"http://star.test/public", nil, 250 * time.Millisecond},
		{"http://star.test", nil, 250 * time.Millisecond},
		{"http://missing.test/private", nil, 0},
		{"http://forbidden.test/private", nil, 0},
		{"http://down.test/page", ErrRobotsUnavailable, 0},
		{"http://slowdown.test/page", ErrRobotsUnavailable, 0},
		{"http://moved.test/page", nil, 0},
		{"http://moved.test/private", ErrRobots, 0},
		{"http://loop.test/page", nil, 0},
		{"http://sloppy.test/everything", nil, 0},
		{"http://sloppy.test/private", ErrRobots, 0},
		{"http://empty.test/private", nil, 0},
		{"http://gzip.test/private", nil, 0},
		{"http://stall.test/page", ErrRobotsUnavailable, 0},
		{"mailto:someone@example.org", nil, 0}, // an error, but not a robots one
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			delay, err := f.CheckRobots(context.Background(), tt.url)
			switch {
			case tt.want == nil && strings.HasPrefix(tt.url, "mailto:"):
				if err == nil || errors.Is(err, ErrRobots) || errors.Is(err, ErrRobotsUnavailable) {
					t.Errorf("error %v, want a plain error", err)
				}
			case tt.want == nil && (err != nil || delay != tt.delay):
				t.Errorf("delay %v, error %v; want %v, allowed", delay, err, tt.delay)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if IsSkip(err) != errors.Is(tt.want, ErrRobots) {
				t.Errorf("IsSkip(%v) = %v", err, IsSkip(err))
			}
		})
	}
	if _, err := f.FetchPage(context.Background(), "http://rules.test/no-attrib/x"); !errors.Is(err, ErrRobots) || !errors.Is(err, colly.ErrRobotsTxtBlocked) {
		t.Errorf("FetchPage of a disallowed page: %v", err)
	}
	if _, err := f.FetchImage(context.Background(), "http://down.test/a.png"); !errors.Is(err, ErrRobotsUnavailable) {
		t.Errorf("FetchImage on a host whose robots.txt is down: %v", err)
	}
}

// TestRobotsFetchedOnce: concurrent checks of many URLs of one host, from
// two fetchers sharing a cache, fetch its robots.txt once.
func TestRobotsFetchedOnce(t *testing.T) {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(20 * time.Millisecond) // let the other callers pile up
		io.WriteString(w, "User-agent: *\nDisallow: /private\n")
	})
	srv := newServer(t, mux)
	cache := NewMemoryRobots()
	fetchers := []*Fetcher{newFetcher(t, Options{Robots: cache}), newFetcher(t, Options{Robots: cache})}
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			_, err := fetchers[i%2].CheckRobots(context.Background(), srv.URL+"/private/x")
			if !errors.Is(err, ErrRobots) {
				t.Errorf("check %d: %v, want ErrRobots", i, err)
			}
		})
	}
	wg.Wait()
	if n := hits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times, want 1", n)
	}
}

// TestRobotsRetry: an unavailable robots.txt disallows its host for
// RobotsRetry, then is fetched again.
func TestRobotsRetry(t *testing.T) {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			http.Error(w, "overloaded", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "User-agent: *\nDisallow: /private\n")
	})
	srv := newServer(t, mux)
	const retry = 50 * time.Millisecond
	f := newFetcher(t, Options{RobotsRetry: retry})
	for range 3 {
		if _, err := f.CheckRobots(context.Background(), srv.URL+"/page"); !errors.Is(err, ErrRobotsUnavailable) {
			t.Fatalf("while robots.txt is down: %v, want ErrRobotsUnavailable", err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("robots.txt fetched %d times within the retry delay, want 1", n)
	}
	time.Sleep(2 * retry)
	if _, err := f.CheckRobots(context.Background(), srv.URL+"/page"); err != nil || hits.Load() != 2 {
		t.Errorf("after the retry delay: %v, %d fetches; want allowed after 2", err, hits.Load())
	}
}

// TestRobotsBodyCap: rules past the first 500 KiB are ignored.
func TestRobotsBodyCap(t *testing.T) {
	body := "User-agent: *\nDisallow: /a\n" + strings.Repeat("# padding padding padding\n", 24<<10) + "Disallow: /b\n"
	if len(body) < maxRobotsBytes+1000 {
		t.Fatalf("body of %d bytes is not over the cap", len(body))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", text(body))
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	if _, err := f.CheckRobots(context.Background(), srv.URL+"/a"); !errors.Is(err, ErrRobots) {
		t.Errorf("/a: %v, want ErrRobots", err)
	}
	if _, err := f.CheckRobots(context.Background(), srv.URL+"/b"); err != nil {
		t.Errorf("/b, disallowed after 500 KiB: %v", err)
	}
}

// TestRobotsCancelNotCached: a robots.txt fetch cut by the caller's context
// is not kept as "unreachable".
func TestRobotsCancelNotCached(t *testing.T) {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			stall(w, r)
			return
		}
		io.WriteString(w, "User-agent: *\nDisallow:\n")
	})
	srv := newServer(t, mux)
	f := newFetcher(t, Options{Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := f.CheckRobots(ctx, srv.URL+"/page"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled check: %v", err)
	}
	if _, err := f.CheckRobots(context.Background(), srv.URL+"/page"); err != nil || hits.Load() != 2 {
		t.Errorf("next check: %v after %d fetches, want allowed after 2", err, hits.Load())
	}
}

// text returns a handler serving body as text/plain.
func text(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, body)
	}
}
