package textmatch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/textfp"
)

// matchCase is one found text matched against works.
type matchCase struct {
	name  string
	works works
	found string
	want  []string // expected work IDs, best first; none for no result
	// Checks on the first result.
	minWorkCov, minFoundCov float64
	passages                [2]int // allowed range of the passage count
	excerpt                 string // the single passage must be this text, modulo a token at either end
}

func matchCases(t *testing.T) []matchCase {
	t.Helper()
	holmes := readData(t, "texts/pg1661.txt")
	tom := readData(t, "texts/Mark.Twain-Tom.Sawyer.txt")
	kjv := readData(t, "texts/kjv.txt")
	neko, dao := readTestdata(t, "neko.txt"), readTestdata(t, "daodejing.txt")
	story := chunks(holmes, 2000)[3]
	page := wordsOf(tom, 1000, 5000)
	ex := wordsOf(story, 500, 300)
	psalms := kjv[strings.Index(kjv, "\nPsalms 23\n"):]
	psalms = psalms[:strings.Index(psalms, "\nPsalms 30\n")]
	kjvEx := wordsOf(psalms, 40, 120)
	fortune := fortunes(t, "wisdom")[42]
	nekoEx := "この書生というのは時々我々を捕えて煮て食うという話である。"
	paras := chunks(story, 400)
	crlf := holmes[:30000] // starts with a BOM, CRLF line ends
	lf := strings.ReplaceAll(strings.TrimPrefix(crlf, "\ufeff"), "\r\n", "\n")
	lfEx := lf[:strings.LastIndexByte(lf[:8000], ' ')]
	return []matchCase{
		{name: "exact copy", works: works{"story": story}, found: story,
			want: []string{"story"}, minWorkCov: 1, minFoundCov: 1, passages: [2]int{1, 1}},
		{name: "excerpt inside a long page", works: works{"story": story, "other": chunks(holmes, 2000)[9]},
			found: insertAt(page, ex, 0.4), want: []string{"story"}, minWorkCov: 0.14, minFoundCov: 0.05,
			passages: [2]int{1, 1}, excerpt: ex},
		{name: "bible excerpt across verse numbers", works: works{"psalms": psalms},
			found: insertAt(page, kjvEx, 0.7), want: []string{"psalms"}, passages: [2]int{1, 1}, excerpt: kjvEx},
		{name: "edited copy", works: works{"story": story}, found: editEvery(story, 50),
			want: []string{"story"}, minWorkCov: 0.95, minFoundCov: 0.95, passages: [2]int{1, 3}},
		{name: "reordered paragraphs", works: works{"story": story}, found: strings.Join(reversed(paras), "\n\n"),
			want: []string{"story"}, minWorkCov: 0.98, minFoundCov: 0.98, passages: [2]int{len(paras), len(paras) + 2}},
		{name: "unrelated texts", works: works{"story": story, "psalms": psalms}, found: page},
		{name: "short common phrase", works: works{"story": story},
			found: insertAt(page, wordsOf(story, 700, 9), 0.5)},
		{name: "crlf and bom work, lf found", works: works{"crlf": crlf}, found: insertAt(page, lfEx, 0.5),
			want: []string{"crlf"}, minWorkCov: 0.25, passages: [2]int{1, 1}, excerpt: lfEx},
		{name: "lf work, crlf and bom found", works: works{"lf": lf}, found: crlf,
			want: []string{"lf"}, minWorkCov: 1, minFoundCov: 1, passages: [2]int{1, 1}},
		{name: "invalid utf-8 in the found text", works: works{"story": story}, found: mangle(story),
			want: []string{"story"}, minWorkCov: 0.99, minFoundCov: 0.99, passages: [2]int{1, 1}},
		{name: "cjk excerpt", works: works{"neko": neko, "dao": dao}, found: insertAt(page, nekoEx, 0.5),
			want: []string{"neko"}, passages: [2]int{1, 1}, excerpt: nekoEx},
		{name: "two works, longer excerpt first", works: works{"story": story, "psalms": psalms},
			found: insertAt(insertAt(page, kjvEx, 0.2), ex, 0.8), want: []string{"story", "psalms"}, passages: [2]int{1, 1}, excerpt: ex},
		{name: "short work inside a page", works: works{"fortune": fortune, "story": story},
			found: insertAt(page, fortune, 0.3), want: []string{"fortune"}, minWorkCov: 1, passages: [2]int{1, 1}, excerpt: fortune},
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range matchCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, DefaultOptions(), tc.works)
			rs, err := e.Match(context.Background(), tc.found, tc.works.text)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, r.WorkID)
				checkResult(t, r, tc.works[r.WorkID], tc.found)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("works %q, want %q", got, tc.want)
			}
			if len(rs) == 0 {
				return
			}
			r := rs[0]
			if r.WorkCoverage < tc.minWorkCov || r.FoundCoverage < tc.minFoundCov {
				t.Errorf("coverage work %.4f found %.4f, want at least %.4f and %.4f", r.WorkCoverage, r.FoundCoverage, tc.minWorkCov, tc.minFoundCov)
			}
			if n := len(r.Passages); n < tc.passages[0] || n > tc.passages[1] {
				t.Errorf("%d passages, want %d to %d", n, tc.passages[0], tc.passages[1])
			}
			if tc.excerpt != "" {
				checkExcerpt(t, r.Passages[0].Text, tc.excerpt)
			}
		})
	}
}

