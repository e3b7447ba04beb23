package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"

	"github.com/attrib/attrib/crawler/extract"
)

func TestFetchPage(t *testing.T) {
	mux := http.NewServeMux()
	var gotUA, leaked atomic.Value
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.UserAgent())
		leaked.Store(r.Header.Get(callHeader))
		w.Header().Set("X-Robots-Tag", "noai")
		html(`<html><head><title>Hello</title></head><body><main><p>Some text.</p>
			<a href="/next#x">next</a><img src="img.png"></main></body></html>`)(w, r)
	})
	mux.Handle("/old", http.RedirectHandler("/page", http.StatusMovedPermanently))
	srv := newServer(t, mux)
	f := newFetcher(t, Options{UserAgent: UserAgent("test")})

	p, err := f.FetchPage(context.Background(), srv.URL+"/old")
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != srv.URL+"/page" || p.Status != 200 || p.Title != "Hello" || !strings.Contains(p.Text, "Some text.") {
		t.Errorf("page %+v", p)
	}
	if p.Bytes == 0 || !strings.HasPrefix(p.ContentType, "text/html") {
		t.Errorf("bytes %d, content type %q", p.Bytes, p.ContentType)
	}
	if !slices.Contains(p.Links, srv.URL+"/next#x") || !slices.Contains(p.Images, srv.URL+"/img.png") {
		t.Errorf("links %v, images %v", p.Links, p.Images)
	}
	if !slices.ContainsFunc(p.Signals, func(s extract.Signal) bool { return s.Value == "noai" && s.Source == p.URL }) {
		t.Errorf("signals %+v: want the X-Robots-Tag noai", p.Signals)
	}
	if gotUA.Load() != UserAgent("test") || leaked.Load() != "" {
		t.Errorf("server saw user agent %q and call header %q", gotUA.Load(), leaked.Load())
	}
}

func TestFetchPageErrors(t *testing.T) {
	var sent atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 503) })
	mux.HandleFunc("/pdf", stream("application/pdf", 50<<20, &sent))
	mux.HandleFunc("/declared-big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", "52428800")
		io.WriteString(w, "<p>short</p>")
	})
	mux.Handle("/loop/a", http.RedirectHandler("/loop/b", http.StatusFound))
	mux.Handle("/loop/b", http.RedirectHandler("/loop/a", http.StatusFound))
	mux.Handle("/chain/3", http.RedirectHandler("/chain/2", http.StatusFound))
	mux.Handle("/chain/2", http.RedirectHandler("/chain/1", http.StatusFound))
	mux.Handle("/chain/1", http.RedirectHandler("/chain/0", http.StatusFound))
	mux.HandleFunc("/chain/0", html("<title>end</title>"))
	mux.HandleFunc("/stall", stall)
	mux.HandleFunc("/stall-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>")
		w.(http.Flusher).Flush()
		stall(w, r)
	})
	mux.HandleFunc("/sitemap.xml.gz", html("<p>x</p>"))
	srv := newServer(t, mux)
	f := newFetcher(t, Options{Timeout: 300 * time.Millisecond, MaxRedirects: 2})

	tests := []struct {
		path   string
		want   error
		status int
		skip   bool
	}{
		{"/missing", nil, 404, false},
		{"/broken", nil, 503, false},
		{"/pdf", ErrNotHTML, 0, true},
		{"/declared-big", ErrTooLarge, 0, false},
		{"/loop/a", ErrTooManyRedirects, 0, false},
		{"/chain/3", ErrTooManyRedirects, 0, false},
		{"/stall", ErrTimeout, 0, false},
		{"/stall-body", ErrTimeout, 0, false},
		{"/sitemap.xml.gz", ErrEncoding, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := f.FetchPage(context.Background(), srv.URL+tt.path)
			if err == nil {
				t.Fatalf("got page %+v, want an error", p)
			}
			var se *StatusError
			switch {
			case tt.status != 0 && (!errors.As(err, &se) || se.Code != tt.status):
				t.Errorf("error %v, want status %d", err, tt.status)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if IsSkip(err) != tt.skip {
				t.Errorf("IsSkip(%v) = %v", err, IsSkip(err))
			}
		})
	}
	if n := sent.Load(); n >= 50<<20 {
		t.Errorf("the PDF was read in full (%d bytes sent)", n)
	}
	if _, err := f.FetchPage(context.Background(), srv.URL+"/chain/2"); err != nil {
		t.Errorf("a chain of 2 redirects with MaxRedirects 2: %v", err)
	}
	if _, err := f.FetchPage(context.Background(), "javascript:alert(1)"); err == nil {
		t.Error("javascript: URL fetched")
	}
}

