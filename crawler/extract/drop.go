package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// dropped reports whether the element n and its subtree are left out of the
// main text. Dropped are: content a reader never sees (script, style,
// template, noscript, embedded objects, hidden and aria-hidden subtrees,
// closed dialogs), controls (forms and their widgets), SVG drawings, and page
// chrome: nav, and anything whose ARIA role is navigation, banner,
// contentinfo, search or complementary. Implicit roles follow HTML-AAM: a
// header or footer is a banner or content info only at page level (not inside
// article, aside, nav, section or main), an aside is complementary at page or
// main level, or inside a section when it has a label. An explicit role
// overrides the implicit one (Sphinx marks footnotes <aside role="note">).
func dropped(n *html.Node) bool {
	if n.Namespace != "" {
		return n.Namespace == "svg"
	}
	if alwaysDropped(n.DataAtom) {
		return true
	}
	if n.DataAtom == atom.Dialog {
		if _, open := attr(n, "open"); !open {
			return true
		}
	}
	if len(n.Attr) > 0 {
		if hidden(n) {
			return true
		}
		if role := attrVal(n, "role"); strings.TrimSpace(role) != "" {
			return chromeRole(role)
		}
	}
	switch n.DataAtom {
	case atom.Nav:
		return true
	case atom.Aside:
		return !inSection(n, false) || labelled(n)
	case atom.Header, atom.Footer:
		return !inSection(n, true)
	}
	return false
}

// alwaysDropped reports whether elements a never contribute text.
func alwaysDropped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head,
		atom.Title, atom.Meta, atom.Link, atom.Base, atom.Iframe,
		atom.Object, atom.Embed, atom.Canvas, atom.Audio, atom.Video,
		atom.Form, atom.Button, atom.Select, atom.Textarea, atom.Input,
		atom.Datalist, atom.Svg, atom.Map:
		return true
	}
	return false
}

// hidden reports whether n carries the hidden attribute (except the
// searchable hidden="until-found") or aria-hidden="true".
func hidden(n *html.Node) bool {
	if v, ok := attr(n, "hidden"); ok && !strings.EqualFold(strings.TrimSpace(v), "until-found") {
		return true
	}
	return strings.EqualFold(strings.TrimSpace(attrVal(n, "aria-hidden")), "true")
}

// chromeRole reports whether the role attribute value names a landmark that
// is page chrome rather than content. Only the first token counts, as in
// ARIA (the others are fallbacks).
func chromeRole(role string) bool {
	f := strings.Fields(role)
	if len(f) == 0 {
		return false
	}
	switch strings.ToLower(f[0]) {
	case "navigation", "banner", "contentinfo", "search", "complementary":
		return true
	}
	return false
}

// inSection reports whether n belongs to sectioning content (article,
// aside, nav, section, or role=article) rather than to the page; withMain
// counts main (and role=main) too.
func inSection(n *html.Node, withMain bool) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if !isHTML(p) {
			continue
		}
		switch p.DataAtom {
		case atom.Article, atom.Aside, atom.Nav, atom.Section:
			return true
		case atom.Main:
			return withMain
		case atom.Body:
			return false
		}
		if len(p.Attr) == 0 {
			continue
		}
		if r := attrVal(p, "role"); hasToken(r, "article") || withMain && hasToken(r, "main") {
			return true
		}
	}
	return false
}

// labelled reports whether n has an accessible name from aria-label or
// aria-labelledby.
func labelled(n *html.Node) bool {
	return strings.TrimSpace(attrVal(n, "aria-label")) != "" ||
		strings.TrimSpace(attrVal(n, "aria-labelledby")) != ""
}
