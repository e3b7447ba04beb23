package optout_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/optout"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

const essay = `What the tide teaches is not patience, exactly. It is a kind of attention: the habit of
looking at the world before deciding what to do in it. A fisherman reads the colour of the water
and the shape of the clouds over the headland the way a scholar reads a manuscript, slowly, with a
suspicion that the important part is written in the margins.`

const dmi = "http://ns.useplus.org/ldf/vocab/"

// siteFile is a file of a loopback site, declaring a signal (or none),
// with the signals expected of it ("kind|value|source path", the source ""
// meaning the file itself).
type siteFile struct {
	body    []byte
	ctype   string
	header  http.Header
	signals []string
}

// server is a loopback site that counts requests per path.
type server struct {
	*httptest.Server
	mu   sync.Mutex // guards hits
	hits map[string]int
}

func serve(t *testing.T, files map[string]siteFile) *server {
	t.Helper()
	return serveHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", f.ctype)
		w.Write(f.body)
	}))
}

// serveHandler serves h on loopback, counting requests per path.
func serveHandler(t *testing.T, h http.Handler) *server {
	t.Helper()
	s := &server{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func page(head, body string) []byte {
	return []byte("<html><head><title>t</title>" + head + "</head><body><main>" + body + "</main></body></html>")
}

func htmlFile(head, body string, signals ...string) siteFile {
	return siteFile{body: page(head, body), ctype: "text/html; charset=utf-8", signals: signals}
}

// mainSite serves every signal but Content-Signal for all paths, which
// would mark every page; a second site serves that one.
func mainSite(t *testing.T) map[string]siteFile {
	var links []string
	files := map[string]siteFile{
		"/robots.txt": {ctype: "text/plain", body: []byte("User-agent: *\nAllow: /\nContent-Usage: /cu/ train-ai=n\n" +
			"Content-Signal: /cs/ search=yes, ai-train=no\n\nUser-agent: GPTBot\nDisallow: /gpt/\n")},
		"/ai.txt":                  {ctype: "text/plain", body: []byte("User-Agent: *\nDisallow: /aitxt/\nDisallow: *.gif\n")},
		"/.well-known/tdmrep.json": {ctype: "application/json", body: []byte(`[{"location": "/tdm/", "tdm-reservation": 1, "tdm-policy": "https://rights.example/tdm.json"}, {"location": "/", "tdm-reservation": 0}]`)},

		"/plain.html":      htmlFile("", "<p>"+essay+"</p>"),
		"/meta.html":       htmlFile(`<meta name="robots" content="noai">`, "<p>"+essay+`</p><img src="/img/onmeta.png">`, "meta|noai|"),
		"/gptmeta.html":    htmlFile(`<meta name="GPTBot" content="noindex">`, "<p>x</p>", "meta|gptbot: noindex|"),
		"/xrobots.html":    {body: page("", "<p>x</p>"), ctype: "text/html", header: http.Header{"X-Robots-Tag": {"noai"}}, signals: []string{"x-robots-tag|noai|"}},
		"/tdmheader.html":  {body: page("", "<p>x</p>"), ctype: "text/html", header: http.Header{"Tdm-Reservation": {"1"}}, signals: []string{"tdmrep|tdm-reservation: 1|"}},
		"/cuheader.html":   {body: page("", "<p>x</p>"), ctype: "text/html", header: http.Header{"Content-Usage": {"train-ai=n"}}, signals: []string{"content-usage|train-ai=n|"}},
		"/gpt/page.html":   htmlFile("", "<p>x</p>", "robots|gptbot: disallow /gpt/|/robots.txt"),
		"/cu/page.html":    htmlFile("", "<p>x</p>", "content-usage|*: /cu/ train-ai=n|/robots.txt"),
		"/cs/page.html":    htmlFile("", "<p>x</p>", "content-signal|*: /cs/ search=yes, ai-train=no|/robots.txt"),
		"/aitxt/page.html": htmlFile("", "<p>x</p>", "ai.txt|*: disallow /aitxt/|/ai.txt"),
		"/tdm/page.html":   htmlFile("", "<p>x</p>", "tdmrep|location /tdm/: tdm-reservation 1, tdm-policy https://rights.example/tdm.json|/.well-known/tdmrep.json"),
		"/images.html": htmlFile("", `<img src="/img/iptc.jpg"><img src="/img/c2pa.png"><img src="/img/xrt.png">`+
			`<img src="/aitxt/pic.png"><img src="/img/plain.jpg">`),

		"/img/iptc.jpg": {ctype: "image/jpeg", body: optout.JPEGWith(t, 11, optout.XMPSegment(optout.XMPPacket(dmi+"DMI-PROHIBITED-AIMLTRAINING", "attr"))),
			signals: []string{"iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED-AIMLTRAINING|"}},
		"/img/c2pa.png": {ctype: "image/png", body: optout.PNGWith(t, 12, optout.PNGChunk{Type: "caBX", Data: optout.ManifestStore([][]byte{
			optout.TrainingMining("c2pa.training-mining", "cbor", map[string]string{"c2pa.ai_training": "notAllowed"})})}),
			signals: []string{"c2pa|c2pa.training-mining: c2pa.ai_training=notAllowed|"}},
		"/img/xrt.png":    {ctype: "image/png", body: optout.PNGWith(t, 13), header: http.Header{"X-Robots-Tag": {"noimageai"}}, signals: []string{"x-robots-tag|noimageai|"}},
		"/aitxt/pic.png":  {ctype: "image/png", body: optout.PNGWith(t, 14), signals: []string{"ai.txt|*: disallow /aitxt/|/ai.txt"}},
		"/img/plain.jpg":  {ctype: "image/jpeg", body: optout.JPEGWith(t, 15)},
		"/img/onmeta.png": {ctype: "image/png", body: optout.PNGWith(t, 16), signals: []string{"meta|noai|/meta.html"}}, // the page's
	}
	for p := range files {
		if strings.HasSuffix(p, ".html") {
			links = append(links, fmt.Sprintf(`<a href="%s">x</a>`, p))
		}
	}
	slices.Sort(links)
	files["/"] = htmlFile("", strings.Join(links, " "))
	return files
}

// want returns the expected signals of url on srv: "kind|value|source".
func want(srv *server, f siteFile, path string) []string {
	var out []string
	for _, s := range f.signals {
		kind, rest, _ := strings.Cut(s, "|")
		value, src, _ := strings.Cut(rest, "|")
		if src == "" {
			src = path
		}
		out = append(out, kind+"|"+value+"|"+srv.URL+src)
	}
	return out
}

func render(sigs []optout.Signal) []string {
	var out []string
	for _, s := range sigs {
		out = append(out, s.Kind+"|"+s.Value+"|"+s.Source)
	}
	return out
}

// recorder keeps crawled pages by URL.
type recorder struct {
	mu    sync.Mutex // guards pages
	pages map[string]*crawler.Page
}

func (r *recorder) HandlePage(_ context.Context, p *crawler.Page) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages[p.URL] = p
	return nil
}

func crawlOptions(seeds ...string) crawler.Options {
	o := crawler.DefaultOptions()
	o.Seeds, o.Rate, o.Timeout, o.MaxDepth = seeds, 0, 5*time.Second, 2
	return o
}

func crawl(t *testing.T, o crawler.Options) map[string]*crawler.Page {
	t.Helper()
	c, err := crawler.New(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{pages: map[string]*crawler.Page{}}
	stats, err := c.Run(context.Background(), nil, rec)
	if err != nil || stats.Errors != 0 {
		t.Fatalf("crawl: %v, stats %+v", err, stats)
	}
	return rec.pages
}

// TestSiteSignals crawls a loopback site that serves each signal: each is
// reported with its kind, value and source, on the page or image it
// concerns only; policy files are fetched once per origin.
func TestSiteSignals(t *testing.T) {
	files := mainSite(t)
	srv := serve(t, files)
	cs := serve(t, map[string]siteFile{
		"/robots.txt": {ctype: "text/plain", body: []byte("User-Agent: *\nContent-Signal: search=yes, ai-train=no\nAllow: /\n")},
		"/":           htmlFile("", "<p>x</p>", "content-signal|*: search=yes, ai-train=no|/robots.txt"),
	})
	bare := serve(t, map[string]siteFile{"/": htmlFile("", "<p>no policy files at all</p>")})
	pages := crawl(t, crawlOptions(srv.URL+"/", cs.URL+"/", bare.URL+"/"))

	images := map[string]crawler.Image{}
	for _, p := range pages {
		for _, img := range p.Images {
			images[img.URL] = img
		}
	}
	checked := 0
	for _, site := range []struct {
		srv   *server
		files map[string]siteFile
	}{{srv, files}, {cs, map[string]siteFile{"/": htmlFile("", "", "content-signal|*: search=yes, ai-train=no|/robots.txt")}}, {bare, map[string]siteFile{"/": {}}}} {
		for path, f := range site.files {
			var got []optout.Signal
			switch {
			case strings.HasSuffix(path, ".html") || path == "/":
				p, ok := pages[site.srv.URL+path]
				if !ok {
					t.Errorf("%s not crawled", path)
					continue
				}
				got = p.Signals
			case strings.HasPrefix(f.ctype, "image/"):
				img, ok := images[site.srv.URL+path]
				if !ok {
					t.Errorf("image %s not fetched", path)
					continue
				}
				got = img.Signals
			default:
				continue
			}
			checked++
			if g, w := render(got), want(site.srv, f, path); !slices.Equal(g, w) {
				t.Errorf("%s%s: signals\n  %q\nwant\n  %q", site.srv.URL, path, g, w)
			}
		}
	}
	if checked != 21 {
		t.Errorf("%d pages and images checked, want 21", checked)
	}
	for _, p := range []string{"/robots.txt", "/ai.txt", "/.well-known/tdmrep.json"} {
		if n := srv.Hits(p); n != 1 {
			t.Errorf("%s fetched %d times, want once", p, n)
		}
	}
}

// TestSiteSkipPolicies: without policy files only the content's own
// signals remain, and ai.txt and tdmrep.json are not fetched.
func TestSiteSkipPolicies(t *testing.T) {
	srv := serve(t, mainSite(t))
	o := crawlOptions(srv.URL + "/")
	o.SkipPolicies = true
	pages := crawl(t, o)
	if got := render(pages[srv.URL+"/gpt/page.html"].Signals); got != nil {
		t.Errorf("robots.txt signals without policies: %q", got)
	}
	if got := render(pages[srv.URL+"/meta.html"].Signals); !slices.Equal(got, []string{"meta|noai|" + srv.URL + "/meta.html"}) {
		t.Errorf("meta signals %q", got)
	}
	if srv.Hits("/ai.txt")+srv.Hits("/.well-known/tdmrep.json") != 0 {
		t.Error("policy files fetched with SkipPolicies")
	}
}

// TestScanOptOut runs the crawl as `attrib crawl` does (scan.Runner) and
// checks the stored matches' opt-out records: a text match takes its
// page's, an image match its own and its page's.
func TestScanOptOut(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := matcher.New(st, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	files := mainSite(t)
	register := func(kind store.WorkKind, title string, data []byte, text string) {
		if _, _, err := m.Register(ctx, matcher.Input{Creator: "C", Title: title, Kind: kind, Data: data, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	register(store.KindText, "essay", []byte(essay), essay)
	for _, p := range []string{"/img/iptc.jpg", "/img/plain.jpg", "/img/onmeta.png"} {
		register(store.KindImage, p, files[p].body, "")
	}
	srv := serve(t, files)
	r := &scan.Runner{Store: st, Matcher: m}
	sc, err := r.Crawl(ctx, crawlOptions(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := st.Matches(ctx, sc.ID, store.MatchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, mt := range ms {
		oo := "nil"
		if mt.OptOut != nil {
			oo = fmt.Sprint(mt.OptOut.Reserved)
			for _, s := range mt.OptOut.Signals {
				oo += " " + s.Kind + "|" + s.Value
			}
		}
		got[strings.TrimPrefix(mt.FoundURL, srv.URL)] = oo
	}
	wantOO := map[string]string{
		"/plain.html":     "false",
		"/meta.html":      "true meta|noai",
		"/img/iptc.jpg":   "true iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED-AIMLTRAINING",
		"/img/plain.jpg":  "false",
		"/img/onmeta.png": "true meta|noai",
	}
	if fmt.Sprint(got) != fmt.Sprint(wantOO) {
		t.Errorf("opt-out per match\n  %v\nwant\n  %v", got, wantOO)
	}
}
