package pdq

import (
	"image"
	"sync"
)

// minDim is the smallest side the reference hashes; smaller images get the
// zero hash and quality 0.
const minDim = 5

// dctTable is the shared, read-only DCT matrix, built on first use.
var dctTable = sync.OnceValue(newDCTMatrix)

// Hasher computes PDQ hashes, reusing its buffers between calls (two
// float32 planes of at most 512×512). The zero value is ready to use. A
// Hasher is not safe for concurrent use; use one per goroutine.
type Hasher struct {
	buf1, buf2 []float32
}

// HashImage returns the PDQ hash of img and its quality (0..100; below
// MinQuality the hash is unreliable). Images with a side under 5 pixels
// and no side over 512 get the zero hash and quality 0. It allocates a fresh Hasher; use a
// Hasher to hash many images.
func HashImage(img image.Image) (Hash, int) {
	var h Hasher
	return h.Hash(img)
}

// Dihedral returns the PDQ hashes of img under all eight transforms,
// indexed by Transform, derived from a single DCT by the reference's sign
// and transposition rules (as the reference's dihedral hasher outputs
// them). hashes[None] equals HashImage(img) and hashes[Transpose] equals
// HashImage of the transposed image, but because the reference's blur is
// not centred, the other variants are 4-30 bits (50 on one shared photo)
// from HashImage of the mirrored or rotated pixels; DihedralExact removes
// that error at four times the cost.
func Dihedral(img image.Image) (hashes [NumTransforms]Hash, quality int) {
	var h Hasher
	return h.Dihedral(img)
}

// DihedralExact returns, like Dihedral, the hashes of img under the eight
// transforms, but equal to HashImage of the transformed pixels rather than
// derived from one DCT. The reference's box filter (even windows) and
// decimation are not centred, so a mirrored image's hash differs from the
// reference's derived variant: by 4-30 bits on most photos, 50 on one of
// the shared photos. This runs the pipeline on the four mirrors of the
// image (transpositions are exact) at four times the cost of HashImage;
// use it where flips must match reliably, e.g. when registering works.
func DihedralExact(img image.Image) (hashes [NumTransforms]Hash, quality int) {
	var h Hasher
	return h.DihedralExact(img)
}

// Hash is HashImage with h's buffers.
func (h *Hasher) Hash(img image.Image) (Hash, int) {
	dct, q, ok := h.dct(img, mirror{})
	if !ok {
		return Hash{}, 0
	}
	return toBits(dct), q
}

// Dihedral is the package function Dihedral with h's buffers.
func (h *Hasher) Dihedral(img image.Image) (hashes [NumTransforms]Hash, quality int) {
	dct, q, ok := h.dct(img, mirror{})
	if !ok {
		return hashes, 0
	}
	var aux [16][16]float32
	for t := range Transform(NumTransforms) {
		transformDCT(t, dct, &aux)
		hashes[t] = toBits(&aux)
	}
	return hashes, q
}

// DihedralExact is Dihedral with h's buffers.
func (h *Hasher) DihedralExact(img image.Image) (hashes [NumTransforms]Hash, quality int) {
	var aux [16][16]float32
	for _, p := range exactPlan() {
		dct, q, ok := h.dct(img, p.m)
		if !ok {
			return [NumTransforms]Hash{}, 0
		}
		if p.plain == None {
			quality = q
		}
		hashes[p.plain] = toBits(dct)
		transformDCT(Transpose, dct, &aux)
		hashes[p.swapped] = toBits(&aux)
	}
	return hashes, quality
}

// exactPlan lists the four mirrored pipelines of DihedralExact. The
// reference's blur and decimation commute with transposition but not with
// mirroring, so each transform is computed as a mirror of the pixels (plain)
// or that mirror followed by a transposition of the DCT block (swapped).
func exactPlan() [4]exactStep {
	return [4]exactStep{
		{mirror{}, None, Transpose},
		{mirror{x: true}, HFlip, Rot90},  // rot90 = transpose ∘ hflip
		{mirror{y: true}, VFlip, Rot270}, // rot270 = transpose ∘ vflip
		{mirror{x: true, y: true}, Rot180, Transverse},
	}
}

// exactStep is one pipeline of DihedralExact.
type exactStep struct {
	m              mirror
	plain, swapped Transform
}

// dct runs the reference pipeline up to the 16×16 DCT block and the
// quality; ok is false for images too small to hash.
func (h *Hasher) dct(img image.Image, m mirror) (*[16][16]float32, int, bool) {
	if img.Bounds().Empty() {
		return nil, 0, false
	}
	// As in the reference, the size check comes after resampling: a
	// 1000×3 image is stretched to 512×512 and hashed.
	p := sampledLuma(img, h.buf1, m)
	h.buf1 = p.pix
	if p.w < minDim || p.h < minDim {
		return nil, 0, false
	}
	var small [64][64]float32
	if p.w == 64 && p.h == 64 {
		// The reference skips the blur for input already 64×64.
		for i := range small {
			copy(small[i][:], p.pix[i*64:(i+1)*64])
		}
	} else {
		h.buf2 = grow(h.buf2, max(len(p.pix), 64*p.h))
		blurDecimate(p, h.buf2, &small)
	}
	var out [16][16]float32
	dctTable().dct64To16(&small, &out)
	return &out, quality(&small), true
}
