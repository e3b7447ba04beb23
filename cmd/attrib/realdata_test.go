package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/attrib/attrib/matcher/shareddata"
)

// sharedData returns a path inside the shared test data.
func sharedData(t testing.TB, sub string) string {
	t.Helper()
	return shareddata.Path(t, sub)
}

// TestRealSitePydoc crawls the real Python documentation site on loopback
// with a sample of its reStructuredText sources registered, and checks that
// each source is attributed to its own page.
func TestRealSitePydoc(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls 500 pages; skipped with -short")
	}
	site := sharedData(t, "site-pydoc")
	sources := sharedData(t, "site-pydoc-sources")
	srv := httptest.NewServer(http.FileServer(http.Dir(site)))
	defer srv.Close()

	picked := pydocSample(t, sources)
	c := newCLI(t)
	for _, rel := range picked {
		c.ok("register", "--quiet", "--creator", "PSF", "--title", rel, filepath.Join(sources, rel))
	}
	if len(picked) < 41 {
		t.Fatalf("only %d sources registered", len(picked))
	}

	rep := decodeReport(t, c.ok("crawl", "--quiet", "--rate", "0", "--depth", "10", "--json", srv.URL+"/index.html"))
	t.Logf("crawl: %d pages, %d errors, %d skipped, %d matches", rep.Scan.Stats.Pages, rep.Scan.Stats.Errors, rep.Scan.Stats.Skipped, len(rep.Matches))

	own := make(map[string]bool) // sources attributed to their own page with passages
	best := make(map[string]float64)
	var wrong []string
	for _, m := range rep.Matches {
		page := strings.TrimPrefix(m.Found.URL, srv.URL+"/")
		best[page] = max(best[page], m.Score)
		if strings.TrimSuffix(m.Work.Title, ".rst.txt")+".html" == page {
			if len(m.Evidence.Passages) > 0 {
				own[m.Work.Title] = true
			}
			continue
		}
		// Another page: justified only when the evidence is text the page
		// really shares with the source (a quotation or shared boilerplate),
		// checked here independently of the matcher.
		work, err := os.ReadFile(filepath.Join(sources, m.Work.Title))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m.Evidence.Passages {
			if c := bigramContainment(p.Text, string(work[p.WorkStart:p.WorkEnd])); c < 0.5 {
				t.Errorf("%s -> %s: passage %q is not in the work (containment %.2f)", m.Work.Title, page, p.Text, c)
			}
		}
		wrong = append(wrong, fmt.Sprintf("%s -> %s (score %.2f)", m.Work.Title, page, m.Score))
	}
	expected := len(picked) - 1 // the changelog has no page
	var missed []string
	for _, rel := range picked[:len(picked)-1] {
		page := strings.TrimSuffix(rel, ".rst.txt") + ".html"
		switch {
		case !own[rel]:
			missed = append(missed, rel)
		case ownScore(rep, rel, page, srv.URL) < best[page]:
			t.Errorf("%s: another work scores higher on its own page", rel)
		}
	}
	recall := float64(len(own)) / float64(expected)
	precision := float64(len(own)) / float64(len(own)+len(wrong))
	t.Logf("recall %.3f (%d/%d); strict precision %.3f: %d more attributions to other pages, each verified to share the quoted text", recall, len(own), expected, precision, len(wrong))
	t.Logf("missed: %v", missed)
	for _, w := range wrong {
		t.Logf("shared text: %s", w)
	}
	if recall < 0.9 {
		t.Errorf("recall %.3f < 0.9", recall)
	}
	if own["whatsnew/changelog.rst.txt"] {
		t.Errorf("changelog has no page but was attributed to one")
	}
}

// pydocSample returns a fixed, data-blind sample of the pydoc sources
// (every 8th, sorted) plus the changelog, whose page is not on the site.
func pydocSample(t testing.TB, sources string) []string {
	t.Helper()
	var all []string
	err := filepath.WalkDir(sources, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rst.txt") {
			rel, _ := filepath.Rel(sources, p)
			all = append(all, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(all)
	// Every 8th source (a fixed, data-blind sample) plus the changelog, whose page is not on the site.
	var picked []string
	for i := 0; i < len(all); i += 8 {
		picked = append(picked, all[i])
	}
	picked = append(picked, "whatsnew/changelog.rst.txt")
	return picked
}

func ownScore(rep reportJSON, title, page, base string) float64 {
	for _, m := range rep.Matches {
		if m.Work.Title == title && m.Found.URL == base+"/"+page {
			return m.Score
		}
	}
	return 0
}

// bigramContainment is the share of the found passage's word bigrams that
// occur in the work passage: an independent check of the matcher's evidence.
func bigramContainment(found, work string) float64 {
	words := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	grams := func(ws []string) []string {
		var g []string
		for i := 0; i+2 <= len(ws); i++ {
			g = append(g, strings.Join(ws[i:i+2], " "))
		}
		return g
	}
	have := make(map[string]bool)
	for _, g := range grams(words(work)) {
		have[g] = true
	}
	fg := grams(words(found))
	if len(fg) == 0 {
		return 0
	}
	n := 0
	for _, g := range fg {
		if have[g] {
			n++
		}
	}
	return float64(n) / float64(len(fg))
}
