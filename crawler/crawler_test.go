package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/frontier"
)

func TestScopes(t *testing.T) {
	routes := map[string]http.HandlerFunc{} // filled once the port is known
	s := newSite(t, routes)
	u := func(host, path string) string { return "http://" + host + ":" + s.Port() + path }
	routes["www.example.com/docs/index.html"] = page("index", links("a.html", "/blog/b.html",
		u("img.example.com", "/x.html"), u("other.org", "/y.html")))
	routes["www.example.com/docs/a.html"] = page("a", "")
	routes["www.example.com/blog/b.html"] = page("b", "")
	routes["img.example.com/x.html"] = page("x", "")
	routes["other.org/y.html"] = page("y", "")
	all := []string{u("www.example.com", "/docs/index.html"), u("www.example.com", "/docs/a.html"),
		u("www.example.com", "/blog/b.html"), u("img.example.com", "/x.html"), u("other.org", "/y.html")}
	tests := []struct {
		scope string
		want  []string
	}{
		{"host", all[:3]},
		{"domain", all[:4]},
		{"prefix", all[:2]},
		{"any", all},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			scope, err := frontier.ParseScope(tt.scope)
			if err != nil {
				t.Fatal(err)
			}
			opts := testOptions(all[0])
			opts.Scope, opts.Transport = scope, dialTo(s.Listener.Addr().String())
			stats, rec := crawl(t, opts)
			got := slices.Sorted(maps.Keys(rec.urls("")))
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("crawled %v\nwant %v", got, want)
			}
			if stats.Pages != int64(len(want)) || stats.Errors != 0 {
				t.Errorf("stats %+v", stats)
			}
		})
	}
}

func TestDepthAndMaxPages(t *testing.T) {
	routes := map[string]http.HandlerFunc{
		"/":   page("root", links("/d1")),
		"/d1": page("d1", links("/d2")),
		"/d2": page("d2", links("/d3")),
		"/d3": page("d3", links("/d4")),
		"/d4": page("d4", ""),
	}
	var fan []string
	for i := range 20 {
		p := fmt.Sprintf("/fan/%d", i)
		fan = append(fan, p)
		routes[p] = page(p, links("/fan/"))
	}
	routes["/fan/"] = page("fan", links(fan...))
	s := newSite(t, routes)

	tests := []struct {
		name      string
		seed      string
		depth     int
		maxPages  int
		wantPages int64
		notHit    string
	}{
		{"depth 0 is the seed only", "/", 0, 0, 1, "/d1"},
		{"depth 2", "/", 2, 0, 3, "/d3"},
		{"depth 10 reaches the end", "/", 10, 0, 5, ""},
		{"max pages", "/fan/", 3, 5, 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.Hits("/fan/19") + s.Hits("/fan/5")
			opts := testOptions(s.URL + tt.seed)
			opts.MaxDepth, opts.MaxPages = tt.depth, tt.maxPages
			stats, rec := crawl(t, opts)
			if stats.Pages != tt.wantPages || int64(len(rec.pages)) != tt.wantPages {
				t.Errorf("pages %d (handled %d), want %d", stats.Pages, len(rec.pages), tt.wantPages)
			}
			if tt.notHit != "" && s.Hits(tt.notHit) != 0 {
				t.Errorf("%s was fetched beyond the limit", tt.notHit)
			}
			if tt.maxPages > 0 && s.Hits("/fan/19")+s.Hits("/fan/5")-before != 0 {
				t.Error("pages beyond the budget were fetched")
			}
		})
	}
}

