package hamming

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// entry256 is one (id, hash) pair of a 256-bit test corpus.
type entry256 struct {
	id string
	h  Hash256
}

// random256 returns a uniform random hash.
func random256(rng *rand.Rand) Hash256 {
	var h Hash256
	for i := range h {
		h[i] = byte(rng.Uint32())
	}
	return h
}

// flip256 flips k distinct random bits of h.
func flip256(rng *rand.Rand, h Hash256, k int) Hash256 {
	for _, b := range rng.Perm(256)[:k] {
		h[b/8] ^= 1 << (b % 8)
	}
	return h
}

// corpus256 returns n entries: uniform base hashes, each with 0 to 5
// near-duplicates planted at distances 0 to 31 (the PDQ match range), so
// that realistic radius queries find several matches.
func corpus256(rng *rand.Rand, n int) []entry256 {
	out := make([]entry256, 0, n)
	for len(out) < n {
		base := random256(rng)
		out = append(out, entry256{fmt.Sprintf("b%d", len(out)), base})
		for j := range rng.IntN(6) {
			out = append(out, entry256{fmt.Sprintf("b%d-%d", len(out), j), flip256(rng, base, rng.IntN(32))})
		}
	}
	return out[:n]
}

// uniform256 returns n uniform random entries (no planted neighbours).
func uniform256(rng *rand.Rand, n int) []entry256 {
	out := make([]entry256, n)
	for i := range out {
		out[i] = entry256{fmt.Sprint(i), random256(rng)}
	}
	return out
}

func cmpHit256(a, b Hit256) int {
	return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID), bytes.Compare(a.Hash[:], b.Hash[:]))
}

// brute256 is the specification: every entry within maxDist, sorted.
func brute256(es []entry256, q Hash256, maxDist int) []Hit256 {
	qw := q.words()
	var hits []Hit256
	for _, e := range es {
		w := e.h.words()
		if d := dist256(&qw, &w); d <= maxDist {
			hits = append(hits, Hit256{ID: e.id, Hash: e.h, Distance: d})
		}
	}
	slices.SortFunc(hits, cmpHit256)
	return hits
}

// TestSearch256MatchesBruteForce is the property test: for radius bounds
// that change the layout, realistic and uniform corpora of sizes that
// cross table rebuilds, forced probing or the cost model's choice, and
// query radii below, at and above the bound, Search equals brute force.
//
// Under the race detector, which only slows this single-goroutine loop,
// each index gets 16 queries instead of 40 (three in four near a stored
// hash).
func TestSearch256MatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	queries := 40
	if raceEnabled {
		queries = 16
	}
	for _, tc := range []struct {
		name   string
		radius int
		n      int
		gen    func(*rand.Rand, int) []entry256
	}{
		{"scan-only", -1, 300, corpus256},
		{"r0/planted", 0, 3000, corpus256},
		{"r8/planted", 8, 3000, corpus256},
		{"r31/empty", 31, 0, corpus256},
		{"r31/one", 31, 1, corpus256},
		{"r31/planted", 31, 5000, corpus256},
		{"r31/uniform", 31, 5000, uniform256},
		{"r40/planted", 40, 2000, corpus256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := tc.gen(rng, tc.n)
			for _, force := range []bool{false, true} {
				ix := NewIndex256(tc.radius)
				ix.alwaysProbe = force
				for _, e := range es {
					ix.Add(e.id, e.h)
				}
				checkAgainstBrute(t, rng, ix, es, queries)
			}
		})
	}
}

// checkAgainstBrute compares Search with brute force for queries near
// stored hashes (three in four) and at random.
func checkAgainstBrute(t testing.TB, rng *rand.Rand, ix *Index256, es []entry256, queries int) {
	t.Helper()
	for q := range queries {
		query := random256(rng)
		if len(es) > 0 && q%4 != 0 {
			query = flip256(rng, es[rng.IntN(len(es))].h, rng.IntN(40))
		}
		all := brute256(es, query, 256) // sorted by distance first: each radius's hits are a prefix
		for _, d := range []int{-1, 0, 1, 5, 15, 30, 31, 32, 45, 256} {
			got, want := ix.Search(query, d), upTo(all, func(h Hit256) int { return h.Distance }, d)
			if !slices.Equal(got, want) {
				t.Fatalf("radius %d, n %d, d %d: got %d hits %v, want %d",
					ix.Radius(), len(es), d, len(got), got[:min(len(got), 2)], len(want))
			}
		}
	}
}

