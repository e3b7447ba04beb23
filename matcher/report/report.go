package report

import (
	"encoding/json"

	"github.com/attrib/attrib/store"
)

// Version is the version of the Report JSON contract this package writes.
const Version = 1

// Report is an attribution report: one scan and the registered works found
// in it. Its JSON encoding is the public Report JSON contract; fields that do
// not apply are omitted, never filled with invented values.
type Report struct {
	Version int     `json:"version"`
	Scan    Scan    `json:"scan"`
	Matches []Match `json:"matches"` // never null: [] when nothing matched
	// Documents are the found documents with the shares of their matched
	// content owed to each creator (see Document); omitted when nothing
	// matched.
	Documents []Document `json:"documents,omitempty"`
	// Transparency is the log's proof that this report was recorded: the
	// signed tree head it was written under and the report's inclusion
	// proof (matcher/transparency owns the shape). The report's digest is
	// taken over the report without this field.
	Transparency json.RawMessage `json:"transparency,omitempty"`
}

// Scan describes the crawl or audit a report is about.
type Scan struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`    // "crawl" or "audit"
	Targets []string `json:"targets"` // never null
	// StartedAt and FinishedAt are RFC 3339 timestamps in UTC with second
	// precision. FinishedAt is omitted while the scan runs; StartedAt only
	// when the store did not record it.
	StartedAt  string `json:"started_at,omitempty"`
	FinishedAt string `json:"finished_at,omitempty"`
	Stats      Stats  `json:"stats"`
}

// Stats counts what a scan saw.
type Stats struct {
	Pages   int64 `json:"pages"`
	Images  int64 `json:"images"`
	Records int64 `json:"records"`
	Bytes   int64 `json:"bytes"`
	Errors  int64 `json:"errors"`
	Skipped int64 `json:"skipped"`
}

// Match is one attribution: a registered work and where it was found, with
// the evidence. A report holds at most one match per (work, found place).
type Match struct {
	Work   Work   `json:"work"`
	Found  Found  `json:"found"`
	Method string `json:"method"` // "exact", "text" or "image"
	// Score is the confidence in [0,1] that the work appears at Found.
	Score float64 `json:"score"`
	// WorkCoverage is the share of the work found there.
	WorkCoverage float64 `json:"work_coverage"`
	// FoundCoverage is the share of the found document that is this work
	// (for images 1 when the whole image matches).
	FoundCoverage float64  `json:"found_coverage"`
	Evidence      Evidence `json:"evidence"`
	// OptOut is nil (omitted) when no opt-out information was gathered.
	OptOut *OptOut `json:"optout,omitempty"`
	// Share is this match's part of its document's matched content (see
	// Document); nil only in a report not made by Build.
	Share *float64 `json:"share,omitempty"`
}

// Work identifies the registered work of a match. Title, Creator and Kind are
// omitted only when the work was not known when the report was built.
type Work struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Creator string `json:"creator,omitempty"`
	Kind    string `json:"kind,omitempty"` // "text" or "image"
	// Thumb is the work's preview image (a small JPEG) when the store has
	// one. Only the HTML report shows it; the JSON report leaves it out.
	Thumb []byte `json:"-"`
}

// Found says where a work was found. URL is the page or image; PageURL the
// page that embeds an image (the same as URL for a text). Dataset and Record
// locate an audited record and are omitted for crawls.
type Found struct {
	URL     string `json:"url,omitempty"`
	PageURL string `json:"page_url,omitempty"`
	Dataset string `json:"dataset,omitempty"`
	Record  string `json:"record,omitempty"`
}

// Evidence says why a match was made. Text matches carry passages; image
// matches carry the hash algorithm, its bit count and the Hamming distance
// (present, and possibly 0, exactly when a hash comparison was made).
type Evidence struct {
	Passages  []Passage `json:"passages,omitempty"`
	Algorithm string    `json:"algorithm,omitempty"`
	Distance  *int      `json:"distance,omitempty"`
	Bits      int       `json:"bits,omitempty"`
	Transform string    `json:"transform,omitempty"`
}

// Passage is one aligned text passage: byte offsets into the work's
// registered text and into the found document's extracted text (UTF-8), and
// the found passage itself.
type Passage struct {
	WorkStart  int    `json:"work_start"`
	WorkEnd    int    `json:"work_end"`
	FoundStart int    `json:"found_start"`
	FoundEnd   int    `json:"found_end"`
	Text       string `json:"text"`
}

// OptOut says whether the source reserved its content from AI/TDM use, and
// which machine-readable signals said so.
type OptOut struct {
	Reserved bool     `json:"reserved"`
	Signals  []Signal `json:"signals,omitempty"`
}

// Signal is one machine-readable opt-out signal, e.g. kind "robots" or
// "x-robots-tag", with its value and the URL it was read from.
type Signal struct {
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Source string `json:"source,omitempty"`
}

// IndexWorks maps works by ID, the shape Build takes.
func IndexWorks(ws []store.Work) map[string]store.Work {
	m := make(map[string]store.Work, len(ws))
	for _, w := range ws {
		m[w.ID] = w
	}
	return m
}