func TestFetchPageBodyCap(t *testing.T) {
	const limit = 4096
	var sent atomic.Int64
	body := func(n int) string { return "<p>" + strings.Repeat("a", n-7) + "</p>" }
	mux := http.NewServeMux()
	mux.HandleFunc("/exact", html(body(limit)))
	mux.HandleFunc("/over", html(body(limit+1)))
	mux.HandleFunc("/stream", stream("text/html", 50<<20, &sent))
	var bomb bytes.Buffer // 8 MiB of spaces in 8 KB of gzip
	zw := gzip.NewWriter(&bomb)
	zw.Write(bytes.Repeat([]byte{' '}, 8<<20))
	zw.Close()
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Error("the transport did not ask for gzip")
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	srv := newServer(t, mux)
	f := newFetcher(t, Options{MaxPageBytes: limit})

	if p, err := f.FetchPage(context.Background(), srv.URL+"/exact"); err != nil || p.Bytes != limit {
		t.Errorf("a body of exactly the cap: %v (page %+v)", err, p)
	}
	for _, path := range []string{"/over", "/stream", "/gzip-bomb"} {
		if _, err := f.FetchPage(context.Background(), srv.URL+path); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: error %v, want ErrTooLarge", path, err)
		}
	}
	srv.Close() // wait for the streaming handler to finish
	if n := sent.Load(); n >= 50<<20 {
		t.Errorf("the 50 MB stream was read in full (%d bytes sent)", n)
	}
}

func TestFetchRobots(t *testing.T) {
	site := func(robots string) string {
		mux := http.NewServeMux()
		mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, robots) })
		mux.HandleFunc("/", html("<title>ok</title>"))
		return newServer(t, mux).URL
	}
	star := site("User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /private\n")
	named := site("User-agent: *\nDisallow: /\n\nUser-agent: attrib\nDisallow: /no-attrib\n")
	obey := newFetcher(t, Options{})
	ignore := newFetcher(t, Options{IgnoreRobots: true})
	tests := []struct {
		url     string
		blocked bool
	}{
		{star + "/private/x", true},
		{star + "/public", false},
		{named + "/no-attrib", true},
		{named + "/other", false},
	}
	for _, tt := range tests {
		_, err := obey.FetchPage(context.Background(), tt.url)
		if tt.blocked != errors.Is(err, ErrRobots) || (tt.blocked && (!errors.Is(err, colly.ErrRobotsTxtBlocked) || !IsSkip(err))) || (!tt.blocked && err != nil) {
			t.Errorf("%s: error %v, want blocked %v", tt.url, err, tt.blocked)
		}
		if _, err := ignore.FetchPage(context.Background(), tt.url); err != nil {
			t.Errorf("%s with IgnoreRobots: %v", tt.url, err)
		}
	}
	if _, err := obey.FetchImage(context.Background(), star+"/private/a.png"); !errors.Is(err, ErrRobots) {
		t.Errorf("image under /private: error %v, want ErrRobots", err)
	}
}

func TestFetchEndlessRobotsTxt(t *testing.T) {
	var sent atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", stream("text/plain", 1<<30, &sent))
	mux.HandleFunc("/", html("<title>ok</title>"))
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	// The cut robots.txt does not parse as rules: blocked or an error, but
	// the call returns and the body is not read to its end.
	_, err := f.FetchPage(context.Background(), srv.URL+"/page")
	t.Logf("endless robots.txt: %v", err)
	srv.Close()
	if n := sent.Load(); n >= 1<<30 {
		t.Errorf("the endless robots.txt was read in full (%d bytes)", n)
	}
}

