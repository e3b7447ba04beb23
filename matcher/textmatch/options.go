package textmatch

import (
	"fmt"
	"math"

	"github.com/attrib/attrib/matcher/textfp"
)

// Options hold every threshold of the engine. DefaultOptions explains the
// defaults; a zero field is not replaced by its default.
type Options struct {
	// K is the shingle length in tokens and W the winnowing window in
	// shingles. Every shared run of at least K+W-1 tokens is guaranteed to
	// be seen. They must equal those of the fingerprints given to Add.
	K, W int
	// QueryAllShingles looks up every shingle of a found text rather than
	// its winnowed fingerprints (window W, like the works'). Both see every
	// shared run of K+W-1 tokens; all shingles also seed shorter runs
	// between edits, at about (W+1)/2 times the lookups.
	QueryAllShingles bool
	// MinPassageTokens is the least number of aligned tokens a passage needs
	// to be reported. Works sharing only shorter passages are not results.
	MinPassageTokens int
	// MaxGapTokens is the largest edit a passage bridges: after an exact run
	// ends, alignment resumes when K equal tokens follow within this many
	// skipped tokens on either side (changed, inserted or deleted words).
	MaxGapTokens int
	// HalfLifeTokens sets the score: each HalfLifeTokens aligned work tokens
	// halve the remaining doubt, Score = 1 - 2^(-aligned/HalfLifeTokens).
	HalfLifeTokens float64
	// MinScore drops results scoring below it.
	MinScore float64
	// MaxHashWorks: a shingle indexed for more than this many works is
	// boilerplate (licence headers, stock phrases) and never seeds a
	// candidate. Passages still extend across such shingles.
	MaxHashWorks int
	// MaxPostingsPerHash caps the postings read per shingle, bounding the
	// work on texts that repeat a line many times.
	MaxPostingsPerHash int
	// MaxSeeds caps the seeds (found shingle, work posting) collected per
	// Match, 12 bytes each; on a text that exceeds it, shingles after the
	// cap are not looked up. Prose makes well under one seed per token.
	MaxSeeds int
	// VerifyAll verifies every work that has a seed. By default, when a
	// verbatim copy of the shortest reportable passage (MinPassageTokens,
	// or the length MinScore demands if longer) is sure to hold two seeds,
	// a work is verified only if two of its seeds lie on about the same
	// alignment: a lone seed is a shared stock phrase, and verifying it
	// costs a work text fetch. Edited passages with a single seed are then
	// missed.
	VerifyAll bool
	// MaxCandidates caps the works verified per Match, taken by number of
	// seeds; each verification may call the work text callback.
	MaxCandidates int
	// MaxFoundTokens caps the tokens read from one found text; the rest is
	// ignored.
	MaxFoundTokens int
	// CacheTokens bounds the LRU cache of work tokenisations (16 bytes per
	// token). Works longer than the cache are tokenised on every use.
	CacheTokens int
}

