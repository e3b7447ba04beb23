package jpegscale

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTables: zigOf inverts unzig, and rowZigs groups zig-zag indexes by
// row.
func TestTables(t *testing.T) {
	var rows [8]uint64
	for i, n := range unzig {
		if zigOf[n] != i {
			t.Errorf("zigOf[%d] = %d, want %d", n, zigOf[n], i)
		}
		rows[n/8] |= 1 << i
	}
	if rows != rowZigs {
		t.Errorf("rowZigs = %#x, want %#x", rowZigs, rows)
	}
}

// floatIDCT is the JPEG inverse DCT of b (dequantized, natural order) at
// pixel (x, y), in floating point, without level shift or clipping.
func floatIDCT(b *block, x, y int) float64 {
	var sum float64
	for v := range 8 {
		for u := range 8 {
			cu, cv := 1.0, 1.0
			if u == 0 {
				cu = 1 / math.Sqrt2
			}
			if v == 0 {
				cv = 1 / math.Sqrt2
			}
			sum += cu / 2 * cv / 2 * float64(b[8*v+u]) *
				math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
		}
	}
	return sum
}

// TestReducedIDCTIsBoxMean: on random blocks, dense and sparse, every
// pixel of the 4×4 and 2×2 reconstructions is the rounded mean of the
// 2×2 or 4×4 pixels of the exact 8×8 IDCT it stands for, within 1 level.
func TestReducedIDCTIsBoxMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var qt block
	for i := range qt {
		qt[i] = int32(1 + rng.IntN(4))
	}
	var qn block
	for i := range qn {
		qn[unzig[i]] = qt[i]
	}
	for it := range 500 {
		var b, deq block
		var nonZero uint64
		dense := it%2 == 0
		for zig := range blockSize {
			if zig > 0 && !dense && rng.IntN(8) > 0 {
				continue
			}
			n := unzig[zig]
			b[n] = int32(rng.IntN(121) - 60)
			if zig == 0 {
				b[n] = int32(rng.IntN(301) - 150)
			} else if b[n] != 0 {
				nonZero |= 1 << zig
			}
			deq[n] = b[n] * qn[n]
		}
		for _, s := range []int{2, 4} {
			n := 8 / s
			dst := make([]byte, n*n)
			if s == 2 {
				idct4x4(&b, &qn, nonZero, dst, n)
			} else {
				idct2x2(&b, &qn, dst, n)
			}
			for j := range n {
				for i := range n {
					var mean float64
					for y := j * s; y < j*s+s; y++ {
						for x := i * s; x < i*s+s; x++ {
							mean += floatIDCT(&deq, x, y)
						}
					}
					want := math.Max(0, math.Min(255, math.Round(mean/float64(s*s)+128)))
					if got := float64(dst[n*j+i]); math.Abs(got-want) > 1 {
						t.Fatalf("block %d at 1/%d, pixel (%d, %d): %v, box mean %v", it, s, i, j, got, want)
					}
				}
			}
		}
	}
}
