package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
)

// The API takes the dashboard's session cookie too; a browser sends it
// with any request a page on another site makes (SameSite only stops other
// sites, not other hosts of the same site). A cookie-authenticated request
// that changes something must come from this origin; a bearer token cannot
// be attached by another site, so bearer requests are not checked.
func TestCrossOriginCookieRequestsRefused(t *testing.T) {
	e := newEnv(t, Options{})
	scan := `{"kind":"crawl","targets":["http://site.test/?="]}`
	cases := []struct {
		name            string
		method, path    string
		body            string
		bearer, cookie  string
		origin, fetchBy string // Origin and Sec-Fetch-Site headers
		want            int
	}{
		{"text/plain form from another origin", "POST", "/api/v1/scans", scan, "", e.admin, "https://evil.test", "", 403},
		{"cross-site fetch", "POST", "/api/v1/scans", scan, "", e.admin, "", "cross-site", 403},
		{"same-site other host", "POST", "/api/v1/tokens", `{"creator":"Eve"}`, "", e.admin, "https://evil.example.org", "same-site", 403},
		{"same origin", "POST", "/api/v1/scans", scan, "", e.admin, "", "same-origin", 202},
		{"bearer with a foreign origin", "POST", "/api/v1/scans", scan, e.admin, "", "https://evil.test", "cross-site", 202},
		{"non-browser cookie client", "POST", "/api/v1/scans", scan, "", e.admin, "", "", 202},
		{"reading is not changing", "GET", "/api/v1/works", "", "", e.ada, "https://evil.test", "cross-site", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, e.srv.URL+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "text/plain")
			if c.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+c.bearer)
			}
			if c.cookie != "" {
				req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: c.cookie})
			}
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			if c.fetchBy != "" {
				req.Header.Set("Sec-Fetch-Site", c.fetchBy)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.want, body.String())
			}
			if c.want == 403 && (resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(body.String(), `"error"`)) {
				t.Errorf("refusal is not a JSON error: %q %s", resp.Header.Get("Content-Type"), body.String())
			}
		})
	}
	if n := len(e.launcher.specs); n != 3 {
		t.Errorf("%d scans started, want 3 (the allowed requests only)", n)
	}
}

// All works of one request, uploaded or fetched, share one byte budget and
// a count limit: a creator cannot make the server hold many fetched
// documents of MaxUploadBytes each, nor register thousands of tiny works
// with one request.
func TestUploadBudget(t *testing.T) {
	words := func(seed int) string {
		var b strings.Builder
		for i := 0; b.Len() < 40<<10; i++ {
			fmt.Fprintf(&b, "w%d-%d ", seed, i*7919%100003)
		}
		return b.String()
	}
	mux := http.NewServeMux()
	for i := range 3 {
		body := words(i)
		mux.HandleFunc(fmt.Sprintf("/doc%d.txt", i), func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(body)) })
	}
	s := httptest.NewServer(mux)
	defer s.Close()
	e := newEnv(t, Options{AllowPrivateURLs: true, MaxUploadBytes: 100 << 10})

	two := e.upload(e.ada, part{name: "url", data: s.URL + "/doc0.txt"}, part{name: "url", data: s.URL + "/doc1.txt"})
	if two.status != 201 {
		t.Fatalf("two documents within the budget: %d %s", two.status, two.body)
	}
	three := e.upload(e.ada, part{name: "url", data: s.URL + "/doc0.txt"}, part{name: "url", data: s.URL + "/doc1.txt"},
		part{name: "url", data: s.URL + "/doc2.txt"})
	if three.status != 413 {
		t.Errorf("three documents of 40 KiB with a 100 KiB budget: %d %s, want 413", three.status, three.body)
	}
	mixed := e.upload(e.ada, part{name: "file", filename: "local.txt", data: words(5) + words(6)},
		part{name: "url", data: s.URL + "/doc2.txt"})
	if mixed.status != 413 {
		t.Errorf("an 80 KiB file and a 40 KiB document with a 100 KiB budget: %d %s, want 413", mixed.status, mixed.body)
	}

	var many []part
	for i := range 101 {
		many = append(many, part{name: "file", filename: fmt.Sprintf("p%d.txt", i), data: fmt.Sprintf("poem number %d of a long series about the sea", i)})
	}
	if r := e.upload(e.ada, many...); r.status != 400 || !strings.Contains(r.body, "at most") {
		t.Errorf("%d works in one request: %d %s, want 400", len(many), r.status, r.body)
	}
	if r := e.upload(e.ada, many[:100]...); r.status != 201 {
		t.Errorf("%d works in one request: %d %s, want 201", 100, r.status, r.body)
	}
}