// checkResult fails unless r is well formed for work and found: scores in
// range, passages in found order with offsets inside both texts on rune
// boundaries, Text equal to the found slice, and the passage's first and
// last tokens equal in both texts.
func checkResult(tb testing.TB, r Result, work, found string) {
	tb.Helper()
	for _, v := range []float64{r.Score, r.WorkCoverage, r.FoundCoverage} {
		if v < 0 || v > 1 {
			tb.Fatalf("%s: score or coverage %v outside [0,1]", r.WorkID, v)
		}
	}
	prev := -1
	for i, p := range r.Passages {
		if p.FoundStart < prev {
			tb.Errorf("%s: passage %d not in found order", r.WorkID, i)
		}
		prev = p.FoundStart
		checkSpan(tb, work, p.WorkStart, p.WorkEnd)
		checkSpan(tb, found, p.FoundStart, p.FoundEnd)
		if p.Text != found[p.FoundStart:p.FoundEnd] {
			tb.Fatalf("%s: passage %d text is not found[%d:%d]", r.WorkID, i, p.FoundStart, p.FoundEnd)
		}
		wt, ft := textfp.Tokenize(work[p.WorkStart:p.WorkEnd]), textfp.Tokenize(p.Text)
		if wt[0].Hash != ft[0].Hash || wt[len(wt)-1].Hash != ft[len(ft)-1].Hash {
			tb.Errorf("%s: passage %d ends differ: %q vs %q", r.WorkID, i, short(work[p.WorkStart:p.WorkEnd]), short(p.Text))
		}
	}
}

// checkSpan fails unless [start,end) is a non-empty span of text on rune
// boundaries (an invalid byte counts as a rune).
func checkSpan(tb testing.TB, text string, start, end int) {
	tb.Helper()
	if start < 0 || end > len(text) || start >= end {
		tb.Fatalf("span [%d,%d) outside text of %d bytes", start, end, len(text))
	}
	okStart, okEnd := false, end == len(text)
	for i := range text {
		okStart = okStart || i == start
		okEnd = okEnd || i == end
	}
	if !okStart || !okEnd {
		tb.Fatalf("span [%d,%d) splits a rune", start, end)
	}
}

// checkExcerpt fails unless passage is excerpt, give or take one token at
// either end (the neighbouring text may continue the match by chance).
func checkExcerpt(tb testing.TB, passage, excerpt string) {
	tb.Helper()
	p, x := textfp.Tokenize(passage), textfp.Tokenize(excerpt)
	hashes := func(ts []textfp.Token) []uint64 {
		out := make([]uint64, len(ts))
		for i, t := range ts {
			out[i] = t.Hash
		}
		return out
	}
	ph, xh := hashes(p), hashes(x)
	for drop := range 3 {
		for left := 0; left <= drop; left++ {
			if len(ph) > drop && slices.Equal(ph[left:len(ph)-(drop-left)], xh) {
				return
			}
		}
	}
	tb.Errorf("passage %q\nis not the excerpt %q", short(passage), short(excerpt))
}

// short abbreviates long texts in failure messages.
func short(s string) string {
	if len(s) <= 160 {
		return s
	}
	return s[:80] + " … " + s[len(s)-80:]
}

// insertAt inserts piece into text at the first line end after the given
// fraction of its length.
func insertAt(text, piece string, frac float64) string {
	at := int(float64(len(text)) * frac)
	if i := strings.IndexByte(text[at:], ' '); i >= 0 {
		at += i
	}
	return text[:at] + "\n\n" + piece + "\n\n" + text[at:]
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// editEvery replaces one word in every n with a word of its own.
func editEvery(text string, n int) string {
	f := strings.Fields(text)
	for i := n / 2; i < len(f); i += n {
		f[i] = fmt.Sprintf("edit%d", i)
	}
	return strings.Join(f, " ")
}

// mangle puts invalid UTF-8 between words: every 7th space becomes 0xff and
// every 11th gets a stray continuation byte.
func mangle(text string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == ' ' {
			n++
			switch {
			case n%7 == 0:
				b.WriteByte(0xff)
				continue
			case n%11 == 0:
				b.WriteString(" \x80")
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
