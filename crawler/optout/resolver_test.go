package optout_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/crawler/optout"
)

func newFetcher(t *testing.T) *fetch.Fetcher {
	t.Helper()
	f, err := fetch.New(context.Background(), fetch.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// TestResolverOncePerOrigin: concurrent resolutions of one origin fetch
// its policy files once.
func TestResolverOncePerOrigin(t *testing.T) {
	srv := serve(t, mainSite(t))
	r := optout.NewResolver(newFetcher(t), optout.Options{FetchPolicies: true})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			path := []string{"/gpt/page.html", "/aitxt/x", "/tdm/y"}[i%3]
			sigs, err := r.Resolve(context.Background(), optout.Content{URL: srv.URL + path})
			if err != nil || len(sigs) != 1 {
				t.Errorf("%s: %v, %v", path, sigs, err)
			}
		})
	}
	wg.Wait()
	for _, p := range []string{"/robots.txt", "/ai.txt", "/.well-known/tdmrep.json"} {
		if n := srv.Hits(p); n != 1 {
			t.Errorf("%s fetched %d times, want 1", p, n)
		}
	}
}

// TestResolverFailures: a 5xx policy file is no policy and is asked again
// after RetryTTL; a 404 is no policy kept for the TTL; an HTML page served
// as ai.txt is not an ai.txt.
func TestResolverFailures(t *testing.T) {
	var aiCalls atomic.Int32
	files := map[string]siteFile{"/robots.txt": {ctype: "text/plain", body: []byte("User-agent: *\nAllow: /\n")}}
	srv := serve(t, files)
	mux := http.NewServeMux()
	mux.HandleFunc("/ai.txt", func(w http.ResponseWriter, r *http.Request) {
		if aiCalls.Add(1) == 1 {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("User-agent: *\nDisallow: /\n"))
	})
	flaky := serveHandler(t, mux)
	soft := serveHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>User-agent: *\nDisallow: /\n</body></html>"))
	}))

	r := optout.NewResolver(newFetcher(t), optout.Options{FetchPolicies: true, RetryTTL: time.Nanosecond})
	resolve := func(u string) []string {
		sigs, err := r.Resolve(context.Background(), optout.Content{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		return render(sigs)
	}
	if got := resolve(flaky.URL + "/a"); got != nil {
		t.Errorf("503 ai.txt: %q", got)
	}
	if got := resolve(flaky.URL + "/a"); !slices.Equal(got, []string{"ai.txt|*: disallow /|" + flaky.URL + "/ai.txt"}) {
		t.Errorf("ai.txt after recovery: %q", got)
	}
	resolve(srv.URL + "/a")
	resolve(srv.URL + "/b")
	if n := srv.Hits("/ai.txt"); n != 1 {
		t.Errorf("404 ai.txt fetched %d times, want once within its TTL", n)
	}
	if got := resolve(soft.URL + "/a"); got != nil {
		t.Errorf("HTML ai.txt taken as one: %q", got)
	}
}

// TestResolverBound: with room for two origins, a third evicts the oldest,
// whose ai.txt is fetched again when asked for (robots.txt comes from the
// fetcher's own cache).
func TestResolverBound(t *testing.T) {
	site := func() *server {
		return serve(t, map[string]siteFile{"/robots.txt": {ctype: "text/plain", body: []byte("User-agent: GPTBot\nDisallow: /\n")}})
	}
	a, b, c := site(), site(), site()
	r := optout.NewResolver(newFetcher(t), optout.Options{FetchPolicies: true, MaxOrigins: 2})
	for _, s := range []*server{a, b, a, c, b, a} {
		if _, err := r.Policy(context.Background(), s.URL+"/x"); err != nil {
			t.Fatal(err)
		}
	}
	if got := [3]int{a.Hits("/ai.txt"), b.Hits("/ai.txt"), c.Hits("/ai.txt")}; got != [3]int{2, 1, 1} {
		t.Errorf("ai.txt fetches per origin %v, want [2 1 1]", got)
	}
}

// TestResolverRecords resolves dataset records: recorded headers and image
// bytes without fetching (FetchPolicies off, or no fetcher at all).
func TestResolverRecords(t *testing.T) {
	srv := serve(t, mainSite(t))
	img := optout.JPEGWith(t, 1, optout.XMPSegment(optout.XMPPacket(dmi+"DMI-PROHIBITED", "attr")))
	for _, r := range []*optout.Resolver{
		optout.NewResolver(newFetcher(t), optout.Options{}),
		optout.NewResolver(nil, optout.Options{FetchPolicies: true}),
	} {
		sigs, err := r.Resolve(context.Background(), optout.Content{
			URL:     srv.URL + "/gpt/a.jpg",
			Header:  http.Header{"X-Robots-Tag": {"noai"}},
			Signals: []optout.Signal{{Kind: "meta", Value: "noimageai", Source: srv.URL + "/gpt/"}},
			Image:   img,
		})
		want := []string{"meta|noimageai|" + srv.URL + "/gpt/", "x-robots-tag|noai|" + srv.URL + "/gpt/a.jpg",
			"iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED|" + srv.URL + "/gpt/a.jpg"}
		if err != nil || !slices.Equal(render(sigs), want) {
			t.Errorf("Resolve = %q, %v; want %q", render(sigs), err, want)
		}
	}
	if n := srv.Hits("/robots.txt") + srv.Hits("/ai.txt"); n != 0 {
		t.Errorf("%d policy files fetched without FetchPolicies", n)
	}
}

// TestResolverCancelled returns the context's error.
func TestResolverCancelled(t *testing.T) {
	srv := serve(t, mainSite(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := optout.NewResolver(newFetcher(t), optout.Options{FetchPolicies: true})
	if _, err := r.Resolve(ctx, optout.Content{URL: srv.URL + "/"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if sigs, err := r.Resolve(context.Background(), optout.Content{URL: srv.URL + "/gpt/x"}); err != nil || len(sigs) != 1 {
		t.Errorf("after a cancelled load: %v, %v", sigs, err)
	}
}
