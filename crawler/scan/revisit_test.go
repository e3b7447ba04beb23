package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

// lmSite serves a seed linking to one page that never changes and sends a
// Last-Modified; it counts If-Modified-Since requests and 304s.
func lmSite(t *testing.T) (*httptest.Server, *atomic.Int32, *atomic.Int32) {
	t.Helper()
	const lm = "Wed, 21 Oct 2026 07:28:00 GMT"
	var cond, notMod atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, html("", `<p>Home.</p><a href="/copy">copy</a>`))
	})
	mux.HandleFunc("/copy", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Last-Modified", lm)
		if r.Header.Get("If-Modified-Since") != "" {
			cond.Add(1)
			if r.Header.Get("If-Modified-Since") == lm {
				notMod.Add(1)
				rw.WriteHeader(http.StatusNotModified)
				return
			}
		}
		fmt.Fprint(rw, html("", "<p>Someone wrote: "+essay+"</p>"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &cond, &notMod
}

func TestRecrawlCarriesUnchangedPages(t *testing.T) {
	st, m, w := setup(t)
	srv, cond, notMod := lmSite(t)
	ctx := context.Background()
	r := &Runner{Store: st, Matcher: m, Pages: st}
	first, err := r.Crawl(ctx, leafOptions(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := st.PageState(ctx, srv.URL+"/copy")
	if err != nil || ps.ScanID != first.ID || ps.LastModified == "" {
		t.Fatalf("page state after the first crawl: %+v, %v", ps, err)
	}
	second, err := r.Crawl(ctx, leafOptions(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if cond.Load() != 1 || notMod.Load() != 1 {
		t.Errorf("%d conditional requests, %d answered 304; want 1 and 1", cond.Load(), notMod.Load())
	}
	if second.Stats.Pages != 1 || second.Stats.Skipped != first.Stats.Skipped+1 {
		t.Errorf("second crawl stats %+v (first %+v); want the seed fetched, the page skipped", second.Stats, first.Stats)
	}
	ms, err := st.Matches(ctx, second.ID, store.MatchFilter{})
	if err != nil || len(ms) != 1 || ms[0].WorkID != w.ID || ms[0].FoundURL != srv.URL+"/copy" {
		t.Errorf("carried matches %+v, %v", ms, err)
	}
	if ps2, _ := st.PageState(ctx, srv.URL+"/copy"); ps2.ScanID != first.ID {
		t.Errorf("state now names scan %s; the scan that fetched it in full was %s", ps2.ScanID, first.ID)
	}
}

// A work registered after a page was last matched must be looked for on
// it: the page is fetched in full, not asked for conditionally.
func TestRecrawlRefetchesAfterNewWork(t *testing.T) {
	st, m, _ := setup(t)
	srv, cond, _ := lmSite(t)
	ctx := context.Background()
	if _, err := (&Runner{Store: st, Matcher: m, Pages: st}).Crawl(ctx, leafOptions(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	poem := "The lighthouse keeper climbs the winding stair each evening when the tide turns grey, and lights the lamp that guides the fishing boats home through the fog and the long November dark."
	if _, _, err := m.Register(ctx, matcher.Input{Creator: "D", Title: "poem", Kind: store.KindText, Data: []byte(poem), Text: poem}); err != nil {
		t.Fatal(err)
	}
	second, err := (&Runner{Store: st, Matcher: m, Pages: st}).Crawl(ctx, leafOptions(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if cond.Load() != 0 || second.Stats.Pages != 2 {
		t.Errorf("%d conditional requests, %d pages after a new work; want none and 2", cond.Load(), second.Stats.Pages)
	}
}

// Without Pages nothing is conditional and no state is kept.
func TestCrawlWithoutPagesKeepsNoState(t *testing.T) {
	st, m, _ := setup(t)
	srv, cond, _ := lmSite(t)
	ctx := context.Background()
	for range 2 {
		if _, err := (&Runner{Store: st, Matcher: m}).Crawl(ctx, leafOptions(srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
	}
	if cond.Load() != 0 {
		t.Errorf("%d conditional requests without Pages", cond.Load())
	}
	if _, err := st.PageState(ctx, srv.URL+"/copy"); err == nil {
		t.Error("page state stored without Pages")
	}
}

// leafOptions crawl the seed and its links: the linked pages are at the
// maximum depth, where requests are conditional.
func leafOptions(seed string) crawler.Options {
	o := options(seed)
	o.MaxDepth = 1
	return o
}

// At depth below the maximum pages are fetched in full: their links are
// needed.
func TestRecrawlBelowMaxDepthFetchesInFull(t *testing.T) {
	st, m, _ := setup(t)
	srv, cond, _ := lmSite(t)
	ctx := context.Background()
	for range 2 {
		if _, err := (&Runner{Store: st, Matcher: m, Pages: st}).Crawl(ctx, options(srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
	}
	if cond.Load() != 0 {
		t.Errorf("%d conditional requests for a page at depth 1 of 3", cond.Load())
	}
}
