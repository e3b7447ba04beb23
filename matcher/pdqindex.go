package matcher

import (
	"sort"
	"sync"

	"github.com/attrib/attrib/matcher/pdq"
)

// pdqIndex holds the PDQ hashes of registered images, each with its
// dihedral variants. Search scans it: a registry of 100k images is about
// 800k comparisons of 32 bytes per query, well under a millisecond per
// thousand images; a multi-index Hamming structure replaces it for larger
// registries.
type pdqIndex struct {
	mu      sync.RWMutex // guards entries and has
	entries []pdqEntry
	has     map[string]bool
}

type pdqEntry struct {
	id     string
	hashes []pdq.Hash // index: pdq.Transform
}

// pdqHit is a registered image within the radius of a found hash.
type pdqHit struct {
	id        string
	distance  int
	transform pdq.Transform // the found image is the work after this transform
}

func newPDQIndex() *pdqIndex { return &pdqIndex{has: make(map[string]bool)} }

func (x *pdqIndex) add(id string, hashes []pdq.Hash) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.has[id] {
		return
	}
	x.has[id] = true
	x.entries = append(x.entries, pdqEntry{id: id, hashes: hashes})
}

// contains reports whether the work has a PDQ hash.
func (x *pdqIndex) contains(id string) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.has[id]
}

// search returns, per work, its closest variant within maxDist of h,
// closest first.
func (x *pdqIndex) search(h pdq.Hash, maxDist int) []pdqHit {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var hits []pdqHit
	for _, e := range x.entries {
		best := pdqHit{id: e.id, distance: maxDist + 1}
		for t, v := range e.hashes {
			if d := pdq.Distance(h, v); d < best.distance {
				best.distance, best.transform = d, pdq.Transform(t)
			}
		}
		if best.distance <= maxDist {
			hits = append(hits, best)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].distance != hits[j].distance {
			return hits[i].distance < hits[j].distance
		}
		return hits[i].id < hits[j].id
	})
	return hits
}
