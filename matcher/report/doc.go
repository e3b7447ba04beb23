// Package report owns the attribution report: its types, whose JSON encoding
// is the public Report JSON contract (version 1, with the additive
// attribution shares: "documents" and a match's "share"), the conversion
// from stored scans and matches, the attribution shares of every found
// document and their per-creator totals, and the renderers (JSON, Markdown,
// CSV, self-contained HTML and the short human summary printed by the CLI).
package report
