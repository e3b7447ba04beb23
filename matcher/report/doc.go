// Package report owns the attribution report: its types, whose JSON encoding
// is the public Report JSON contract (version 1), the conversion from stored
// scans and matches, and the renderers (JSON, Markdown and the short human
// summary printed by the CLI).
package report
