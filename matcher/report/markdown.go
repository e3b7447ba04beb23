package report

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limits that keep a Markdown report readable; the JSON report is complete.
const (
	mdMaxTargets   = 10  // seed URLs listed in the header
	mdMaxCreators  = 10  // creator names listed in the header
	mdMaxPassages  = 20  // passages quoted per match
	mdPassageRunes = 300 // characters quoted per passage
	maxTextRunes   = 200 // characters of a title, signal value or locator
)

// renderMarkdown writes r as a GitHub-flavoured Markdown document: a header,
// a summary table and one section per match. Every user-controlled string
// goes through mdEscape, mdURL or mdCode.
func renderMarkdown(b *bytes.Buffer, r Report) {
	mdHeader(b, r)
	if len(r.Matches) == 0 {
		b.WriteString("\nNo matches.\n")
		return
	}
	mdTable(b, r.Matches)
	mdShares(b, r.Documents)
	b.WriteString("\n## Matches\n")
	for i, m := range r.Matches {
		mdMatch(b, i+1, m)
	}
}

func mdHeader(b *bytes.Buffer, r Report) {
	s := r.Scan
	b.WriteString("# Attribution report\n\n")
	fmt.Fprintf(b, "- **Scan:** %s (%s)\n", mdCode(s.ID), mdEscape(orNone(s.Kind)))
	fmt.Fprintf(b, "- **Targets:** %s\n", mdList(s.Targets, mdMaxTargets, mdURL))
	fmt.Fprintf(b, "- **Started:** %s\n", mdEscape(orNone(s.StartedAt)))
	finished := "not finished"
	if s.FinishedAt != "" {
		finished = mdEscape(s.FinishedAt)
	}
	fmt.Fprintf(b, "- **Finished:** %s\n", finished)
	fmt.Fprintf(b, "- **Stats:** %s\n", statsLine(s.Stats))
	fmt.Fprintf(b, "- **Matches:** %d", len(r.Matches))
	if creators := creatorsOf(r.Matches); len(creators) > 0 {
		fmt.Fprintf(b, " (works by %s)", mdList(creators, mdMaxCreators, func(c string) string {
			return mdEscape(short(c, maxTextRunes))
		}))
	}
	b.WriteString("\n")
}

// mdList renders up to limit items joined by commas, then "and K more".
func mdList(items []string, limit int, render func(string) string) string {
	if len(items) == 0 {
		return "(none)"
	}
	parts := make([]string, 0, min(len(items), limit)+1)
	for i, it := range items {
		if i == limit {
			parts = append(parts, fmt.Sprintf("and %d more", len(items)-limit))
			break
		}
		parts = append(parts, render(it))
	}
	return strings.Join(parts, ", ")
}

func creatorsOf(ms []Match) []string {
	var cs []string
	for _, m := range ms {
		if m.Work.Creator != "" {
			cs = append(cs, m.Work.Creator)
		}
	}
	slices.Sort(cs)
	return slices.Compact(cs)
}

func mdTable(b *bytes.Buffer, ms []Match) {
	b.WriteString("\n## Summary\n\n")
	b.WriteString("| # | Work | Creator | Found at | Method | Score | Work coverage | Found coverage | Share |\n")
	b.WriteString("|--:|------|---------|----------|--------|------:|--------------:|---------------:|------:|\n")
	for i, m := range ms {
		fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			i+1, mdEscape(short(workLabel(m.Work), maxTextRunes)),
			mdEscape(short(m.Work.Creator, maxTextRunes)), mdFound(m.Found),
			mdEscape(m.Method), formatScore(m.Score), percent(m.WorkCoverage), percent(m.FoundCoverage), sharePercent(m.Share))
	}
}

// mdFound renders where a match was found: the URL, or for an audited record
// without one, its dataset and record.
func mdFound(f Found) string {
	if f.URL != "" {
		return mdURL(f.URL)
	}
	if f.Record == "" {
		return mdEscape(short(orNone(f.Dataset), maxTextRunes))
	}
	return mdEscape(short(f.Dataset, maxTextRunes)) + ", record " + mdEscape(short(f.Record, maxTextRunes))
}