func TestFetchCancel(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/stall", stall)
	srv := newServer(t, mux)
	f := newFetcher(t, Options{Timeout: time.Minute, IgnoreRobots: true})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := f.FetchPage(ctx, srv.URL+"/stall")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if _, err := f.FetchPage(ctx, srv.URL+"/stall"); !errors.Is(err, context.Canceled) {
		t.Errorf("with a cancelled context: %v", err)
	}
}

func TestFetchImage(t *testing.T) {
	img := pngBytes(t, 64, 48)
	mux := http.NewServeMux()
	serve := func(ctype string, b []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write(b)
		}
	}
	mux.HandleFunc("/a.png", serve("image/png", img))
	mux.HandleFunc("/page.png", serve("text/html", []byte("<p>not an image</p>")))
	mux.HandleFunc("/logo.svg", serve("image/svg+xml", []byte("<svg/>")))
	mux.HandleFunc("/big.png", serve("image/png", bytes.Repeat(img, 50)))
	mux.HandleFunc("/missing.png", http.NotFound)
	srv := newServer(t, mux)
	f := newFetcher(t, Options{MaxImageBytes: int64(len(img)) * 10})

	got, err := f.FetchImage(context.Background(), srv.URL+"/a.png")
	if err != nil || !bytes.Equal(got, img) {
		t.Fatalf("FetchImage: %v (%d bytes, want %d)", err, len(got), len(img))
	}
	for path, want := range map[string]error{"/page.png": ErrNotImage, "/logo.svg": ErrNotImage, "/big.png": ErrTooLarge} {
		if _, err := f.FetchImage(context.Background(), srv.URL+path); !errors.Is(err, want) {
			t.Errorf("%s: error %v, want %v", path, err, want)
		}
	}
	var se *StatusError
	if _, err := f.FetchImage(context.Background(), srv.URL+"/missing.png"); !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("/missing.png: error %v, want status 404", err)
	}
}

func TestFetchConcurrentCallsGetTheirOwnResults(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/p/", func(w http.ResponseWriter, r *http.Request) {
		html(fmt.Sprintf("<title>%s</title><p>%s</p>", r.URL.Path, strings.Repeat("x ", 1000)))(w, r)
	})
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			path := fmt.Sprintf("/p/%d", i)
			p, err := f.FetchPage(context.Background(), srv.URL+path)
			if err != nil || p.Title != path || p.URL != srv.URL+path {
				t.Errorf("%s: %v, title %q", path, err, p.Title)
			}
		})
	}
	wg.Wait()
}

func TestFetchInvalidUTF8(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/bad", html("<title>caf\xe9 \xff\xfe</title><p>na\xefve \xc3\x28 text</p>"))
	mux.HandleFunc("/latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
		io.WriteString(w, "<p>caf\xe9</p>")
	})
	mux.HandleFunc("/meta-latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<meta charset=\"iso-8859-1\"><p>caf\xe9</p>")
	})
	mux.HandleFunc("/no-type", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil // no sniffing by net/http
		io.WriteString(w, "<!DOCTYPE html><title>sniffed</title><p>café</p>")
	})
	mux.HandleFunc("/no-type-binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		w.Write([]byte("\x00\x01\x02\x03binary"))
	})
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	p, err := f.FetchPage(context.Background(), srv.URL+"/bad")
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(p.Text) || !utf8.ValidString(p.Title) || !strings.Contains(p.Text, "text") {
		t.Errorf("text %q, title %q", p.Text, p.Title)
	}
	for _, path := range []string{"/latin1", "/meta-latin1", "/no-type"} {
		p, err = f.FetchPage(context.Background(), srv.URL+path)
		if err != nil || !strings.Contains(p.Text, "café") {
			t.Errorf("%s: %v, page %+v", path, err, p)
		}
	}
	if _, err := f.FetchPage(context.Background(), srv.URL+"/no-type-binary"); !errors.Is(err, ErrNotHTML) {
		t.Errorf("binary without a content type: %v, want ErrNotHTML", err)
	}
}

