package crawler

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/attrib/attrib/matcher/imagefp"
)

func TestImages(t *testing.T) {
	dir := filepath.Join(dataDir(t), "images", "skimage")
	camera := readFile(t, filepath.Join(dir, "camera.png"))
	rocket := readFile(t, filepath.Join(dir, "rocket.jpg"))
	moon := readFile(t, filepath.Join(dir, "moon.png"))
	small := pngBytes(t, 16, 16)
	routes := map[string]http.HandlerFunc{
		"/camera.png":         serveBytes("image/png", camera),
		"/small.png":          serveBytes("image/png", small),
		"/rocket.jpg":         serveBytes("image/jpeg", rocket),
		"cdn.test/moon.png":   serveBytes("image/png", moon),
		"/truncated.jpg":      serveBytes("image/jpeg", readFile(t, filepath.Join(dir, "truncated.jpg"))),
		"/p2.html":            page("p2", `<img src="camera.png"><img src="/camera.png#x">`),
		"www.test/robots.txt": func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "User-agent: *\nAllow: /\n") },
	}
	s := newSite(t, routes)
	base := "http://www.test:" + s.Port()
	routes["www.test/p1.html"] = func(w http.ResponseWriter, r *http.Request) {
		page("p1", `<img src="camera.png">
			<img srcset="small.png 100w, rocket.jpg 800w" alt="">
			<img src="/truncated.jpg">
			<img src="data:image/png;base64,iVBORw0KGgo=">
			<meta property="og:image" content="http://cdn.test:`+s.Port()+`/moon.png">
			<a href="p2.html">next</a>`)(w, r)
	}
	routes["www.test/p2.html"] = routes["/p2.html"]
	opts := testOptions(base + "/p1.html")
	opts.Transport = dialTo(s.Listener.Addr().String())
	stats, rec := crawl(t, opts)

	for key, want := range map[string]int{"/camera.png": 1, "/rocket.jpg": 1, "cdn.test/moon.png": 1, "/truncated.jpg": 1, "/small.png": 0} {
		if got := s.Hits(key); got != want {
			t.Errorf("%s fetched %d times, want %d", key, got, want)
		}
	}
	if stats.Images != 3 || stats.ImageErrors != 1 || stats.Pages != 2 {
		t.Errorf("stats %+v: want 3 images, 1 image error, 2 pages", stats)
	}
	if len(rec.pages) != 2 {
		t.Fatalf("pages handled: %v", rec.urls(""))
	}
	// Each image is reported once, by the first page that got to it
	// (camera.png is on both pages, which run concurrently).
	want := map[string][]byte{base + "/camera.png": camera, base + "/rocket.jpg": rocket, "http://cdn.test:" + s.Port() + "/moon.png": moon}
	for _, p := range rec.pages {
		for _, img := range p.Images {
			data, ok := want[img.URL]
			if !ok {
				t.Errorf("unexpected or repeated image %s on %s", img.URL, p.URL)
				continue
			}
			delete(want, img.URL)
			h, err := imagefp.Compute(data, imagefp.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(img.Hashes, h) || img.PageURL != p.URL || img.Bytes != int64(len(data)) {
				t.Errorf("image %s: %+v, want hashes %+v", img.URL, img, h)
			}
		}
	}
	if len(want) != 0 {
		t.Errorf("images not reported: %v", slices.Collect(maps.Keys(want)))
	}
}

// hugePNG returns a valid PNG whose header claims w×h pixels.
func hugePNG(t testing.TB, w, h uint32) []byte {
	t.Helper()
	b := pngBytes(t, 1, 1)
	// Signature (8), IHDR length (4), "IHDR" (4), width, height, ..., CRC.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestBadInput(t *testing.T) {
	var sent atomic.Int64
	good := pngBytes(t, 40, 30)
	routes := map[string]http.HandlerFunc{
		"/": page("index", links("/big", "/bad-utf8.html", "/loop", "/stall", "javascript:alert(1)",
			"/missing", "/doc.pdf", "mailto:x@example.com")+
			`<img src="/huge.png"><img src="/trunc.png"><img src="/fake.png"><img src="/ok.png">`),
		"/big": func(w http.ResponseWriter, r *http.Request) { // 50 MB, no Content-Length
			w.Header().Set("Content-Type", "text/html")
			chunk := bytes.Repeat([]byte("<p>spam spam spam</p>\n"), 4096)
			var total int64
			defer func() { sent.Store(total) }()
			for total < 50<<20 {
				n, err := w.Write(chunk)
				total += int64(n)
				if err != nil {
					return
				}
			}
		},
		"/bad-utf8.html": serveBytes("text/html", []byte("<title>caf\xe9</title><p>bad \xff\xfe bytes \xc3\x28 here</p>")),
		"/loop":          http.RedirectHandler("/loop2", http.StatusFound).ServeHTTP,
		"/loop2":         http.RedirectHandler("/loop", http.StatusFound).ServeHTTP,
		"/stall": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
		},
		"/doc.pdf":   serveBytes("application/pdf", []byte("%PDF-1.4")),
		"/huge.png":  serveBytes("image/png", hugePNG(t, 20000, 20000)),
		"/trunc.png": serveBytes("image/png", good[:len(good)/2]),
		"/fake.png":  serveBytes("image/png", []byte("<html>not a png</html>")),
		"/ok.png":    serveBytes("image/png", good),
	}
	s := newSite(t, routes)
	var logs syncBuffer
	opts := testOptions(s.URL + "/")
	opts.Timeout = 2 * time.Second
	c, err := New(opts, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	stats, err := c.Run(context.Background(), nil, rec)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}

	if stats.Pages != 2 || stats.PageErrors != 4 || stats.NotHTML != 1 || stats.Images != 1 || stats.ImageErrors != 3 {
		t.Errorf("stats %+v\nwant 2 pages, 4 page errors (big, loop, stall, missing), 1 not HTML, 1 image, 3 image errors", stats)
	}
	if stats.Errors != 7 || stats.Skipped != 1 {
		t.Errorf("errors %d, skipped %d; want 7 and 1", stats.Errors, stats.Skipped)
	}
	s.Close() // waits for the handlers
	if n := sent.Load(); n >= 50<<20 {
		t.Errorf("the 50 MB page was read in full (%d bytes sent)", n)
	}
	bad := rec.pages[s.URL+"/bad-utf8.html"]
	if bad == nil || !utf8.ValidString(bad.Text) || !utf8.ValidString(bad.Title) || !strings.Contains(bad.Text, "here") {
		t.Errorf("invalid UTF-8 page: %+v", bad)
	}
	log := logs.String()
	for _, want := range []string{"/big", "response too large", "/loop", "too many redirects", "/stall", "timed out",
		"/missing", "404", "/huge.png", "20000x20000", "/trunc.png", "/fake.png", "cannot decode image"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "javascript") || strings.Contains(log, "mailto") {
		t.Errorf("javascript:/mailto: links were treated as pages:\n%s", log)
	}
}
