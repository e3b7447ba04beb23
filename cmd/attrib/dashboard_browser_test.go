package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // the shared photo
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/image/draw"

	"github.com/attrib/attrib/matcher/browsertest"
	"github.com/attrib/attrib/matcher/shareddata"
)

// The quoted paragraph of the text work, and the one word the site changed.
const (
	quoted  = "The old lady pulled her spectacles down"
	changed = "The old lady pulled her glasses down"
)

// TestDashboardInChromium is the creator's path in a real browser against
// a running attrib serve: log in with a token, upload a text and an image
// through the form, let the admin start a crawl of a site quoting the text
// and showing a smaller copy of the image, and see both appearances with
// their evidence side by side. ATTRIB_SCREENSHOT=PATH (absolute: tests run
// in their package's folder) also saves the screenshot there; the README's:
//
//	ATTRIB_SCREENSHOT=$PWD/matcher/dashboard/testdata/screenshot.png go test ./cmd/attrib -run Chromium
func TestDashboardInChromium(t *testing.T) {
	exe := browsertest.Chromium(t)
	text, photo := chapterOne(t), shareddata.Read(t, "images/skimage/astronaut.png")
	dir := t.TempDir()
	textPath, photoPath := filepath.Join(dir, "tom-sawyer-chapter-1.txt"), filepath.Join(dir, "astronaut.png")
	writeTestFile(t, textPath, []byte(text))
	writeTestFile(t, photoPath, photo)
	site := quotingSite(t, text, photo)

	c := newCLI(t)
	srv := startServe(t, "--db", c.db)
	admin := secretRE.FindString(srv.stdout.String())
	var creator struct{ Token string }
	if err := json.Unmarshal([]byte(c.ok("token", "create", "--creator", "Mark Twain", "--json")), &creator); err != nil || admin == "" {
		t.Fatalf("tokens: admin %q, creator %v", admin, err)
	}
	b := &chrome{t: t, ctx: browsertest.Tab(t, exe, chromedp.WindowSize(1200, 900)), base: srv.base}

	b.login(creator.Token)
	b.upload(textPath, photoPath)
	b.logout()

	b.login(admin)
	id := b.startCrawl(site.URL + "/")
	waitScan(t, srv, admin, id)
	b.do(chromedp.Reload(), chromedp.WaitVisible("#scan-state"))
	if state := b.text("#scan-state"); state != "finished" {
		t.Fatalf("scan state %q, want finished:\n%s", state, b.text("main"))
	}
	b.a11y()
	b.logout()

	// The creator sees both appearances, new since the last scan.
	b.login(creator.Token)
	b.do(chromedp.Navigate(srv.base+"/works"), chromedp.WaitVisible("#fresh"))
	if n := b.count("#fresh ~ article.appearance"); n != 2 {
		t.Fatalf("%d new appearances on the works page, want 2:\n%s", n, b.text("main"))
	}
	b.checkTextEvidence()
	b.checkImageEvidence(site.URL + "/img/astronaut-small.jpg")
	b.a11y()
	b.screenshot() // the README shows this page

	// Each work's own page has the same evidence.
	b.do(chromedp.Click(`#works ~ section a[href^="/works/"]`), chromedp.WaitVisible("#appearances"))
	b.a11y()
	if n := b.count("article.appearance"); n != 1 {
		t.Errorf("%d appearances on the work's page, want 1", n)
	}
}

// upload registers files through the upload form.
func (c *chrome) upload(paths ...string) {
	c.t.Helper()
	c.do(chromedp.Navigate(c.base + "/upload"))
	c.a11y()
	c.do(chromedp.SetUploadFiles("#file", paths),
		chromedp.SendKeys("#license", "CC0-1.0"),
		chromedp.Click("form.stack button[type=submit]"),
		chromedp.WaitVisible("table"))
	if got := c.text("main h1"); got != "Upload finished" {
		c.t.Fatalf("after upload: %q", got)
	}
	c.a11y()
	if n := c.count(`main td a[href^="/works/"]`); n != len(paths) {
		c.t.Fatalf("upload registered %d works, want %d:\n%s", n, len(paths), c.text("main"))
	}
}

