// Package textmatch finds registered text works inside found texts: it keeps
// the works' winnowed fingerprints (package textfp) in a positional inverted
// index, looks up every shingle of a found text, and verifies candidate works
// by aligning tokens, reporting the aligned passages with byte offsets into
// both texts, coverage of each side and a confidence score.
//
// Matching a found text:
//
//  1. Tokenise it and hash all its shingles (not only winnowed ones: all
//     found shingles against winnowed work fingerprints guarantee that every
//     shared run of K+W-1 tokens yields a seed).
//  2. Look each shingle up; shingles indexed for more than MaxHashWorks works
//     are boilerplate and ignored. Group the seeds (work, work position,
//     found position) by work.
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
