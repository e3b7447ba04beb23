package report

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Document is one found document and the shares of its matched content owed
// to each creator. A document is a page, or an audited record: the matches
// with the same found page (page_url, else url), dataset and record. An
// image belongs to the page that embeds it.
//
// Its matched content is made of units: the matched text counts as one unit
// (when any text of the page matched) and every matched image as one more.
// The text unit is divided by aligned bytes: each byte of the found text
// inside a passage belongs to the works aligned there; where works of
// different creators overlap, the byte is split equally among those
// creators (and among one creator's overlapping works). An image unit is
// split the same way among the creators whose works it matches. A
// creator's share is their part of all units, so the shares of a document
// sum to 1 (up to rounding) over its matched content.
type Document struct {
	URL     string `json:"url,omitempty"`
	Dataset string `json:"dataset,omitempty"`
	Record  string `json:"record,omitempty"`
	Matches int    `json:"matches"`
	// TextBytes is the number of found-text bytes inside any passage;
	// omitted when no text matched by passages.
	TextBytes int `json:"text_bytes,omitempty"`
	// Images is the number of distinct matched images.
	Images int `json:"images,omitempty"`
	// TextCoverage estimates the share of the document's whole text that is
	// matched: TextBytes over the text length inferred from the
	// found_coverage of the match with the most aligned bytes (found_coverage
	// counts tokens, so this is an estimate), 1 with a byte-identical copy.
	// Omitted when no text matched.
	TextCoverage *float64 `json:"text_coverage,omitempty"`
	Shares       []Share  `json:"shares"`
}

// Share is one creator's share of a document's matched content.
type Share struct {
	// Creator is omitted for works no longer registered.
	Creator string `json:"creator,omitempty"`
	// Share is the creator's part of the document's matched units, in [0,1].
	Share float64 `json:"share"`
	// TextBytes are the creator's aligned bytes, overlaps split (so possibly
	// fractional); Images the matched images, split likewise.
	TextBytes float64     `json:"text_bytes,omitempty"`
	Images    float64     `json:"images,omitempty"`
	Works     []WorkShare `json:"works"`
}

// WorkShare is one work's part of its creator's share.
type WorkShare struct {
	ID        string  `json:"id"`
	Title     string  `json:"title,omitempty"`
	Share     float64 `json:"share"`
	TextBytes float64 `json:"text_bytes,omitempty"`
	Images    float64 `json:"images,omitempty"`
}

type docKey struct{ page, dataset, record string }

func docKeyOf(m Match) docKey {
	page := m.Found.PageURL
	if page == "" {
		page = m.Found.URL
	}
	return docKey{page, m.Found.Dataset, m.Found.Record}
}

// isImage reports whether m matched an image rather than text.
func isImage(m Match) bool {
	switch m.Work.Kind {
	case "image":
		return true
	case "text":
		return false
	}
	return m.Method == "image" || (m.Found.PageURL != "" && m.Found.PageURL != m.Found.URL)
}

// creatorKey groups matches by creator; works no longer registered each
// count as their own creator, since nobody can tell whose they are.
func creatorKey(w Work) string {
	if w.Creator != "" {
		return "c:" + w.Creator
	}
	return "w:" + w.ID
}

// attachShares computes r.Documents from r.Matches and sets each match's
// Share: its part of its document's matched units.
func attachShares(r *Report) {
	groups := map[docKey][]int{}
	var keys []docKey
	for i, m := range r.Matches {
		k := docKeyOf(m)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	slices.SortFunc(keys, func(a, b docKey) int {
		return cmp.Or(strings.Compare(a.page, b.page), strings.Compare(a.dataset, b.dataset), strings.Compare(a.record, b.record))
	})
	r.Documents = nil
	for _, k := range keys {
		r.Documents = append(r.Documents, documentOf(k, r.Matches, groups[k]))
	}
}

// documentOf computes one document's shares from the matches at idx and
// stores each match's share in ms.
func documentOf(k docKey, ms []Match, idx []int) Document {
	text, images := splitDocument(ms, idx)
	units := float64(len(images.units))
	if text.union > 0 || text.whole {
		units++
	}
	d := Document{URL: k.page, Dataset: k.dataset, Record: k.record, Matches: len(idx), Images: len(images.units)}
	if text.union > 0 {
		d.TextBytes = text.union
	}
	if cov, ok := text.coverage(ms, idx); ok {
		d.TextCoverage = &cov
	}
	byCreator := map[string]*Share{}
	var order []string
	for _, i := range idx {
		m := &ms[i]
		part := 0.0
		ws := WorkShare{ID: m.Work.ID, Title: m.Work.Title}
		if isImage(*m) {
			ws.Images = images.perMatch[i]
			part = ws.Images
		} else if text.total > 0 {
			ws.TextBytes = text.perMatch[i]
			part = ws.TextBytes / text.total
		}
		if units > 0 {
			ws.Share = part / units
		}
		share := ratio(ws.Share)
		m.Share = &share
		ck := creatorKey(m.Work)
		s, ok := byCreator[ck]
		if !ok {
			s = &Share{Creator: m.Work.Creator}
			byCreator[ck] = s
			order = append(order, ck)
		}
		s.Share += ws.Share
		s.TextBytes += ws.TextBytes
		s.Images += ws.Images
		s.Works = addWorkShare(s.Works, ws)
	}
	d.Shares = make([]Share, 0, len(order))
	for _, ck := range order {
		d.Shares = append(d.Shares, finishShare(*byCreator[ck], text.bytesKnown()))
	}
	slices.SortStableFunc(d.Shares, func(a, b Share) int {
		return cmp.Or(cmp.Compare(b.Share, a.Share), strings.Compare(a.Creator, b.Creator))
	})
	return d
}

// addWorkShare adds ws to the list, merging with an entry of the same work
// (an image work matched by several images of one page).
func addWorkShare(list []WorkShare, ws WorkShare) []WorkShare {
	for i := range list {
		if list[i].ID == ws.ID {
			list[i].Share += ws.Share
			list[i].TextBytes += ws.TextBytes
			list[i].Images += ws.Images
			return list
		}
	}
	return append(list, ws)
}

// finishShare rounds a creator's share and orders its works.
func finishShare(s Share, bytesKnown bool) Share {
	s.Share = ratio(s.Share)
	s.TextBytes, s.Images = amount(s.TextBytes, bytesKnown), amount(s.Images, true)
	for i := range s.Works {
		w := &s.Works[i]
		w.Share = ratio(w.Share)
		w.TextBytes, w.Images = amount(w.TextBytes, bytesKnown), amount(w.Images, true)
	}
	slices.SortStableFunc(s.Works, func(a, b WorkShare) int {
		return cmp.Or(cmp.Compare(b.Share, a.Share), strings.Compare(a.Title, b.Title), strings.Compare(a.ID, b.ID))
	})
	return s
}

// amount rounds a split count to 2 decimals; 0 (omitted) when unknown.
func amount(v float64, known bool) float64 {
	if !known {
		return 0
	}
	return math.Round(v*100) / 100
}
