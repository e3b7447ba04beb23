package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fileSite serves dir like a static web server, without net/http's
// redirect of */index.html to */.
func fileSite(t testing.TB, dir string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") {
			p += "/index.html"
		}
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, p, st.ModTime(), f)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCrawlPydoc crawls the real 530-page Python documentation on loopback:
// every reachable page is fetched exactly once.
func TestCrawlPydoc(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("crawls 48 MB of HTML: too slow with -short or -race")
	}
	srv := fileSite(t, filepath.Join(dataDir(t), "site-pydoc"))
	opts := testOptions(srv.URL + "/index.html")
	opts.MaxDepth = 100
	opts.SkipImages = true
	opts.Timeout = time.Minute // a loaded machine must not turn pages into errors
	stats, rec := crawl(t, opts)
	// 526 pages are reachable from index.html (data README); every
	// directory's index.html is also linked as "dir/" and fetched again.
	if stats.Pages < 526 || stats.Pages > 526+20 || int64(len(rec.pages)) != stats.Pages {
		t.Errorf("crawled %d pages (handled %d), want 526 reachable pages", stats.Pages, len(rec.pages))
	}
	if stats.PageErrors != 1 { // whatsnew/changelog.html is a broken link
		t.Errorf("page errors %d, want 1 (whatsnew/changelog.html)", stats.PageErrors)
	}
	t.Logf("stats %+v", stats)
}

// BenchmarkCrawlPydoc crawls the Python documentation (530 pages, 48 MB of
// HTML, with its images) from a loopback server with a no-op handler.
func BenchmarkCrawlPydoc(b *testing.B) {
	srv := fileSite(b, filepath.Join(dataDir(b), "site-pydoc"))
	opts := testOptions(srv.URL + "/index.html")
	opts.MaxDepth = 100
	noop := HandlerFunc(func(context.Context, *Page) error { return nil })
	var pages, bytes int64
	start := time.Now()
	for b.Loop() {
		c, err := New(opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		stats, err := c.Run(context.Background(), nil, noop)
		if err != nil {
			b.Fatal(err)
		}
		pages += stats.Pages
		bytes += stats.Bytes
	}
	secs := time.Since(start).Seconds()
	b.ReportMetric(float64(pages)/secs, "pages/s")
	b.ReportMetric(float64(bytes)/secs/1e6, "MB/s")
}
