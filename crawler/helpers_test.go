package crawler

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/matcher/shareddata"
)

// site is a loopback test server that counts requests per host+path and
// records when they arrived (policy files aside).
type site struct {
	*httptest.Server
	mu    sync.Mutex // guards hits and times
	hits  map[string]int
	times []time.Time
}

// newSite serves routes ("path" or "host/path" keys) on 127.0.0.1.
// Unknown paths, robots.txt included, get a 404.
func newSite(t testing.TB, routes map[string]http.HandlerFunc) *site {
	t.Helper()
	s := &site{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		s.mu.Lock()
		s.hits[host+r.URL.Path]++
		s.hits[r.URL.Path]++
		if !policyFile(r.URL.Path) {
			s.times = append(s.times, time.Now())
		}
		s.mu.Unlock()
		if h, ok := routes[host+r.URL.Path]; ok {
			h(w, r)
			return
		}
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// policyFile reports whether path is a site policy file the crawler reads
// once per host (robots.txt, and ai.txt and tdmrep.json for opt-outs):
// requests for pages and images are counted without them.
func policyFile(path string) bool {
	return path == "/robots.txt" || path == "/ai.txt" || path == "/.well-known/tdmrep.json"
}

// Hits returns how many requests key ("path" or "host/path") got.
func (s *site) Hits(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

// Port returns the server's port.
func (s *site) Port() string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return port
}

// dialTo returns a transport that connects every host name to addr, so
// tests can crawl several host names on one loopback server.
func dialTo(addr string) *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}
}

// page serves an HTML page with a title and extra body markup.
func page(title, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body><p>Text of %s.</p>%s</body></html>", title, title, body)
	}
}

// links returns anchors to each href.
func links(hrefs ...string) string {
	var b strings.Builder
	for _, h := range hrefs {
		fmt.Fprintf(&b, `<a href="%s">link</a>`, h)
	}
	return b.String()
}

// serveBytes serves b with content type ctype.
func serveBytes(ctype string, b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Write(b)
	}
}

// recorder is a Handler that keeps every page it gets.
type recorder struct {
	mu    sync.Mutex // guards pages
	pages map[string]*Page
}

func (r *recorder) HandlePage(_ context.Context, p *Page) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pages == nil {
		r.pages = map[string]*Page{}
	}
	r.pages[p.URL] = p
	return nil
}

// urls returns the URLs of the recorded pages with prefix removed.
func (r *recorder) urls(prefix string) map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]bool{}
	for u := range r.pages {
		out[strings.TrimPrefix(u, prefix)] = true
	}
	return out
}

// testOptions are fast options for loopback crawls.
func testOptions(seeds ...string) Options {
	o := DefaultOptions()
	o.Seeds = seeds
	o.Rate = 0
	o.Timeout = 5 * time.Second
	return o
}

// crawl runs a crawl with opts and returns its stats and pages.
func crawl(t testing.TB, opts Options) (Stats, *recorder) {
	t.Helper()
	c, err := New(opts, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	stats, err := c.Run(context.Background(), nil, rec)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return stats, rec
}

// testLogger logs to the test log when -v is set.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewTextHandler(tbWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tbWriter struct{ t testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// pngBytes encodes a w×h gradient PNG.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// dataDir returns the shared test data folder.
func dataDir(t testing.TB) string {
	t.Helper()
	return shareddata.Dir(t)
}

// readFile reads a file of the shared data.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
