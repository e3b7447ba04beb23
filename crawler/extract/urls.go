package extract

import (
	"net/url"
	"strconv"
	"strings"
)

// trimURL strips what browsers strip from an attribute URL: leading and
// trailing C0 controls and spaces, and tabs and newlines anywhere.
func trimURL(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	s = s[i:j]
	for k := 0; k < len(s); k++ {
		if c := s[k]; c == '\t' || c == '\n' || c == '\r' {
			return strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
		}
	}
	return s
}

// scheme returns the lower-cased scheme of a URL reference, or "" for a
// relative reference, without parsing the rest.
func scheme(s string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			return strings.ToLower(s[:i])
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return ""
		}
	}
	return ""
}

// resolver turns attribute references into absolute http(s) URLs. Simple
// relative references (the bulk of a page's links) are joined as strings;
// the rest go through net/url. Both give the same result (FuzzResolver).
type resolver struct {
	base       *url.URL
	pageNoFrag string // base without fragment, when it is an http(s) URL
	origin     string // "scheme://host" of a plain http(s) base, else ""
	dir        string // origin + base path up to its last '/', with origin
}

func newResolver(base *url.URL) resolver {
	r := resolver{base: base}
	if base == nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return r
	}
	b := *base
	b.Fragment, b.RawFragment = "", ""
	r.pageNoFrag = b.String()
	if base.User != nil || base.Opaque != "" {
		return r
	}
	path := base.EscapedPath()
	if path == "" {
		path = "/"
	}
	if path[0] == '/' && plainPath(path) {
		r.origin = (&url.URL{Scheme: base.Scheme, Host: base.Host}).String()
		r.dir = r.origin + path[:strings.LastIndexByte(path, '/')+1]
	}
	return r
}

// web resolves the reference raw against the base and returns it as an
// absolute http(s) URL, or false for anything else: other schemes
// (javascript:, mailto:, tel:, data:...), unparsable references, relative
// references without a base and empty ones. Fragments are kept.
func (r resolver) web(raw string) (string, bool) {
	raw = trimURL(raw)
	if raw == "" {
		return "", false
	}
	if u, ok := r.simple(raw); ok {
		return u, true
	}
	if sc := scheme(raw); sc != "" && sc != "http" && sc != "https" {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if r.base != nil {
		u = r.base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

// simple resolves, by string joins, a same-page anchor or a relative path
// made of unreserved characters without dot segments, optionally with a
// plain fragment. It returns false for anything else.
func (r resolver) simple(raw string) (string, bool) {
	if raw[0] == '#' {
		if r.pageNoFrag != "" && len(raw) > 1 && plainFragment(raw[1:]) {
			return r.pageNoFrag + raw, true
		}
		return "", false
	}
	if r.dir == "" {
		return "", false
	}
	path, frag, hasFrag := strings.Cut(raw, "#")
	if path == "" || !plainPath(path) || hasFrag && (frag == "" || !plainFragment(frag)) {
		return "", false
	}
	if path[0] == '/' {
		if len(path) > 1 && path[1] == '/' {
			return "", false // network-path reference
		}
		return r.origin + raw, true
	}
	if strings.IndexByte(path, ':') >= 0 {
		return "", false
	}
	return r.dir + raw, true
}

// plainPath reports whether a path holds only unreserved characters and
// slashes, no empty segment after the first character, and no "." or ".."
// segment, so resolution leaves it as it is.
func plainPath(p string) bool {
	start := 0
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			c := p[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
				return false
			}
			continue
		}
		seg := p[start:i]
		if seg == "." || seg == ".." || seg == "" && i > 0 && i < len(p) {
			return false
		}
		start = i + 1
	}
	return true
}

// plainFragment reports whether a fragment needs no escaping, so that
// url.URL.String would write it unchanged.
func plainFragment(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// absURL resolves raw against base, keeping any scheme but javascript: and
// data:; "" when it is empty, unparsable or stays relative.
func absURL(base *url.URL, raw string) string {
	raw = trimURL(raw)
	if raw == "" {
		return ""
	}
	if sc := scheme(raw); sc == "javascript" || sc == "data" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !u.IsAbs() {
		return ""
	}
	return u.String()
}

// documentBase returns the URL relative references resolve against: the
// first <base href> resolved against the page URL, unless it is unusable.
func documentBase(page *url.URL, href string, ok bool) *url.URL {
	if !ok {
		return page
	}
	href = trimURL(href)
	if sc := scheme(href); sc == "javascript" || sc == "data" {
		return page
	}
	b, err := url.Parse(href)
	if err != nil {
		return page
	}
	if page != nil {
		b = page.ResolveReference(b)
	}
	if !b.IsAbs() {
		return page
	}
	return b
}

// largestCandidate returns the URL of the largest image candidate in a
// srcset attribute: the greatest width (w) descriptor, or when there is none
// the greatest density (x, 1 when absent). Ties keep the first.
func largestCandidate(srcset string) string {
	best, bestW, bestX := "", -1.0, -1.0
	forEachCandidate(srcset, func(u, desc string) {
		w, x := descriptorSize(desc)
		switch {
		case w > bestW:
			best, bestW, bestX = u, w, x
		case w < 0 && bestW < 0 && x > bestX:
			best, bestX = u, x
		}
	})
	return best
}

// descriptorSize parses a candidate's descriptors into its width (-1 when
// none) and density (1 when none).
func descriptorSize(desc string) (w, x float64) {
	w, x = -1, 1
	for _, d := range strings.Fields(desc) {
		if len(d) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(d[:len(d)-1], 64)
		if err != nil || v <= 0 {
			continue
		}
		switch d[len(d)-1] {
		case 'w', 'W':
			w = v
		case 'x', 'X':
			x = v
		}
	}
	return w, x
}

// forEachCandidate splits a srcset attribute as the HTML standard's parsing
// algorithm does: a URL is a run of non-space characters (trailing commas
// end it), followed by descriptors up to a comma outside parentheses.
func forEachCandidate(s string, fn func(u, desc string)) {
	for {
		s = strings.TrimLeft(s, " \t\n\r\f,")
		if s == "" {
			return
		}
		end := strings.IndexAny(s, " \t\n\r\f")
		if end < 0 {
			end = len(s)
		}
		u := s[:end]
		s = s[end:]
		if strings.HasSuffix(u, ",") {
			fn(strings.TrimRight(u, ","), "")
			continue
		}
		depth, i := 0, 0
		for ; i < len(s); i++ {
			if c := s[i]; c == '(' {
				depth++
			} else if c == ')' && depth > 0 {
				depth--
			} else if c == ',' && depth == 0 {
				break
			}
		}
		fn(u, s[:i])
		s = s[i:]
	}
}
