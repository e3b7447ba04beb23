// Package textfp turns text into positional fingerprints: it splits text into
// normalised word tokens that remember their byte spans in the original text,
// hashes runs of k tokens (shingles) and selects a winnowed subset of those
// hashes with their token positions. It owns the versioned binary encoding of
// a work's fingerprints ("text-winnow"); package textmatch compares them.
package textfp
