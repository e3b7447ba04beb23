package textmatch

import (
	"cmp"
	"slices"

	"github.com/attrib/attrib/matcher/textfp"
)

// segment is an exact run: work tokens [ws, ws+n) equal found tokens
// [fs, fs+n).
type segment struct {
	ws, fs, n int32
}

// chain is a passage: segments s.segs[lo:hi], increasing on both sides,
// separated by bridged edits; matched is the sum of their lengths and
// evidence is matched less the tokens the edits skipped (see gapCost).
type chain struct {
	lo, hi   int
	matched  int
	evidence int
}

// step is one way to skip an edit: i work tokens and j found tokens.
type step struct {
	i, j int32
}

// bridgeSteps lists the skips of at most g tokens per side, (0,0) excluded,
// cheapest first: by total skipped, then by how unbalanced.
func bridgeSteps(g int) []step {
	var steps []step
	for i := range g + 1 {
		for j := range g + 1 {
			if i+j > 0 {
				steps = append(steps, step{int32(i), int32(j)})
			}
		}
	}
	abs := func(x int32) int32 { return max(x, -x) }
	slices.SortStableFunc(steps, func(a, b step) int {
		if c := cmp.Compare(a.i+a.j, b.i+b.j); c != 0 {
			return c
		}
		return cmp.Compare(abs(a.i-a.j), abs(b.i-b.j))
	})
	return steps
}

// aligner aligns one work's tokens wt with the found tokens ft, using the
// scratch buffers of s.
type aligner struct {
	opts   *Options
	steps  []step
	wt, ft []textfp.Token
	s      *scratch
	budget int // token comparisons left; alignment stops when spent
}

// newAligner returns an aligner with a comparison budget that normal texts
// never spend (a few comparisons per token) but that bounds repetitive ones
// ("a a a ..."), where alternatives would otherwise be retraced.
func newAligner(e *Engine, s *scratch, wt []textfp.Token) *aligner {
	return &aligner{opts: &e.opts, steps: e.steps, wt: wt, ft: s.ft, s: s,
		budget: 64*(len(wt)+len(s.ft)) + 1<<16}
}

// passages turns seeds (sorted by found position) into chains and returns
// those of at least MinPassageTokens that are not mostly covered by a
// longer one, in found order.
func (a *aligner) passages(seeds []seed) []chain {
	s := a.s
	s.nextGen()
	s.segs, s.chains = s.segs[:0], s.chains[:0]
	for lo := 0; lo < len(seeds) && a.budget > 0; {
		hi := lo + 1
		for hi < len(seeds) && seeds[hi].fpos == seeds[lo].fpos {
			hi++
		}
		if run, ok := a.bestRun(seeds[lo:hi]); ok {
			c := a.chain(run)
			a.mark(c)
			s.chains = append(s.chains, c)
		}
		lo = hi
	}
	return a.dedupe()
}

// bestRun returns the longest exact run through seeds of one found
// position: other occurrences of the shingle in the work are alternatives
// for the same found tokens, and only the best one starts a chain. Runs
// whose found tokens are all aligned already add nothing and are ignored.
func (a *aligner) bestRun(seeds []seed) (segment, bool) {
	s := a.s
	var best segment
	for _, sd := range seeds {
		if s.alignGen[sd.fpos] == s.gen && s.aw[sd.fpos] == sd.wpos {
			continue // inside a run already aligned this way
		}
		if run, ok := a.exact(sd.wpos, sd.fpos); ok && run.n > best.n && a.addsFound(run) {
			best = run
		}
	}
	return best, best.n > 0
}

// addsFound reports whether run holds a found token no chain aligned yet.
func (a *aligner) addsFound(run segment) bool {
	for f := run.fs; f < run.fs+run.n; f++ {
		if !a.aligned(f) {
			return true
		}
	}
	return false
}

// eq reports whether work token w equals found token f.
func (a *aligner) eq(w, f int32) bool {
	a.budget--
	return a.wt[w].Hash == a.ft[f].Hash
}

// exact extends the seed shingle at (wp, fp) to a maximal exact run. It
// fails when the seed's K tokens are not all equal (a hash collision, or
// a work text that is not the one fingerprinted).
func (a *aligner) exact(wp, fp int32) (segment, bool) {
	k := int32(a.opts.K)
	if wp < 0 || int(wp+k) > len(a.wt) {
		return segment{}, false
	}
	r := int32(0)
	for int(wp+r) < len(a.wt) && int(fp+r) < len(a.ft) && a.eq(wp+r, fp+r) {
		r++
	}
	if r < k {
		return segment{}, false
	}
	l := int32(0)
	for wp-l > 0 && fp-l > 0 && a.eq(wp-l-1, fp-l-1) {
		l++
	}
	return segment{ws: wp - l, fs: fp - l, n: l + r}, true
}

// bridgeAnchor is the number of equal tokens that must follow a bridged
// edit. It is shorter than K: a chain already holds a run of at least K, so
// two equal tokens right after a small edit are evidence enough, and with a
// fifth of the words edited runs of K are too rare to bridge on. Chance
// anchors (two common words) at a chain's ends are trimmed by gain.
const bridgeAnchor = 2

