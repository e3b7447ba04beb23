package textmatch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/attrib/attrib/matcher/textfp"
	"github.com/attrib/attrib/store"
)

// Result is one work found in a text.
type Result struct {
	WorkID string
	// Score is the confidence in [0,1] that the work appears in the text:
	// 1 - 2^(-aligned/HalfLifeTokens) for the work tokens aligned.
	Score float64
	// WorkCoverage is the share of the work's tokens aligned; FoundCoverage
	// the share of the found text's tokens aligned.
	WorkCoverage  float64
	FoundCoverage float64
	// AlignedTokens is the number of distinct work tokens aligned.
	AlignedTokens int
	// Passages are the aligned passages in found-text order. A passage may
	// span small edits; offsets are bytes into the work's text and the found
	// text, and Text is found[FoundStart:FoundEnd].
	Passages []store.Passage
}

// seed is a found shingle equal to an indexed work fingerprint.
type seed struct {
	work int32
	wpos int32
	fpos int32
}

// candidate is a work with seeds[lo:hi].
type candidate struct {
	work   int32
	lo, hi int
}

// Match finds the indexed works that appear in found. For each candidate
// work it calls workText (results are cached), aligns the texts and keeps
// works with a passage of at least MinPassageTokens tokens and a score of at
// least MinScore. Results are sorted by score, best first, then by work ID.
// It returns ctx's error when ctx is done, and workText's errors other than
// store.ErrNotFound.
func (e *Engine) Match(ctx context.Context, found string, workText TextFunc) ([]Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := e.getScratch()
	defer e.putScratch(s)
	s.ft = s.tz.Append(s.ft[:0], found)
	if len(s.ft) > e.opts.MaxFoundTokens {
		s.ft = s.ft[:e.opts.MaxFoundTokens]
	}
	s.hashes = textfp.Shingles(s.hashes[:0], s.ft, e.opts.K)
	ids := e.seeds(s)
	cands := e.candidates(s, e.opts.MaxCandidates)
	s.reset(len(s.ft))
	var results []Result
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id := ids[c.work]
		wt, err := e.workTokens(ctx, id, workText)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("text of work %s: %w", id, err)
		}
		if r, ok := e.verify(s, wt, s.seeds[c.lo:c.hi], found); ok {
			r.WorkID = id
			results = append(results, r)
		}
	}
	slices.SortFunc(results, func(a, b Result) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.WorkID, b.WorkID)
	})
	return results, nil
}

// warmBatch is the number of lookups whose memory is fetched together: a
// batch of loads fits in cache and stays there until its lookups run.
const warmBatch = 64

// seeds collects, under the read lock, the postings of the found text's
// winnowed fingerprints, or of all its shingles with QueryAllShingles (up
// to MaxSeeds), into s.seeds sorted by work, found position and work
// position. It returns the interned IDs as of the lookup.
func (e *Engine) seeds(s *scratch) []string {
	s.seeds = s.seeds[:0]
	s.query = s.query[:0]
	if e.opts.QueryAllShingles {
		for i, h := range s.hashes {
			s.query = append(s.query, textfp.Print{Pos: int32(i), Hash: h})
		}
	} else {
		s.query = textfp.Winnow(s.query, s.hashes, e.opts.W)
	}
	e.mu.RLock()
	ids := e.ids
	for i, q := range s.query {
		if len(s.seeds) >= e.opts.MaxSeeds {
			break
		}
		if i%warmBatch == 0 {
			s.sink += e.ix.warm(s.query[i:min(i+warmBatch, len(s.query))])
		}
		s.posts = e.ix.lookup(s.posts[:0], q.Hash, e.opts.MaxPostingsPerHash)
		for _, p := range s.posts {
			s.seeds = append(s.seeds, seed{work: p.work, wpos: p.pos, fpos: q.Pos})
		}
	}
	e.mu.RUnlock()
	slices.SortFunc(s.seeds, func(a, b seed) int {
		if a.work != b.work {
			return cmp.Compare(a.work, b.work)
		}
		if a.fpos != b.fpos {
			return cmp.Compare(a.fpos, b.fpos)
		}
		return cmp.Compare(a.wpos, b.wpos)
	})
	return ids
}

// candidates groups s.seeds by work and returns at most max groups that
// have enough seeds (see Engine.supported), the ones with most seeds first.
func (e *Engine) candidates(s *scratch, max int) []candidate {
	s.cands = s.cands[:0]
	for lo := 0; lo < len(s.seeds); {
		hi := lo + 1
		for hi < len(s.seeds) && s.seeds[hi].work == s.seeds[lo].work {
			hi++
		}
		if e.supported(s.seeds[lo:hi]) {
			s.cands = append(s.cands, candidate{work: s.seeds[lo].work, lo: lo, hi: hi})
		}
		lo = hi
	}
	slices.SortFunc(s.cands, func(a, b candidate) int {
		if c := cmp.Compare(b.hi-b.lo, a.hi-a.lo); c != 0 {
			return c
		}
		return cmp.Compare(a.work, b.work)
	})
	return s.cands[:min(len(s.cands), max)]
}

// maxPairTries bounds the seed pairs supported examines per seed.
const maxPairTries = 64

// supported reports whether a work's seeds (sorted by found position) may
// hold a reportable passage. When a verbatim copy of the shortest
// reportable passage must hold two seeds (e.minSeeds == 2), a lone seed is
// chance (a shared stock phrase) unless a second one follows it on about
// the same diagonal: found distance at most e.pairSpan and work distance
// within MaxGapTokens of it. Such works are not verified, which saves
// fetching and tokenising their texts.
func (e *Engine) supported(seeds []seed) bool {
	if e.minSeeds <= 1 {
		return true
	}
	slack := int32(e.opts.MaxGapTokens)
	for i, a := range seeds {
		for j, tries := i+1, 0; j < len(seeds) && tries < maxPairTries; j, tries = j+1, tries+1 {
			b := seeds[j]
			df := b.fpos - a.fpos
			if df > e.pairSpan {
				break
			}
			if dw := b.wpos - a.wpos; df > 0 && dw > 0 && dw-df <= slack && df-dw <= slack {
				return true
			}
		}
	}
	return false
}

// verify aligns one candidate work and builds its result.
func (e *Engine) verify(s *scratch, wt []textfp.Token, seeds []seed, found string) (Result, bool) {
	kept := newAligner(e, s, wt).passages(seeds)
	if len(kept) == 0 {
		return Result{}, false
	}
	aligned, owned := s.coverage(kept)
	r := Result{
		Score:         1 - math.Exp2(-float64(aligned)/e.opts.HalfLifeTokens),
		WorkCoverage:  float64(aligned) / float64(len(wt)),
		FoundCoverage: float64(owned) / float64(len(s.ft)),
		AlignedTokens: aligned,
	}
	if r.Score < e.opts.MinScore {
		return Result{}, false
	}
	r.Passages = make([]store.Passage, len(kept))
	for i, c := range kept {
		first, last := s.segs[c.lo], s.segs[c.hi-1]
		fs, fe := s.ft[first.fs].Start, s.ft[last.fs+last.n-1].End
		r.Passages[i] = store.Passage{
			WorkStart:  int(wt[first.ws].Start),
			WorkEnd:    int(wt[last.ws+last.n-1].End),
			FoundStart: int(fs),
			FoundEnd:   int(fe),
			Text:       strings.Clone(found[fs:fe]),
		}
	}
	return r, true
}
