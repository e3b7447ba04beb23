package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// CSVColumns are the columns of the CSV report, one row per match, in this
// order. They are stable: new columns are only ever appended.
var CSVColumns = []string{
	"scan_id", "work_id", "work_title", "creator", "kind", "method", "score",
	"work_coverage", "found_coverage", "found_url", "page_url", "dataset", "record",
	"algorithm", "distance", "transform", "passages", "optout_reserved",
	"optout_signals", "share",
}

// renderCSV writes one header row and one row per match (RFC 4180 quoting,
// UTF-8, LF line ends). Fields that do not apply are empty. Text cells that
// a spreadsheet would run as a formula (starting with = + - or @) get a leading apostrophe, and every text cell is cleaned
// to one line (no newlines, control or bidi-override characters), so that
// line-oriented tools can read the file too.
func renderCSV(b *bytes.Buffer, r Report) error {
	w := csv.NewWriter(b)
	if err := w.Write(CSVColumns); err != nil {
		return fmt.Errorf("encode csv: %w", err)
	}
	for _, m := range r.Matches {
		if err := w.Write(csvRow(r.Scan.ID, m)); err != nil {
			return fmt.Errorf("encode csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("encode csv: %w", err)
	}
	return nil
}

func csvRow(scanID string, m Match) []string {
	e := m.Evidence
	return []string{
		cell(scanID), cell(m.Work.ID), cell(m.Work.Title), cell(m.Work.Creator), cell(m.Work.Kind),
		cell(m.Method), formatScore(m.Score), formatScore(m.WorkCoverage), formatScore(m.FoundCoverage),
		cell(m.Found.URL), cell(m.Found.PageURL), cell(m.Found.Dataset), cell(m.Found.Record),
		cell(e.Algorithm), optInt(e.Distance), cell(e.Transform), passageCount(e.Passages),
		reservedCell(m.OptOut), cell(signalList(m.OptOut)), optRatio(m.Share),
	}
}

// cell cleans user-controlled text to one line and neutralises
// spreadsheet formulas.
func cell(s string) string {
	s = clean(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func optRatio(p *float64) string {
	if p == nil {
		return ""
	}
	return formatScore(*p)
}

// passageCount is the number of passages, empty for evidence without any.
func passageCount(ps []Passage) string {
	if len(ps) == 0 {
		return ""
	}
	return strconv.Itoa(len(ps))
}

// reservedCell is "true" or "false", empty when opt-outs were not checked.
func reservedCell(o *OptOut) string {
	if o == nil {
		return ""
	}
	return strconv.FormatBool(o.Reserved)
}

// signalList lists the opt-out signals as kind=value pairs joined by
// "; ".
func signalList(o *OptOut) string {
	if o == nil {
		return ""
	}
	parts := make([]string, len(o.Signals))
	for i, s := range o.Signals {
		parts[i] = s.Kind + "=" + s.Value
	}
	return strings.Join(parts, "; ")
}
