package textmatch

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/attrib/attrib/matcher/textfp"
)

// variant is a way of writing the same text differently.
type variant struct {
	name string
	fn   func(string) string
}

var variants = []variant{
	{"rewrapped with hyphenation", hyphenate},
	{"curly quotes", func(s string) string {
		return strings.NewReplacer(`'`, "’", `"`, "“").Replace(s)
	}},
	{"straight quotes", func(s string) string {
		return strings.NewReplacer("’", `'`, "‘", `'`, "“", `"`, "”", `"`).Replace(s)
	}},
	{"upper case", strings.ToUpper},
	{"soft hyphens", func(s string) string { return everyLongWord(s, "\u00ad") }},
	{"zero width spaces", func(s string) string { return everyLongWord(s, "\u200b") }},
	{"no-break spaces and crlf", func(s string) string {
		return strings.NewReplacer(" ", "\u00a0", "\n", "\r\n").Replace(s)
	}},
	{"nfd", norm.NFD.String},
	{"fullwidth", func(s string) string {
		return strings.Map(func(r rune) rune {
			if r > ' ' && r < 0x7f && unicode.IsLetter(r) {
				return r + 0xfee0
			}
			return r
		}, s)
	}},
}

// hyphenate rewraps s at 40 columns, splitting a word of 8 letters or more
// that crosses the margin with a hyphen and a line break.
func hyphenate(s string) string {
	var b strings.Builder
	col := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if col+1+len(w) > 40 && len(w) >= 8 && isLetters(w[:4]) && isLowerLetters(w[4:]) {
				b.WriteString(" " + w[:4] + "-\n" + w[4:])
				col = len(w) - 4
				continue
			}
			if col+1+len(w) > 40 {
				b.WriteByte('\n')
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

func isLetters(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0
}

func isLowerLetters(s string) bool {
	return isLetters(s) && strings.IndexFunc(s, unicode.IsUpper) < 0
}

// everyLongWord inserts sep in the middle of every word of 8 letters.
func everyLongWord(s, sep string) string {
	f := strings.Fields(s)
	for i, w := range f {
		if len(w) >= 8 && isLetters(w) {
			f[i] = w[:4] + sep + w[4:]
		}
	}
	return strings.Join(f, " ")
}

// TestAccuracyTolerance finds one excerpt written in each variant inside an
// unrelated page, as one passage covering all of it, with exact offsets.
func TestAccuracyTolerance(t *testing.T) {
	c := accuracyCorpus(t, 10)
	// The excerpt has straight and curly quotes and accents, so that every
	// variant changes it.
	words := strings.Fields(c.works["holmes/004"])
	for i := 1000; i < 1060; i++ {
		words[i] = variants[1].fn(words[i])
	}
	words[1010], words[1050], words[1090] = "café", "naïve", "Zoë’s"
	work := strings.Join(words, " ")
	c.works["holmes/004"] = work
	e := newEngine(t, DefaultOptions(), c.works)
	excerpt := strings.Join(words[1000:1120], " ")
	host := c.hosts[7]
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			piece := v.fn(excerpt)
			if piece == excerpt {
				t.Fatalf("variant changed nothing")
			}
			at := strings.LastIndexByte(host[:len(host)/2], ' ')
			found := host[:at] + "\n" + piece + "\n" + host[at:]
			rs, err := e.Match(context.Background(), found, c.works.text)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 || rs[0].WorkID != "holmes/004" || len(rs[0].Passages) != 1 {
				t.Fatalf("results %+v, want one passage of holmes/004", rs)
			}
			p := rs[0].Passages[0]
			if bad := badSpans(rs[0], work, found); bad > 0 {
				t.Fatalf("passage %+v has bad offsets", p)
			}
			ft := textfp.Tokenize(found)
			start, end := at+1, at+1+len(piece)
			es := absInt(tokenAt(ft, p.FoundStart) - tokenAt(ft, start))
			ee := absInt(tokenAt(ft, p.FoundEnd) - tokenAt(ft, end))
			if es > 0 || ee > 0 {
				t.Errorf("passage off by %d tokens at the start and %d at the end: %q", es, ee, clip(p.Text))
			}
			if want := len(textfp.Tokenize(excerpt)); rs[0].AlignedTokens != want {
				t.Errorf("%d tokens aligned, want %d", rs[0].AlignedTokens, want)
			}
		})
	}
}
