package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// pydocChrome is text of the Sphinx page chrome (menus, related links,
// search box, footer) that must not reach Text.
var pydocChrome = []string{
	"Show Source", "Report a Bug", "Previous topic", "Next topic", "This Page",
	"Quick search", "Python Software Foundation is a non-profit", "Please donate",
	"Last updated on", "Created using",
}

// rstParagraph returns the paragraph of an reST source that starts with the
// line holding prefix, with its lines joined and whitespace collapsed.
func rstParagraph(tb testing.TB, src, prefix string) string {
	tb.Helper()
	i := strings.Index(src, prefix)
	if i < 0 {
		tb.Fatalf("%q not in the reST source", prefix)
	}
	para, _, _ := strings.Cut(src[i:], "\n\n")
	return strings.Join(strings.Fields(para), " ")
}

// TestPydocJSON extracts a real Sphinx page and checks it against its reST
// source: prose paragraphs and code examples are in Text, chrome is not.
func TestPydocJSON(t *testing.T) {
	page := readFile(t, sharedData(t, "site-pydoc/library/json.html"))
	src := string(readFile(t, sharedData(t, "site-pydoc-sources/library/json.rst.txt")))
	base := mustURL(t, "http://127.0.0.1:8000/library/json.html")
	res, err := FromReader(bytes.NewReader(page), base, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantIn := []string{
		rstParagraph(t, src, "Be cautious when parsing JSON data"),
		rstParagraph(t, src, "JSON permits literal U+2028"), // a footnote (<aside role="note">)
		"JSON (JavaScript Object Notation), specified by RFC 7159 (which obsoletes RFC 4627) and by ECMA-404, is a lightweight data interchange format",
		">>> json.dumps(['foo', {'bar': ('baz', None, 1.0, 2)}])\n'[\"foo\", {\"bar\": [\"baz\", null, 1.0, 2]}]'", // <pre>, lines kept
		"Implementation Limitations",
	}
	for _, s := range wantIn {
		if !strings.Contains(res.Text, s) {
			t.Errorf("Text lacks %q", s)
		}
	}
	for _, s := range pydocChrome {
		if strings.Contains(res.Text, s) {
			t.Errorf("Text holds page chrome %q", s)
		}
	}
	if lines := strings.Split(res.Text, "\n"); slices.Contains(lines, "Navigation") || slices.Contains(lines, "Table of Contents") {
		t.Error(`Text holds the "Navigation" / "Table of Contents" menu headings`)
	}
	if want := "json — JSON encoder and decoder — Python 3.11.2 documentation"; res.Title != want {
		t.Errorf("Title = %q, want %q", res.Title, want)
	}
	if want := "file:///usr/share/doc/python3.11/html/library/json.html"; res.Canonical != want {
		t.Errorf("Canonical = %q, want %q", res.Canonical, want)
	}
	for _, want := range []string{
		"http://127.0.0.1:8000/library/mailbox.html",                       // next (related nav)
		"http://127.0.0.1:8000/library/json.html#json.dumps",               // in-page, fragment kept
		"https://github.com/python/cpython/blob/3.11/Doc/library/json.rst", // Show Source, rel=nofollow
		"http://127.0.0.1:8000/license.html",                               // root-relative, in the footer
		"https://www.rfc-editor.org/errata_search.php?rfc=7159",            // in the footnote
	} {
		if !slices.Contains(res.Links, want) {
			t.Errorf("Links lack %q", want)
		}
	}
	if want := []string{"http://127.0.0.1:8000/_static/py.svg"}; !slices.Equal(res.Images, want) {
		t.Errorf("Images = %q, want %q", res.Images, want)
	}
}

// TestPydocSite extracts every page of the documentation site (every 8th
// under the race detector): none fails, every text is valid UTF-8, non-empty
// and free of chrome.
func TestPydocSite(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 48 MB of HTML")
	}
	root := sharedData(t, "site-pydoc")
	pages, err := filepath.Glob(filepath.Join(root, "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join(root, "*", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, more...)
	if len(pages) < 500 {
		t.Fatalf("found %d pages, want the site's 530", len(pages))
	}
	base := mustURL(t, "http://127.0.0.1:8000/")
	for i, p := range pages {
		if raceEnabled && i%8 != 0 {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		res, err := FromReader(f, base, 0)
		f.Close()
		switch {
		case err != nil:
			t.Errorf("%s: %v", p, err)
		case !utf8.ValidString(res.Text) || strings.TrimSpace(res.Text) == "":
			t.Errorf("%s: empty or invalid text", p)
		case strings.Contains(res.Text, "Show Source") || strings.Contains(res.Text, "Please donate"):
			t.Errorf("%s: page chrome in text", p)
		case len(res.Links) == 0 || res.Title == "":
			t.Errorf("%s: no links or title", p)
		}
	}
}
