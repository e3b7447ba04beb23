package dashboard

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

func TestUpload(t *testing.T) {
	e := newEnv(t, Options{MaxUploadBytes: 1 << 20})
	b := e.loggedIn(e.token("Mara", false))
	csrf := csrfOf(t, b.get("/upload").body)
	tests := []struct {
		name   string
		fields url.Values
		files  []file
		code   int
		want   []string // in the page
	}{
		{"text and image", url.Values{"license": {"CC-BY-4.0"}}, []file{{"poem.txt", []byte(poem)}, {"sea.png", picture(t, 3)}},
			http.StatusOK, []string{"poem.txt</a> — registered", "sea.png</a> — registered"}},
		{"again", nil, []file{{"poem.txt", []byte(poem)}}, http.StatusOK, []string{"already registered"}},
		{"title for one file", url.Values{"title": {"The Keeper"}}, []file{{"keeper.md", []byte("# Keeper\n\n" + poem + " Once more.")}},
			http.StatusOK, []string{"The Keeper</a> — registered"}},
		{"title for two files", url.Values{"title": {"X"}}, []file{{"a.txt", []byte("a b c")}, {"b.txt", []byte("d e f")}},
			http.StatusBadRequest, []string{"A title names a single work"}},
		{"picture named as text", nil, []file{{"notes.txt", picture(t, 4)}}, http.StatusOK, []string{"Not registered: notes.txt: content is image/png, not text"}},
		{"text named as picture", nil, []file{{"photo.jpg", []byte(poem)}}, http.StatusOK, []string{"Not registered: photo.jpg: content is text/plain"}},
		{"unsupported type", nil, []file{{"run.exe", []byte("MZ")}}, http.StatusOK, []string{"Not registered: run.exe: unsupported file type"}},
		{"no file", nil, nil, http.StatusBadRequest, []string{"Choose at least one file"}},
		{"too large", nil, []file{{"big.txt", bytes.Repeat([]byte("word "), 300_000)}}, http.StatusRequestEntityTooLarge, []string{"at most 1 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := url.Values{"csrf": {csrf}}
			for k, v := range tt.fields {
				fields[k] = v
			}
			res := b.postUpload(fields, tt.files...)
			if res.code != tt.code {
				t.Fatalf("status %d, want %d\n%s", res.code, tt.code, res.body)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("page lacks %q:\n%s", w, res.body)
				}
			}
		})
	}
	ws, err := e.db.Works(t.Context(), store.WorkFilter{Creator: "Mara"})
	if err != nil || len(ws) != 3 {
		t.Fatalf("Mara has %d works (err %v), want 3", len(ws), err)
	}
	for _, w := range ws {
		if w.Title == "poem.txt" && w.License != "CC-BY-4.0" {
			t.Errorf("license %q not stored", w.License)
		}
	}
}

// The admin names the creator; a creator's own "creator" field is ignored.
func TestUploadCreator(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.loggedIn(e.token("", true))
	csrf := csrfOf(t, admin.get("/upload").body)
	if res := admin.postUpload(url.Values{"csrf": {csrf}}, file{"poem.txt", []byte(poem)}); res.code != http.StatusBadRequest {
		t.Errorf("admin upload without a creator: %d, want 400", res.code)
	}
	if res := admin.postUpload(url.Values{"csrf": {csrf}, "creator": {"Ines"}}, file{"poem.txt", []byte(poem)}); res.code != http.StatusOK {
		t.Fatalf("admin upload for Ines: %d\n%s", res.code, res.body)
	}
	mara := e.loggedIn(e.token("Mara", false))
	csrf = csrfOf(t, mara.get("/upload").body)
	if res := mara.postUpload(url.Values{"csrf": {csrf}, "creator": {"Ines"}}, file{"other.txt", []byte(poem + " More.")}); res.code != http.StatusOK {
		t.Fatalf("Mara's upload: %d", res.code)
	}
	for creator, want := range map[string]int{"Ines": 1, "Mara": 1} {
		if ws, _ := e.db.Works(t.Context(), store.WorkFilter{Creator: creator}); len(ws) != want {
			t.Errorf("%s has %d works, want %d", creator, len(ws), want)
		}
	}
}