// chain bridges edits backward and forward from run and stores the
// resulting passage in s.segs. Each direction stops when no anchor follows
// within MaxGapTokens or when its gain (tokens aligned minus tokens skipped,
// counting the larger side of each edit) falls MaxGapTokens below its best,
// and is then cut back to the last point of its best gain: a passage ends
// at the last stretch that aligned at least as many tokens as the edits
// before it skipped (ties extend: an edit near the end of an excerpt
// followed by two equal words is more likely than a chance anchor).
func (a *aligner) chain(run segment) chain {
	s := a.s
	s.tmp = s.tmp[:0]
	keep, gain, best := 0, 0, 0
	for cur := run; gain > best-a.opts.MaxGapTokens; {
		prev, ok := a.back(cur.ws, cur.fs)
		if !ok {
			break
		}
		gain += int(prev.n) - gapCost(prev, cur)
		s.tmp = append(s.tmp, prev)
		if gain >= best {
			best, keep = gain, len(s.tmp)
		}
		cur = prev
	}
	c := chain{lo: len(s.segs)}
	for i := keep - 1; i >= 0; i-- {
		s.segs = append(s.segs, s.tmp[i])
	}
	s.segs = append(s.segs, run)
	keep, gain, best = len(s.segs), 0, 0
	for last := run; gain > best-a.opts.MaxGapTokens; {
		next, ok := a.forward(last.ws+last.n, last.fs+last.n)
		if !ok {
			break
		}
		gain += int(next.n) - gapCost(last, next)
		s.segs = append(s.segs, next)
		if gain >= best {
			best, keep = gain, len(s.segs)
		}
		last = next
	}
	s.segs = s.segs[:keep]
	c.hi = len(s.segs)
	for i, sg := range s.segs[c.lo:c.hi] {
		c.matched += int(sg.n)
		c.evidence += int(sg.n)
		if i > 0 {
			c.evidence -= gapCost(s.segs[c.lo+i-1], sg)
		}
	}
	return c
}

// gapCost is the number of tokens skipped between consecutive segments x
// and y, on the side that skipped more.
func gapCost(x, y segment) int {
	return int(max(y.ws-(x.ws+x.n), y.fs-(x.fs+x.n)))
}

// forward finds the cheapest skip after the run ending before (we, fe)
// that is followed by bridgeAnchor equal tokens, and returns the maximal
// run there.
func (a *aligner) forward(we, fe int32) (segment, bool) {
	k := int32(min(a.opts.K, bridgeAnchor))
	for _, st := range a.steps {
		if a.budget <= 0 {
			break
		}
		ws, fs := we+st.i, fe+st.j
		if int(ws+k) > len(a.wt) || int(fs+k) > len(a.ft) || a.aligned(fs) || !a.equalRun(ws, fs, k) {
			continue
		}
		n := k
		for int(ws+n) < len(a.wt) && int(fs+n) < len(a.ft) && !a.aligned(fs+n) && a.eq(ws+n, fs+n) {
			n++
		}
		return segment{ws: ws, fs: fs, n: n}, true
	}
	return segment{}, false
}

// back is forward mirrored: the run ending at most a skip before (ws, fs).
func (a *aligner) back(ws, fs int32) (segment, bool) {
	k := int32(min(a.opts.K, bridgeAnchor))
	for _, st := range a.steps {
		if a.budget <= 0 {
			break
		}
		we, fe := ws-st.i, fs-st.j
		if we < k || fe < k || a.aligned(fe-1) || !a.equalRun(we-k, fe-k, k) {
			continue
		}
		n := k
		for we-n > 0 && fe-n > 0 && !a.aligned(fe-n-1) && a.eq(we-n-1, fe-n-1) {
			n++
		}
		return segment{ws: we - n, fs: fe - n, n: n}, true
	}
	return segment{}, false
}

// aligned reports whether found token f belongs to an earlier passage of
// this work: bridging stops there rather than retrace that passage.
func (a *aligner) aligned(f int32) bool { return a.s.alignGen[f] == a.s.gen }

// equalRun reports whether n tokens from w and f are equal.
func (a *aligner) equalRun(w, f, n int32) bool {
	for t := range n {
		if !a.eq(w+t, f+t) {
			return false
		}
	}
	return true
}

// mark records the alignment of c's found tokens: later seeds inside it
// are skipped and bridges stop there.
func (a *aligner) mark(c chain) {
	s := a.s
	for _, sg := range s.segs[c.lo:c.hi] {
		for t := range sg.n {
			s.aw[sg.fs+t], s.alignGen[sg.fs+t] = sg.ws+t, s.gen
		}
	}
}

// dedupe keeps chains whose evidence is at least MinPassageTokens: aligned
// tokens less those the bridged edits skipped, so that lists and formulas
// ("the prince of the tribe of the children of X, Y the son of Z") do not
// add up across their differing names. It keeps them longest first, dropping
// any whose found tokens are more than half owned by a kept chain (the same
// found text aligned to a repeated part of the work). It marks owned found
// tokens and returns the kept chains in found order.
func (a *aligner) dedupe() []chain {
	s := a.s
	s.kept = s.kept[:0]
	for _, c := range s.chains {
		if c.evidence >= a.opts.MinPassageTokens {
			s.kept = append(s.kept, c)
		}
	}
	slices.SortStableFunc(s.kept, func(x, y chain) int { return cmp.Compare(y.matched, x.matched) })
	kept := s.kept[:0]
	s.owned = 0
	for _, c := range s.kept {
		if 2*a.owned(c) > c.matched {
			continue
		}
		for _, sg := range s.segs[c.lo:c.hi] {
			for t := range sg.n {
				if s.ownGen[sg.fs+t] != s.gen {
					s.ownGen[sg.fs+t] = s.gen
					s.owned++
				}
			}
		}
		kept = append(kept, c)
	}
	slices.SortFunc(kept, func(x, y chain) int { return cmp.Compare(s.segs[x.lo].fs, s.segs[y.lo].fs) })
	return kept
}

// owned counts c's found tokens already owned by a kept chain.
func (a *aligner) owned(c chain) int {
	s, n := a.s, 0
	for _, sg := range s.segs[c.lo:c.hi] {
		for t := range sg.n {
			if s.ownGen[sg.fs+t] == s.gen {
				n++
			}
		}
	}
	return n
}
