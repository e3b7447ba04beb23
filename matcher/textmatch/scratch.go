package textmatch

import (
	"cmp"
	"slices"

	"github.com/attrib/attrib/matcher/textfp"
)

// scratch holds the reusable buffers of one Match call.
type scratch struct {
	tz     textfp.Tokenizer
	ft     []textfp.Token // found tokens
	hashes []uint64       // found shingles
	query  []textfp.Print // found shingles looked up
	sink   uint32         // keeps the prefetching loads of index.warm
	posts  []posting
	seeds  []seed
	cands  []candidate

	// Per found token, stamped with gen (one gen per verified work): the
	// work position a chain aligned it to (aw, valid when alignGen == gen)
	// and whether a kept passage owns it (ownGen == gen).
	aw       []int32
	alignGen []uint32
	ownGen   []uint32
	gen      uint32
	owned    int // found tokens owned in this gen

	segs   []segment
	tmp    []segment
	chains []chain
	kept   []chain
	ivs    []segment
}

func (e *Engine) getScratch() *scratch {
	if s, ok := e.scratch.Get().(*scratch); ok {
		return s
	}
	return new(scratch)
}

// maxPooledTokens: scratch buffers grown past this many found tokens (16
// MiB of tokens) are dropped after use rather than pooled.
const maxPooledTokens = 1 << 20

func (e *Engine) putScratch(s *scratch) {
	if cap(s.ft) <= maxPooledTokens {
		e.scratch.Put(s)
	}
}

// reset sizes the per-token arrays for n found tokens.
func (s *scratch) reset(n int) {
	if len(s.alignGen) >= n {
		return
	}
	s.aw = make([]int32, n)
	s.alignGen = make([]uint32, n)
	s.ownGen = make([]uint32, n)
	s.gen = 0
}

// nextGen starts a new work: every stamp becomes stale.
func (s *scratch) nextGen() {
	s.gen++
	if s.gen == 0 {
		clear(s.alignGen)
		clear(s.ownGen)
		s.gen = 1
	}
}

// coverage returns the number of distinct work tokens and of found tokens
// aligned by the kept chains.
func (s *scratch) coverage(kept []chain) (work, found int) {
	s.ivs = s.ivs[:0]
	for _, c := range kept {
		s.ivs = append(s.ivs, s.segs[c.lo:c.hi]...)
	}
	slices.SortFunc(s.ivs, func(x, y segment) int { return cmp.Compare(x.ws, y.ws) })
	end := int32(-1)
	for _, iv := range s.ivs {
		lo, hi := max(iv.ws, end), iv.ws+iv.n
		if hi > lo {
			work += int(hi - lo)
			end = hi
		}
	}
	return work, s.owned
}
