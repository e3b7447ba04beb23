package scan

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

const essay = `What the tide teaches is not patience, exactly. It is a kind of attention: the habit of
looking at the world before deciding what to do in it. A fisherman reads the colour of the water
and the shape of the clouds over the headland the way a scholar reads a manuscript, slowly, with a
suspicion that the important part is written in the margins.`

func setup(t testing.TB) (*sqlite.DB, *matcher.Matcher, store.Work) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := matcher.New(st, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := m.Register(ctx, matcher.Input{Creator: "C", Title: "essay", Kind: store.KindText, Data: []byte(essay), Text: essay})
	if err != nil {
		t.Fatal(err)
	}
	return st, m, w
}

func html(head, body string) string {
	return "<html><head>" + head + "</head><body><main>" + body + "</main></body></html>"
}

func options(seed string) crawler.Options {
	o := crawler.DefaultOptions()
	o.Seeds, o.Rate, o.MaxDepth = []string{seed}, 0, 3
	return o
}

func TestCrawlStoresScanAndMatches(t *testing.T) {
	st, m, w := setup(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, html("", `<p>Intro.</p><a href="/copy">copy</a> <a href="/optout">o</a> <a href="/other">x</a> <a href="/essay.txt">t</a>`))
	})
	mux.HandleFunc("/essay.txt", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(rw, essay) // the registered file, byte for byte
	})
	mux.HandleFunc("/copy", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, html("", "<p>Someone wrote: "+essay+"</p>"))
	})
	mux.HandleFunc("/optout", func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("X-Robots-Tag", "noai")
		fmt.Fprint(rw, html("", "<p>"+essay+"</p>"))
	})
	mux.HandleFunc("/other", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, html("", "<p>Nothing to see: a recipe for bread with flour, water and salt.</p>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var progress atomic.Int64
	r := &Runner{Store: st, Matcher: m, OnProgress: func(Progress) { progress.Add(1) }}
	sc, err := r.Crawl(context.Background(), options(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.State != store.ScanFinished || sc.Stats.Pages != 5 || sc.FinishedAt.IsZero() {
		t.Errorf("scan %+v", sc)
	}
	if progress.Load() < 1 {
		t.Error("no final progress report")
	}
	stored, err := st.Scan(context.Background(), sc.ID)
	if err != nil || stored.State != store.ScanFinished || stored.Stats != sc.Stats {
		t.Errorf("stored scan %+v, err %v", stored, err)
	}
	ms, err := st.Matches(context.Background(), sc.ID, store.MatchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*store.OptOut{}
	methods := map[string]string{}
	for _, mt := range ms {
		if mt.WorkID != w.ID {
			t.Errorf("match of unknown work %s", mt.WorkID)
		}
		got[strings.TrimPrefix(mt.FoundURL, srv.URL)] = mt.OptOut
		methods[strings.TrimPrefix(mt.FoundURL, srv.URL)] = mt.Method
	}
	if len(got) != 3 || got["/copy"] == nil || got["/optout"] == nil {
		t.Fatalf("matches at %v, want /copy, /optout and /essay.txt", got)
	}
	if methods["/essay.txt"] != "exact" || methods["/copy"] != "text" {
		t.Errorf("methods %v: want the byte-identical file exact, the quote text", methods)
	}
	if got["/copy"].Reserved || !got["/optout"].Reserved || got["/optout"].Signals[0].Kind != "x-robots-tag" {
		t.Errorf("opt-out: copy %+v, optout %+v", got["/copy"], got["/optout"])
	}
}

// An interrupted crawl keeps what it found and is stored as failed.
func TestCrawlInterruptedKeepsResults(t *testing.T) {
	st, m, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, html("", "<p>"+essay+`</p><a href="/slow">next</a>`))
	})
	mux.HandleFunc("/slow", func(rw http.ResponseWriter, r *http.Request) {
		cancel() // the user presses Ctrl-C while this page loads
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	r := &Runner{Store: st, Matcher: m}
	sc, err := r.Crawl(ctx, options(srv.URL+"/"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	stored, serr := st.Scan(context.Background(), sc.ID)
	if serr != nil || stored.State != store.ScanFailed || stored.Error == "" || stored.FinishedAt.IsZero() {
		t.Errorf("stored scan %+v, err %v", stored, serr)
	}
	ms, _ := st.Matches(context.Background(), sc.ID, store.MatchFilter{})
	if len(ms) != 1 {
		t.Errorf("%d matches kept, want the first page's", len(ms))
	}
}

// A quotation a site repeats on every page (a footer motto) stops being
// reported once the site's pages show it is boilerplate; a page quoting the
// work in its body still is.
func TestSiteBoilerplateMasked(t *testing.T) {
	st, m, _ := setup(t)
	motto := "<footer><p>" + essay[:220] + "</p></footer>"
	mux := http.NewServeMux()
	var links strings.Builder
	for i := range 12 {
		fmt.Fprintf(&links, `<a href="/p%d">%d</a> `, i, i)
		mux.HandleFunc(fmt.Sprintf("/p%d", i), func(rw http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(rw, "<html><body><main><p>Page about something else entirely.</p>"+motto+"</main></body></html>")
		})
	}
	mux.HandleFunc("/", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, "<html><body><main><p>Home.</p>"+links.String()+`<a href="/quote">q</a>`+motto+"</main></body></html>")
	})
	mux.HandleFunc("/quote", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(rw, "<html><body><main><p>Our review quotes it: "+essay+"</p>"+motto+"</main></body></html>")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	opts := options(srv.URL + "/")
	opts.Workers = 1 // pages are observed in crawl order
	sc, err := (&Runner{Store: st, Matcher: m}).Crawl(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := st.Matches(context.Background(), sc.ID, store.MatchFilter{})
	var quote bool
	for _, mt := range ms {
		if strings.HasSuffix(mt.FoundURL, "/quote") {
			quote = true
			for _, p := range mt.Evidence.Passages {
				if strings.TrimSpace(p.Text) == "" || strings.Contains(p.Text, "     ") {
					t.Errorf("passage text is masked, not as published: %q", p.Text)
				}
			}
		}
	}
	if !quote {
		t.Error("the page quoting the work in its body was not matched")
	}
	// Before 5 pages show the motto it cannot be told from content.
	if len(ms) > 5 {
		t.Errorf("%d matches on a 14-page site whose every page repeats the motto; want the motto masked after 5 pages", len(ms))
	}
}
