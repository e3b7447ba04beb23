package matcher

import (
	"encoding/binary"
	"math"
	"sort"
	"sync"

	"github.com/attrib/attrib/matcher/hamming"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/pdq"
)

// Transforms reported for matches through window and region hashes, besides
// the pdq.Transform names of whole-image matches.
const (
	// TransformCrop: the found image shows part of the work (a hash of part
	// of the work, or of part of both, matched).
	TransformCrop = "crop"
	// TransformPlaced: the found image shows the whole work inside
	// something larger — a border or padding, a collage, a page — (a hash
	// of part of the found image matched the work's own).
	TransformPlaced = "placed"
)

// pdqIndex holds the PDQ hashes of registered images — each work's whole
// image under its 8 flips and rotations, then hashes of parts of it — in a
// multi-index Hamming structure (sublinear: ≤ 1 ms p99 at 10M hashes,
// radius 31, measured in matcher/hamming). Entries are keyed by work ID;
// which of a work's hashes matched is found by comparing the hit's hash
// with the work's list, which costs less memory than an ID per hash.
type pdqIndex struct {
	ix    *hamming.Index256
	mu    sync.RWMutex        // guards works
	works map[string]*pdqWork // work ID -> its stored hashes
}

// pdqWork is what the index keeps of a work besides its entries in ix, to
// tell which of its hashes a hit is: the first 8 bytes of each (the whole
// image's first; a work's own hashes never share them in practice, and a
// tie would only name the pairing less precisely), and the share of the
// work each covers. About 9 bytes per hash, against 32 for the hashes.
type pdqWork struct {
	keys   []uint64
	areas  []uint8 // per hash, share of the work's area × 255 (255 for the whole)
	wholes int     // hashes of the whole image: 8 (by pdq.Transform) or 1
}

// hashKey is the first 8 bytes of h.
func hashKey(h pdq.Hash) uint64 { return binary.BigEndian.Uint64(h[:8]) }

// pdqHit is a registered image within the radius of a found hash, with
// the shares of the work and of the found image that matched.
type pdqHit struct {
	id                  string
	distance            int
	transform           string // a pdq.Transform's name, TransformCrop or TransformPlaced
	workArea, foundArea float64
	kind                int // pairing.kind
}

// pdqQuery is a hash of a found image to search: of the whole image (area
// 1), or of a part of it (a window or a picture region).
type pdqQuery struct {
	hash pdq.Hash
	part bool
	area float64 // share of the found image
}

func newPDQIndex(radius int) *pdqIndex {
	return &pdqIndex{ix: hamming.NewIndex256(radius), works: make(map[string]*pdqWork)}
}

// add indexes a work's hashes: wholes of the whole image (indexed by
// pdq.Transform when there are 8), then parts of it. Adding a work again
// does nothing.
func (x *pdqIndex) add(id string, wholes []pdq.Hash, parts []imagefp.Part) {
	hashes := append(append([]pdq.Hash(nil), wholes...), make([]pdq.Hash, len(parts))...)
	w := &pdqWork{keys: make([]uint64, len(hashes)), areas: make([]uint8, len(hashes)), wholes: len(wholes)}
	for i, p := range parts {
		hashes[len(wholes)+i] = p.Hash
		w.areas[len(wholes)+i] = areaByte(p.Area)
	}
	for i, h := range hashes {
		w.keys[i] = hashKey(h)
		if i < len(wholes) {
			w.areas[i] = 255
		}
	}
	x.mu.Lock()
	_, known := x.works[id]
	if !known {
		x.works[id] = w
	}
	x.mu.Unlock()
	if known {
		return
	}
	for _, h := range hashes {
		x.ix.Add(id, hamming.Hash256(h))
	}
}

// areaByte quantises an area share to a byte; an unknown area (0) counts
// as the whole.
func areaByte(a float64) uint8 {
	if a <= 0 {
		return 255
	}
	return uint8(min(255, max(1, math.Round(a*255))))
}

// contains reports whether the work has a PDQ hash.
func (x *pdqIndex) contains(id string) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.works[id]
	return ok
}

// pairing describes how a found hash relates to a stored hash of a work.
type pairing struct {
	transform string  // a pdq.Transform's name, TransformCrop or TransformPlaced
	workArea  float64 // share of the work the stored hash covers
	exact     bool    // both are reference PDQ hashes of whole images
}

// pair names how found hash q relates to stored hash h of work id.
func (x *pdqIndex) pair(id string, h pdq.Hash, q pdqQuery) pairing {
	x.mu.RLock()
	w := x.works[id]
	x.mu.RUnlock()
	if w == nil {
		return pairing{transform: TransformCrop, workArea: 1}
	}
	// The first equal stored hash decides: a whole image's hash before a
	// part's, should a part hash the same.
	i, k := 0, hashKey(h)
	for i < len(w.keys) && w.keys[i] != k {
		i++
	}
	area := 1.0
	if i < len(w.areas) {
		area = float64(w.areas[i]) / 255
	}
	switch {
	case area < wholeArea: // a part of the work
		return pairing{transform: TransformCrop, workArea: area}
	case q.part && q.area < wholeArea:
		return pairing{transform: TransformPlaced, workArea: 1}
	case i < w.wholes && !q.part:
		tr := pdq.None.String()
		if w.wholes == pdq.NumTransforms {
			tr = pdq.Transform(i).String()
		}
		return pairing{transform: tr, workArea: 1, exact: true}
	}
	return pairing{transform: pdq.None.String(), workArea: 1}
}

// wholeArea is the area share from which a part counts as the whole image
// (a whole hashed from imagefp's plane, rounded to a byte).
const wholeArea = 254.5 / 255

// search returns, per work, its best pairing with any of queries — the
// most specific kind (pairing.kind), then the closest — within maxWhole
// bits for a pair of reference PDQ hashes of whole images and maxPart for
// a pair involving a part; closest first, then by work ID.
func (x *pdqIndex) search(queries []pdqQuery, maxWhole, maxPart int) []pdqHit {
	best := make(map[string]pdqHit)
	for _, q := range queries {
		for _, hit := range x.ix.Search(hamming.Hash256(q.hash), max(maxWhole, maxPart)) {
			p := x.pair(hit.ID, pdq.Hash(hit.Hash), q)
			if p.exact && hit.Distance > maxWhole || !p.exact && hit.Distance > maxPart {
				continue
			}
			// The most specific explanation wins, then the closest: a
			// resized copy is reported as the whole image it is, with
			// the reference PDQ distance, even when a part pair is
			// closer.
			b, seen := best[hit.ID]
			if k, bk := p.kind(), b.kind; seen && (k < bk || k == bk && hit.Distance >= b.distance) {
				continue
			}
			foundArea := 1.0
			if q.part && q.area > 0 {
				foundArea = q.area
			}
			best[hit.ID] = pdqHit{id: hit.ID, distance: hit.Distance, transform: p.transform, workArea: p.workArea, foundArea: foundArea, kind: p.kind()}
		}
	}
	hits := make([]pdqHit, 0, len(best))
	for _, b := range best {
		hits = append(hits, b)
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].distance != hits[j].distance {
			return hits[i].distance < hits[j].distance
		}
		return hits[i].id < hits[j].id
	})
	return hits
}

// kind orders pairings by how much they say: reference PDQ hashes of both
// whole images (3), both wholes hashed from the part plane (2), the whole
// work placed in the found image (1), part of the work (0).
func (p pairing) kind() int {
	switch {
	case p.exact:
		return 3
	case p.transform == TransformCrop:
		return 0
	case p.transform == TransformPlaced:
		return 1
	}
	return 2
}
