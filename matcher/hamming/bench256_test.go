package hamming

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"
)

// bench256Sizes are the registry sizes of the 256-bit benchmarks; 10M
// (about 2.5 GB and a few minutes to build) runs only when
// HAMMING_BENCH_10M is set.
func bench256Sizes() []int {
	sizes := []int{100_000, 1_000_000}
	if os.Getenv("HAMMING_BENCH_10M") != "" {
		sizes = append(sizes, 10_000_000)
	}
	return sizes
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// build256 adds es to a new index with the default radius and returns
// it with the build time and the index's own heap bytes per hash (the ID
// strings are shared with es: only the intern table counts).
func build256(es []entry256, reserve bool) (*Index256, time.Duration, float64) {
	before := heapInUse()
	start := time.Now()
	ix := NewIndex256(DefaultRadius256)
	if reserve {
		ix.Reserve(len(es))
	}
	for _, e := range es {
		ix.Add(e.id, e.h)
	}
	elapsed := time.Since(start)
	return ix, elapsed, float64(heapInUse()-before) / float64(len(es))
}

// BenchmarkSearch256 measures radius-31 queries on realistic corpora
// (uniform bases with near-duplicates planted at 0-31 bits) at each size:
// queries near a stored hash (up to 31 bits away) and uniform random ones
// (few or no true neighbours: the hard case for multi-index hashing). It
// records every query's duration and reports p50 and p99.
func BenchmarkSearch256(b *testing.B) {
	for _, n := range bench256Sizes() {
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		es := corpus256(rng, n)
		for _, reserve := range []bool{false, true} {
			_, elapsed, perHash := build256(es, reserve)
			b.Run(fmt.Sprintf("n=%d/build/reserve=%v", n, reserve), func(b *testing.B) {
				for b.Loop() { // built once above: the metrics are what counts
				}
				b.ReportMetric(perHash, "B/hash")
				b.ReportMetric(elapsed.Seconds(), "build-s")
			})
		}
		ix, _, _ := build256(es, true)
		for _, kind := range []string{"near", "random"} {
			qs := make([]Hash256, 4096)
			for i := range qs {
				if kind == "near" {
					qs[i] = flip256(rng, es[rng.IntN(n)].h, rng.IntN(32))
				} else {
					qs[i] = random256(rng)
				}
			}
			b.Run(fmt.Sprintf("n=%d/%s", n, kind), func(b *testing.B) {
				benchQueries(b, qs, func(q Hash256) int { return len(ix.Search(q, DefaultRadius256)) })
			})
			if n <= 1_000_000 && kind == "random" {
				b.Run(fmt.Sprintf("n=%d/scan", n), func(b *testing.B) {
					benchQueries(b, qs[:256], func(q Hash256) int { return len(ix.Search(q, DefaultRadius256+1)) })
				})
			}
		}
		ix = nil
	}
}

// benchQueries runs search over qs in turn and reports latency
// percentiles and hits per query.
func benchQueries(b *testing.B, qs []Hash256, search func(Hash256) int) {
	var durs []time.Duration
	hits := 0
	for b.Loop() {
		q := qs[len(durs)%len(qs)]
		start := time.Now()
		hits += search(q)
		durs = append(durs, time.Since(start))
	}
	slices.Sort(durs)
	pct := func(p float64) float64 { return float64(durs[int(p*float64(len(durs)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-us")
	b.ReportMetric(pct(0.99), "p99-us")
	b.ReportMetric(float64(hits)/float64(len(durs)), "hits/op")
}

// BenchmarkLayout256 compares block counts m at 1M (and 10M) entries and
// radius 31, with keys as wide as the chosen layout's: the measurement
// behind the cost model's constants ("model" is its estimate).
func BenchmarkLayout256(b *testing.B) {
	for _, n := range bench256Sizes()[1:] {
		rng := rand.New(rand.NewPCG(5, uint64(n)))
		es := corpus256(rng, n)
		ix, _, _ := build256(es, true)
		chosen := ix.layout
		k := chosen.blocks[0].keyBits
		qs := make([]Hash256, 4096)
		for i := range qs {
			qs[i] = random256(rng)
		}
		for _, m := range []int{8, 10, 11, 12, 13, 14, 16} {
			ix.relink(newLayout256(m, k))
			b.Run(fmt.Sprintf("n=%d/m=%d", n, m), func(b *testing.B) {
				s := ix.layout.radii(DefaultRadius256, n)
				benchQueries(b, qs, func(q Hash256) int {
					return len(ix.probe(new(q.words()), DefaultRadius256, s))
				})
				b.ReportMetric(ix.layout.cost(s, n), "model")
			})
		}
		ix.relink(chosen)
		b.Run(fmt.Sprintf("n=%d/chosen/m=%d", n, len(chosen.blocks)), func(b *testing.B) {
			benchQueries(b, qs, func(q Hash256) int { return len(ix.Search(q, DefaultRadius256)) })
		})
	}
}
