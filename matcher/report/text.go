package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes user-controlled text safe to print on one line: invalid UTF-8
// and control or bidirectional-override characters become U+FFFD, and every
// run of whitespace (newlines included) becomes one space.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), isBidiControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func isBidiControl(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// truncate shortens s to at most n runes plus an ellipsis when cut, cutting
// at a space among the last 20 runes when there is one.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := []rune(s)[:max(n, 0)]
	for i := len(cut) - 1; i >= 0 && i >= len(cut)-20; i-- {
		if cut[i] == ' ' {
			cut = cut[:i]
			break
		}
	}
	return strings.TrimRight(string(cut), " ") + "…"
}

// mdEscape renders user-controlled text as inert inline Markdown: cleaned to
// one line, with every character that could start emphasis, code, a link,
// raw HTML, an entity or a table cell boundary backslash-escaped, and a line
// start that could open a heading, list or rule escaped too. The result is
// safe inside a GFM table cell, a list item and a blockquote.
func mdEscape(s string) string {
	s = clean(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&#$", r) || (i == 0 && strings.ContainsRune("-+=", r)) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return escapeOrderedListStart(b.String())
}

// escapeOrderedListStart escapes the delimiter of a leading "12. " or "12)"
// followed by a space or the end, which would otherwise start an ordered list.
func escapeOrderedListStart(s string) string {
	digits := 0
	for digits < len(s) && digits < 10 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits >= len(s) || (s[digits] != '.' && s[digits] != ')') {
		return s
	}
	if rest := s[digits+1:]; rest != "" && rest[0] != ' ' {
		return s
	}
	return s[:digits] + `\` + s[digits:]
}

// maxLinkLen bounds the URLs rendered as links; longer ones are shown as
// truncated text.
const maxLinkLen = 2048

// mdURL renders a URL: an http(s) URL made only of printable ASCII that
// cannot end an autolink or a table cell becomes an autolink; anything else
// is shown as escaped text, never as a link.
func mdURL(s string) string {
	if isLinkable(s) {
		return "<" + s + ">"
	}
	return mdEscape(short(s, maxLinkLen))
}

func isLinkable(s string) bool {
	lower := strings.ToLower(s)
	if len(s) > maxLinkLen || !(strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("<>|`\\\"", c) >= 0 {
			return false
		}
	}
	return true
}

// mdCode renders s as a code span (for identifiers, outside tables), with a
// backtick fence longer than any backtick run inside s.
func mdCode(s string) string {
	s = clean(s)
	if s == "" {
		return "(none)"
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// humanBytes formats n bytes with binary units ("512 B", "1.5 MiB").
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// plural returns "1 match" or "3 matches" style counts.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// percent formats a ratio in [0,1] as a percentage with one decimal.
func percent(v float64) string {
	return fmt.Sprintf("%.1f%%", v*100)
}

// statsLine summarises scan stats on one line.
func statsLine(s Stats) string {
	return fmt.Sprintf("%s, %s, %s, %s, %s, %d skipped",
		plural(s.Pages, "page", "pages"), plural(s.Images, "image", "images"),
		plural(s.Records, "record", "records"), humanBytes(s.Bytes),
		plural(s.Errors, "error", "errors"), s.Skipped)
}

// short is clean then truncate to n runes.
func short(s string, n int) string { return truncate(clean(s), n) }