func TestDedupe(t *testing.T) {
	routes := map[string]http.HandlerFunc{
		"/a.html": page("a", links("index.html", "/b.html?x=1&y=2#z", "a.html")),
		"/b.html": page("b", links("/a.html", "/B.html")),
		"/B.html": page("B", ""),
	}
	s := newSite(t, routes)
	routes["/index.html"] = page("index", links("a.html", "a.html#frag", "x/../a.html", "./a.html#",
		"/index.html#top", "b.html?y=2&x=1", "b.html?x=1&y=2", "B.html", "HTTP://127.0.0.1:"+s.Port()+"/a.html"))
	opts := testOptions(s.URL + "/index.html")
	opts.Workers = 8
	stats, _ := crawl(t, opts)
	for _, p := range []string{"/index.html", "/a.html", "/b.html", "/B.html"} {
		if n := s.Hits(p); n != 1 {
			t.Errorf("%s fetched %d times, want 1", p, n)
		}
	}
	if stats.Pages != 4 {
		t.Errorf("pages %d, want 4", stats.Pages)
	}
}

// A page reached directly and through a redirect (dir/index.html -> dir/,
// as file servers do) is handled once, whichever arrives first.
func TestRedirectTargetDeduped(t *testing.T) {
	routes := map[string]http.HandlerFunc{
		"/dir/": page("dir", links("../index.html")),
		"/dir/index.html": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/dir/", http.StatusMovedPermanently)
		},
		"/index.html": page("index", links("dir/index.html", "dir/", "dir/index.html#x")),
	}
	s := newSite(t, routes)
	stats, rec := crawl(t, testOptions(s.URL+"/index.html"))
	if got := rec.urls(s.URL); len(got) != 2 || !got["/dir/"] {
		t.Errorf("handled %v, want index.html and dir/ once each", got)
	}
	if stats.Pages != 2 || stats.Redirected != 1 || stats.Skipped != 1 {
		t.Errorf("pages %d, redirected %d, skipped %d; want 2, 1, 1", stats.Pages, stats.Redirected, stats.Skipped)
	}
}