// hugePNG returns a valid tiny PNG whose header claims width x height
// pixels: decoding it for real would allocate gigabytes.
func hugePNG(t testing.TB, width, height uint32) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// Signature (8), IHDR length (4), "IHDR" (4), width, height, ...; the
	// chunk's CRC covers type and data (17 bytes from offset 12).
	binary.BigEndian.PutUint32(b[16:], width)
	binary.BigEndian.PutUint32(b[20:], height)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return string(b)
}

// An image that sniffs right but does not decode, or whose header claims
// more pixels than the limit, is the uploader's mistake (4xx), refused
// before any pixel buffer is allocated — not a server failure.
func TestUploadedImagesBadOrHuge(t *testing.T) {
	e := newEnv(t, Options{})
	good := pngBytes(t, 1)
	cases := []struct {
		name, data string
		want       int
	}{
		{"truncated PNG", good[:len(good)/2], 422},
		{"header claims 100000x100000 pixels", hugePNG(t, 100000, 100000), 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.upload(e.ada, part{name: "file", filename: "picture.png", data: c.data})
			if r.status != c.want || !strings.Contains(r.body, "picture.png") {
				t.Errorf("%d %s, want %d naming the file", r.status, r.body, c.want)
			}
		})
	}
}

// Other spellings of loopback never reach a loopback server: IPv4-mapped
// and unspecified literals are refused as dialled, and hosts that are no
// IP literal to Go but that some resolvers read as one (decimal, octal,
// hex, short forms) are refused on the address they resolve to. The test
// resolves those itself, as glibc's inet_aton would: no lookup leaves the
// machine.
func TestWorkURLsOtherAddressForms(t *testing.T) {
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(adaPoem + " leaked"))
	}))
	defer s.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	e := newEnv(t, Options{})
	guarded := fetchDialer(false)
	numeric := map[string]bool{"2130706433": true, "0177.0.0.1": true, "0x7f.0.0.1": true, "127.1": true}
	e.api.fetch = newFetchClient(Options{FetchTransport: newFetchTransport(func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, p, _ := net.SplitHostPort(addr); numeric[host] {
			addr = net.JoinHostPort("127.0.0.1", p)
		}
		return guarded.DialContext(ctx, network, addr)
	})})
	for _, host := range []string{
		"[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0", "[::]", "2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1",
	} {
		t.Run(host, func(t *testing.T) {
			r := e.upload(e.ada, part{name: "url", data: "http://" + host + ":" + port + "/poem.txt"})
			if r.status != 400 || !strings.Contains(r.body, "not public") {
				t.Errorf("%d %s, want 400 refusing the address", r.status, r.body)
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server was reached %d times", hits.Load())
	}
}

// A failed scan's error is the server's own message (store addresses,
// paths): the admin reads it, creators only learn that the scan failed.
func TestScanErrorsOnlyForTheAdmin(t *testing.T) {
	e := newEnv(t, Options{})
	const internal = "redis: dial tcp 10.0.0.3:6379: connection refused"
	sc, err := e.db.CreateScan(t.Context(), store.Scan{Kind: "crawl", Targets: []string{"http://site.test/"}, State: store.ScanFailed, Error: internal})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/scans", "/api/v1/scans/" + sc.ID} {
		if r := e.getJSON(path, e.ada); r.status != 200 || strings.Contains(r.body, "10.0.0.3") || !strings.Contains(r.body, `"error":"`) {
			t.Errorf("Ada GET %s: %d %s, want the failure without its details", path, r.status, r.body)
		}
		if r := e.getJSON(path, e.admin); r.status != 200 || !strings.Contains(r.body, internal) {
			t.Errorf("admin GET %s: %d %s, want the error", path, r.status, r.body)
		}
	}
}

// A failed lookup of a work URL's host says so without naming the
// server's own resolver.
func TestWorkURLLookupErrorHidesResolver(t *testing.T) {
	e := newEnv(t, Options{})
	e.api.fetch = newFetchClient(Options{FetchTransport: newFetchTransport(func(_ context.Context, _, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, Server: "10.9.8.7:53", IsNotFound: true}}
	})})
	r := e.upload(e.ada, part{name: "url", data: "http://nowhere.example/poem.txt"})
	if r.status != 502 || strings.Contains(r.body, "10.9.8.7") || !strings.Contains(r.body, "nowhere.example") {
		t.Errorf("%d %s, want 502 naming the host and not the resolver", r.status, r.body)
	}
}
