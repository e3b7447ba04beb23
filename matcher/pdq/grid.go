package pdq

// HashGrid returns the PDQ hash and quality of a 64×64 luminance grid (0..255
// scale, row-major), running only the reference's last stages: the 64 → 16
// DCT, the quality metric and the median threshold. Callers that downsample
// an image (or parts of it) their own way use it to get hashes comparable
// with HashImage's: the same bits for the same grid.
func HashGrid(a *[64][64]float32) (Hash, int) {
	var out [16][16]float32
	dctTable().dct64To16(a, &out)
	return toBits(&out), quality(a)
}
