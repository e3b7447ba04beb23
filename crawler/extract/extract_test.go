package extract

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// extractString runs FromReader on an HTML string as page testBase.
func extractString(tb testing.TB, page string) Result {
	tb.Helper()
	res, err := FromReader(strings.NewReader(page), mustURL(tb, testBase), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func TestText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"paragraphs separate", "<p>foo</p><p>bar</p>", "foo\n\nbar"},
		{"divs separate", "<div>foo</div><div>bar</div>", "foo\nbar"},
		{"inline joins", "re<b>mark</b>able", "remarkable"},
		{"table cells separate", "<table><tr><td>a</td><td>b</td></tr></table>", "a\nb"},
		{"br breaks", "one<br>two", "one\ntwo"},
		{"list items", "<ul><li>x</li><li>y</li></ul>", "x\ny"},
		{"headings", "<h2>Title</h2>text", "Title\n\ntext"},
		{"whitespace collapses", "  a \n\t b   c  ", "a b c"},
		{"pre keeps spaces", "<p>x</p><pre>a  b\n  c</pre><p>y</p>", "x\n\na  b\n  c\n\ny"},
		{"pre inline markup", "<pre><b>if</b> x:\n    y</pre>", "if x:\n    y"},
		{"entities decoded", "a &amp; b &lt;c&gt; &eacute;", "a & b <c> é"},
		{"script dropped", "a<script>var x = 1;</script>b", "ab"},
		{"style dropped", "<style>p{}</style>text", "text"},
		{"nav dropped", "<nav>Menu</nav><p>text</p>", "text"},
		{"page header dropped", "<header>Banner</header><p>text</p>", "text"},
		{"page footer dropped", "<p>text</p><footer>Copyright</footer>", "text"},
		{"aside dropped", "<aside>Ads</aside><p>text</p>", "text"},
		{"form dropped", "<form><label>Name</label><input></form><p>text</p>", "text"},
		{"hidden dropped", "<p hidden>h</p><p>text</p>", "text"},
		{"aria-hidden dropped", `<p aria-hidden="TRUE">h</p><p>text</p>`, "text"},
		{"role navigation dropped", `<div role="navigation">n</div><p>text</p>`, "text"},
		{"role search dropped", `<div role="search">s</div><p>text</p>`, "text"},
		{"svg dropped", `<svg><text>s</text></svg><p>text</p>`, "text"},
		{"main preferred", "<div>outside</div><main><p>inside</p></main>", "inside"},
		{"role main preferred", `<div>outside</div><div role="main">inside</div>`, "inside"},
		{"single article preferred", "<div>outside</div><article>inside</article>", "inside"},
		{"two articles use body", "<div>outside</div><article>a</article><article>b</article>", "outside\na\nb"},
		{"hidden main ignored", `<main hidden>old</main><main>new</main>`, "new"},
		{"header in article kept", "<article><header>Title</header>body</article>", "Title\nbody"},
		{"blank lines bounded", "<p>a</p><div></div><p></p><div><p>b</p></div>", "a\n\nb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := extractString(t, tt.html).Text; got != tt.want {
				t.Errorf("Text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"trimmed", "<title>\n  A   title \n</title>", "A title"},
		{"first wins", "<title>one</title><title>two</title>", "one"},
		{"svg title ignored", "<body><svg><title>icon</title></svg></body>", ""},
		{"unclosed bounded", "<title>" + strings.Repeat("é", 5000), strings.Repeat("é", maxTitle/2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := extractString(t, tt.html).Title; got != tt.want {
				t.Errorf("Title = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFromSelectionParsedOnce checks the crawler's path: colly hands over
// the <html> selection of its goquery document; the document node works as
// well, and extraction leaves the tree unchanged.
func TestFromSelectionParsedOnce(t *testing.T) {
	page := readFile(t, "testdata/links.html")
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	before := renderTree(t, doc.Nodes[0])
	base := mustURL(t, testBase)
	fromHTML := FromSelection(doc.Find("html"), base)
	fromDoc := FromSelection(doc.Selection, base)
	want, err := FromReader(bytes.NewReader(page), base, 0)
	if err != nil {
		t.Fatal(err)
	}
	if render(fromHTML) != render(want) || render(fromDoc) != render(want) {
		t.Errorf("FromSelection differs from FromReader:\nhtml: %s\ndoc: %s\nreader: %s",
			render(fromHTML), render(fromDoc), render(want))
	}
	if renderTree(t, doc.Nodes[0]) != before {
		t.Error("FromSelection modified the document")
	}
	if len(fromHTML.Links) == 0 {
		t.Error("no links extracted")
	}
}

// renderTree serialises a parsed tree.
func renderTree(tb testing.TB, n *html.Node) string {
	tb.Helper()
	var b bytes.Buffer
	if err := html.Render(&b, n); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// TestByteOrderMarkInTree checks a parsed tree that kept a byte order mark
// as text, as colly may hand over.
func TestByteOrderMarkInTree(t *testing.T) {
	doc, err := html.Parse(strings.NewReader("\uFEFF<title>T</title><p>x</p>"))
	if err != nil {
		t.Fatal(err)
	}
	if res := FromNode(doc, nil, Limits{}); res.Text != "x" || res.Title != "T" {
		t.Errorf("Text, Title = %q, %q; want %q, %q", res.Text, res.Title, "x", "T")
	}
}

func TestEmptyInputs(t *testing.T) {
	if r := FromSelection(nil, nil); render(r) != render(Result{}) {
		t.Errorf("nil selection: %+v", r)
	}
	if r := FromSelection(&goquery.Selection{}, nil); render(r) != render(Result{}) {
		t.Errorf("empty selection: %+v", r)
	}
	if r := FromNode(nil, nil, DefaultLimits()); render(r) != render(Result{}) {
		t.Errorf("nil node: %+v", r)
	}
}

// TestNilBase checks that without a page URL only absolute references
// survive and signals carry no source.
func TestNilBase(t *testing.T) {
	page := `<meta name="robots" content="noai"><a href="rel.html">r</a><a href="https://a.example/x">a</a><img src="/i.png">`
	res, err := FromReader(strings.NewReader(page), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"https://a.example/x"}; fmt.Sprint(res.Links) != fmt.Sprint(want) {
		t.Errorf("Links = %q, want %q", res.Links, want)
	}
	if len(res.Images) != 0 {
		t.Errorf("Images = %q, want none", res.Images)
	}
	if want := []Signal{{Kind: KindMeta, Value: "noai"}}; fmt.Sprint(res.Signals) != fmt.Sprint(want) {
		t.Errorf("Signals = %v, want %v", res.Signals, want)
	}
}

func TestLimits(t *testing.T) {
	var page strings.Builder
	for i := range 50 {
		fmt.Fprintf(&page, `<a href="/p%d">x</a><a href="/p%d">dup</a><img src="/i%d.png">`, i, i, i)
	}
	doc, err := html.Parse(strings.NewReader(page.String()))
	if err != nil {
		t.Fatal(err)
	}
	res := FromNode(doc, mustURL(t, testBase), Limits{MaxLinks: 7, MaxImages: 3})
	if len(res.Links) != 7 || res.Links[6] != "https://example.com/p6" {
		t.Errorf("Links = %q, want the first 7 distinct", res.Links)
	}
	if len(res.Images) != 3 {
		t.Errorf("Images = %q, want 3", res.Images)
	}
}

func TestFromReaderBounds(t *testing.T) {
	page := "<p>first</p><p>second</p>"
	res, err := FromReader(strings.NewReader(page), nil, int64(strings.Index(page, "<p>second")))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || res.Text != "first" {
		t.Errorf("cut read: Truncated=%v Text=%q, want true, %q", res.Truncated, res.Text, "first")
	}
	res, err = FromReader(strings.NewReader(page), nil, int64(len(page)))
	if err != nil || res.Truncated {
		t.Errorf("exact read: Truncated=%v err=%v, want false, nil", res.Truncated, err)
	}
	boom := errors.New("boom")
	if _, err := FromReader(iotest.ErrReader(boom), nil, 0); !errors.Is(err, boom) {
		t.Errorf("read error = %v, want wrapping %v", err, boom)
	}
}

func TestCharset(t *testing.T) {
	latin1 := "<p>caf\xe9</p>"
	tests := []struct{ name, page, contentType, want string }{
		{"undeclared invalid bytes replaced", latin1, "", "caf\uFFFD"},
		{"content type charset", latin1, "text/html; charset=ISO-8859-1", "café"},
		{"meta charset", `<meta charset="latin1">` + latin1, "", "café"},
		{"utf-8 untouched", "<p>café</p>", "", "café"},
		{"utf-8 byte order mark dropped", "\xef\xbb\xbf<p>café</p>", "", "café"},
		{"utf-16 byte order mark", "\xff\xfe<\x00p\x00>\x00h\x00\xe9\x00", "", "hé"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := FromReaderContentType(strings.NewReader(tt.page), nil, 0, tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != tt.want {
				t.Errorf("Text = %q, want %q", res.Text, tt.want)
			}
		})
	}
}

// TestDeepNesting checks that a hostile nesting depth neither overflows the
// walker (which does not recurse) nor loses text, and that input deeper than
// the parser accepts is reported as ErrParse.
func TestDeepNesting(t *testing.T) {
	const depth = 200000
	doc := &html.Node{Type: html.DocumentNode}
	n := doc
	for range depth {
		child := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
		n.AppendChild(child)
		n = child
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: "deep"})
	n.AppendChild(&html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A,
		Attr: []html.Attribute{{Key: "href", Val: "/deep"}}})
	res := FromNode(doc, mustURL(t, testBase), DefaultLimits())
	if res.Text != "deep" || len(res.Links) != 1 {
		t.Errorf("Text = %q, Links = %q; want %q and one link", res.Text, res.Links, "deep")
	}

	page := strings.Repeat("<div>", 2000) + "too deep"
	if _, err := FromReader(strings.NewReader(page), nil, 0); !errors.Is(err, ErrParse) {
		t.Errorf("FromReader(2000 nested divs) error = %v, want ErrParse", err)
	}
}

func TestInvalidUTF8Valid(t *testing.T) {
	res := extractString(t, string(readFile(t, "testdata/invalid_utf8.html")))
	for name, s := range map[string]string{"Text": res.Text, "Title": res.Title} {
		if !utf8.ValidString(s) || !strings.Contains(s, "\uFFFD") {
			t.Errorf("%s = %q, want valid UTF-8 with U+FFFD", name, s)
		}
	}
}

func TestLargestCandidate(t *testing.T) {
	tests := []struct{ srcset, want string }{
		{"a.jpg 100w, b.jpg 900w, c.jpg 300w", "b.jpg"},
		{"a.jpg, b.jpg 2x, c.jpg 1.5x", "b.jpg"},
		{"a.jpg 2x, b.jpg", "a.jpg"},
		{"only.jpg", "only.jpg"},
		{"a.jpg 100w, b.jpg 100w", "a.jpg"},
		{"https://x/w_100,h_50/a.jpg 100w,https://x/w_800,h_400/a.jpg 800w", "https://x/w_800,h_400/a.jpg"},
		{"a.jpg,b.jpg 3x", "a.jpg,b.jpg"}, // commas inside a URL belong to it
		{"a.jpg 1x,b.jpg 3x", "b.jpg"},
		{"a.jpg 10w (junk, more), b.jpg 20w", "b.jpg"},
		{"a.jpg 0w, b.jpg 1w", "b.jpg"},
		{"a.jpg bogus", "a.jpg"},
		{" , ,", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := largestCandidate(tt.srcset); got != tt.want {
			t.Errorf("largestCandidate(%q) = %q, want %q", tt.srcset, got, tt.want)
		}
	}
}

func TestResolver(t *testing.T) {
	r := newResolver(mustURL(t, "https://example.com/a/b.html?q=1#top"))
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"c.html", "https://example.com/a/c.html", true},
		{"#frag", "https://example.com/a/b.html?q=1#frag", true},
		{"#two words", "https://example.com/a/b.html?q=1#two%20words", true},
		{"?p=2", "https://example.com/a/b.html?p=2", true},
		{"HTTP://Host.example/X", "http://Host.example/X", true},
		{"https:///nohost", "", false},
		{"javascript:x()", "", false},
		{" \tmailto:a@b\n", "", false},
		{"data:image/png;base64,AA", "", false},
		{"http://[::1", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := r.web(tt.raw)
		if got != tt.want || ok != tt.ok {
			t.Errorf("web(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}
