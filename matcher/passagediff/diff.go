package passagediff

import (
	"strings"
	"unicode"
)

// Kind says whether a span is common to both passages or only in one.
type Kind int

// Span kinds.
const (
	Equal  Kind = iota // in both passages
	Delete             // only in the registered (left) passage
	Insert             // only in the found (right) passage
)

// Span is a run of text of one kind, with the spaces that follow its words,
// so that concatenating a side's spans gives back that side's text.
type Span struct {
	Kind Kind
	Text string
}

// MaxEdits bounds the work of one comparison: passages that differ in more
// words than this (after their common start and end) are shown as replaced
// wholesale, which keeps a hostile page from costing quadratic time.
const MaxEdits = 400

// Diff compares a (the registered passage) with b (the found one) by words.
// Words compare exactly (case and punctuation count: they are what a reader
// sees); runs of white space do not count, so a copy that rewrapped lines is
// equal. left holds a's text as Equal and Delete spans, right holds b's as
// Equal and Insert spans.
func Diff(a, b string) (left, right []Span) {
	wa, wb := words(a), words(b)
	ops := editScript(keys(wa), keys(wb))
	var l, r spanBuilder
	i, j := 0, 0
	for _, op := range ops {
		switch op {
		case Equal:
			l.add(Equal, wa[i].text)
			r.add(Equal, wb[j].text)
			i, j = i+1, j+1
		case Delete:
			l.add(Delete, wa[i].text)
			i++
		case Insert:
			r.add(Insert, wb[j].text)
			j++
		}
	}
	return l.spans, r.spans
}

// word is one word with its trailing white space (text) and the part that
// is compared (key).
type word struct{ key, text string }

// words splits s into words; leading white space is kept on the first one.
func words(s string) []word {
	var out []word
	start := 0
	for start < len(s) {
		end := start
		// Leading space (only at the very start) joins the first word.
		end += spaceLen(s[end:])
		keyStart := end
		for end < len(s) && !isSpaceAt(s, end) {
			end += runeLen(s[end:])
		}
		keyEnd := end
		end += spaceLen(s[end:])
		out = append(out, word{key: s[keyStart:keyEnd], text: s[start:end]})
		start = end
	}
	return out
}

func keys(ws []word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.key
	}
	return out
}

func spaceLen(s string) int {
	n := 0
	for n < len(s) && isSpaceAt(s, n) {
		n += runeLen(s[n:])
	}
	return n
}

func isSpaceAt(s string, i int) bool {
	for _, r := range s[i:] {
		return unicode.IsSpace(r)
	}
	return false
}

func runeLen(s string) int {
	for i := range s {
		if i > 0 {
			return i
		}
	}
	return len(s)
}

// spanBuilder appends text to spans, merging runs of one kind.
type spanBuilder struct{ spans []Span }

func (b *spanBuilder) add(k Kind, text string) {
	if n := len(b.spans); n > 0 && b.spans[n-1].Kind == k {
		b.spans[n-1].Text += text
		return
	}
	b.spans = append(b.spans, Span{Kind: k, Text: text})
}

// String renders spans with [-deleted-] and {+inserted+} marks, as
// git's word diff does; tests read it.
func String(spans []Span) string {
	var sb strings.Builder
	for _, s := range spans {
		switch s.Kind {
		case Delete:
			sb.WriteString("[-" + s.Text + "-]")
		case Insert:
			sb.WriteString("{+" + s.Text + "+}")
		default:
			sb.WriteString(s.Text)
		}
	}
	return sb.String()
}
