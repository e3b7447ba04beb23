package textmatch

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/attrib/attrib/matcher/textfp"
)

// The accuracy harness: go test ./matcher/textmatch -run Accuracy -accuracy -v
// (1,470 cases, under a second; TestAccuracySmall runs 36 of the same kind
// always). The registry (accuracyCorpus) holds 431 works: Sherlock Holmes
// and the first third of the KJV in works of about 3,000 words, 300
// fortunes, and Japanese, Chinese and Thai texts. The cases, per category:
// excerpts of 20-2,000 words of a registered work with 0-20% of their words
// substituted, deleted or followed by an inserted word, inside unregistered
// Tom Sawyer text; whole works edited 2-10%; CJK and Thai excerpts inside
// English text; and negatives: Tom Sawyer alone, the unregistered end of
// the KJV (stock phrases shared with the registered part) and Tom Sawyer
// holding three 5-12 word snippets of registered works. A result for
// another work counts as false unless most of its passage's 3-word
// shingles are in the case's source work ("shared": registered works
// holding the same text); the KJV repeats whole verses with small changes,
// so some counted false are real parallel passages (logged with -v).
var (
	accuracy      = flag.Bool("accuracy", false, "run the full accuracy harness (logs figures per category)")
	accMinScore   = flag.Float64("accuracy.minscore", 0.6, "MinScore for the harness (matcher.DefaultOptions uses 0.6)")
	accMinPassage = flag.Int("accuracy.minpassage", 16, "MinPassageTokens for the harness (matcher.DefaultOptions uses 16)")
	accMaxGap     = flag.Int("accuracy.maxgap", -1, "MaxGapTokens for the harness (-1: DefaultOptions)")
	accPerCell    = flag.Int("accuracy.n", 30, "cases per excerpt length and edit rate")
	accShowFP     = flag.Int("accuracy.show", 10, "false positives and misses to log")
)

// accOptions returns the engine options the harness evaluates.
func accOptions() Options {
	o := DefaultOptions()
	o.MinScore = *accMinScore
	if *accMinPassage > 0 {
		o.MinPassageTokens = *accMinPassage
	}
	if *accMaxGap >= 0 {
		o.MaxGapTokens = *accMaxGap
	}
	return o
}

// accStats are the figures of one category.
type accStats struct {
	cases    int
	found    int // positive cases whose work was reported over its span
	fp       int // results for another work, or for the work elsewhere
	fpCases  int // cases with a false positive
	shared   int // results for another work holding the same text
	within3  int // found cases with both boundaries within 3 tokens
	errSum   int // boundary error, tokens, summed over both ends
	errMax   int
	passages int // passages of the true work over found cases
	badSpans int // passages with offsets not on the texts' rune boundaries
}

// accRun matches every case and returns the figures per category, in the
// order categories first appear.
func accRun(tb testing.TB, e *Engine, c *accCorpus, cases []accCase) ([]string, map[string]*accStats) {
	tb.Helper()
	var cats []string
	stats := map[string]*accStats{}
	shown, missed := 0, 0
	for _, k := range cases {
		st := stats[k.cat]
		if st == nil {
			st = &accStats{}
			stats[k.cat] = st
			cats = append(cats, k.cat)
		}
		st.cases++
		rs, err := e.Match(context.Background(), k.found, c.works.text)
		if err != nil {
			tb.Fatal(err)
		}
		ft := textfp.Tokenize(k.found)
		fp := 0
		for _, r := range rs {
			st.badSpans += badSpans(r, c.works[r.WorkID], k.found)
			lo, hi, n := span(r, k)
			if r.WorkID != k.work && k.work != "" && sharedText(c.works[k.work], c.works[r.WorkID], r) {
				st.shared++
				continue
			}
			if r.WorkID != k.work || n == 0 {
				fp++
				if shown < *accShowFP {
					shown++
					tb.Logf("false positive [%s] %s score %.3f: %q", k.cat, r.WorkID, r.Score, clip(r.Passages[0].Text))
				}
				continue
			}
			st.found++
			st.passages += n
			es, ee := absInt(tokenAt(ft, lo)-tokenAt(ft, k.start)), absInt(tokenAt(ft, hi)-tokenAt(ft, k.end))
			st.errSum += es + ee
			st.errMax = max(st.errMax, es, ee)
			if es <= 3 && ee <= 3 {
				st.within3++
			}
		}
		st.fp += fp
		if fp > 0 {
			st.fpCases++
		}
		if k.work != "" && !slices.ContainsFunc(rs, func(r Result) bool { return r.WorkID == k.work }) && missed < *accShowFP {
			missed++
			tb.Logf("missed [%s] %s: %q", k.cat, k.work, clip(k.found[k.start:k.end]))
		}
	}
	return cats, stats
}

