package fetch

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newFetcher returns a Fetcher closed at the end of the test.
func newFetcher(t testing.TB, opts Options) *Fetcher {
	t.Helper()
	f, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// newServer serves mux on loopback for the test.
func newServer(t testing.TB, mux *http.ServeMux) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// html returns a handler serving body as an HTML page.
func html(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, body)
	}
}

// stream returns a handler that streams n bytes of type ctype without a
// Content-Length, and records in sent how many bytes the client took.
func stream(ctype string, n int64, sent *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		chunk := bytes.Repeat([]byte("<p>aaaaaaa</p>\n"), 4096)
		var total int64
		defer func() { sent.Store(total) }()
		for total < n {
			k, err := w.Write(chunk)
			total += int64(k)
			if err != nil {
				return
			}
		}
	}
}

// stall returns a handler that sends nothing until the request is gone.
func stall(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

// pngBytes encodes a w×h gradient PNG.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// prefixTransport sends http://<name>.test/<path> to base/<name>/<path>,
// so that one loopback server plays many hosts.
func prefixTransport(base string) http.RoundTripper {
	rt := newTransport(5*time.Second, false)
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		name, _, _ := strings.Cut(r.URL.Host, ".")
		u, err := url.Parse(base + "/" + name + r.URL.Path)
		if err != nil {
			return nil, err
		}
		u.RawQuery = r.URL.RawQuery
		out := r.Clone(r.Context())
		out.URL, out.Host = u, u.Host
		return rt.RoundTrip(out)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
