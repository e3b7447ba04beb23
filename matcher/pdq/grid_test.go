package pdq

import (
	"image"
	"math/rand/v2"
	"testing"
)

// HashGrid gives the bits and quality HashImage gives for an image that is
// already 64×64 (which the reference hashes without blurring).
func TestHashGridMatchesHashImage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 5 {
		img := image.NewGray(image.Rect(0, 0, 64, 64))
		var grid [64][64]float32
		for y := range 64 {
			for x := range 64 {
				v := uint8((x*(n+1) + y*(5-n)*2 + rng.IntN(40)) % 256)
				img.Pix[y*img.Stride+x] = v
				grid[y][x] = float32(v)
			}
		}
		want, wq := HashImage(img)
		got, gq := HashGrid(&grid)
		if got != want || gq != wq {
			t.Errorf("image %d: HashGrid %s q%d, HashImage %s q%d", n, got, gq, want, wq)
		}
	}
}
