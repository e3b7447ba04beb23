package textmatch

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"

	"golang.org/x/net/html"

	"github.com/attrib/attrib/store"
)

// dataDir returns the shared test data folder.
func dataDir(tb testing.TB) string {
	tb.Helper()
	return shareddata.Dir(tb)
}

// readData reads a file below the shared data folder.
func readData(tb testing.TB, rel string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir(tb), rel))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// readTestdata reads a file of this package's testdata folder.
func readTestdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// works is an in-memory work text lookup for Match.
type works map[string]string

func (w works) text(_ context.Context, id string) (string, error) {
	t, ok := w[id]
	if !ok {
		return "", fmt.Errorf("work %s: %w", id, store.ErrNotFound)
	}
	return t, nil
}

// newEngine returns an engine with opts holding the given works.
func newEngine(tb testing.TB, opts Options, ws works) *Engine {
	tb.Helper()
	e, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	for id, text := range ws {
		data, _ := e.Fingerprint(text)
		if err := e.Add(id, data); err != nil {
			tb.Fatal(err)
		}
	}
	return e
}

// fortunes returns the records of a fortunes file.
func fortunes(tb testing.TB, name string) []string {
	tb.Helper()
	var out []string
	for _, r := range strings.Split(readData(tb, filepath.Join("texts", "fortunes", name)), "\n%\n") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// wordsOf returns n words of text starting at word from (space separated).
func wordsOf(text string, from, n int) string { return wordsIn(strings.Fields(text), from, n) }

// wordsIn is wordsOf on a text already split into words (for loops over a
// long text, which splitting anew each time slows a lot under -race).
func wordsIn(f []string, from, n int) string {
	from = min(from, len(f))
	return strings.Join(f[from:min(from+n, len(f))], " ")
}

// chunks splits text into pieces of about n words, cut at line ends.
func chunks(text string, n int) []string {
	var out []string
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	words := 0
	for _, l := range lines {
		b.WriteString(l)
		words += len(strings.Fields(l))
		if words >= n {
			out = append(out, b.String())
			b.Reset()
			words = 0
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// pydocSources returns the 497 reST sources keyed by their path below
// site-pydoc-sources, without the .rst.txt suffix.
func pydocSources(tb testing.TB) works {
	tb.Helper()
	root := filepath.Join(dataDir(tb), "site-pydoc-sources")
	ws := works{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rst.txt") {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		ws[strings.TrimSuffix(rel, ".rst.txt")] = string(b)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ws
}

// htmlText returns the text of an HTML page of site-pydoc (rel without
// .html), without script and style contents: a crude stand-in for the
// crawler's extraction.
func htmlText(tb testing.TB, rel string) string {
	tb.Helper()
	f, err := os.Open(filepath.Join(dataDir(tb), "site-pydoc", rel+".html"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	z := html.NewTokenizer(f)
	var b strings.Builder
	skip := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken, html.EndTagToken:
			name, _ := z.TagName()
			if s := string(name); s == "script" || s == "style" {
				skip = !skip && z.Token().Type == html.StartTagToken
			}
			b.WriteByte('\n')
		case html.TextToken:
			if !skip {
				b.Write(z.Text())
			}
		}
	}
}
