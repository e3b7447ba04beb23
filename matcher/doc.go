// Package matcher owns attribution: it registers works (fingerprinting them
// and storing the fingerprints), keeps an in-memory index of every registered
// fingerprint loaded from the store, and matches found texts and images
// against it, verifying each candidate before it becomes a match with
// evidence. Text fingerprints live in matcher/textfp and matcher/textmatch,
// image fingerprints in matcher/imagefp and matcher/hamming, reports in
// matcher/report.
package matcher