// startCrawl starts a crawl from the admin's form and returns the scan ID
// from the status page it lands on.
func (c *chrome) startCrawl(seed string) string {
	c.t.Helper()
	c.do(chromedp.Navigate(c.base + "/scans"))
	c.a11y()
	c.do(chromedp.SendKeys("#targets", seed),
		chromedp.SetValue("#depth", "1"),
		chromedp.SetValue("#max_pages", "10"),
		chromedp.Click("form.stack button[type=submit]"),
		chromedp.WaitVisible("#scan-state"))
	loc, err := chromedp.Run(c.ctx, chromedp.Location())
	if err != nil {
		c.t.Fatal(err)
	}
	return loc[strings.LastIndex(loc, "/")+1:]
}

// checkTextEvidence: the registered passage next to the found one, the
// changed word struck out on one side and inserted on the other.
func (c *chrome) checkTextEvidence() {
	c.t.Helper()
	if got := c.text("article.appearance .passage del"); !strings.Contains(got, "spectacles") {
		c.t.Errorf("registered side marks %q as removed, want spectacles", got)
	}
	if got := c.text("article.appearance .passage ins"); !strings.Contains(got, "glasses") {
		c.t.Errorf("found side marks %q as inserted, want glasses", got)
	}
	if got := c.text("article.appearance .passage mark"); !strings.Contains(got, "The old lady pulled her") {
		c.t.Errorf("common words highlighted: %q", got)
	}
}

// checkImageEvidence: the registered preview and the found image, both
// loaded and side by side, with the distance.
func (c *chrome) checkImageEvidence(found string) {
	c.t.Helper()
	loaded := `[...document.querySelectorAll('.image-evidence img')].every(i => i.complete && i.naturalWidth > 0)`
	if _, err := chromedp.Run(c.ctx, chromedp.Poll[bool](loaded, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		c.t.Fatalf("images did not load: %v", err)
	}
	srcs := c.eval(`[...document.querySelectorAll('.image-evidence img')].map(i => i.getAttribute('src')).join(' ')`)
	if !regexp.MustCompile(`^/works/\S+/thumb ` + regexp.QuoteMeta(found) + `$`).MatchString(srcs) {
		c.t.Errorf("image sources %q, want the registered preview then %s", srcs, found)
	}
	if sideBySide := c.eval(`(() => { const [a, b] = document.querySelectorAll('.image-evidence figure');
		const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
		return String(ra.right <= rb.left && Math.abs(ra.top - rb.top) < 2); })()`); sideBySide != "true" {
		c.t.Error("the registered and the found image are not side by side")
	}
	if d := c.text(".image-evidence ~ dl .distance"); !regexp.MustCompile(`^\d+ of (64|256) bits$`).MatchString(d) {
		c.t.Errorf("distance %q", d)
	}
}

// screenshot saves the whole page under the test's temp dir, and to
// ATTRIB_SCREENSHOT when set.
func (c *chrome) screenshot() {
	c.t.Helper()
	shot, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Fatal(err)
	}
	writeTestFile(c.t, filepath.Join(c.t.TempDir(), "dashboard.png"), shot)
	if p := os.Getenv("ATTRIB_SCREENSHOT"); p != "" {
		writeTestFile(c.t, p, shot)
		c.t.Logf("screenshot saved to %s (%d bytes)", p, len(shot))
	}
}

// chapterOne is the opening of Tom Sawyer's first chapter: the text work.
func chapterOne(t *testing.T) string {
	t.Helper()
	book := strings.ReplaceAll(string(shareddata.Read(t, "texts/Mark.Twain-Tom.Sawyer.txt")), "\r\n", "\n")
	start := strings.Index(book, "CHAPTER I\n")
	end := strings.Index(book[start:], "\"Y-o-u-u TOM!\"")
	if start < 0 || end < 0 || !strings.Contains(book[start:start+end], quoted) {
		t.Fatal("the shared Tom Sawyer text is not as expected")
	}
	return book[start : start+end]
}

