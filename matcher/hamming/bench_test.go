package hamming

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

const benchSize = 100_000

// benchIndex returns an index of benchSize uniform random hashes and
// queries near stored hashes (up to 6 bits away) and at random.
func benchIndex(b *testing.B, radius int) (*Index, []uint64) {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	ix := NewWithRadius(radius)
	hs := make([]uint64, benchSize)
	for i := range hs {
		hs[i] = rng.Uint64()
		ix.Add(fmt.Sprint(i), hs[i])
	}
	qs := make([]uint64, 1024)
	for i := range qs {
		qs[i] = rng.Uint64()
		if i%2 == 0 {
			qs[i] = flipBits(rng, hs[rng.IntN(benchSize)], rng.IntN(7))
		}
	}
	return ix, qs
}

func BenchmarkSearch100k(b *testing.B) {
	for _, tt := range []struct {
		name      string
		radius, d int
	}{
		{"mih/d=0", DefaultRadius, 0},
		{"mih/d=4", DefaultRadius, 4},
		{"mih/d=8", DefaultRadius, 8},
		{"mih/d=10", DefaultRadius, 10},
		{"mih/d=12", DefaultRadius, 12},
		{"scan/d=12", -1, 12},
	} {
		b.Run(tt.name, func(b *testing.B) {
			ix, qs := benchIndex(b, tt.radius)
			hits, i := 0, 0
			for b.Loop() {
				hits += len(ix.Search(qs[i%len(qs)], tt.d))
				i++
			}
			b.ReportMetric(float64(hits)/float64(i), "hits/op")
		})
	}
}

func BenchmarkAdd100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	ids := make([]string, benchSize)
	hs := make([]uint64, benchSize)
	for i := range ids {
		ids[i], hs[i] = fmt.Sprint(i), rng.Uint64()
	}
	b.ReportAllocs()
	for b.Loop() {
		ix := New()
		for i := range ids {
			ix.Add(ids[i], hs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSize), "ns/add")
}
