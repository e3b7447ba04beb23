package optout

import (
	"net/url"
	"strings"
)

// pattern is a robots.txt path pattern (RFC 9309 section 2.2.3): '*'
// matches any sequence of characters, a final '$' anchors the end, and
// otherwise the pattern matches a prefix of the path.
type pattern struct {
	raw  string // as written, for signal values
	norm string // percent-encoding normalised (normalizePath)
	ext  string // ai.txt file type ("jpg" of "*.jpg"), lower case; "" otherwise
}

// newPattern returns the pattern of raw. Patterns that do not start with
// '/' or '*' get a leading '*' when anyWhere is set (ai.txt, where rules
// name file types and paths loosely), else a leading '/'.
func newPattern(raw string, anyWhere bool) pattern {
	p := pattern{raw: raw}
	if anyWhere {
		if ext, ok := strings.CutPrefix(raw, "*."); ok && ext != "" && !strings.ContainsAny(ext, "/*$?") {
			p.ext = strings.ToLower(ext)
		}
	}
	if !strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "*") {
		if anyWhere {
			raw = "*" + raw
		} else {
			raw = "/" + raw
		}
	}
	p.norm = normalizePath(raw)
	return p
}

// length is the pattern's specificity: the longest match wins (RFC 9309
// section 2.2.2 counts octets).
func (p pattern) length() int {
	if p.ext != "" {
		return len(p.raw)
	}
	return len(p.norm)
}

// matches reports whether the pattern matches path, a normalised
// path[?query] (requestPath).
func (p pattern) matches(path string) bool {
	if p.ext != "" {
		file, _, _ := strings.Cut(path, "?")
		return strings.HasSuffix(strings.ToLower(file), "."+p.ext)
	}
	return globMatch(p.norm, path)
}

// globMatch matches a robots.txt pattern against a path. Segments between
// '*'s are found leftmost, which is exact for '*'-only globs and linear in
// the path per segment, so hostile patterns cannot make it slow.
func globMatch(pat, path string) bool {
	anchored := strings.HasSuffix(pat, "$")
	if anchored {
		pat = pat[:len(pat)-1]
	}
	segs := strings.Split(pat, "*")
	if !strings.HasPrefix(path, segs[0]) {
		return false
	}
	if len(segs) == 1 {
		return !anchored || len(path) == len(segs[0])
	}
	pos := len(segs[0])
	last := len(segs) - 1
	for _, seg := range segs[1:last] {
		i := strings.Index(path[pos:], seg)
		if i < 0 {
			return false
		}
		pos += i + len(seg)
	}
	if anchored {
		return len(path)-pos >= len(segs[last]) && strings.HasSuffix(path, segs[last])
	}
	return strings.Contains(path[pos:], segs[last])
}

// requestPath returns the normalised path and query of u that patterns
// are matched against ("/" for an empty path).
func requestPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return normalizePath(p)
}

// normalizePath puts a path or pattern in the form RFC 9309 section 2.2.2
// compares: bytes outside printable US-ASCII are percent-encoded, escapes
// of unreserved characters are decoded, and other escapes are upper-cased.
func normalizePath(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if unreserved(v) {
				b.WriteByte(v)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex[v>>4])
				b.WriteByte(upperHex[v&15])
			}
			i += 2
		case c <= 0x20 || c >= 0x7f:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

func isHex(c byte) bool { return digit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case digit(c):
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func unreserved(c byte) bool {
	return alpha(c) || digit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}