// span returns the found span covered by r's passages that overlap the
// case's work span, and their number.
func span(r Result, k accCase) (lo, hi, n int) {
	lo, hi = len(k.found), 0
	for _, p := range r.Passages {
		if p.FoundEnd > k.start && p.FoundStart < k.end {
			lo, hi, n = min(lo, p.FoundStart), max(hi, p.FoundEnd), n+1
		}
	}
	return lo, hi, n
}

// sharedText reports whether most of the work side of r's passages (in
// shingles) is also in the source work: registered works that share text
// (parallel passages of the KJV, fortunes quoting each other) are both
// right answers.
func sharedText(source, other string, r Result) bool {
	in := map[uint64]bool{}
	for _, h := range textfp.Shingles(nil, textfp.Tokenize(source), 3) {
		in[h] = true
	}
	var n, shared int
	for _, p := range r.Passages {
		for _, h := range textfp.Shingles(nil, textfp.Tokenize(other[p.WorkStart:p.WorkEnd]), 3) {
			n++
			if in[h] {
				shared++
			}
		}
	}
	return 2*shared > n
}

// tokenAt returns the number of tokens of ft that start before byte b.
func tokenAt(ft []textfp.Token, b int) int {
	return sort.Search(len(ft), func(i int) bool { return int(ft[i].Start) >= b })
}

// badSpans counts r's passages whose offsets are outside the texts, not on
// rune boundaries, or whose Text is not the found slice.
func badSpans(r Result, work, found string) int {
	bad := 0
	ok := func(s string, lo, hi int) bool {
		return 0 <= lo && lo < hi && hi <= len(s) && (lo == len(s) || utf8.RuneStart(s[lo])) && (hi == len(s) || utf8.RuneStart(s[hi]))
	}
	for _, p := range r.Passages {
		if !ok(work, p.WorkStart, p.WorkEnd) || !ok(found, p.FoundStart, p.FoundEnd) || p.Text != found[p.FoundStart:p.FoundEnd] {
			bad++
		}
	}
	return bad
}

func absInt(x int) int { return max(x, -x) }

// clip shortens s for a log line, keeping whole runes at both ends.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= 160 {
		return s
	}
	return string(r[:80]) + " … " + string(r[len(r)-80:])
}

// accReport logs the table of figures and returns the overall precision.
func accReport(tb testing.TB, opts Options, cats []string, stats map[string]*accStats) float64 {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "options: MinPassageTokens=%d MinScore=%.2f MaxGapTokens=%d HalfLifeTokens=%g K=%d W=%d\n",
		opts.MinPassageTokens, opts.MinScore, opts.MaxGapTokens, opts.HalfLifeTokens, opts.K, opts.W)
	fmt.Fprintf(&b, "%-24s %5s %7s %9s %4s %6s %8s %8s %6s %8s\n", "category", "cases", "recall", "precision", "fp", "shared", "bound≤3", "meanErr", "maxErr", "passages")
	var tp, fp int
	for _, cat := range cats {
		s := stats[cat]
		tp, fp = tp+s.found, fp+s.fp
		if strings.HasPrefix(cat, "neg") {
			fmt.Fprintf(&b, "%-24s %5d %7s %9s %4d %6d   (cases with a false positive: %d)\n", cat, s.cases, "-", "-", s.fp, s.shared, s.fpCases)
			continue
		}
		fmt.Fprintf(&b, "%-24s %5d %7.3f %9.3f %4d %6d %8.3f %8.2f %6d %8.2f\n", cat, s.cases,
			ratio(s.found, s.cases), ratio(s.found, s.found+s.fp), s.fp, s.shared,
			ratio(s.within3, s.found), ratio(s.errSum, 2*s.found), s.errMax, ratio(s.passages, s.found))
	}
	p := ratio(tp, tp+fp)
	fmt.Fprintf(&b, "overall precision %.4f (%d true, %d false)\n", p, tp, fp)
	for _, g := range []struct {
		name string
		in   func(cat string) bool
	}{
		{"verbatim excerpts of 40+ words", func(cat string) bool { return excerptOf(cat, 40, "0%") }},
		{"excerpts of 40+ words, 10% edited", func(cat string) bool { return excerptOf(cat, 40, "10%") }},
	} {
		var n, found, within int
		for _, cat := range cats {
			if g.in(cat) {
				n, found, within = n+stats[cat].cases, found+stats[cat].found, within+stats[cat].within3
			}
		}
		fmt.Fprintf(&b, "%s: recall %.4f (%d of %d), boundaries within 3 tokens %.4f\n", g.name, ratio(found, n), found, n, ratio(within, found))
	}
	tb.Log("\n" + b.String())
	return p
}