func TestWorkEvidence(t *testing.T) {
	e := newEnv(t, Options{})
	text := e.register(matcher.Input{Creator: "Mara", Title: "keeper.txt", Kind: store.KindText, Data: []byte(poem), Text: poem})
	img := e.register(matcher.Input{Creator: "Mara", Title: "sea.png", Kind: store.KindImage, Data: picture(t, 3)})
	start := strings.Index(poem, "counting them")
	end := strings.Index(poem, "any more.") + len("any more.")
	found := strings.Replace(poem[start:end], "rosaries", "beads", 1)
	d := 6
	e.finishedScan(
		store.Match{WorkID: text.ID, FoundURL: "http://site.test/blog", PageURL: "http://site.test/blog", Method: "text",
			Score: 0.9, WorkCoverage: 0.25, FoundCoverage: 0.1,
			Evidence: store.Evidence{Algorithm: "winnow", Passages: []store.Passage{{WorkStart: start, WorkEnd: end, FoundStart: 10, FoundEnd: 10 + len(found), Text: found}}},
			OptOut:   &store.OptOut{Reserved: true, Signals: []store.OptOutSignal{{Kind: "robots", Value: "GPTBot"}}}},
		store.Match{WorkID: img.ID, FoundURL: "http://site.test/img/sea-small.jpg", PageURL: "http://site.test/gallery", Method: "image",
			Score: 0.95, WorkCoverage: 1, FoundCoverage: 1,
			Evidence: store.Evidence{Algorithm: "pdq", Distance: &d, Bits: 256, Transform: "flip-h"}},
	)
	b := e.loggedIn(e.token("Mara", false))
	tests := []struct {
		name string
		work store.Work
		want []string
	}{
		{"text", text, []string{
			"<del>rosaries, </del>", "<ins>beads, </ins>", // the changed word on each side
			`<span class="context">Every evening`, // context before the passage
			"Score</dt><dd>0.90", "Coverage of the work</dt><dd>25%", "reserved (robots: GPTBot)",
			`<span class="badge new">New</span>`,
		}},
		{"image", img, []string{
			`<img src="/works/` + img.ID + `/thumb" alt="Your registered image">`,
			`<img src="http://site.test/img/sea-small.jpg" alt="The image found at http://site.test/img/sea-small.jpg"`,
			`<dd class="distance">6 of 256 bits</dd>`, "Algorithm</dt><dd>pdq", "Transform</dt><dd>flip-h",
			`On page</dt><dd><a href="http://site.test/gallery"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := b.get("/works/" + tt.work.ID)
			if res.code != http.StatusOK {
				t.Fatalf("status %d", res.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

// An appearance is new when the latest finished scan has it and the one
// before did not; a place the earlier scan had and the latest lacks is
// listed as no longer found.
func TestNewSinceLastScan(t *testing.T) {
	e := newEnv(t, Options{})
	w := e.register(matcher.Input{Creator: "Mara", Title: "keeper.txt", Kind: store.KindText, Data: []byte(poem), Text: poem})
	at := func(u string) store.Match {
		return store.Match{WorkID: w.ID, FoundURL: u, PageURL: u, Method: "text", Score: 1,
			Evidence: store.Evidence{Passages: []store.Passage{{WorkStart: 0, WorkEnd: 20, FoundStart: 0, FoundEnd: 20, Text: poem[:20]}}}}
	}
	e.finishedScan(at("http://site.test/old"), at("http://site.test/kept"))
	e.finishedScan(at("http://site.test/kept"), at("http://site.test/fresh"))
	b := e.loggedIn(e.token("Mara", false))
	page := b.get("/works/" + w.ID).body
	for _, tc := range []struct {
		url   string
		isNew bool
	}{{"http://site.test/fresh", true}, {"http://site.test/kept", false}} {
		heading := `<span class="badge new">New</span> <a href="` + tc.url + `"`
		if strings.Contains(page, heading) != tc.isNew {
			t.Errorf("%s marked new = %v, want %v", tc.url, !tc.isNew, tc.isNew)
		}
	}
	if !strings.Contains(page, "No longer found") || !strings.Contains(page, "<li>http://site.test/old</li>") {
		t.Error("the place the latest scan lost is not listed")
	}
	list := b.get("/works").body
	if !strings.Contains(list, `<td>2</td>`) || !strings.Contains(list, `1 new`) {
		t.Errorf("works list counts wrong:\n%s", list)
	}
	// The works page shows the new appearance with its evidence, and only it.
	fresh := `<a href="/works/` + w.ID + `">keeper.txt</a> at <a href="http://site.test/fresh"`
	if !strings.Contains(list, "New since the last scan") || !strings.Contains(list, fresh) || strings.Contains(list, `at <a href="http://site.test/kept"`) {
		t.Errorf("works page's new appearances wrong:\n%s", list)
	}
}

func TestScans(t *testing.T) {
	e := newEnv(t, Options{})
	mara := e.loggedIn(e.token("Mara", false))
	page := mara.get("/scans")
	if strings.Contains(page.body, "Start a crawl") {
		t.Error("a creator is offered the crawl form")
	}
	if res := mara.postForm("/scans", url.Values{"csrf": {csrfOf(t, page.body)}, "targets": {"http://site.test/"}}); res.code != http.StatusForbidden {
		t.Errorf("creator starting a scan: %d, want 403", res.code)
	}
	admin := e.loggedIn(e.token("", true))
	csrf := csrfOf(t, admin.get("/scans").body)
	tests := []struct {
		name    string
		targets string
		depth   string
		code    int
		want    string
	}{
		{"not a web address", "file:///etc/passwd", "1", http.StatusBadRequest, "is not an http or https address"},
		{"no targets", "  ", "1", http.StatusBadRequest, "give at least one address"},
		{"bad depth", "http://site.test/", "-1", http.StatusBadRequest, "depth must be a whole number"},
		{"started", "http://site.test/\nhttps://other.test/a", "2", http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := admin.postForm("/scans", url.Values{"csrf": {csrf}, "targets": {tt.targets}, "depth": {tt.depth}, "max_pages": {"50"}})
			if res.code != tt.code || !strings.Contains(res.body, tt.want) {
				t.Fatalf("status %d, want %d with %q\n%s", res.code, tt.code, tt.want, res.body)
			}
		})
	}
	if len(e.launched) != 1 {
		t.Fatalf("launched %d scans, want 1", len(e.launched))
	}
	spec := e.launched[0]
	if spec.Kind != "crawl" || len(spec.Targets) != 2 || spec.Options.Depth != 2 || spec.Options.MaxPages != 50 {
		t.Errorf("spec %+v", spec)
	}
	scans, _ := e.db.ListScans(t.Context())
	status := mara.get("/scans/" + scans[0].ID)
	if status.code != http.StatusOK || !strings.Contains(status.body, `id="scan-state">queued`) || !strings.Contains(status.body, `http-equiv="refresh"`) {
		t.Errorf("scan status page: %d\n%s", status.code, status.body)
	}
	if res := mara.get("/scans/nope"); res.code != http.StatusNotFound {
		t.Errorf("unknown scan: %d", res.code)
	}
}

func TestStaticAndHeaders(t *testing.T) {
	e := newEnv(t, Options{})
	b := e.browser()
	css := b.get("/static/style.css")
	if css.code != http.StatusOK || !strings.Contains(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, ":focus-visible") {
		t.Errorf("stylesheet: %d %s", css.code, css.header.Get("Content-Type"))
	}
	login := b.get("/login")
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'none'", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
	} {
		if !strings.Contains(login.header.Get(h), want) {
			t.Errorf("%s = %q, want %q in it", h, login.header.Get(h), want)
		}
	}
	for _, path := range []string{"/nowhere", "/static/", "/static/doc.go", "/works/x/y"} {
		if res := b.get(path); res.code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.code)
		}
	}
}

// A place found by every nightly scan is listed once, with the number of
// scans that found it; many places are paged.
func TestWorkPlaces(t *testing.T) {
	e := newEnv(t, Options{})
	w := e.register(matcher.Input{Creator: "Mara", Title: "keeper.txt", Kind: store.KindText, Data: []byte(poem), Text: poem})
	at := func(u string) store.Match {
		return store.Match{WorkID: w.ID, FoundURL: u, PageURL: u, Method: "text", Score: 1,
			Evidence: store.Evidence{Passages: []store.Passage{{WorkStart: 0, WorkEnd: 20, FoundStart: 0, FoundEnd: 20, Text: poem[:20]}}}}
	}
	e.finishedScan(at("http://site.test/kept"))
	e.finishedScan(at("http://site.test/kept"))
	var many []store.Match
	for i := range placesPerPage + 4 {
		many = append(many, at(fmt.Sprintf("http://site.test/p%03d", i)))
	}
	e.finishedScan(append(many, at("http://site.test/kept"))...)
	b := e.loggedIn(e.token("Mara", false))
	tests := []struct {
		query    string
		code     int
		articles int
		want     []string
	}{
		{"", http.StatusOK, placesPerPage, []string{"(55 places)", `href="?page=2" rel="next"`, "Found by</dt><dd>3 scans"}},
		{"?page=2", http.StatusOK, 5, []string{`href="?page=1" rel="prev"`, "http://site.test/p053"}},
		{"?page=3", http.StatusNotFound, 0, nil},
		{"?page=0", http.StatusNotFound, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := b.get("/works/" + w.ID + tt.query)
			if res.code != tt.code {
				t.Fatalf("status %d, want %d", res.code, tt.code)
			}
			if got := strings.Count(res.body, `<article class="appearance"`); got != tt.articles {
				t.Errorf("%d appearances listed, want %d", got, tt.articles)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
	if got := strings.Count(b.get("/works/"+w.ID).body+b.get("/works/"+w.ID+"?page=2").body, `href="http://site.test/kept"`); got != 1 {
		t.Errorf("the place found by three scans is linked %d times, want once", got)
	}
}