// TestCollyEnvironmentIgnored sets every COLLY_* variable colly reads to a
// value that would change the fetcher, and checks that none does.
func TestCollyEnvironmentIgnored(t *testing.T) {
	cacheDir := t.TempDir()
	for k, v := range map[string]string{
		"COLLY_IGNORE_ROBOTSTXT": "yes", "COLLY_USER_AGENT": "evil", "COLLY_MAX_BODY_SIZE": "10",
		"COLLY_FOLLOW_REDIRECTS": "no", "COLLY_ALLOWED_DOMAINS": "example.org", "COLLY_CACHE_DIR": cacheDir,
		"COLLY_PARSE_HTTP_ERROR_RESPONSE": "no", "COLLY_MAX_REQUESTS": "1", "COLLY_DISALLOWED_DOMAINS": "127.0.0.1",
		"COLLY_DETECT_CHARSET": "yes", "COLLY_TRACE_HTTP": "yes", "COLLY_MAX_DEPTH": "1",
	} {
		t.Setenv(k, v)
	}
	var ua atomic.Value
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "User-agent: *\nDisallow: /private\n") })
	mux.Handle("/old", http.RedirectHandler("/page", http.StatusFound))
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		html("<title>page</title><p>"+strings.Repeat("long ", 100)+"</p>")(w, r)
	})
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	for range 2 {
		p, err := f.FetchPage(context.Background(), srv.URL+"/old")
		if err != nil || p.Title != "page" {
			t.Fatalf("FetchPage: %v", err)
		}
	}
	if ua.Load() != DefaultUserAgent() {
		t.Errorf("user agent %q", ua.Load())
	}
	if _, err := f.FetchPage(context.Background(), srv.URL+"/private"); !errors.Is(err, ErrRobots) {
		t.Errorf("robots.txt not obeyed: %v", err)
	}
	if entries, _ := os.ReadDir(cacheDir); len(entries) != 0 {
		t.Errorf("colly cached %d entries", len(entries))
	}
}

// Texts published as files are pages: their whole body is the text, and the
// body's hash lets the matcher recognise byte-identical copies.
func TestFetchPlainText(t *testing.T) {
	const body = "The Lighthouse Keeper\n\nEvery evening at the turning of the tide\r\nshe climbs caf\xe9 steps.\n"
	mux := http.NewServeMux()
	mux.HandleFunc("/poem.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, body)
	})
	mux.HandleFunc("/readme.md", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/markdown")
		io.WriteString(w, "# Title\n\nSome *markdown* text.")
	})
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	p, err := f.FetchPage(context.Background(), srv.URL+"/poem.txt")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	if p.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("sha256 %s is not the body's", p.SHA256)
	}
	if !utf8.ValidString(p.Text) || !strings.HasPrefix(p.Text, "The Lighthouse Keeper\n\nEvery evening") || len(p.Links) != 0 {
		t.Errorf("text %q, links %v", p.Text, p.Links)
	}
	md, err := f.FetchPage(context.Background(), srv.URL+"/readme.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.Text, "Some *markdown* text.") {
		t.Errorf("markdown text %q", md.Text)
	}
}

// TestOnReceived: the hook runs once the body is read, before FetchPage
// returns, and not for a response refused at its headers.
func TestOnReceived(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/page", html("<title>t</title><p>text</p>"))
	mux.HandleFunc("/missing", http.NotFound)
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	tests := []struct {
		path  string
		calls int64
	}{{"/page", 1}, {"/missing", 0}}
	for _, tt := range tests {
		var calls atomic.Int64
		_, err := f.FetchPage(OnReceived(context.Background(), func() { calls.Add(1) }), srv.URL+tt.path)
		if (err == nil) != (tt.calls == 1) || calls.Load() != tt.calls {
			t.Errorf("%s: error %v, hook called %d times, want %d", tt.path, err, calls.Load(), tt.calls)
		}
	}
}