// excerptOf reports whether cat is the excerpt category of at least minWords
// words and the given edit rate ("0%", "10%").
func excerptOf(cat string, minWords int, rate string) bool {
	var words int
	var r string
	if _, err := fmt.Sscanf(cat, "excerpt %dw %s", &words, &r); err != nil {
		return false
	}
	return words >= minWords && r == rate
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// TestAccuracy runs the full harness with -accuracy and logs its figures.
func TestAccuracy(t *testing.T) {
	if !*accuracy {
		t.Skip("accuracy harness; run with -accuracy -v")
	}
	c := accuracyCorpus(t, 300)
	opts := accOptions()
	e := newEngine(t, opts, c.works)
	r := rand.New(rand.NewPCG(1, 2))
	cases := c.excerptCases(r, []int{20, 30, 40, 100, 300, 1000, 2000}, []float64{0, 0.05, 0.1, 0.2}, *accPerCell)
	for _, prefix := range []string{"holmes/", "kjv/", "fortune/"} {
		cases = append(cases, c.wholeCases(r, prefix, []float64{0.02, 0.05, 0.1}, *accPerCell)...)
	}
	cases = append(cases, c.scriptCases(r, *accPerCell)...)
	cases = append(cases, c.negativeCases(r, 3**accPerCell)...)
	t.Logf("%d works registered, %d cases", len(c.works), len(cases))
	cats, stats := accRun(t, e, c, cases)
	accReport(t, opts, cats, stats)
}

// TestAccuracySmall runs a few dozen harness cases and holds them to the
// targets: long verbatim and 10%-edited excerpts found with boundaries
// within 3 words, no false positives, valid offsets.
func TestAccuracySmall(t *testing.T) {
	c := accuracyCorpus(t, 100)
	opts := DefaultOptions()
	opts.MinScore = 0.75
	e := newEngine(t, opts, c.works)
	r := rand.New(rand.NewPCG(3, 4))
	cases := c.excerptCases(r, []int{60, 400}, []float64{0, 0.1}, 4)
	cases = append(cases, c.wholeCases(r, "holmes/", []float64{0.05}, 2)...)
	cases = append(cases, c.scriptCases(r, 2)...)
	cases = append(cases, c.negativeCases(r, 4)...)
	cats, stats := accRun(t, e, c, cases)
	p := accReport(t, opts, cats, stats)
	if p < 1 {
		t.Errorf("precision %.3f, want 1 on these cases", p)
	}
	for _, cat := range cats {
		s := stats[cat]
		if s.badSpans > 0 {
			t.Errorf("%s: %d passages with bad offsets", cat, s.badSpans)
		}
		if strings.HasPrefix(cat, "neg") {
			continue
		}
		if s.found != s.cases {
			t.Errorf("%s: found %d of %d", cat, s.found, s.cases)
		}
		if slices.Contains([]string{"excerpt   60w  0%", "excerpt  400w  0%"}, cat) && s.within3 != s.found {
			t.Errorf("%s: %d of %d with boundaries within 3 tokens", cat, s.within3, s.found)
		}
	}
}
