package report

import (
	"bytes"
	"fmt"
	"io"
)

// DefaultSummaryLines is how many matches Summary lists before "… and K more".
const DefaultSummaryLines = 20

// Summary writes the short human summary that `attrib crawl` and
// `attrib demo` print: a stats line, then one line per match, at most
// DefaultSummaryLines of them.
func Summary(w io.Writer, r Report) error {
	return SummaryN(w, r, DefaultSummaryLines)
}

// SummaryN is Summary listing at most limit matches (none if limit <= 0)
// followed by "… and K more". User-controlled text is cleaned to one line
// without control characters, so a hostile title cannot forge lines or send
// terminal escape sequences.
func SummaryN(w io.Writer, r Report, limit int) error {
	var b bytes.Buffer
	s := r.Scan
	fmt.Fprintf(&b, "scan %s (%s): %s; %s\n", clean(orNone(s.ID)), clean(orNone(s.Kind)),
		statsLine(s.Stats), plural(int64(len(r.Matches)), "match", "matches"))
	if len(r.Matches) == 0 {
		b.WriteString("No matches.\n")
	}
	limit = max(limit, 0)
	for i, m := range r.Matches {
		if i == limit {
			fmt.Fprintf(&b, "  … and %d more\n", len(r.Matches)-limit)
			break
		}
		b.WriteString("  " + summaryLine(m) + "\n")
	}
	summaryShares(&b, r.Documents, limit)
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// summaryShares lists documents with the creators' shares, at most limit
// of them; only documents with more than one creator, as a single
// creator's share is 100% (a report limited to one creator lists its
// documents where that share is less).
func summaryShares(b *bytes.Buffer, ds []Document, limit int) {
	var mixed []Document
	for _, d := range ds {
		if len(d.Shares) > 1 || (len(d.Shares) == 1 && d.Shares[0].Share < 1) {
			mixed = append(mixed, d)
		}
	}
	if len(mixed) == 0 || limit <= 0 {
		return
	}
	fmt.Fprintf(b, "shares of documents with works by several creators:\n")
	for i, d := range mixed {
		if i == limit {
			fmt.Fprintf(b, "  … and %d more\n", len(mixed)-limit)
			return
		}
		b.WriteString("  " + documentLine(d) + "\n")
	}
}

// summaryLine is "creator / title -> where (method, score S, P of work)".
func summaryLine(m Match) string {
	who := short(workLabel(m.Work), maxTextRunes)
	if m.Work.Creator != "" {
		who = short(m.Work.Creator, maxTextRunes) + " / " + who
	}
	return fmt.Sprintf("%s -> %s (%s, score %s, %s of work, %s of found)", who, foundLabel(m.Found),
		clean(orNone(m.Method)), formatScore(m.Score), percent(m.WorkCoverage), percent(m.FoundCoverage))
}

// foundLabel is the found URL, with the dataset and record for audits.
func foundLabel(f Found) string {
	loc := ""
	if f.Dataset != "" {
		loc = short(f.Dataset, maxTextRunes)
		if f.Record != "" {
			loc += " record " + short(f.Record, maxTextRunes)
		}
	}
	switch {
	case f.URL != "" && loc != "":
		return short(f.URL, maxLinkLen) + " (in " + loc + ")"
	case f.URL != "":
		return short(f.URL, maxLinkLen)
	case loc != "":
		return loc
	}
	return "(unknown)"
}
