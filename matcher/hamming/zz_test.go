package hamming

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkZZBlocks(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		rng := rand.New(rand.NewPCG(1, 1))
		hs := make([]uint64, n)
		ids := make([]string, n)
		for i := range hs {
			hs[i] = rng.Uint64()
			ids[i] = fmt.Sprint(i)
		}
		qs := make([]uint64, 1024)
		for i := range qs {
			qs[i] = rng.Uint64()
			if i%2 == 0 {
				qs[i] = flipBits(rng, hs[rng.IntN(n)], rng.IntN(7))
			}
		}
		for _, m := range []int{0, 4, 5, 6, 7, 9, 13} {
			ix := &Index{radius: 12, alwaysProbe: true}
			if m > 0 {
				ix.blocks = split(m)
				ix.tables = make([]table, m)
				for i, b := range ix.blocks {
					ix.tables[i] = newTable(b)
				}
			}
			for i := range hs {
				ix.Add(ids[i], hs[i])
			}
			for _, d := range []int{8, 12} {
				b.Run(fmt.Sprintf("n=%d/m=%d/d=%d", n, m, d), func(b *testing.B) {
					i := 0
					for b.Loop() {
						ix.Search(qs[i%len(qs)], d)
						i++
					}
				})
			}
		}
	}
}
