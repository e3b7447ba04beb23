package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// rawList collects attribute URLs as written, up to a cap. Cheaply
// recognisable non-web references are not counted. Duplicates are removed
// after resolution, so the cap is a multiple of the number of URLs kept.
type rawList struct {
	max  int
	list []string
}

func (l *rawList) add(raw string) {
	raw = trimURL(raw)
	if raw == "" || len(l.list) >= l.max {
		return
	}
	if sc := scheme(raw); sc != "" && sc != "http" && sc != "https" {
		return
	}
	l.list = append(l.list, raw)
}

// rawFactor is how many references are read per URL kept, to allow for
// duplicates (menus repeated in headers and footers) within a bound.
const rawFactor = 4

// collector gathers, in one walk over the whole document, everything but the
// text: title, base, canonical, link and image references, meta signals and
// the candidates for the main container.
type collector struct {
	title     string
	haveTitle bool
	baseHref  string
	haveBase  bool
	canonical string
	links     rawList
	images    rawList
	source    string // page URL, for signals
	signals   signalSet
	tdmRes    string // first <meta name=tdm-reservation> content
	tdmPolicy string // first <meta name=tdm-policy> content, unresolved
	body      *html.Node
	main      *html.Node // first visible main / role=main
	article   *html.Node // first article
	articles  int
}

func newCollector(lim Limits, source string) *collector {
	return &collector{
		links:  rawList{max: rawFactor * lim.MaxLinks},
		images: rawList{max: rawFactor * lim.MaxImages},
		source: source,
	}
}

func (c *collector) enter(n *html.Node) bool {
	if n.Type == html.DocumentNode {
		return true
	}
	if n.Type != html.ElementNode {
		return false
	}
	if n.Namespace != "" {
		return n.Namespace != "svg" // skip drawings: no links or text we use
	}
	switch n.DataAtom {
	case atom.Template:
		return false // inert content
	case atom.Body:
		if c.body == nil {
			c.body = n
		}
	case atom.A, atom.Area:
		if v, ok := attr(n, "href"); ok {
			c.links.add(v)
		}
	case atom.Img:
		c.img(n)
	case atom.Source:
		if n.Parent != nil && n.Parent.DataAtom == atom.Picture {
			c.srcset(n)
		}
	case atom.Meta:
		c.meta(n)
	case atom.Link:
		c.link(n)
	case atom.Base:
		if v, ok := attr(n, "href"); ok && !c.haveBase {
			c.baseHref, c.haveBase = v, true
		}
	case atom.Title:
		if !c.haveTitle {
			c.title, c.haveTitle = nodeText(n), true
		}
		return false
	case atom.Article:
		if c.articles++; c.article == nil {
			c.article = n
		}
	}
	c.checkMain(n)
	return true
}

func (c *collector) leave(*html.Node) {}

// checkMain records n when it is the first visible main container.
func (c *collector) checkMain(n *html.Node) {
	if c.main != nil {
		return
	}
	isMain := n.DataAtom == atom.Main
	if !isMain && len(n.Attr) > 0 {
		if f := strings.Fields(attrVal(n, "role")); len(f) > 0 && strings.EqualFold(f[0], "main") {
			isMain = true
		}
	}
	if isMain && !hidden(n) {
		c.main = n
	}
}

// img records an image's src, largest srcset candidate and lazy-loading
// attributes.
func (c *collector) img(n *html.Node) {
	for _, a := range n.Attr {
		switch a.Key {
		case "src", "data-src", "data-lazy-src", "data-original":
			c.images.add(a.Val)
		case "srcset", "data-srcset", "data-lazy-srcset":
			c.images.add(largestCandidate(a.Val))
		}
	}
}

// srcset records the largest candidate of a <picture> <source>.
func (c *collector) srcset(n *html.Node) {
	for _, a := range n.Attr {
		switch a.Key {
		case "srcset", "data-srcset":
			c.images.add(largestCandidate(a.Val))
		}
	}
}

// meta records robots directives, TDMRep declarations and og:image /
// twitter:image URLs. Names and properties are matched without regard to
// case; either attribute may carry either vocabulary.
func (c *collector) meta(n *html.Node) {
	content, ok := attr(n, "content")
	if !ok {
		return
	}
	if eq := attrVal(n, "http-equiv"); strings.EqualFold(strings.TrimSpace(eq), "x-robots-tag") {
		c.signals.robots(KindMeta, content, "", c.source)
	}
	for _, key := range [...]string{"name", "property"} {
		v, ok := attr(n, key)
		if !ok {
			continue
		}
		name := strings.ToLower(strings.TrimSpace(v))
		switch name {
		case "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src":
			c.images.add(content)
			return
		case "tdm-reservation":
			if c.tdmRes == "" {
				c.tdmRes = content
			}
			return
		case "tdm-policy":
			if c.tdmPolicy == "" {
				c.tdmPolicy = content
			}
			return
		}
		if agent, ok := robotsMetaAgent(name); ok {
			c.signals.robots(KindMeta, content, agent, c.source)
			return
		}
	}
}

// link records the first rel=canonical.
func (c *collector) link(n *html.Node) {
	if c.canonical != "" || !hasToken(attrVal(n, "rel"), "canonical") {
		return
	}
	c.canonical = attrVal(n, "href")
}

// maxTitle bounds Result.Title in bytes: an unclosed <title> swallows the
// rest of the page.
const maxTitle = 1024

// nodeText returns the text directly inside n (a title), with whitespace
// collapsed, invalid UTF-8 replaced and at most maxTitle bytes.
func nodeText(n *html.Node) string {
	var b strings.Builder
	for ch := n.FirstChild; ch != nil && b.Len() < 4*maxTitle; ch = ch.NextSibling {
		if ch.Type == html.TextNode {
			b.WriteString(ch.Data[:min(len(ch.Data), 4*maxTitle)])
		}
	}
	s := strings.Join(strings.Fields(validUTF8(b.String())), " ")
	if len(s) > maxTitle {
		i := maxTitle
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return s
}
