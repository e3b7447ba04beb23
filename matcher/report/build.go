package report

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/attrib/attrib/store"
)

// Build converts a stored scan and its matches into a report. works maps work
// IDs to works (see IndexWorks); a match whose work is missing keeps only the
// work's ID. Build guarantees:
//   - one match per (work, found URL, dataset, record) — for crawls that is
//     the contract's (work, found.url) pair; if the input holds several, the
//     best evidence wins (highest score, then work coverage, then found
//     coverage, then most passages, compared after rounding; on a full tie
//     the earliest) and nothing is merged;
//   - score and coverages are clamped to [0,1] (NaN becomes 0) and rounded
//     to 4 decimals, so output is stable;
//   - a text work's page_url defaults to its url, as the contract says;
//   - passages are ordered by work offset, then found offset;
//   - matches are sorted by work creator, title and ID, then score
//     (highest first), then found URL, dataset and record;
//   - Documents holds every found document with its creators' shares, and
//     each match its own share (see Document), computed after the dedupe;
//   - a work's thumbnail is carried through when works holds one.
//
// Build copies everything it keeps; the report shares no memory with its input.
func Build(scan store.Scan, works map[string]store.Work, matches []store.Match) Report {
	r := Report{Version: Version, Scan: buildScan(scan), Matches: make([]Match, 0, len(matches))}
	index := make(map[matchKey]int, len(matches))
	for _, sm := range matches {
		m := buildMatch(sm, works)
		k := keyOf(m)
		i, seen := index[k]
		switch {
		case !seen:
			index[k] = len(r.Matches)
			r.Matches = append(r.Matches, m)
		case better(m, r.Matches[i]):
			r.Matches[i] = m
		}
	}
	slices.SortStableFunc(r.Matches, compareMatches)
	attachShares(&r)
	return r
}

// FilterCreator returns a copy of r holding only the matches of works by the
// named creator (exact name). An empty name keeps every match. Scan stats are
// scan-wide and stay unchanged. Shares stay those computed over every work
// in a document: a filtered report keeps the documents where the creator
// has a share and lists only that creator's share; the rest of a document
// belongs to other creators, who are not named.
func FilterCreator(r Report, name string) Report {
	out := r
	out.Scan.Targets = slices.Clone(r.Scan.Targets)
	out.Matches = make([]Match, 0, len(r.Matches))
	for _, m := range r.Matches {
		if name == "" || m.Work.Creator == name {
			out.Matches = append(out.Matches, m)
		}
	}
	if name == "" || r.Documents == nil {
		return out
	}
	out.Documents = nil
	for _, d := range r.Documents {
		for _, s := range d.Shares {
			if s.Creator == name {
				d.Shares = []Share{s}
				out.Documents = append(out.Documents, d)
				break
			}
		}
	}
	return out
}

type matchKey struct{ work, url, dataset, record string }

func keyOf(m Match) matchKey {
	return matchKey{m.Work.ID, m.Found.URL, m.Found.Dataset, m.Found.Record}
}

// better reports whether a carries better evidence than b.
func better(a, b Match) bool {
	c := cmp.Or(
		cmp.Compare(a.Score, b.Score),
		cmp.Compare(a.WorkCoverage, b.WorkCoverage),
		cmp.Compare(a.FoundCoverage, b.FoundCoverage),
		cmp.Compare(len(a.Evidence.Passages), len(b.Evidence.Passages)),
	)
	return c > 0
}

func compareMatches(a, b Match) int {
	return cmp.Or(
		strings.Compare(a.Work.Creator, b.Work.Creator),
		strings.Compare(a.Work.Title, b.Work.Title),
		strings.Compare(a.Work.ID, b.Work.ID),
		cmp.Compare(b.Score, a.Score),
		strings.Compare(a.Found.URL, b.Found.URL),
		strings.Compare(a.Found.Dataset, b.Found.Dataset),
		strings.Compare(a.Found.Record, b.Found.Record),
	)
}

func buildScan(s store.Scan) Scan {
	targets := slices.Clone(s.Targets)
	if targets == nil {
		targets = []string{}
	}
	return Scan{
		ID:         s.ID,
		Kind:       s.Kind,
		Targets:    targets,
		StartedAt:  timestamp(s.StartedAt),
		FinishedAt: timestamp(s.FinishedAt),
		Stats:      Stats(s.Stats),
	}
}

// timestamp formats t as RFC 3339 in UTC to the second, or "" when t is zero.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

func buildMatch(m store.Match, works map[string]store.Work) Match {
	out := Match{
		Work:          Work{ID: m.WorkID},
		Found:         Found{URL: m.FoundURL, PageURL: m.PageURL, Dataset: m.Dataset, Record: m.Record},
		Method:        m.Method,
		Score:         ratio(m.Score),
		WorkCoverage:  ratio(m.WorkCoverage),
		FoundCoverage: ratio(m.FoundCoverage),
		Evidence:      buildEvidence(m.Evidence),
		OptOut:        buildOptOut(m.OptOut),
	}
	if w, ok := works[m.WorkID]; ok {
		out.Work.Title, out.Work.Creator, out.Work.Kind = w.Title, w.Creator, string(w.Kind)
		out.Work.Thumb = slices.Clone(w.Thumb)
	}
	if out.Found.PageURL == "" && out.Work.Kind == string(store.KindText) {
		out.Found.PageURL = out.Found.URL
	}
	return out
}

// ratio clamps v to [0,1] (NaN becomes 0) and rounds it to 4 decimals.
func ratio(v float64) float64 {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	if v >= 1 {
		return 1
	}
	return math.Round(v*1e4) / 1e4
}

func buildEvidence(e store.Evidence) Evidence {
	out := Evidence{Algorithm: e.Algorithm, Bits: e.Bits, Transform: e.Transform}
	if e.Distance != nil {
		d := *e.Distance
		out.Distance = &d
	}
	if len(e.Passages) > 0 {
		out.Passages = make([]Passage, len(e.Passages))
		for i, p := range e.Passages {
			out.Passages[i] = Passage(p)
		}
		slices.SortStableFunc(out.Passages, func(a, b Passage) int {
			return cmp.Or(cmp.Compare(a.WorkStart, b.WorkStart), cmp.Compare(a.FoundStart, b.FoundStart))
		})
	}
	return out
}

func buildOptOut(o *store.OptOut) *OptOut {
	if o == nil {
		return nil
	}
	out := &OptOut{Reserved: o.Reserved}
	if len(o.Signals) > 0 {
		out.Signals = make([]Signal, len(o.Signals))
		for i, s := range o.Signals {
			out.Signals[i] = Signal(s)
		}
	}
	return out
}
