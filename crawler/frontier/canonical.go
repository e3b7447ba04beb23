package frontier

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// MaxURLLength is the longest URL, in bytes, that Canonical accepts (before
// and after canonicalisation).
const MaxURLLength = 2048

// ErrBadURL is wrapped by every error Canonical returns.
var ErrBadURL = errors.New("unsupported url")

// Canonical returns the canonical form of an absolute http(s) URL, the key on
// which a crawl dedupes. It lowercases the scheme and host, converts an
// internationalised host to ASCII (IDNA), drops the default port and the
// fragment, resolves dot segments, normalises percent-encoding, turns an
// empty path into "/", and sorts the query parameters by name (keeping the
// order of repeated names). It rejects other schemes, user info, relative
// URLs and URLs longer than MaxURLLength, with an error wrapping ErrBadURL.
func Canonical(raw string) (string, error) {
	if len(raw) > MaxURLLength {
		return "", fmt.Errorf("%w: %d bytes exceeds %d", ErrBadURL, len(raw), MaxURLLength)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadURL, err)
	}
	if err := checkShape(u); err != nil {
		return "", err
	}
	host, err := canonicalHost(u)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(host)
	b.WriteString(removeDotSegments(normEscapes(u.EscapedPath())))
	if q := sortQuery(normEscapes(u.RawQuery)); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	if b.Len() > MaxURLLength {
		return "", fmt.Errorf("%w: canonical form exceeds %d bytes", ErrBadURL, MaxURLLength)
	}
	return b.String(), nil
}

// checkShape rejects what is not an absolute, hierarchical http(s) URL.
func checkShape(u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		if u.Scheme == "" {
			return fmt.Errorf("%w: not an absolute url", ErrBadURL)
		}
		return fmt.Errorf("%w: scheme %q", ErrBadURL, u.Scheme)
	case u.Opaque != "":
		return fmt.Errorf("%w: opaque url", ErrBadURL)
	case u.User != nil:
		return fmt.Errorf("%w: user info in url", ErrBadURL)
	case u.Host == "":
		return fmt.Errorf("%w: empty host", ErrBadURL)
	}
	return nil
}

// canonicalHost returns host[:port] in canonical form: lowercase ASCII,
// IPv6 in brackets, default port dropped.
func canonicalHost(u *url.URL) (string, error) {
	name, err := canonicalHostname(u.Hostname())
	if err != nil {
		return "", err
	}
	port := u.Port()
	if port == "" { // no port, or "host:" (the default port)
		return name, nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%w: port %q", ErrBadURL, port)
	}
	if (u.Scheme == "http" && n == 80) || (u.Scheme == "https" && n == 443) {
		return name, nil
	}
	return name + ":" + strconv.Itoa(n), nil
}

// canonicalHostname lowercases a host name, converts it to ASCII with IDNA
// when it is not ASCII, and validates it. IPv6 literals come back in brackets.
func canonicalHostname(h string) (string, error) {
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", fmt.Errorf("%w: bad ipv6 host %q", ErrBadURL, h)
		}
		return "[" + a.String() + "]", nil
	}
	h = strings.TrimSuffix(h, ".")
	if !isASCII(h) {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", fmt.Errorf("%w: host %q: %w", ErrBadURL, h, err)
		}
		h = a
	}
	h = strings.ToLower(h)
	if err := checkHostname(h); err != nil {
		return "", err
	}
	return h, nil
}

// checkHostname accepts DNS-shaped names (letters, digits, '-', '_', dots;
// no empty label, labels ≤ 63 bytes, ≤ 253 bytes in all) and IPv4 literals.
func checkHostname(h string) error {
	if h == "" || len(h) > 253 {
		return fmt.Errorf("%w: host length %d", ErrBadURL, len(h))
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("%w: bad host label in %q", ErrBadURL, h)
		}
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return fmt.Errorf("%w: invalid character %q in host", ErrBadURL, c)
		}
	}
	return nil
}

// normEscapes normalises the percent-encoding of an escaped path or query:
// escapes of unreserved characters are decoded, other escapes get uppercase
// hex digits, and bytes that must be escaped (controls, space, non-ASCII,
// a '%' that starts no escape, ...) are escaped.
func normEscapes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(v) {
				b.WriteByte(v)
			} else {
				writeEscape(&b, v)
			}
			i += 2
			continue
		}
		if mustEscape(c) {
			writeEscape(&b, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// removeDotSegments resolves "." and ".." segments (RFC 3986 section 5.2.4)
// of an absolute path and returns "/" for an empty one.
func removeDotSegments(p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs[1:] {
		last := i == len(segs)-2
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

// sortQuery sorts the '&'-separated parameters of a raw query by name,
// keeping the relative order of parameters with the same name, and drops
// empty parameters.
func sortQuery(q string) string {
	if q == "" {
		return ""
	}
	params := strings.Split(q, "&")
	params = slices.DeleteFunc(params, func(p string) bool { return p == "" })
	slices.SortStableFunc(params, func(a, b string) int {
		return strings.Compare(paramName(a), paramName(b))
	})
	return strings.Join(params, "&")
}

func paramName(p string) string {
	name, _, _ := strings.Cut(p, "=")
	return name
}

func writeEscape(b *strings.Builder, c byte) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&15])
}

func mustEscape(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return true
	}
	return strings.IndexByte("\"%<>\\^`{|}#", c) >= 0
}

func isUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

func isAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
