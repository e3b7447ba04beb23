package pdq

import (
	"math"
	"slices"
)

// dctMatrix is rows 1..16 of the 64-point DCT-II basis, scaled by
// sqrt(2/64), computed as the reference does (float64 cosine, float32
// storage).
type dctMatrix [16][64]float32

// newDCTMatrix builds the matrix; it is cheap enough (1024 cosines) to build
// per hasher rather than keep a package-level table.
func newDCTMatrix() *dctMatrix {
	var d dctMatrix
	scale := float64(float32(math.Sqrt(2.0 / 64)))
	for i := range d {
		for j := range d[i] {
			d[i][j] = float32(scale * math.Cos(math.Pi/2/64*float64(i+1)*float64(2*j+1)))
		}
	}
	return &d
}

// dct64To16 computes B = D A Dᵀ, keeping the reference's summation order.
func (d *dctMatrix) dct64To16(a *[64][64]float32, b *[16][16]float32) {
	var t [16][64]float32
	for i := range t {
		for j := range t[i] {
			var s float32
			for k := range 64 {
				s += float32(d[i][k] * a[k][j])
			}
			t[i][j] = s
		}
	}
	for i := range b {
		for j := range b[i] {
			var s float32
			for k := range 64 {
				s += float32(t[i][k] * d[j][k])
			}
			b[i][j] = s
		}
	}
}

// quality is the reference's image-domain quality metric: the sum of
// quantised vertical and horizontal gradients of the 64×64 downsample,
// scaled and clamped to 0..100.
func quality(a *[64][64]float32) int {
	sum := 0
	for i := range 63 {
		for j := range 64 {
			sum += absInt(int((a[i][j] - a[i+1][j]) * 100 / 255))
		}
	}
	for i := range 64 {
		for j := range 63 {
			sum += absInt(int((a[i][j] - a[i][j+1]) * 100 / 255))
		}
	}
	return min(sum/90, 100)
}

// absInt is |v|.
func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// toBits sets the bits of the coefficients strictly greater than the
// median. The median is the 128th smallest of the 256 values, the element
// the reference's Torben selection returns.
func toBits(b *[16][16]float32) Hash {
	vals := make([]float32, 0, 256)
	for i := range b {
		vals = append(vals, b[i][:]...)
	}
	slices.Sort(vals)
	median := vals[127]
	var h Hash
	for i := range b {
		for j, v := range b[i] {
			if v > median {
				h.setBit(16*i + j)
			}
		}
	}
	return h
}
