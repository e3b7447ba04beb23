package api

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// site serves a text work, an HTML page without extension, and a redirect
// to its own loopback address.
func site(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/poem.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(adaPoem + " Fetched from the web."))
	})
	mux.HandleFunc("/essay", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html><head><title>x</title></head><body><article><p>" + bobEssay + " As published online.</p></article></body></html>"))
	})
	mux.HandleFunc("/big.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("word ", 30<<10)))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// Work URLs may not reach loopback, private, link-local or metadata
// addresses — neither directly, by name, nor through a redirect.
func TestWorkURLsRefuseNonPublicAddresses(t *testing.T) {
	s := site(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	// A public-looking host whose first hop the test routes to a server
	// that redirects to loopback: the guard must stop the second hop.
	var hops atomic.Int32
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hops.Add(1)
		http.Redirect(w, r, s.URL+"/poem.txt", http.StatusFound)
	}))
	defer redirector.Close()
	e := newEnv(t, Options{})
	guarded := fetchDialer(false)
	direct := &net.Dialer{}
	e.api.fetch = newFetchClient(Options{FetchTransport: newFetchTransport(func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "public.example:80" {
			return direct.DialContext(ctx, network, strings.TrimPrefix(redirector.URL, "http://"))
		}
		return guarded.DialContext(ctx, network, addr)
	})})
	cases := map[string]string{
		"loopback v4":           "http://127.0.0.1:" + port + "/poem.txt",
		"loopback v6":           "http://[::1]:" + port + "/poem.txt",
		"localhost name":        "http://localhost:" + port + "/poem.txt",
		"private 10/8":          "http://10.1.2.3/poem.txt",
		"private 172.16/12":     "http://172.16.5.4/poem.txt",
		"private 192.168/16":    "http://192.168.1.1/poem.txt",
		"unique local fc00::/7": "http://[fc00::1]/poem.txt",
		"link-local v4":         "http://169.254.10.20/poem.txt",
		"link-local v6":         "http://[fe80::1]/poem.txt",
		"metadata v4":           "http://169.254.169.254/latest/meta-data/",
		"metadata v6 (AWS)":     "http://[fd00:ec2::254]/latest/meta-data/",
		"redirect to loopback":  "http://public.example/poem.txt",
	}
	for name, u := range cases {
		t.Run(name, func(t *testing.T) {
			r := e.upload(e.ada, part{name: "url", data: u})
			if r.status != 400 || !strings.Contains(r.body, "not public") {
				t.Errorf("%s: %d %s, want 400 refusing the address", u, r.status, r.body)
			}
		})
	}
	if hops.Load() != 1 {
		t.Errorf("the redirecting first hop was reached %d times, want 1", hops.Load())
	}
	var list worksResponse
	e.getJSON("/api/v1/works", e.ada).json(t, &list)
	if len(list.Works) != 1 {
		t.Errorf("refused URLs registered works: %+v", list.Works)
	}
}

func TestWorkURLsWhenPrivateAllowed(t *testing.T) {
	s := site(t)
	e := newEnv(t, Options{AllowPrivateURLs: true, MaxUploadBytes: 100 << 10})
	r := e.upload(e.ada, part{name: "url", data: s.URL + "/poem.txt"}, part{name: "url", data: s.URL + "/essay"})
	var got worksResponse
	r.json(t, &got)
	if r.status != 201 || len(got.Works) != 2 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if w := got.Works[0]; w.Title != "poem.txt" || w.Kind != "text" || w.Source != s.URL+"/poem.txt" {
		t.Errorf("first: %+v", w)
	}
	if w := got.Works[1]; w.Title != "essay.html" || w.Kind != "text" {
		t.Errorf("second (HTML without extension): %+v", w)
	}
	for u, status := range map[string]int{
		s.URL + "/big.txt": 413, s.URL + "/missing.txt": 502, "ftp://example.org/x.txt": 400, "/relative.txt": 400,
	} {
		if r := e.upload(e.ada, part{name: "url", data: u}); r.status != status {
			t.Errorf("%s: %d %s, want %d", u, r.status, r.body, status)
		}
	}
}
