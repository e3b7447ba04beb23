package dashboard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

// multipartForm returns a multipart body with the fields and one file part
// of size bytes.
func multipartForm(t *testing.T, fields url.Values, size int) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", "big.txt")
	_, _ = fw.Write(bytes.Repeat([]byte("word "), size/5))
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

// Only the upload form may send files. Every other form, the login's
// above all (anyone may post it), is read within maxFormBytes whatever
// its content type: a multipart body must not be spooled to disk first.
func TestOnlyUploadTakesLargeBodies(t *testing.T) {
	e := newEnv(t, Options{MaxUploadBytes: 4 << 20})
	b := e.loggedIn(e.token("Mara", false))
	csrf := csrfOf(t, b.get("/upload").body)
	// The upload form takes files past maxFormBytes.
	res := b.postUpload(url.Values{"csrf": {csrf}}, file{"long.txt", []byte(strings.Repeat(poem+"\n", 2*maxFormBytes/len(poem)))})
	if res.code != http.StatusOK || !strings.Contains(res.body, "long.txt</a> — registered") {
		t.Errorf("upload past maxFormBytes: %d\n%s", res.code, res.body)
	}
	// Logout last: were its body accepted, the browser would be logged out.
	for _, path := range []string{"/login", "/scans", "/logout"} {
		t.Run(path, func(t *testing.T) {
			body, ct := multipartForm(t, url.Values{"csrf": {csrf}}, 2*maxFormBytes)
			size := body.Len()
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, body)
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Origin", e.srv.URL)
			if res := b.do(req); res.code != http.StatusRequestEntityTooLarge {
				t.Errorf("multipart body of %d bytes: %d, want 413", size, res.code)
			}
		})
	}
}

// A page number whose offset overflows is a 404 like any page past the
// end, not a panic.
func TestWorkPageNumberOverflow(t *testing.T) {
	e := newEnv(t, Options{})
	w := e.register(matcher.Input{Creator: "Mara", Title: "keeper.txt", Kind: store.KindText, Data: []byte(poem), Text: poem})
	b := e.loggedIn(e.token("Mara", false))
	for _, page := range []string{"184467440737095518", "9223372036854775807", "-1"} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/works/"+w.ID+"?page="+page, nil)
		res, err := b.c.Do(req)
		if err != nil {
			t.Errorf("page %s: %v (the handler panicked?)", page, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("page %s: %d, want 404", page, res.StatusCode)
		}
	}
}

// failingRegistrar fails the way a broken store does.
type failingRegistrar struct{}

func (failingRegistrar) RegisterUpload(context.Context, Upload) (store.Work, bool, error) {
	return store.Work{}, false, fmt.Errorf("put work: %w", errors.New("sqlite: disk I/O error at /var/lib/attrib/attrib.db"))
}

// The upload page tells a creator what is wrong with a file, but a server
// failure is reported without its internals.
func TestUploadHidesServerErrors(t *testing.T) {
	e := newEnv(t, Options{Registrar: failingRegistrar{}})
	b := e.loggedIn(e.token("Mara", false))
	res := b.postUpload(url.Values{"csrf": {csrfOf(t, b.get("/upload").body)}}, file{"poem.txt", []byte(poem)})
	if res.code != http.StatusOK || !strings.Contains(res.body, "Not registered") {
		t.Fatalf("%d\n%s", res.code, res.body)
	}
	for _, leak := range []string{"sqlite", "/var/lib", "disk I/O"} {
		if strings.Contains(res.body, leak) {
			t.Errorf("the page shows the server error's %q", leak)
		}
	}
}

// Found URLs come from arbitrary pages: only http(s) ones become links or
// images.
func TestFoundURLsWithOtherSchemesAreNotLinked(t *testing.T) {
	e := newEnv(t, Options{})
	w := e.register(matcher.Input{Creator: "Mara", Title: "keeper.txt", Kind: store.KindText, Data: []byte(poem), Text: poem})
	wi := e.register(matcher.Input{Creator: "Mara", Title: "sea.png", Kind: store.KindImage, Data: picture(t, 2)})
	d := 1
	e.finishedScan(
		store.Match{WorkID: w.ID, FoundURL: "javascript:alert(1)", PageURL: "JavaScript:alert(2)", Method: "text", Score: 1,
			Evidence: store.Evidence{Passages: []store.Passage{{WorkStart: 0, WorkEnd: 20, FoundEnd: 20, Text: `<script>alert(3)</script>`}}}},
		store.Match{WorkID: wi.ID, FoundURL: "data:image/svg+xml,<svg onload=alert(4)>", PageURL: `http://site.test/"onmouseover="alert(5)`, Method: "image", Score: 1,
			Evidence: store.Evidence{Algorithm: "pdq", Distance: &d, Bits: 256}},
	)
	b := e.loggedIn(e.token("Mara", false))
	for _, id := range []string{w.ID, wi.ID} {
		page := b.get("/works/" + id).body
		for _, bad := range []string{`href="javascript:`, `href="JavaScript:`, `src="data:`, `<script>alert`, `"onmouseover="`, `<svg`} {
			if strings.Contains(page, bad) {
				t.Errorf("work %s page contains %q", id, bad)
			}
		}
	}
}

// A failed scan's error is the server's own message: the admin reads it,
// creators only learn that the scan failed.
func TestScanErrorOnlyForTheAdmin(t *testing.T) {
	e := newEnv(t, Options{})
	const internal = "redis: dial tcp 10.0.0.3:6379: connection refused"
	sc, err := e.db.CreateScan(t.Context(), store.Scan{Kind: "crawl", Targets: []string{"http://site.test/"}, State: store.ScanFailed, Error: internal})
	if err != nil {
		t.Fatal(err)
	}
	if res := e.loggedIn(e.token("Mara", false)).get("/scans/" + sc.ID); res.code != http.StatusOK || strings.Contains(res.body, "10.0.0.3") || !strings.Contains(res.body, "failed") {
		t.Errorf("creator's scan page: %d, want the failure without its details\n%s", res.code, res.body)
	}
	if res := e.loggedIn(e.token("", true)).get("/scans/" + sc.ID); !strings.Contains(res.body, internal) {
		t.Errorf("admin's scan page lacks the error\n%s", res.body)
	}
}
