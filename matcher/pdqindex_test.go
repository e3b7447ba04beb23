package matcher

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/pdq"
)

// randomHash returns a uniform random hash.
func randomHash(rng *rand.Rand) pdq.Hash {
	var h pdq.Hash
	for i := range h {
		h[i] = byte(rng.Uint32())
	}
	return h
}

// flipped returns h with its first k bits flipped.
func flipped(h pdq.Hash, k int) pdq.Hash {
	for b := range k {
		h[b/8] ^= 1 << (b % 8)
	}
	return h
}

// The index names each pairing, reports the shares matched, applies the
// whole-image and part thresholds, and prefers the most specific pairing.
func TestPDQIndexPairing(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var d [pdq.NumTransforms]pdq.Hash
	for i := range d {
		d[i] = randomHash(rng)
	}
	plane, strip := randomHash(rng), randomHash(rng)
	x := newPDQIndex(31)
	x.add("w", d[:], []imagefp.Part{{Hash: plane, Area: 1}, {Hash: strip, Area: 0.4}})
	tests := []struct {
		name      string
		queries   []pdqQuery
		transform string // "" for no match
		distance  int
		workArea  float64
		foundArea float64
	}{
		{"mirrored copy", []pdqQuery{{hash: flipped(d[pdq.HFlip], 12)}}, "hflip", 12, 1, 1},
		{"whole at 29 bits", []pdqQuery{{hash: flipped(d[pdq.None], 29)}}, "none", 29, 1, 1},
		{"planes of both wholes", []pdqQuery{{hash: flipped(plane, 5), part: true, area: 1}}, "none", 5, 1, 1},
		{"placed", []pdqQuery{{hash: flipped(plane, 3), part: true, area: 0.25}}, TransformPlaced, 3, 1, 0.25},
		{"placed on the reference hash", []pdqQuery{{hash: d[pdq.None], part: true, area: 0.5}}, TransformPlaced, 0, 1, 0.5},
		{"crop", []pdqQuery{{hash: flipped(strip, 20)}}, TransformCrop, 20, 0.4, 1},
		{"crop of a part", []pdqQuery{{hash: strip, part: true, area: 0.7}}, TransformCrop, 0, 0.4, 0.7},
		{"part beyond the part threshold", []pdqQuery{{hash: flipped(strip, 29)}}, "", 0, 0, 0},
		{"whole beats a closer part", []pdqQuery{{hash: flipped(d[pdq.None], 20)}, {hash: strip, part: true, area: 0.5}}, "none", 20, 1, 1},
		{"unrelated", []pdqQuery{{hash: randomHash(rng)}}, "", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := x.search(tt.queries, 31, 26)
			if tt.transform == "" {
				if len(hits) != 0 {
					t.Fatalf("hits %+v, want none", hits)
				}
				return
			}
			if len(hits) != 1 {
				t.Fatalf("hits %+v, want one", hits)
			}
			h := hits[0]
			if h.transform != tt.transform || h.distance != tt.distance || h.workArea != tt.workArea || h.foundArea != tt.foundArea {
				t.Errorf("got %s at %d, areas %.3f/%.3f; want %s at %d, %.3f/%.3f", h.transform, h.distance, h.workArea, h.foundArea,
					tt.transform, tt.distance, tt.workArea, tt.foundArea)
			}
		})
	}
	if !x.contains("w") || x.contains("v") {
		t.Error("contains")
	}
}

// BenchmarkPDQIndexMemory reports the heap of the PDQ index per registered
// work with the hashes ComputeWork stores (8 dihedral hashes and up to 19
// parts; 3 parts was the previous design), at 100k works.
func BenchmarkPDQIndexMemory(b *testing.B) {
	for _, parts := range []int{3, 19} {
		const works = 100_000
		b.Run(fmt.Sprintf("works=%d/parts=%d", works, parts), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, uint64(parts)))
			before := heapBytes()
			x := newPDQIndex(31)
			x.ix.Reserve(works * (pdq.NumTransforms + parts))
			for i := range works {
				var d [pdq.NumTransforms]pdq.Hash
				for j := range d {
					d[j] = randomHash(rng)
				}
				ps := make([]imagefp.Part, parts)
				for j := range ps {
					ps[j] = imagefp.Part{Hash: randomHash(rng), Area: 0.5}
				}
				x.add(fmt.Sprintf("w_%016x", i), d[:], ps)
			}
			heap := float64(heapBytes() - before)
			for b.Loop() { // built once above: the metrics are what counts
			}
			b.ReportMetric(heap/works, "B/work")
			b.ReportMetric(heap/works/float64(pdq.NumTransforms+parts), "B/hash")
			runtime.KeepAlive(x)
		})
	}
}

// heapBytes returns the live heap after a full collection.
func heapBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
