package pdq

import (
	"math"
	"testing"
)

// TestTransformDCTMatchesPixelTransform: the sign and transposition rules
// give the DCT of the transformed 64×64 block, to float precision.
func TestTransformDCTMatchesPixelTransform(t *testing.T) {
	var a [64][64]float32
	for i := range a {
		for j := range a[i] {
			a[i][j] = float32(128 + 60*math.Sin(float64(i*i+3*j)/17) + 30*math.Cos(float64(j*j-i)/11))
		}
	}
	d := newDCTMatrix()
	var orig [16][16]float32
	d.dct64To16(&a, &orig)
	for tr := range Transform(NumTransforms) {
		var moved [64][64]float32
		for y := range moved {
			for x := range moved[y] {
				sx, sy := source(tr, x, y, 64, 64)
				moved[y][x] = a[sy][sx]
			}
		}
		var want, got [16][16]float32
		d.dct64To16(&moved, &want)
		transformDCT(tr, &orig, &got)
		for i := range want {
			for j := range want[i] {
				if diff := math.Abs(float64(want[i][j] - got[i][j])); diff > 1e-2 {
					t.Fatalf("%s: coefficient (%d,%d) = %g, want %g", tr, i, j, got[i][j], want[i][j])
				}
			}
		}
		if toBits(&want) != toBits(&got) {
			t.Logf("%s: bits differ by %d through rounding", tr, Distance(toBits(&want), toBits(&got)))
		}
	}
}