// DefaultOptions returns the defaults. They come from principles and from
// the experiments in calibrate_test.go (go test -run Calibrate -calibrate)
// on texts of the shared test data, not from the pydoc benchmark site.
//
// K=5, W=6: five-word shingles rarely repeat by chance outside stock
// phrases, and any shared run of K+W-1 = 10 tokens is guaranteed a seed.
// Indexing keeps about 2/(W+1) = 29% of a work's shingles: at 12 bytes a
// posting, about 3.7 KB of heap per indexed work of 6.6 KB (measured with
// scripts/bench-text.sh). W=12 halves that (2.0 KB) and the lookups, but
// guarantees a seed only from 16 tokens, finds fewer edited excerpts
// (742 against 746 of 750) and leaves a 24-token result one guaranteed
// seed, so every seeded work is verified.
//
// MinPassageTokens=12: above the guaranteed 10, so no reportable passage is
// missed (200 of 200 random 12-word excerpts of Sherlock Holmes were found
// inside Tom Sawyer), and above chance: matching 278k tokens of Tom Sawyer
// and the KJV against 15,216 fortunes and Sherlock Holmes, the longest
// passages of unrelated origin were 8 tokens ("and darkness was upon the
// face of the"), with counts falling about tenfold per extra token.
//
// MaxGapTokens=8: with it, copies with a word replaced, inserted or deleted
// every 12 words align as one passage (0.89-0.98 work coverage); with 4 they
// break into 4-7 passages and with 0 into 40. A gap is only bridged when K
// equal tokens follow it, so passages do not run into unrelated text.
//
// HalfLifeTokens=12: a single minimum passage scores 0.5 (it may be a stock
// phrase or a shared quotation), 48 aligned tokens (a short paragraph)
// score 0.94, 120 score 0.999. MinScore=0.5 keeps every minimum passage;
// raise it to demand more evidence.
//
// Matching winnows the found text too (QueryAllShingles=false): about
// 3.5 times fewer lookups than all shingles, the same guarantee. In
// scripts/bench-text.sh at 100k works (pages of 6.3 KB, 1 core) it matched
// 6,808 pages/s against 3,313 with all shingles, finding 746 against 749
// of 750 excerpts of 30-300 words with 10% of words edited (749/750
// verbatim either way).
//
// VerifyAll=false: with MinScore 0.75 (the matcher's default, 24 aligned
// tokens) a verbatim copy of the shortest result holds at least
// floor((24-K+1)/W) = 3 seeds, so works whose seeds are all lone (stock
// phrases shared by chance) are not fetched. On the same benchmark this
// cut work text fetches from 2.44 to 0.66 a page and raised pages/s from
// 4,264 to 6,808, for 746 against 749 of 750 edited excerpts. With the
// engine's own MinScore 0.5 (12 tokens, one guaranteed seed) every work
// with a seed is verified.
//
// MaxHashWorks=16: indexing 15,216 fortunes, 497 pydoc sources and Sherlock
// Holmes, 22 of 510k shingles were in more than 16 works, all boilerplate
// (attributions such as "Douglas Coupland, Generation X: Tales for an
// Accelerated Culture", "Traceback (most recent call last)", Sphinx
// directives). MaxPostingsPerHash=64, MaxSeeds=2M (24 MiB) and
// MaxCandidates=256 bound the work on repetitive texts; MaxFoundTokens=4M
// (about 25 MB of text) and CacheTokens=4M (64 MiB; the 10 MB pydoc corpus
// needs 1.52M tokens).
func DefaultOptions() Options {
	return Options{
		K:                  textfp.DefaultK,
		W:                  textfp.DefaultW,
		MinPassageTokens:   12,
		MaxGapTokens:       8,
		HalfLifeTokens:     12,
		MinScore:           0.5,
		MaxHashWorks:       16,
		MaxPostingsPerHash: 64,
		MaxSeeds:           1 << 21,
		MaxCandidates:      256,
		MaxFoundTokens:     4 << 20,
		CacheTokens:        4 << 20,
	}
}

// Validate reports the first option that is out of range.
func (o Options) Validate() error {
	if err := (textfp.Params{K: o.K, W: o.W}).Validate(); err != nil {
		return err
	}
	switch {
	case o.MinPassageTokens < o.K:
		return fmt.Errorf("textmatch: MinPassageTokens %d below K %d", o.MinPassageTokens, o.K)
	case o.MaxGapTokens < 0:
		return fmt.Errorf("textmatch: negative MaxGapTokens %d", o.MaxGapTokens)
	case o.HalfLifeTokens <= 0:
		return fmt.Errorf("textmatch: HalfLifeTokens %v must be positive", o.HalfLifeTokens)
	case o.MinScore < 0 || o.MinScore > 1:
		return fmt.Errorf("textmatch: MinScore %v outside [0,1]", o.MinScore)
	case o.MaxHashWorks < 1 || o.MaxPostingsPerHash < 1 || o.MaxSeeds < 1 || o.MaxCandidates < 1:
		return fmt.Errorf("textmatch: MaxHashWorks, MaxPostingsPerHash, MaxSeeds and MaxCandidates must be positive")
	case o.MaxFoundTokens < 1 || o.CacheTokens < 0:
		return fmt.Errorf("textmatch: MaxFoundTokens must be positive and CacheTokens not negative")
	}
	return nil
}

func (o Options) params() textfp.Params { return textfp.Params{K: o.K, W: o.W} }

// minReportable returns the fewest aligned tokens a result can have: at
// least MinPassageTokens, and enough for a score of MinScore.
func (o Options) minReportable() int {
	n := o.MinPassageTokens
	if o.MinScore >= 1 {
		return max(n, 1<<20)
	}
	need := o.HalfLifeTokens * math.Log2(1/(1-o.MinScore))
	return max(n, int(math.Ceil(need-1e-9)))
}
