package imagefp

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/attrib/attrib/matcher/pdq"
)

// largestThreshold is the largest distance threshold at which at most
// 1-robustPrecision of the accepted pairs are negatives.
func largestThreshold(pairs []robustPair, dist func(robustPair) int, maxBits int) int {
	best := -1
	for t := 0; t <= maxBits; t++ {
		tp, fp := countAt(pairs, dist, t)
		if tp+fp == 0 || float64(fp) <= (1-robustPrecision)*float64(tp+fp) {
			best = t
		}
	}
	return best
}

// countAt counts the positive and negative pairs within t.
func countAt(pairs []robustPair, dist func(robustPair) int, t int) (tp, fp int) {
	for _, p := range pairs {
		if dist(p) <= t {
			if p.positive {
				tp++
			} else {
				fp++
			}
		}
	}
	return tp, fp
}

// recallAt is the fraction of positives of transform tr within t bits,
// with the number of positives and of negatives of tr's queries within t.
func (s *robustSet) recallAt(pairs []robustPair, tr int, dist func(robustPair) int, t int) (recall float64, n, falses int) {
	var found int
	for _, p := range pairs {
		if s.queries[p.query].transform != tr {
			continue
		}
		switch {
		case p.positive:
			n++
			if dist(p) <= t {
				found++
			}
		case dist(p) <= t:
			falses++
		}
	}
	if n == 0 {
		return 0, 0, falses
	}
	return float64(found) / float64(n), n, falses
}

// report formats the harness's sizes, costs, thresholds, precision and
// recall per transform.
func (s *robustSet) report(pairs []robustPair, took time.Duration) string {
	pdqD := func(p robustPair) int { return p.pdq() }
	phD := func(p robustPair) int { return p.phash }
	tP := largestThreshold(pairs, pdqD, pdq.Bits)
	tH := largestThreshold(pairs, phD, PHashBits)
	var b strings.Builder
	npos, lowQ, synthQ := 0, 0, 0
	for _, p := range pairs {
		if p.positive {
			npos++
		}
	}
	var storedN, searchedN []int
	var costs []time.Duration
	for _, w := range s.works {
		storedN = append(storedN, len(stored(w)))
	}
	for _, q := range s.queries {
		if q.h.PDQQuality < pdq.MinQuality {
			lowQ++
		}
		if q.photo < 0 {
			synthQ++
		}
		searchedN = append(searchedN, len(searched(q.h)))
		costs = append(costs, q.took)
	}
	fmt.Fprintf(&b, "\n%d photos x %d transforms; %d works (%d synthetic), %d queries (%d synthetic distractors); %d positive and %d negative pairs; %d queries with PDQ quality < %d; %s\n",
		s.nPhotos, len(s.trs), len(s.works), len(s.works)-s.nPhotos, len(s.queries), synthQ, npos, len(pairs)-npos, lowQ, pdq.MinQuality, took.Round(time.Second))
	fmt.Fprintf(&b, "PDQ hashes stored per work: mean %.1f, max %d; searched per query: mean %.1f, max %d; Compute per query (decode included): median %s, mean %s, max %s\n",
		mean(storedN), slices.Max(storedN), mean(searchedN), slices.Max(searchedN), median(costs), meanDur(costs), slices.Max(costs))
	for _, t := range []int{31, tP} {
		tp, fp := countAt(pairs, pdqD, t)
		fmt.Fprintf(&b, "PDQ@%d: %d true and %d false pairs accepted, precision %.5f\n", t, tp, fp, float64(tp)/float64(max(1, tp+fp)))
	}
	for _, t := range []int{24, 26, 28, 31} {
		rule := func(p robustPair) int {
			if p.matched(t) {
				return 0
			}
			return 1
		}
		tp, fp := countAt(pairs, rule, 0)
		fmt.Fprintf(&b, "rule whole@31, parts@%d: %d true and %d false pairs accepted, precision %.5f\n", t, tp, fp, float64(tp)/float64(max(1, tp+fp)))
	}
	tp, fp := countAt(pairs, phD, tH)
	fmt.Fprintf(&b, "pHash@%d: %d true and %d false pairs accepted, precision %.5f\n", tH, tp, fp, float64(tp)/float64(max(1, tp+fp)))
	fmt.Fprintf(&b, "thresholds at precision >= %.2f%%: PDQ %d/256, pHash %d/64; closest negatives:%s\n", 100*robustPrecision, tP, tH, s.closestNegatives(pairs, 5))
	rule := func(p robustPair) int {
		if p.matched(PartMaxDistance) {
			return 0
		}
		return 1
	}
	// What the matcher reports: the PDQ rule, or pHash within
	// DefaultMaxDistance when the found image's own PDQ is unreliable.
	matcherRule := func(p robustPair) int {
		if p.matched(PartMaxDistance) || s.queries[p.query].h.PDQQuality < pdq.MinQuality && p.phash <= DefaultMaxDistance {
			return 0
		}
		return 1
	}
	tp, fp = countAt(pairs, matcherRule, 0)
	fmt.Fprintf(&b, "matcher (whole@31, parts@%d, pHash@%d when PDQ quality < %d): %d true and %d false pairs accepted, precision %.5f\n",
		PartMaxDistance, DefaultMaxDistance, pdq.MinQuality, tp, fp, float64(tp)/float64(max(1, tp+fp)))
	strictRule := func(p robustPair) int {
		if p.matched(PartMaxDistance) || len(searched(s.queries[p.query].h)) == 0 && p.phash <= DefaultMaxDistance {
			return 0
		}
		return 1
	}
	tp, fp = countAt(pairs, strictRule, 0)
	fmt.Fprintf(&b, "variant, pHash only when no PDQ hash of the found image (whole or part) is reliable: %d true and %d false pairs accepted, precision %.5f\n",
		tp, fp, float64(tp)/float64(max(1, tp+fp)))
	ruleName := fmt.Sprintf("31/%d", PartMaxDistance)
	fmt.Fprintf(&b, "%-24s %4s %9s %9s %9s %6s %9s %6s %8s %6s\n", "transform", "n", "PDQ@"+fmt.Sprint(tP), "pHash@"+fmt.Sprint(tH), "PDQ@31", "FP@31", ruleName, "FP", "matcher", "FP")
	for ti, tr := range s.trs {
		rp, n, _ := s.recallAt(pairs, ti, pdqD, tP)
		rh, _, _ := s.recallAt(pairs, ti, phD, tH)
		r31, _, f31 := s.recallAt(pairs, ti, pdqD, 31)
		rr, _, fr := s.recallAt(pairs, ti, rule, 0)
		rm, _, fm := s.recallAt(pairs, ti, matcherRule, 0)
		fmt.Fprintf(&b, "%-24s %4d %9.3f %9.3f %9.3f %6d %9.3f %6d %8.3f %6d\n", tr.name, n, rp, rh, r31, f31, rr, fr, rm, fm)
	}
	return b.String()
}

