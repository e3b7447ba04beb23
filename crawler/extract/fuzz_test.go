package extract

import (
	"bytes"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// FuzzFromReader feeds arbitrary bytes to FromReader: it must not panic, and
// whatever it returns must be valid UTF-8 with only absolute http(s) URLs.
func FuzzFromReader(f *testing.F) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, p := range pages {
		f.Add(readFile(f, p))
	}
	f.Add([]byte(`<img srcset=",,, 1x,(((,"><a href="#%zz">`))
	f.Add([]byte("<pre>\xff\x00</pre><meta name=robots content=',:,noai:'>"))
	base := mustURL(f, testBase)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := FromReader(bytes.NewReader(data), base, 1<<16)
		if err != nil {
			if !errors.Is(err, ErrParse) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		for name, s := range map[string]string{"Text": res.Text, "Title": res.Title} {
			if !utf8.ValidString(s) {
				t.Errorf("%s is not valid UTF-8: %q", name, s)
			}
		}
		if len(res.Title) > maxTitle {
			t.Errorf("Title has %d bytes, over %d", len(res.Title), maxTitle)
		}
		for _, u := range append(res.Links, res.Images...) {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				t.Errorf("non-http URL %q", u)
			}
		}
	})
}

// slowResolve is resolver.web without its string-join shortcuts.
func slowResolve(base *url.URL, raw string) (string, bool) {
	return resolver{base: base}.web(raw)
}

// FuzzResolver checks that the string-join shortcuts of resolver.web give
// exactly what net/url resolution gives.
func FuzzResolver(f *testing.F) {
	seeds := [][2]string{
		{"https://example.com/a/b.html", "c.html"},
		{"https://example.com/a/b.html?q=1#top", "c/d.html#x"},
		{"https://example.com", "c.html"},
		{"https://example.com/a/", "/root/x.html#frag"},
		{"http://[::1]:8080/a/b", "x.y~z_/w"},
		{"https://example.com/a/./b/c", "d"},
		{"https://example.com/a%2Fb/c", "d#e"},
		{"https://example.com/a b/c", "d"},
		{"https://user@example.com/a/b", "c"},
		{"https://example.com/a/b", "../c"},
		{"https://example.com/a/b", "c//d"},
		{"https://example.com/a/b", "#x y"},
		{"https://example.com/a/b", "a:b"},
		{"https://example.com/a/b", "./c"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, baseStr, raw string) {
		base, err := url.Parse(baseStr)
		if err != nil {
			return
		}
		got, gotOK := newResolver(base).web(raw)
		want, wantOK := slowResolve(base, raw)
		if got != want || gotOK != wantOK {
			t.Errorf("base %q ref %q: got %q, %v; net/url gives %q, %v", baseStr, raw, got, gotOK, want, wantOK)
		}
	})
}

// TestResolverRealLinks compares the shortcuts with net/url on every link
// and image reference of real pages.
func TestResolverRealLinks(t *testing.T) {
	for _, p := range benchPages {
		doc, err := html.Parse(bytes.NewReader(readFile(t, sharedData(t, p.rel))))
		if err != nil {
			t.Fatal(err)
		}
		c := newCollector(DefaultLimits(), "")
		walk(doc, c.enter, c.leave)
		for _, base := range []string{"http://127.0.0.1:8000/library/json.html", "https://docs.python.org/3/", "https://h.example"} {
			b := mustURL(t, base)
			r := newResolver(b)
			for _, raw := range append(c.links.list, c.images.list...) {
				got, gotOK := r.web(raw)
				if want, wantOK := slowResolve(b, raw); got != want || gotOK != wantOK {
					t.Errorf("%s: base %q ref %q: got %q, %v; net/url gives %q, %v", p.name, base, raw, got, gotOK, want, wantOK)
				}
			}
		}
	}
}