// TestSearch256ProbesAtScale guards the property test's meaning and the
// index's purpose: at radius 31 on 50k entries the cost model probes, and
// finds every planted near-duplicate.
func TestSearch256ProbesAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("50k entries")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	es := corpus256(rng, 50_000)
	ix := NewIndex256(DefaultRadius256)
	for _, e := range es {
		ix.Add(e.id, e.h)
	}
	if s := ix.probeRadii(DefaultRadius256); s == nil {
		t.Fatal("radius-31 query on 50k entries scans; want probing")
	}
	if ix.probeRadii(DefaultRadius256+1) != nil {
		t.Error("a query beyond the radius bound probes; want a scan")
	}
	// Each query sorts all 50k entries twice (brute force and Search at
	// radius 256); under the race detector, which only slows that
	// single-goroutine work, 12 queries still check 9 planted neighbourhoods.
	queries := 40
	if raceEnabled {
		queries = 12
	}
	checkAgainstBrute(t, rng, ix, es, queries)
}

// TestReserve256 checks that reserving before, between and after adds
// keeps Search exact, and that reserving lays out for the larger size.
func TestReserve256(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	es := corpus256(rng, 6000)
	ix := NewIndex256(DefaultRadius256)
	ix.Reserve(3000)
	for i, e := range es {
		if i == 4000 {
			ix.Reserve(100) // below capacity: nothing
			ix.Reserve(20000)
		}
		ix.Add(e.id, e.h)
	}
	if want := chooseLayout256(DefaultRadius256, 32768); len(ix.layout.blocks) != len(want.blocks) ||
		ix.layout.blocks[0] != want.blocks[0] {
		t.Fatalf("layout after Reserve(20000): %d blocks of %d key bits, want %d of %d", len(ix.layout.blocks),
			ix.layout.blocks[0].keyBits, len(want.blocks), want.blocks[0].keyBits)
	}
	ix.alwaysProbe = true
	checkAgainstBrute(t, rng, ix, es, 40)
	scan := NewIndex256(-1)
	scan.Reserve(10) // no tables: harmless
	scan.Add("x", es[0].h)
	if got := scan.Search(es[0].h, 0); len(got) != 1 {
		t.Fatalf("scan-only index after Reserve: %v", got)
	}
}

func TestAdd256(t *testing.T) {
	a, b := Hash256{0: 0xff}, Hash256{0: 0xfe}
	ix := NewIndex256(DefaultRadius256)
	ix.Add("a", a)
	ix.Add("a", a) // same pair: ignored
	ix.Add("a", b) // same id, other hash: kept
	ix.Add("b", a) // other id, same hash: kept
	if ix.Len() != 3 {
		t.Fatalf("Len = %d, want 3", ix.Len())
	}
	want := []Hit256{{"a", a, 0}, {"b", a, 0}, {"a", b, 1}}
	if got := ix.Search(a, 1); !slices.Equal(got, want) {
		t.Fatalf("Search = %v, want %v", got, want)
	}
	if got := ix.Search(a, -1); got != nil {
		t.Fatalf("negative radius found %v", got)
	}
}

// TestLayout256 checks that every layout's keys are disjoint, lie in their
// blocks, and that the block radii satisfy the pigeonhole condition.
func TestLayout256(t *testing.T) {
	for m := 1; m <= maxBlocks256; m++ {
		for _, k := range []uint{1, 8, 20, 32} {
			l := newLayout256(m, k)
			var all [4]uint64
			for _, b := range l.blocks {
				for i := range all {
					if all[i]&b.mask[i] != 0 {
						t.Fatalf("m=%d k=%d: keys overlap", m, k)
					}
					all[i] |= b.mask[i]
				}
			}
			for _, d := range []int{0, 7, 31} {
				s, sum := l.radii(d, 1_000_000), 0
				full := true
				for i, r := range s {
					sum += r + 1
					full = full && r == int(l.blocks[i].keyBits)
				}
				if sum <= d && !full {
					t.Fatalf("m=%d k=%d d=%d: radii %v miss matches", m, k, d, s)
				}
			}
		}
	}
}

func TestBlockKey256(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100 {
		h := random256(rng)
		w := h.words()
		for _, b := range newLayout256(11, 24).blocks {
			want := uint32(0)
			for bit := range b.keyBits {
				p := b.start + bit
				want |= uint32(w[p/64]>>(p%64)&1) << bit
			}
			if got := b.key(&w); got != want {
				t.Fatalf("block at %d: key %x, want %x", b.start, got, want)
			}
		}
		if unwords(&w) != h {
			t.Fatal("words/unwords do not round-trip")
		}
	}
}

// TestConcurrentAddSearch256 runs writers and readers together (run with
// -race) across table rebuilds, then checks the final state.
func TestConcurrentAddSearch256(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	es := corpus256(rng, 6000)
	ix := NewIndex256(DefaultRadius256)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < len(es); i += 2 {
				ix.Add(es[i].id, es[i].h)
			}
		})
	}
	for r := range 3 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 11))
			for range 200 {
				for _, h := range ix.Search(random256(rng), 31) {
					if h.Distance > 31 {
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
	ix.alwaysProbe = true
	checkAgainstBrute(t, rng, ix, es, 40)
}
