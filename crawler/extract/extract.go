package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// ErrParse is returned (wrapped) by FromReader when the HTML parser gives
// up, which golang.org/x/net/html does on elements nested over 512 deep.
var ErrParse = errors.New("unparsable html")

// DefaultMaxBytes bounds FromReader when it is given maxBytes <= 0.
const DefaultMaxBytes = 16 << 20

// Limits bound what one page can make extraction produce. Fields <= 0 take
// their DefaultLimits value.
type Limits struct {
	MaxLinks  int // distinct link URLs kept per page
	MaxImages int // distinct image URLs kept per page
}

// orDefaults returns lim with unset fields defaulted.
func (lim Limits) orDefaults() Limits {
	def := DefaultLimits()
	if lim.MaxLinks <= 0 {
		lim.MaxLinks = def.MaxLinks
	}
	if lim.MaxImages <= 0 {
		lim.MaxImages = def.MaxImages
	}
	return lim
}

// DefaultLimits returns the limits FromSelection and FromReader use. 20,000
// links keeps every link of the largest real pages seen (the Python docs'
// contents.html has 13,954) while bounding a hostile one.
func DefaultLimits() Limits {
	return Limits{MaxLinks: 20000, MaxImages: 10000}
}

// Result is what one HTML page yields.
type Result struct {
	// Title is the first <title>, whitespace collapsed.
	Title string
	// Text is the main text a reader sees: blocks separated by a newline,
	// paragraphs by a blank line, other whitespace collapsed to one space
	// (kept verbatim inside <pre>). Always valid UTF-8.
	Text string
	// Links are the absolute http(s) URLs of a[href] and area[href] in
	// document order, resolved against the base (<base href> honoured),
	// fragments kept, duplicates removed, not canonicalised.
	Links []string
	// Images are the absolute http(s) URLs of img src / data-src / srcset
	// (largest candidate), picture source srcset and og:image /
	// twitter:image metadata, duplicates removed.
	Images []string
	// Canonical is the rel=canonical URL resolved against the base (any
	// scheme but javascript: and data:), or "".
	Canonical string
	// Signals are the opt-out signals the page declares in <meta>.
	Signals []Signal
	// Truncated reports that FromReader cut the input at maxBytes.
	Truncated bool
}

// FromSelection extracts from colly's already parsed document: doc is the
// <html> selection (e.DOM in an OnHTML("html") callback) or the document
// root, base the page URL. It never re-parses and never panics.
func FromSelection(doc *goquery.Selection, base *url.URL) Result {
	return Extract(doc, base, DefaultLimits())
}

// Extract is FromSelection with explicit limits.
func Extract(doc *goquery.Selection, base *url.URL, lim Limits) Result {
	if doc == nil || len(doc.Nodes) == 0 {
		return Result{}
	}
	return FromNode(doc.Nodes[0], base, lim)
}

// FromNode extracts from a parsed tree: root is the document node, the
// <html> element or any subtree.
func FromNode(root *html.Node, base *url.URL, lim Limits) Result {
	if root == nil {
		return Result{}
	}
	lim = lim.orDefaults()
	source := ""
	if base != nil {
		source = base.String()
	}
	c := newCollector(lim, source)
	walk(root, c.enter, c.leave)
	docBase := documentBase(base, c.baseHref, c.haveBase)
	c.signals.tdm(c.tdmRes, absURL(docBase, c.tdmPolicy), source)
	return Result{
		Title:     c.title,
		Text:      containerText(c, root),
		Links:     resolveAll(docBase, c.links.list, lim.MaxLinks),
		Images:    resolveAll(docBase, c.images.list, lim.MaxImages),
		Canonical: absURL(docBase, c.canonical),
		Signals:   c.signals.List(),
	}
}

// containerText returns the text of the main container: the first visible
// main or role=main element, else the only article, else the body. When the
// chosen container has no text the body is used.
func containerText(c *collector, root *html.Node) string {
	body := c.body
	if body == nil {
		body = root
	}
	container := body
	switch {
	case c.main != nil:
		container = c.main
	case c.articles == 1:
		container = c.article
	}
	text := mainText(container)
	if text == "" && container != body {
		text = mainText(body)
	}
	return text
}

// resolveAll resolves references to at most limit distinct absolute
// http(s) URLs.
func resolveAll(base *url.URL, raws []string, limit int) []string {
	if len(raws) == 0 {
		return nil
	}
	r := newResolver(base)
	out := make([]string, 0, min(len(raws), limit))
	seen := make(map[string]struct{}, min(len(raws), limit))
	for _, raw := range raws {
		if len(out) >= limit {
			break
		}
		u, ok := r.web(raw)
		if _, dup := seen[u]; ok && !dup {
			seen[u] = struct{}{}
			out = append(out, u)
		}
	}
	return out
}

// FromReader reads at most maxBytes of an HTML document (DefaultMaxBytes
// when maxBytes <= 0), parses it and extracts from it. Longer input is cut
// and Result.Truncated set. The encoding is taken from a byte order mark or
// a <meta charset> declaration; otherwise UTF-8 is assumed and invalid bytes
// become U+FFFD. It fails only when reading fails or with ErrParse.
func FromReader(r io.Reader, base *url.URL, maxBytes int64) (Result, error) {
	return FromReaderContentType(r, base, maxBytes, "")
}

// FromReaderContentType is FromReader for a body whose Content-Type header is
// known: its charset parameter takes precedence over the document's own
// declaration.
func FromReaderContentType(r io.Reader, base *url.URL, maxBytes int64, contentType string) (Result, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	body, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return Result{}, fmt.Errorf("read html: %w", err)
	}
	truncated := int64(len(body)) > maxBytes
	if truncated {
		body = body[:maxBytes]
	}
	doc, err := html.Parse(bytes.NewReader(decode(body, contentType)))
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrParse, err)
	}
	res := FromNode(doc, base, DefaultLimits())
	res.Truncated = truncated
	return res, nil
}

// decode converts body to UTF-8 when a byte order mark, the content type or
// a <meta> declares another encoding, and drops the byte order mark.
// Undeclared bytes are left as they are (invalid UTF-8 is replaced during
// extraction), not guessed as windows-1252.
func decode(body []byte, contentType string) []byte {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if name != "utf-8" && enc != nil && (certain || declaresCharset(body)) {
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			body = out
		}
	}
	return bytes.TrimPrefix(body, []byte("\uFEFF"))
}

// declaresCharset reports whether the first KiB of body mentions a charset,
// which tells a <meta> declaration from charset.DetermineEncoding's guess.
func declaresCharset(body []byte) bool {
	if len(body) > 1024 {
		body = body[:1024]
	}
	return bytes.Contains(bytes.ToLower(body), []byte("charset"))
}