func TestRobots(t *testing.T) {
	img := pngBytes(t, 32, 32)
	routes := map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "User-agent: *\nDisallow: /private\n")
		},
		"/":               page("root", links("/private/p.html", "/public.html")+`<img src="/private/i.png">`),
		"/public.html":    page("public", ""),
		"/private/p.html": page("private", ""),
		"/private/i.png":  serveBytes("image/png", img),
	}
	tests := []struct {
		ignore      bool
		wantPrivate int
		wantRobots  int64
	}{{false, 0, 2}, {true, 1, 0}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("ignore=%v", tt.ignore), func(t *testing.T) {
			s := newSite(t, routes)
			opts := testOptions(s.URL + "/")
			opts.IgnoreRobots = tt.ignore
			stats, _ := crawl(t, opts)
			if s.Hits("/private/p.html") != tt.wantPrivate || s.Hits("/private/i.png") != tt.wantPrivate {
				t.Errorf("private page fetched %d times, image %d, want %d", s.Hits("/private/p.html"), s.Hits("/private/i.png"), tt.wantPrivate)
			}
			if s.Hits("/public.html") != 1 {
				t.Error("/public.html not fetched")
			}
			if stats.Robots != tt.wantRobots || stats.Skipped != tt.wantRobots || stats.Errors != 0 {
				t.Errorf("stats %+v, want %d robots skips", stats, tt.wantRobots)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	const n, rate = 6, 25
	routes := map[string]http.HandlerFunc{}
	var hrefs []string
	for i := range n - 1 {
		p := fmt.Sprintf("/p%d", i)
		hrefs = append(hrefs, p)
		routes[p] = page(p, "")
	}
	routes["/"] = page("root", links(hrefs...))
	s := newSite(t, routes)
	opts := testOptions(s.URL + "/")
	opts.Rate, opts.Workers = rate, 8
	crawl(t, opts)
	s.mu.Lock()
	times := slices.Clone(s.times)
	s.mu.Unlock()
	if len(times) != n {
		t.Fatalf("%d requests, want %d", len(times), n)
	}
	// A lower bound: n requests at rate r span at least (n-1)/r, less a
	// margin for loopback latency differences between requests.
	span := times[n-1].Sub(times[0])
	lower := time.Duration(n-1) * time.Second / rate * 9 / 10
	if span < lower {
		t.Errorf("%d requests at %v/s spanned %v, want ≥ %v", n, rate, span, lower)
	}
}

func TestHandlerErrorsAreCounted(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/": page("root", links("/a", "/b")), "/a": page("a", ""), "/b": page("b", ""),
	})
	c, err := New(testOptions(s.URL+"/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var handled atomic.Int64
	stats, err := c.Run(context.Background(), nil, HandlerFunc(func(_ context.Context, p *Page) error {
		handled.Add(1)
		if strings.HasSuffix(p.URL, "/a") {
			return errors.New("store is down")
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if handled.Load() != 3 || stats.HandlerErrors != 1 || stats.Errors != 1 || stats.Pages != 3 {
		t.Errorf("handled %d, stats %+v", handled.Load(), stats)
	}
}

func TestRunCancelled(t *testing.T) {
	stalled := make(chan struct{}, 1)
	routes := map[string]http.HandlerFunc{
		"/":  page("root", links("/stall", "/a")),
		"/a": page("a", ""),
		"/stall": func(w http.ResponseWriter, r *http.Request) {
			stalled <- struct{}{}
			<-r.Context().Done()
		},
	}
	s := newSite(t, routes)
	opts := testOptions(s.URL + "/")
	opts.Timeout = time.Hour // only cancellation can end the stalled fetch
	c, err := New(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-stalled; cancel() }()
	_, err = c.Run(ctx, nil, &recorder{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want context.Canceled", err)
	}
}

func TestRunWithFrontier(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{"/": page("root", links("/a")), "/a": page("a", "")})
	opts := testOptions(s.URL + "/")
	f, err := frontier.NewMemory(frontier.Options{Seeds: opts.Seeds, MaxDepth: 5})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := c.Run(context.Background(), f, &recorder{})
	if err != nil || stats.Pages != 2 {
		t.Errorf("Run: %v, stats %+v", err, stats)
	}
	if fs := f.Stats(); fs.Admitted != 2 || fs.InFlight != 0 || fs.Queued != 0 {
		t.Errorf("frontier stats %+v", fs)
	}
	if _, err := c.Run(context.Background(), nil, nil); err == nil {
		t.Error("Run with a nil handler: no error")
	}
	noSeeds, _ := New(Options{}, nil)
	if _, err := noSeeds.Run(context.Background(), nil, &recorder{}); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("Run without seeds: %v", err)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	ok := DefaultOptions()
	ok.Seeds = []string{"https://example.com/"}
	tests := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"ftp seed", func(o *Options) { o.Seeds = []string{"ftp://example.com/"} }, `scheme "ftp"`},
		{"relative seed", func(o *Options) { o.Seeds = []string{"/docs"} }, "not an absolute url"},
		{"bad scope", func(o *Options) { o.Scope = 7 }, "unknown scope"},
		{"negative depth", func(o *Options) { o.MaxDepth = -1 }, "max depth"},
		{"negative pages", func(o *Options) { o.MaxPages = -1 }, "max pages"},
		{"NaN rate", func(o *Options) { o.Rate = math.NaN() }, "rate"},
		{"negative rate", func(o *Options) { o.Rate = -2 }, "rate"},
		{"too many workers", func(o *Options) { o.Workers = 1 << 20 }, "workers"},
		{"negative host concurrency", func(o *Options) { o.HostConcurrency = -1 }, "host concurrency"},
		{"negative timeout", func(o *Options) { o.Timeout = -time.Second }, "timeout"},
		{"negative cap", func(o *Options) { o.MaxPageBytes = -1 }, "byte caps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.change(&o)
			_, err := New(o, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	c, err := New(Options{Seeds: ok.Seeds}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Options()
	if got.Workers < 1 || got.HostConcurrency < 1 || got.Timeout <= 0 || got.MaxPageBytes <= 0 || got.ImageLimits.MaxPixels <= 0 ||
		got.ImageLimits.MaxBytes != got.MaxImageBytes || !strings.HasPrefix(got.UserAgent, "attrib/") {
		t.Errorf("defaults not filled in: %+v", got)
	}
}