// quotingSite serves a blog page that quotes the paragraph about the
// spectacles (one word changed) and shows a smaller JPEG of the photo.
func quotingSite(t *testing.T, text string, photo []byte) *httptest.Server {
	t.Helper()
	i := strings.Index(text, quoted)
	para := text[i : i+strings.Index(text[i:], "\n\n")]
	para = strings.Replace(para, quoted, changed, 1)
	small := smallJPEG(t, photo, 300)
	page := fmt.Sprintf(`<!doctype html><html><head><title>A reading diary</title></head><body><article>
<h1>What I read this week</h1><p>A favourite opening:</p><blockquote><p>%s</p></blockquote>
<p>And a picture I liked:</p><img src="/img/astronaut-small.jpg" alt="an astronaut"></article></body></html>`, para)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	mux.HandleFunc("GET /img/astronaut-small.jpg", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(small)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func smallJPEG(t *testing.T, data []byte, side int) []byte {
	t.Helper()
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	dst := image.NewRGBA(image.Rect(0, 0, side, side*src.Bounds().Dy()/src.Bounds().Dx()))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// chrome drives one tab.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (c *chrome) do(steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, steps...); err != nil {
		c.t.Fatalf("chromium: %v", err)
	}
}

func (c *chrome) text(sel string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Text(sel))
	if err != nil {
		c.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (c *chrome) eval(expr string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		c.t.Fatalf("evaluate: %v", err)
	}
	return s
}

func (c *chrome) count(sel string) int {
	c.t.Helper()
	n, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		c.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// a11yProblems lists what the page gets wrong of the markup rules the
// dashboard keeps: one main landmark and h1, headings that do not skip a
// level, alt text on images, a label on every field, header cells in
// tables, and no control without a name.
const a11yProblems = `(() => {
	const p = [];
	if (document.querySelectorAll('main').length !== 1) p.push('want one main landmark');
	if (document.querySelectorAll('h1').length !== 1) p.push('want one h1');
	if (!document.documentElement.lang) p.push('no lang on html');
	let last = 0;
	for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
		const l = +h.tagName[1];
		if (l > last + 1) p.push('heading skips to ' + h.tagName + ' ' + h.textContent.trim());
		last = l;
	}
	for (const i of document.querySelectorAll('img')) if (!i.hasAttribute('alt')) p.push('img without alt ' + i.src);
	for (const f of document.querySelectorAll('input:not([type=hidden]), textarea, select'))
		if (!(f.labels && f.labels.length) && !f.getAttribute('aria-label')) p.push('field without label ' + f.name);
	for (const t of document.querySelectorAll('table')) if (!t.querySelector('thead th[scope=col]')) p.push('table without column headers');
	for (const c of document.querySelectorAll('a, button')) if (!c.textContent.trim() && !c.getAttribute('aria-label')) p.push('control without a name');
	return p.join('; ');
})()`

// a11y checks the current page against a11yProblems.
func (c *chrome) a11y() {
	c.t.Helper()
	if p := c.eval(a11yProblems); p != "" {
		loc, _ := chromedp.Run(c.ctx, chromedp.Location())
		c.t.Errorf("accessibility of %s: %s", loc, p)
	}
}

func (c *chrome) login(secret string) {
	c.t.Helper()
	c.do(chromedp.Navigate(c.base + "/login"))
	c.a11y()
	c.do(
		chromedp.SendKeys("#token", secret),
		chromedp.Click("form.stack button[type=submit]"),
		chromedp.WaitVisible("form.logout"))
}

func (c *chrome) logout() {
	c.t.Helper()
	c.do(chromedp.Click("form.logout button"), chromedp.WaitVisible("#token"))
}

// waitScan waits, through the API, until the scan has ended.
func waitScan(t *testing.T, srv *server, token, id string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, body := srv.call(t, "GET", "/api/v1/scans/"+id, token, "")
		if code != http.StatusOK {
			t.Fatalf("scan %s: %d %s", id, code, body)
		}
		if strings.Contains(body, `"state":"finished"`) || strings.Contains(body, `"state":"failed"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scan %s did not end: %s", id, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
