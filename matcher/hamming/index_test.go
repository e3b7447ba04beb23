package hamming

import (
	"cmp"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// entry is one (id, hash) pair of a test corpus.
type entry struct {
	id string
	h  uint64
}

// corpus returns n hashes: clusters of near-duplicates (a few bits flipped
// from a base) mixed with uniform noise, so that small radii find things.
func corpus(rng *rand.Rand, n int) []entry {
	out := make([]entry, 0, n)
	for len(out) < n {
		base := rng.Uint64()
		for j := range 1 + rng.IntN(6) {
			out = append(out, entry{fmt.Sprintf("e%d-%d", len(out), j), flipBits(rng, base, rng.IntN(12))})
		}
	}
	return out[:n]
}

// flipBits flips k distinct random bits of h.
func flipBits(rng *rand.Rand, h uint64, k int) uint64 {
	for _, b := range rng.Perm(64)[:k] {
		h ^= 1 << b
	}
	return h
}

// upTo returns the prefix of hits, sorted by distance first, within d:
// brute force at radius d, computed once per query for all radii.
func upTo[H any](hits []H, dist func(H) int, d int) []H {
	if i := slices.IndexFunc(hits, func(h H) bool { return dist(h) > d }); i >= 0 {
		return hits[:i]
	}
	return hits
}

// brute is the specification: every entry within maxDist, sorted.
func brute(es []entry, q uint64, maxDist int) []Hit {
	var hits []Hit
	for _, e := range es {
		if d := bits.OnesCount64(q ^ e.h); d <= maxDist {
			hits = append(hits, Hit{ID: e.id, Hash: e.h, Distance: d})
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Hash, b.Hash))
	})
	return hits
}

// TestSearchMatchesBruteForce is the property test: for index radius
// bounds from 0 to 24 (which changes the block layout), corpus sizes of 0
// to 3000, forced probing or the cost model's choice, and query radii
// below, at and above the bound, Search returns exactly what brute force
// does.
//
// Under the race detector, which only slows this single-goroutine loop,
// each index gets 20 queries instead of 60 (half near a stored hash).
func TestSearchMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	queries := 60
	if raceEnabled {
		queries = 20
	}
	for _, radius := range []int{-1, 0, 1, 2, 3, 5, 8, 12, 16, 24} {
		for _, n := range []int{0, 1, 50, 3000} {
			es := corpus(rng, n)
			ix := NewWithRadius(radius)
			ix.alwaysProbe = (radius+n)%2 == 0 // else the cost model may scan
			for _, e := range es {
				ix.Add(e.id, e.h)
			}
			for q := range queries {
				query := rng.Uint64()
				if n > 0 && q%2 == 0 { // near a stored hash
					query = flipBits(rng, es[rng.IntN(n)].h, rng.IntN(14))
				}
				all := brute(es, query, 64) // sorted by distance first: each radius's hits are a prefix
				for _, d := range []int{-1, 0, 1, 2, 4, 7, 10, 12, 13, 20, 64} {
					got, want := ix.Search(query, d), upTo(all, func(h Hit) int { return h.Distance }, d)
					if !slices.Equal(got, want) {
						t.Fatalf("radius %d, n %d, query %016x, d %d: got %d hits %v, want %d %v",
							radius, n, query, d, len(got), head(got), len(want), head(want))
					}
				}
			}
		}
	}
}

// TestSearchUsesBothPaths guards the property test's meaning: with its
// sizes, some queries probe and some scan.
func TestSearchUsesBothPaths(t *testing.T) {
	ix := New()
	for i := range 3000 {
		ix.Add(fmt.Sprint(i), uint64(i)*0x9e3779b97f4a7c15)
	}
	if ix.useScan(4) {
		t.Error("a radius-4 query on 3000 entries scans; want probing")
	}
	if !ix.useScan(DefaultRadius + 1) {
		t.Error("a query beyond the radius bound probes; want a scan")
	}
	if !New().useScan(4) {
		t.Error("an empty index probes; want a scan")
	}
}

func head(h []Hit) []Hit { return h[:min(len(h), 3)] }

func TestAdd(t *testing.T) {
	ix := New()
	ix.Add("a", 0xff)
	ix.Add("a", 0xff) // same pair: ignored
	ix.Add("a", 0xfe) // same id, other hash: kept
	ix.Add("b", 0xff) // other id, same hash: kept
	if ix.Len() != 3 {
		t.Fatalf("Len = %d, want 3", ix.Len())
	}
	want := []Hit{{"a", 0xff, 0}, {"b", 0xff, 0}, {"a", 0xfe, 1}}
	if got := ix.Search(0xff, 1); !slices.Equal(got, want) {
		t.Fatalf("Search = %v, want %v", got, want)
	}
	if got := ix.Search(0xff, -1); got != nil {
		t.Fatalf("negative radius found %v", got)
	}
}

func TestSplit(t *testing.T) {
	for m := 1; m <= maxBlocks; m++ {
		var all uint64
		var width uint
		for _, b := range split(m) {
			if all&b.mask != 0 {
				t.Fatalf("m=%d: blocks overlap", m)
			}
			all |= b.mask
			width += b.width
		}
		if all != ^uint64(0) || width != 64 {
			t.Fatalf("m=%d: blocks cover %016x in %d bits", m, all, width)
		}
	}
}

func TestNeighbours(t *testing.T) {
	b := split(5)[2] // 13 bits starting at bit 26
	for r := range 4 {
		seen := map[uint64]bool{}
		v := uint64(0x1555) << b.shift
		b.neighbours(v, r, func(k uint64) {
			if seen[k] || k&^b.mask != 0 || bits.OnesCount64(k^v) > r {
				t.Fatalf("r=%d: bad or repeated neighbour %x", r, k)
			}
			seen[k] = true
		})
		if float64(len(seen)) != ballSize(b.width, r) {
			t.Fatalf("r=%d: %d neighbours, want %v", r, len(seen), ballSize(b.width, r))
		}
	}
}

// TestConcurrentAddSearch runs writers and readers together (run with
// -race), then checks the final state against brute force.
func TestConcurrentAddSearch(t *testing.T) {
	es := corpus(rand.New(rand.NewPCG(9, 10)), 4000)
	ix := New()
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < len(es); i += 2 {
				ix.Add(es[i].id, es[i].h)
			}
		})
	}
	for r := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 11))
			for range 300 {
				for _, h := range ix.Search(rng.Uint64(), 10) {
					if h.Distance > 10 {
						t.Errorf("hit beyond radius: %v", h)
					}
				}
			}
		})
	}
	wg.Wait()
	if ix.Len() != len(es) {
		t.Fatalf("Len = %d, want %d", ix.Len(), len(es))
	}
	for _, e := range es[:200] {
		if got, want := ix.Search(e.h, 9), brute(es, e.h, 9); !slices.Equal(got, want) {
			t.Fatalf("after concurrent adds: got %v, want %v", head(got), head(want))
		}
	}
}