// closestNegatives lists the n negative pairs of smallest PDQ distance.
func (s *robustSet) closestNegatives(pairs []robustPair, n int) string {
	var neg []robustPair
	for _, p := range pairs {
		if !p.positive {
			neg = append(neg, p)
		}
	}
	slices.SortFunc(neg, func(a, b robustPair) int { return a.pdq() - b.pdq() })
	var b strings.Builder
	for _, p := range neg[:min(n, len(neg))] {
		q := s.queries[p.query]
		fmt.Fprintf(&b, "\n  %d bits (whole %d, part %d): %s (%s) vs work %s", p.pdq(), p.whole, p.part, filepath.Base(q.name), s.trs[q.transform].name, filepath.Base(s.workNames[p.work]))
	}
	return b.String()
}

// misses lists the positives farther than t PDQ bits, for the transforms
// where most positives are found.
func (s *robustSet) misses(pairs []robustPair, t int) string {
	var b strings.Builder
	pdqD := func(p robustPair) int { return p.pdq() }
	fmt.Fprintf(&b, "\nPDQ misses at %d bits (transforms with recall >= 0.5 there): photo distance/quality\n", t)
	for ti, tr := range s.trs {
		if r, _, _ := s.recallAt(pairs, ti, pdqD, t); r < 0.5 || r == 1 {
			continue
		}
		fmt.Fprintf(&b, "%-24s", tr.name)
		for _, p := range pairs {
			if q := s.queries[p.query]; p.positive && q.transform == ti && p.pdq() > t {
				fmt.Fprintf(&b, " %s %d/q%d", filepath.Base(q.name), p.pdq(), q.h.PDQQuality)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func mean(xs []int) float64 {
	var s int
	for _, x := range xs {
		s += x
	}
	return float64(s) / float64(max(1, len(xs)))
}

func median(ds []time.Duration) time.Duration {
	c := slices.Clone(ds)
	slices.Sort(c)
	return c[len(c)/2].Round(100 * time.Microsecond)
}

func meanDur(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return (s / time.Duration(max(1, len(ds)))).Round(100 * time.Microsecond)
}

// hashPairTail summarises the distances of the negative hash pairs: how
// close unrelated hashes come, and a normal-tail estimate of the share
// within 31 bits (optimistic: real tails are heavier), from which the
// expected false matches per found image in a large registry follow.
func hashPairTail(hist *[pdq.Bits + 1]int64) string {
	var n, within [4]int64
	var sum, sq float64
	lim := [4]int{31, 40, 50, 60}
	least := -1
	for d, c := range hist {
		if c == 0 {
			continue
		}
		if least < 0 {
			least = d
		}
		n[0] += c
		sum += float64(d) * float64(c)
		sq += float64(d) * float64(d) * float64(c)
		for i, l := range lim {
			if d <= l {
				within[i] += c
			}
		}
	}
	if n[0] == 0 {
		return "no negative hash pairs"
	}
	m := sum / float64(n[0])
	sd := math.Sqrt(sq/float64(n[0]) - m*m)
	p := 0.5 * math.Erfc((m-31.5)/(sd*math.Sqrt2))
	return fmt.Sprintf("\nnegative hash pairs: %d, nearest %d bits, mean %.1f sd %.1f; within 31/40/50/60 bits: %d/%d/%d/%d; normal-tail share within 31: %.1e",
		n[0], least, m, sd, within[0], within[1], within[2], within[3], p)
}
