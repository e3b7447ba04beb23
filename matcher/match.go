package matcher

import (
	"context"
	"fmt"
	"sort"

	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/pdq"
	"github.com/attrib/attrib/store"
)

// Found says where content was found.
type Found struct {
	URL     string // the page, image or record URL
	PageURL string // for an image: the page embedding it; empty means URL
	Dataset string // audits: the dataset file
	Record  string // audits: the record locator
}

func (f Found) match(workID, method string) store.Match {
	page := f.PageURL
	if page == "" {
		page = f.URL
	}
	return store.Match{WorkID: workID, FoundURL: f.URL, PageURL: page, Dataset: f.Dataset, Record: f.Record, Method: method}
}

// MatchText attributes a found text (a page's extracted main text or a
// dataset record) to registered text works. Every result was verified by
// aligning passages of at least the configured length.
func (m *Matcher) MatchText(ctx context.Context, f Found, text string) ([]store.Match, error) {
	results, err := m.text.Match(ctx, text, m.workText)
	if err != nil {
		return nil, fmt.Errorf("match text of %s: %w", f.URL, err)
	}
	var out []store.Match
	for _, r := range results {
		if _, ok := m.Work(r.WorkID); !ok {
			continue
		}
		mt := f.match(r.WorkID, "text")
		mt.Score, mt.WorkCoverage, mt.FoundCoverage = r.Score, r.WorkCoverage, r.FoundCoverage
		mt.Evidence = store.Evidence{Passages: r.Passages, Algorithm: "winnow"}
		out = append(out, mt)
	}
	return out, nil
}

func (m *Matcher) workText(ctx context.Context, id string) (string, error) {
	w, err := m.reg.Work(ctx, id)
	if err != nil {
		return "", err
	}
	return w.Text, nil
}

// MatchPage attributes a found document: works whose registered file is
// byte-identical to it (sha256 of the document as received; empty to skip)
// match exactly, and text works found inside its extracted text match by
// aligned passages. A work matched exactly is not reported again as text.
func (m *Matcher) MatchPage(ctx context.Context, f Found, sha256, text string) ([]store.Match, error) {
	out := m.exact(f, sha256, store.KindText)
	ms, err := m.MatchText(ctx, f, text)
	if err != nil {
		return out, err
	}
	for _, mt := range ms {
		if !hasWork(out, mt.WorkID) {
			out = append(out, mt)
		}
	}
	return out, nil
}

func hasWork(ms []store.Match, id string) bool {
	for _, m := range ms {
		if m.WorkID == id {
			return true
		}
	}
	return false
}

// exact returns matches of works of the given kind whose content hash is sha.
func (m *Matcher) exact(f Found, sha string, kind store.WorkKind) []store.Match {
	if sha == "" {
		return nil
	}
	m.mu.RLock()
	ids := append([]string(nil), m.bySHA[sha]...)
	m.mu.RUnlock()
	var out []store.Match
	for _, id := range ids {
		if w, ok := m.Work(id); !ok || w.Kind != kind {
			continue
		}
		zero := 0
		mt := f.match(id, "exact")
		mt.Score, mt.WorkCoverage, mt.FoundCoverage = 1, 1, 1
		mt.Evidence = store.Evidence{Algorithm: "sha256", Distance: &zero, Bits: 256}
		if kind == store.KindImage {
			mt.Evidence.Transform = "none"
		}
		out = append(out, mt)
	}
	return out
}

// MatchImage attributes a found image to registered image works: exactly by
// SHA-256, else by PDQ distance within PDQMaxDistance — of the whole image
// under any flip or rotation, or of parts of either image: crops, borders,
// a picture placed in a collage or a page (the evidence names the
// transform: a pdq.Transform, TransformCrop or TransformPlaced) — else, for
// works without a reliable PDQ, by pHash distance within ImageMaxDistance.
func (m *Matcher) MatchImage(_ context.Context, f Found, h imagefp.Hashes) []store.Match {
	out := m.exact(f, h.SHA256, store.KindImage)
	seen := make(map[string]bool, len(out))
	for _, mt := range out {
		seen[mt.WorkID] = true
	}
	usePDQ := h.PDQQuality >= pdq.MinQuality
	if qs := pdqQueries(h); len(qs) > 0 {
		for _, hit := range m.pdq.search(qs, m.opts.PDQMaxDistance, m.opts.PDQPartMaxDistance) {
			if seen[hit.id] {
				continue
			}
			seen[hit.id] = true
			d := hit.distance
			mt := f.match(hit.id, "image")
			mt.Score = imageScore(d, m.opts.PDQMaxDistance)
			// The matched parts' shares: a crop shows part of the work, a
			// placed copy fills part of the found image.
			mt.WorkCoverage, mt.FoundCoverage = hit.workArea, hit.foundArea
			mt.Evidence = store.Evidence{Algorithm: "pdq", Distance: &d, Bits: pdq.Bits, Transform: hit.transform}
			out = append(out, mt)
		}
	}
	for _, hit := range m.images.Search(h.PHash, m.opts.ImageMaxDistance) {
		// PDQ decides for works that have it, unless the found image's PDQ is unreliable.
		if seen[hit.ID] || (usePDQ && m.pdq.contains(hit.ID)) {
			continue
		}
		seen[hit.ID] = true
		d := hit.Distance
		mt := f.match(hit.ID, "image")
		mt.Score = imageScore(d, m.opts.ImageMaxDistance)
		mt.WorkCoverage, mt.FoundCoverage = 1, 1
		mt.Evidence = store.Evidence{Algorithm: "phash", Distance: &d, Bits: imagefp.PHashBits, Transform: "none"}
		out = append(out, mt)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// pdqQueries returns the PDQ hashes of a found image to search: its own
// when reliable, and those of its windows and picture regions, which
// imagefp keeps only when reliable themselves (a picture on a blank page).
func pdqQueries(h imagefp.Hashes) []pdqQuery {
	var qs []pdqQuery
	if h.PDQQuality >= pdq.MinQuality {
		qs = append(qs, pdqQuery{hash: h.PDQ})
	}
	for _, p := range append(h.PDQWindows[:len(h.PDQWindows):len(h.PDQWindows)], h.PDQRegions...) {
		qs = append(qs, pdqQuery{hash: p.Hash, part: true, area: p.Area})
	}
	return qs
}

// imageScore maps a Hamming distance to a confidence: 1 at distance 0,
// falling linearly to 0.5 at the threshold, the edge of the near-duplicate
// range measured on real photos.
func imageScore(d, max int) float64 {
	if max <= 0 {
		return 1
	}
	return 1 - 0.5*float64(d)/float64(max)
}
