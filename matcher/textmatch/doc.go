// Package textmatch finds registered text works inside found texts: it keeps
// the works' winnowed fingerprints (package textfp) in a compact positional
// inverted index (sorted flat shards plus a small mutable tail, merged as
// works are added), looks up the found text's fingerprints, and verifies
// candidate works by aligning tokens, reporting the aligned passages with byte offsets into
// both texts, coverage of each side and a confidence score.
//
// Matching a found text:
//
//  1. Tokenise it, hash all its shingles and winnow them with the works'
//     window W (or keep them all, Options.QueryAllShingles): winnowing both
//     sides still guarantees a seed for every shared run of K+W-1 tokens.
//  2. Look each one up; hashes indexed for more than MaxHashWorks works
//     are boilerplate and ignored. Group the seeds (work, work position,
//     found position) by work. When a verbatim copy of the shortest
//     reportable passage must hold two seeds, a work whose seeds are all
//     lone (no second seed on about the same alignment) is not verified.
//  3. For each candidate work, most seeds first, fetch its tokens (work text
//     from the caller, tokenisations cached in a bounded LRU), extend each
//     seed into a maximal run of equal tokens, then bridge edits: after a
//     run ends, the alignment resumes at the cheapest skip of up to
//     MaxGapTokens tokens on either side that is followed by K equal tokens.
//  4. Keep passages of at least MinPassageTokens aligned tokens, longest
//     first, dropping those whose found tokens are mostly taken (the same
//     found text aligned to a repeated part of the work), and compute
//     coverage and score.
package textmatch
