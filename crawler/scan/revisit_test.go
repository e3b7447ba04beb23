package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/changes"
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

// treeSite is a site two levels deep: the seed links to two sections, each
// section to two leaves, and every leaf back to the seed, to its sibling
// (with a fragment), to an off-site page and to /deep, one level below
// the crawl's maximum depth. Every page has an ETag derived from its body
// and honours If-None-Match. It counts per path the requests, the
// conditional ones and the 304s, and the body bytes written.
type treeSite struct {
	*httptest.Server
	mu       sync.Mutex
	pages    map[string]string // path -> body; guarded by mu
	requests map[string]int    // guarded by mu
	cond     map[string]int    // guarded by mu
	notMod   map[string]int    // guarded by mu
	bytes    int64             // guarded by mu
}

func newTreeSite(t testing.TB, pad string) *treeSite {
	t.Helper()
	s := &treeSite{pages: map[string]string{
		"/":     html("", `<p>Home.`+pad+`</p><a href="/s1">one</a> <a href="/s2">two</a>`),
		"/s1":   html("", `<p>Section one.`+pad+`</p><a href="/s1/a">a</a> <a href="/s1/b">b</a> <a href="/">home</a>`),
		"/s2":   html("", `<p>Section two.`+pad+`</p><a href="/s2/c">c</a> <a href="/s2/d">d</a>`),
		"/s1/a": html("", `<p>A post quoting: `+essay+pad+`</p>`+leafLinks("/s1/b")),
		"/s1/b": html("", `<p>About knots.`+pad+`</p>`+leafLinks("/s1/a")),
		"/s2/c": html("", `<p>Another copy: `+essay+pad+`</p>`+leafLinks("/s2/d")),
		"/s2/d": html("", `<p>About bread.`+pad+`</p>`+leafLinks("/s2/c")),
		"/deep": html("", `<p>Too deep to reach.</p>`),
	}, requests: map[string]int{}, cond: map[string]int{}, notMod: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func leafLinks(sibling string) string {
	return `<a href="/">home</a> <a href="` + sibling + `#top">sibling</a> <a href="` + sibling +
		`">again</a> <a href="/deep">deep</a> <a href="http://elsewhere.test/x">off-site</a>`
}

func (s *treeSite) serve(rw http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, ok := s.pages[r.URL.Path]
	if !ok {
		http.NotFound(rw, r)
		return
	}
	s.requests[r.URL.Path]++
	sum := sha256.Sum256([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	rw.Header().Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		s.cond[r.URL.Path]++
		if inm == etag {
			s.notMod[r.URL.Path]++
			rw.WriteHeader(http.StatusNotModified)
			return
		}
	}
	rw.Header().Set("Content-Type", "text/html")
	n, _ := fmt.Fprint(rw, body)
	s.bytes += int64(n)
}

func (s *treeSite) set(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = body
}

// visit is what the server saw of one crawl.
type visit struct {
	requests, cond, notMod map[string]int
	bytes                  int64
}

// take returns what the server saw since the last take and resets it.
func (s *treeSite) take() visit {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := visit{s.requests, s.cond, s.notMod, s.bytes}
	s.requests, s.cond, s.notMod, s.bytes = map[string]int{}, map[string]int{}, map[string]int{}, 0
	return v
}

// pathsOf returns the paths of m, sorted.
func pathsOf(m map[string]int) []string {
	return slices.Sorted(maps.Keys(m))
}

// appearances returns a scan's matches as "work path", sorted.
func appearances(t *testing.T, st store.Store, scanID, base string) []string {
	t.Helper()
	ms, err := st.Matches(t.Context(), scanID, store.MatchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.WorkID+" "+strings.TrimPrefix(m.FoundURL, base))
	}
	slices.Sort(out)
	return out
}

// A recrawl of an unchanged site asks for every page conditionally, at
// every depth, and follows the links kept with each page's state: it
// reaches the pages the first crawl reached, within the same scope, depth
// and page budget, with no body sent, and carries their appearances
// forward. Changing one leaf then costs exactly that leaf's body, and its
// new and removed appearances are reported.
func TestRecrawlFollowsStoredLinks(t *testing.T) {
	tests := []struct {
		name      string
		maxPages  int
		workers   int
		wantPaths []string
		changed   string // a leaf reached in this case
	}{
		{name: "whole site", wantPaths: []string{"/", "/s1", "/s1/a", "/s1/b", "/s2", "/s2/c", "/s2/d"}, changed: "/s2/c"},
		// One worker: the frontier admits in a fixed order, so the budget
		// cuts the same pages each time.
		{name: "page budget", maxPages: 4, workers: 1, wantPaths: []string{"/", "/s1", "/s1/a", "/s2"}, changed: "/s1/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, m, essayWork := setup(t)
			ctx := t.Context()
			poem, _, err := m.Register(ctx, matcher.Input{Creator: "D", Title: "poem", Kind: store.KindText, Data: []byte(poemText), Text: poemText})
			if err != nil {
				t.Fatal(err)
			}
			site := newTreeSite(t, "")
			opts := options(site.URL + "/")
			opts.MaxDepth, opts.MaxPages = 2, tt.maxPages
			if tt.workers > 0 {
				opts.Workers = tt.workers
			}
			r := &Runner{Store: st, Matcher: m, Pages: st}

			first, err := r.Crawl(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			v1 := site.take()
			if got := pathsOf(v1.requests); !slices.Equal(got, tt.wantPaths) {
				t.Fatalf("first crawl requested %v, want %v", got, tt.wantPaths)
			}
			if len(v1.cond) != 0 {
				t.Fatalf("first crawl sent conditional requests for %v", pathsOf(v1.cond))
			}
			firstSeen := appearances(t, st, first.ID, site.URL)
			if len(firstSeen) == 0 {
				t.Fatal("first crawl found no appearance: the test proves nothing")
			}

			// Nothing changed: every page conditional and unchanged.
			second, err := r.Crawl(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			v2 := site.take()
			if got := pathsOf(v2.requests); !slices.Equal(got, tt.wantPaths) {
				t.Errorf("recrawl requested %v, want %v", got, tt.wantPaths)
			}
			if got := pathsOf(v2.notMod); !slices.Equal(got, tt.wantPaths) || !maps.Equal(v2.cond, v2.requests) {
				t.Errorf("recrawl: requests %v, conditional %v, 304 %v; want every page conditional and 304", v2.requests, v2.cond, v2.notMod)
			}
			if v2.bytes != 0 || second.Stats.Pages != 0 || second.Stats.Bytes != 0 {
				t.Errorf("recrawl of an unchanged site: %d body bytes sent, stats %+v; want none fetched", v2.bytes, second.Stats)
			}
			if got := appearances(t, st, second.ID, site.URL); !slices.Equal(got, firstSeen) {
				t.Errorf("recrawl's appearances %v, want those of the first crawl %v", got, firstSeen)
			}

			// One leaf changes: the essay there is replaced by the poem.
			changed := html("", `<p>Replaced by a poem: `+poemText+`</p>`+leafLinks("/s1/b"))
			site.set(tt.changed, changed)
			third, err := r.Crawl(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			v3 := site.take()
			if got := pathsOf(v3.requests); !slices.Equal(got, tt.wantPaths) || !maps.Equal(v3.cond, v3.requests) {
				t.Errorf("third crawl: requests %v, conditional %v; want every page of %v conditional", v3.requests, v3.cond, tt.wantPaths)
			}
			refetched := slices.DeleteFunc(slices.Clone(tt.wantPaths), func(p string) bool { return v3.notMod[p] > 0 })
			if !slices.Equal(refetched, []string{tt.changed}) || v3.bytes != int64(len(changed)) || third.Stats.Pages != 1 {
				t.Errorf("third crawl fetched %v in full (%d body bytes, stats %+v); want only %s (%d bytes)",
					refetched, v3.bytes, third.Stats, tt.changed, len(changed))
			}
			ch, err := changes.Since(ctx, st, third.ID, store.MatchFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if ch.Previous == nil || ch.Previous.ID != second.ID {
				t.Fatalf("third crawl compared with %+v, want the second %s", ch.Previous, second.ID)
			}
			wantNew := []string{poem.ID + " " + tt.changed}
			wantRemoved := []string{essayWork.ID + " " + tt.changed}
			if got := foundPaths(ch.New, site.URL); !slices.Equal(got, wantNew) {
				t.Errorf("new appearances %v, want %v", got, wantNew)
			}
			if got := foundPaths(ch.Removed, site.URL); !slices.Equal(got, wantRemoved) {
				t.Errorf("removed appearances %v, want %v", got, wantRemoved)
			}
		})
	}
}

func foundPaths(ms []store.Match, base string) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.WorkID+" "+strings.TrimPrefix(m.FoundURL, base))
	}
	slices.Sort(out)
	return out
}

const poemText = `The lighthouse keeper climbs the winding stair each evening when the tide
turns grey, and lights the lamp that guides the fishing boats home through the fog and
the long November dark, and he writes their names in a ledger by the window.`

// dropLinks rewrites the states of paths as a store written before links
// were kept would hold them: Links nil.
func dropLinks(t testing.TB, st store.Pages, base string, paths []string) {
	t.Helper()
	for _, p := range paths {
		ps, err := st.PageState(t.Context(), base+p)
		if err != nil {
			t.Fatalf("state of %s: %v", p, err)
		}
		ps.Links = nil
		if err := st.PutPageStates(t.Context(), []store.PageState{ps}); err != nil {
			t.Fatal(err)
		}
	}
}

// A state without links (written before they were kept) is used only at
// the maximum depth: above it the page is fetched in full, since a 304
// would lose its links. Once fetched in full its links are kept, and the
// next recrawl is conditional everywhere.
func TestRecrawlWithoutStoredLinksFetchesAboveMaxDepth(t *testing.T) {
	st, m, _ := setup(t)
	ctx := t.Context()
	site := newTreeSite(t, "")
	opts := options(site.URL + "/")
	opts.MaxDepth = 2
	r := &Runner{Store: st, Matcher: m, Pages: st}
	if _, err := r.Crawl(ctx, opts); err != nil {
		t.Fatal(err)
	}
	all := pathsOf(site.take().requests)
	dropLinks(t, st, site.URL, all)

	if _, err := r.Crawl(ctx, opts); err != nil {
		t.Fatal(err)
	}
	v := site.take()
	if got, want := pathsOf(v.requests), all; !slices.Equal(got, want) {
		t.Errorf("recrawl requested %v, want %v", got, want)
	}
	if got, want := pathsOf(v.cond), []string{"/s1/a", "/s1/b", "/s2/c", "/s2/d"}; !slices.Equal(got, want) {
		t.Errorf("conditional requests for %v, want only the pages at the maximum depth %v", got, want)
	}

	if _, err := r.Crawl(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if v := site.take(); !maps.Equal(v.notMod, v.requests) || len(v.requests) != len(all) {
		t.Errorf("after the links were kept: requests %v, 304 %v; want every page 304", v.requests, v.notMod)
	}
}

// BenchmarkRecrawl measures a recrawl of an unchanged site two levels deep
// (10 sections of 10 leaves, each page about 20 KB) with the links kept
// (every page can be a 304) and with states from before links were kept
// (the seed and the sections fetched in full, only the leaves asked
// conditionally: the previous rule). body-B/op is what the server sent in
// bodies, full/op the pages it sent in full.
func BenchmarkRecrawl(b *testing.B) {
	pad := " " + strings.Repeat("Filler text about knots, bread and tides. ", 500)
	for _, keepLinks := range []bool{true, false} {
		name := map[bool]string{true: "links-kept", false: "max-depth-only"}[keepLinks]
		b.Run(name, func(b *testing.B) {
			st, m, _ := setup(b)
			site := newTreeSite(b, pad)
			var home strings.Builder
			for i := range 10 {
				sec := fmt.Sprintf("/sec%d", i)
				home.WriteString(`<a href="` + sec + `">s</a> `)
				var links strings.Builder
				for j := range 10 {
					leaf := fmt.Sprintf("%s/leaf%d", sec, j)
					links.WriteString(`<a href="` + leaf + `">l</a> `)
					site.set(leaf, html("", "<p>Leaf."+pad+"</p>"+leafLinks(sec)))
				}
				site.set(sec, html("", "<p>Section."+pad+"</p>"+links.String()))
			}
			site.set("/", html("", "<p>Home."+pad+"</p>"+home.String()))
			opts := options(site.URL + "/")
			opts.MaxDepth = 2
			r := &Runner{Store: st, Matcher: m, Pages: st}
			if _, err := r.Crawl(b.Context(), opts); err != nil {
				b.Fatal(err)
			}
			all := pathsOf(site.take().requests)
			var bytes, full int64
			for b.Loop() {
				if !keepLinks {
					b.StopTimer()
					dropLinks(b, st, site.URL, all)
					b.StartTimer()
				}
				if _, err := r.Crawl(b.Context(), opts); err != nil {
					b.Fatal(err)
				}
				v := site.take()
				bytes += v.bytes
				for p, n := range v.requests {
					full += int64(n - v.notMod[p])
				}
			}
			b.ReportMetric(float64(bytes)/float64(b.N), "body-B/op")
			b.ReportMetric(float64(full)/float64(b.N), "full/op")
			b.ReportMetric(float64(len(all)), "pages")
		})
	}
}