func mdMatch(b *bytes.Buffer, n int, m Match) {
	fmt.Fprintf(b, "\n### %d. %s\n\n", n, mdEscape(short(workLabel(m.Work), maxTextRunes)))
	fmt.Fprintf(b, "- **Work:** %s\n", mdWork(m.Work))
	if m.Found.URL != "" {
		fmt.Fprintf(b, "- **Found at:** %s\n", mdURL(m.Found.URL))
	}
	if m.Found.PageURL != "" && m.Found.PageURL != m.Found.URL {
		fmt.Fprintf(b, "- **Embedded in:** %s\n", mdURL(m.Found.PageURL))
	}
	if m.Found.Dataset != "" {
		fmt.Fprintf(b, "- **Dataset:** %s\n", mdEscape(short(m.Found.Dataset, maxTextRunes)))
	}
	if m.Found.Record != "" {
		fmt.Fprintf(b, "- **Record:** %s\n", mdEscape(short(m.Found.Record, maxTextRunes)))
	}
	fmt.Fprintf(b, "- **Method:** %s, score %s, work coverage %s, found coverage %s\n",
		mdEscape(orNone(m.Method)), formatScore(m.Score), percent(m.WorkCoverage), percent(m.FoundCoverage))
	if m.Share != nil {
		fmt.Fprintf(b, "- **Share:** %s of the document's matched content\n", percent(*m.Share))
	}
	fmt.Fprintf(b, "- **Evidence:** %s\n", evidenceLine(m.Evidence))
	mdOptOut(b, m.OptOut)
	mdPassages(b, m.Evidence.Passages)
}

func mdWork(w Work) string {
	s := mdEscape(short(workLabel(w), maxTextRunes))
	if w.Creator != "" {
		s += " by " + mdEscape(short(w.Creator, maxTextRunes))
	}
	if w.Kind != "" {
		return fmt.Sprintf("%s (%s, id %s)", s, mdEscape(w.Kind), mdCode(w.ID))
	}
	return fmt.Sprintf("%s (id %s)", s, mdCode(w.ID))
}

// evidenceLine summarises evidence for Markdown (see evidenceText).
func evidenceLine(e Evidence) string { return evidenceText(e, mdEscape) }

// evidenceText summarises evidence: algorithm, distance and bits, transform
// and the number of passages, each only when present; esc renders the
// user-controlled names.
func evidenceText(e Evidence, esc func(string) string) string {
	var parts []string
	if e.Algorithm != "" {
		parts = append(parts, esc(e.Algorithm))
	}
	switch {
	case e.Distance != nil && e.Bits > 0:
		parts = append(parts, fmt.Sprintf("distance %d of %d bits", *e.Distance, e.Bits))
	case e.Distance != nil:
		parts = append(parts, fmt.Sprintf("distance %d", *e.Distance))
	case e.Bits > 0:
		parts = append(parts, fmt.Sprintf("%d bits", e.Bits))
	}
	if e.Transform != "" {
		parts = append(parts, "transform "+esc(e.Transform))
	}
	if len(e.Passages) > 0 {
		parts = append(parts, plural(int64(len(e.Passages)), "passage", "passages"))
	}
	if len(parts) == 0 {
		return "none recorded"
	}
	return strings.Join(parts, ", ")
}

func mdOptOut(b *bytes.Buffer, o *OptOut) {
	switch {
	case o == nil:
		b.WriteString("- **Opt-out:** not checked\n")
		return
	case o.Reserved:
		b.WriteString("- **Opt-out:** **reserved**: the source reserves its content from AI/TDM use\n")
	default:
		b.WriteString("- **Opt-out:** not reserved\n")
	}
	for _, s := range o.Signals {
		line := fmt.Sprintf("  - %s: %s", mdEscape(orNone(s.Kind)), mdEscape(short(s.Value, maxTextRunes)))
		if s.Source != "" {
			line += " (source: " + mdURL(s.Source) + ")"
		}
		b.WriteString(line + "\n")
	}
}

func mdPassages(b *bytes.Buffer, ps []Passage) {
	for i, p := range ps {
		if i == mdMaxPassages {
			fmt.Fprintf(b, "\n… and %d more passages (see the JSON report).\n", len(ps)-mdMaxPassages)
			return
		}
		fmt.Fprintf(b, "\nPassage %d (work bytes %d–%d, found bytes %d–%d):\n\n",
			i+1, p.WorkStart, p.WorkEnd, p.FoundStart, p.FoundEnd)
		text := mdEscape(short(p.Text, mdPassageRunes))
		if text == "" {
			text = "_(no text)_"
		}
		fmt.Fprintf(b, "> %s\n", text)
	}
}

// workLabel is the work's title, or its ID when the title is unknown.
func workLabel(w Work) string {
	if w.Title != "" {
		return w.Title
	}
	return "work " + w.ID
}

// formatScore prints a ratio with at most 4 decimals and no trailing zeros.
func formatScore(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// sharePercent is a match's share as a percentage, "–" when not computed.
func sharePercent(p *float64) string {
	if p == nil {
		return "–"
	}
	return percent(*p)
}
