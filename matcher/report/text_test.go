package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestMdEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Notes on the Engine", "Notes on the Engine"},
		{"pipe", "a|b", `a\|b`},
		{"newlines collapse", "one\n\n two\r\nthree\tfour", "one two three four"},
		{"html", "<script>x</script>", `\<script\>x\</script\>`},
		{"link", "[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"image", "![x](http://t/)", `!\[x\](http://t/)`},
		{"emphasis and code", "*a* _b_ `c` ~d~", "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~"},
		{"entity", "&amp;", `\&amp;`},
		{"backslash", `a\|b`, `a\\\|b`},
		{"heading", "# Title", `\# Title`},
		{"list dash", "- item", `\- item`},
		{"list plus", "+ item", `\+ item`},
		{"setext", "===", `\===`},
		{"ordered list", "12. item", `12\. item`},
		{"ordered paren", "3) item", `3\) item`},
		{"ordered alone", "7.", `7\.`},
		{"file name is no list", "000042.jpg", "000042.jpg"},
		{"decimal is no list", "3.14 pi", "3.14 pi"},
		{"version number mid-text", "v1.2 - ok", "v1.2 - ok"},
		{"number alone", "2025", "2025"},
		{"quote", "> q", `\> q`},
		{"leading spaces (indented code)", "     code", "code"},
		{"terminal escape", "\x1b[31mred", "\uFFFD\\[31mred"},
		{"bidi override", "abc\u202edef", "abc\uFFFDdef"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"math", "$x$", `\$x\$`},
		{"unicode kept", "Ada — café", "Ada — café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdEscape(tt.in); got != tt.want {
				t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMdURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"http://example.com/a?b=1&c=2#f", "<http://example.com/a?b=1&c=2#f>"},
		{"HTTPS://Example.com/", "<HTTPS://Example.com/>"},
		{"http://e.com/a|b", `http://e.com/a\|b`},
		{"http://e.com/<x>", `http://e.com/\<x\>`},
		{"http://e.com/a b", "http://e.com/a b"},
		{"javascript:alert(1)", "javascript:alert(1)"},
		{"data:text/html,<b>", `data:text/html,\<b\>`},
		{"http://e.com/caf\u00e9", "http://e.com/caf\u00e9"},
		{"http://e.com/a`b", "http://e.com/a\\`b"},
		{"http://e.com/" + strings.Repeat("a", maxLinkLen), "http://e.com/" + strings.Repeat("a", maxLinkLen-13) + "…"},
	}
	for _, tt := range tests {
		if got := mdURL(tt.in); got != tt.want {
			t.Errorf("mdURL(%.40q) = %.60q, want %.60q", tt.in, got, tt.want)
		}
	}
}

func TestMdCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"scan-1", "`scan-1`"}, {"a`b", "`` a`b ``"}, {"``x", "``` ``x ```"}, {"", "(none)"}, {"a\nb", "`a b`"},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijkl", 5, "abcde…"},
		{"hello wonderful world", 12, "hello…"},
		{"ééééé", 3, "ééé…"},
		{"x", 0, "…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536000, "1.5 MiB"}, {5 << 30, "5.0 GiB"}, {1 << 62, "4.0 EiB"},
	}
	for _, tt := range tests {
		if got := humanBytes(tt.in); got != tt.want {
			t.Errorf("humanBytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMarkdownStructureSurvivesHostileText checks the rendered fixture: each
// table row has exactly the table's cell boundaries, and every unescaped "<"
// opens an http(s) autolink, so no raw HTML gets through.
func TestMarkdownStructureSurvivesHostileText(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, fixtureReport(t), FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	// The summary table has 9 columns, the shares table 6.
	rows, want := map[int]int{}, 0
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "| # |"):
			want = 10
		case strings.HasPrefix(line, "| Document |"):
			want = 7
		}
		if strings.HasPrefix(line, "|") {
			rows[want]++
			if got := unescapedCount(line, '|'); got != want {
				t.Errorf("table row has %d cell boundaries, want %d: %s", got, want, line)
			}
		}
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# Attribution report") &&
			!strings.HasPrefix(line, "## ") && !strings.HasPrefix(line, "### ") {
			t.Errorf("unexpected heading: %s", line)
		}
	}
	if rows[10] != 2+5 || rows[7] != 2+4 {
		t.Errorf("tables have %v rows, want header, rule and 5 matches; header, rule and 4 document shares", rows)
	}
	for i := 0; i < len(md); i++ {
		if md[i] == '<' && (i == 0 || md[i-1] != '\\') && !strings.HasPrefix(md[i:], "<http") {
			t.Errorf("unescaped %q", md[i:min(i+20, len(md))])
		}
	}
	if strings.ContainsAny(md, "\x1b\u202e") {
		t.Error("control characters reached the Markdown")
	}
}

func unescapedCount(s string, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case c:
			n++
		}
	}
	return n
}

func TestMarkdownCapsPassages(t *testing.T) {
	r := fixtureReport(t)
	m := &r.Matches[0]
	m.Evidence.Passages = nil
	for i := range mdMaxPassages + 3 {
		m.Evidence.Passages = append(m.Evidence.Passages, Passage{WorkStart: i, WorkEnd: i + 1, Text: "p"})
	}
	var b bytes.Buffer
	if err := Render(&b, r, FormatMarkdown); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if !strings.Contains(md, "Passage 20 (") || strings.Contains(md, "Passage 21 (") {
		t.Error("want exactly 20 passages quoted")
	}
	if !strings.Contains(md, "… and 3 more passages (see the JSON report).") {
		t.Error("missing the count of passages left out")
	}
}

func TestSummaryIsOneLinePerMatch(t *testing.T) {
	r := fixtureReport(t)
	tests := []struct {
		limit     int
		wantLines int
		wantTail  string
	}{
		{DefaultSummaryLines, 1 + 5, "of found)"},
		{5, 1 + 5, "of found)"},
		{4, 1 + 4 + 1, "… and 1 more"},
		{0, 1 + 1, "… and 5 more"},
		{-1, 1 + 1, "… and 5 more"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := SummaryN(&b, r, tt.limit); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != tt.wantLines || !strings.HasSuffix(lines[len(lines)-1], tt.wantTail) {
			t.Errorf("limit %d: %d lines ending %q, want %d ending %q",
				tt.limit, len(lines), lines[len(lines)-1], tt.wantLines, tt.wantTail)
		}
	}
}
