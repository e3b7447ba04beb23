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
// separated by bridged edits; matched is the sum of their lengths.
type chain struct {
	lo, hi  int
	matched int
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

// chain bridges edits backward and forward from run and stores the
// resulting passage in s.segs.
func (a *aligner) chain(run segment) chain {
	s := a.s
	s.tmp = s.tmp[:0]
	for cur := run; ; {
		prev, ok := a.back(cur.ws, cur.fs)
		if !ok {
			break
		}
		s.tmp = append(s.tmp, prev)
		cur = prev
	}
	c := chain{lo: len(s.segs)}
	for i := len(s.tmp) - 1; i >= 0; i-- {
		s.segs = append(s.segs, s.tmp[i])
	}
	s.segs = append(s.segs, run)
	for last := run; ; {
		next, ok := a.forward(last.ws+last.n, last.fs+last.n)
		if !ok {
			break
		}
		s.segs = append(s.segs, next)
		last = next
	}
	c.hi = len(s.segs)
	for _, sg := range s.segs[c.lo:c.hi] {
		c.matched += int(sg.n)
	}
	return c
}

// forward finds the cheapest skip after the run ending before (we, fe)
// that is followed by K equal tokens, and returns the maximal run there.
func (a *aligner) forward(we, fe int32) (segment, bool) {
	k := int32(a.opts.K)
	for _, st := range a.steps {
		if a.budget <= 0 {
			break
		}
		ws, fs := we+st.i, fe+st.j
		if int(ws+k) > len(a.wt) || int(fs+k) > len(a.ft) || a.aligned(fs) || !a.equalRun(ws, fs, k) {
			continue
		}
		n := k
		for int(ws+n) < len(a.wt) && int(fs+n) < len(a.ft) && a.eq(ws+n, fs+n) {
			n++
		}
		return segment{ws: ws, fs: fs, n: n}, true
	}
	return segment{}, false
}

// back is forward mirrored: the run ending at most a skip before (ws, fs).
func (a *aligner) back(ws, fs int32) (segment, bool) {
	k := int32(a.opts.K)
	for _, st := range a.steps {
		if a.budget <= 0 {
			break
		}
		we, fe := ws-st.i, fs-st.j
		if we < k || fe < k || a.aligned(fe-1) || !a.equalRun(we-k, fe-k, k) {
			continue
		}
		n := k
		for we-n > 0 && fe-n > 0 && a.eq(we-n-1, fe-n-1) {
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

// dedupe keeps chains of at least MinPassageTokens, longest first, dropping
// any whose found tokens are more than half owned by a kept chain (the same
// found text aligned to a repeated part of the work). It marks owned found
// tokens and returns the kept chains in found order.
func (a *aligner) dedupe() []chain {
	s := a.s
	s.kept = s.kept[:0]
	for _, c := range s.chains {
		if c.matched >= a.opts.MinPassageTokens {
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
