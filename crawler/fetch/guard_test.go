package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestPublic(t *testing.T) {
	for _, tt := range []struct {
		ip     string
		public bool
	}{
		{"8.8.8.8", true}, {"2606:4700:4700::1111", true}, {"93.184.216.34", true},
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"fe80::1", false}, {"fc00::1", false}, {"224.0.0.1", false}, {"ff02::1", false},
		{"0.0.0.0", false}, {"::", false}, {"100.64.0.1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false},
		{"255.255.255.255", false}, {"0.1.2.3", false},
		{"198.18.0.1", false}, {"240.0.0.1", false},
		{"64:ff9b::7f00:1", false}, {"64:ff9b:1::a00:1", false}, {"2002:7f00:1::1", false}, {"2001:0:4136:e378::1", false},
		{"2001:db9::1", true}, {"2003::1", true},
	} {
		if got := Public(netip.MustParseAddr(tt.ip)); got != tt.public {
			t.Errorf("Public(%s) = %v, want %v", tt.ip, got, tt.public)
		}
	}
}

// TestPublicOnlyRefusesLoopback: a fetcher for untrusted URLs cannot reach
// a loopback server, by IP or by a name resolving to it, nor through a
// redirect; the same fetcher without the guard can.
func TestPublicOnlyRefusesLoopback(t *testing.T) {
	img := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://127.0.0.1:"+r.Host[len("127.0.0.1:"):]+"/a.png", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\nnot really"))
	}))
	defer img.Close()
	ctx := context.Background()
	guarded, err := New(ctx, Options{PublicOnly: true, IgnoreRobots: true})
	if err != nil {
		t.Fatal(err)
	}
	defer guarded.Close()
	port := img.URL[len("http://127.0.0.1:"):]
	for _, u := range []string{img.URL + "/a.png", "http://localhost:" + port + "/a.png", img.URL + "/redirect", "http://[::1]:" + port + "/a.png"} {
		if _, err := guarded.FetchImage(ctx, u); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("guarded fetch of %s: %v, want ErrForbiddenAddress", u, err)
		}
	}
	open, err := New(ctx, Options{IgnoreRobots: true})
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if _, err := open.FetchImage(ctx, img.URL+"/a.png"); errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("unguarded fetch refused: %v", err)
	}
}
