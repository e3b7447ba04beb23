package extract

import (
	"bytes"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// testBase is the page URL every testdata page is extracted as.
const testBase = "https://example.com/dir/page.html"

// mustURL parses a URL or fails the test.
func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// render prints a Result in the golden-file format.
func render(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: %q\ncanonical: %q\ntruncated: %v\n", r.Title, r.Canonical, r.Truncated)
	list := func(name string, items []string) {
		fmt.Fprintf(&b, "%s: %d\n", name, len(items))
		for _, it := range items {
			fmt.Fprintf(&b, "  %s\n", it)
		}
	}
	list("links", r.Links)
	list("images", r.Images)
	sigs := make([]string, len(r.Signals))
	for i, s := range r.Signals {
		sigs[i] = fmt.Sprintf("%s | %s | %s", s.Kind, s.Value, s.Source)
	}
	list("signals", sigs)
	fmt.Fprintf(&b, "text:\n%s\n", r.Text)
	return b.String()
}

// TestGolden extracts every testdata/*.html page and compares the result
// with testdata/*.golden (rewritten with -update).
func TestGolden(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no testdata pages: %v", err)
	}
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".html")
		t.Run(name, func(t *testing.T) {
			res, err := FromReader(bytes.NewReader(readFile(t, page)), mustURL(t, testBase), 0)
			if err != nil {
				t.Fatal(err)
			}
			got := render(res)
			golden := strings.TrimSuffix(page, ".html") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := string(readFile(t, golden)); got != want {
				t.Errorf("%s differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", page, golden, got, want)
			}
		})
	}
}
