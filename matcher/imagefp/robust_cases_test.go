package imagefp

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

// robustCase is the input of one transform: a photo, another picture for
// backgrounds, the photo's index k (which picks a side or corner, so every
// side and corner occurs) and a random source seeded by photo and
// transform (random amounts and positions, reproducible).
type robustCase struct {
	tb         testing.TB
	img, other *image.RGBA
	k          int
	rng        *rand.Rand
}

// robustTransform edits a photo. quality is the JPEG quality of the query
// (0: 90); usesOther says the query also shows c.other, whose work is then
// neither a positive nor a negative.
type robustTransform struct {
	name      string
	quality   int
	usesOther bool
	apply     func(c robustCase) image.Image
}

// robustTransforms lists the edits the issue asks the matcher to survive.
// Fixed amounts (5/10/20 %) come with a row of random amounts in the same
// family, so that window sizes tuned to the fixed amounts show up.
func robustTransforms() []robustTransform {
	scale := func(f float64) func(robustCase) image.Image {
		return func(c robustCase) image.Image { return scaled(c.img, f) }
	}
	lut := func(f func(float64) float64) func(robustCase) image.Image {
		return func(c robustCase) image.Image { return mapChannels(c.img, f) }
	}
	uniform := func(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	cut := func(f func(c robustCase) (l, t, r, b float64)) func(robustCase) image.Image {
		return func(c robustCase) image.Image {
			l, t, r, b := f(c)
			return cropRect(c.img, cutSides(c.img, l, t, r, b))
		}
	}
	side := func(frac float64) func(robustCase) image.Image {
		return cut(func(c robustCase) (l, t, r, b float64) { return oneSide(c.k, frac) })
	}
	corner := func(frac float64) func(robustCase) image.Image {
		return cut(func(c robustCase) (l, t, r, b float64) { return oneCorner(c.k, frac) })
	}
	pads := []color.Color{color.White, color.Black, color.RGBA{128, 128, 128, 255}}
	padSide := func(frac float64) func(robustCase) image.Image {
		return func(c robustCase) image.Image {
			l, t, r, b := oneSide(c.k, frac)
			return padSides(c.img, l, t, r, b, pads[c.k%3])
		}
	}
	return []robustTransform{
		{name: "resize 0.25x", apply: scale(0.25)},
		{name: "resize 0.5x", apply: scale(0.5)},
		{name: "resize 2x", apply: scale(2)},
		{name: "jpeg q20", quality: 20, apply: func(c robustCase) image.Image { return c.img }},
		{name: "jpeg q50", quality: 50, apply: func(c robustCase) image.Image { return c.img }},
		{name: "jpeg q95", quality: 95, apply: func(c robustCase) image.Image { return c.img }},
		{name: "brightness +30%", apply: lut(func(v float64) float64 { return v * 1.3 })},
		{name: "brightness -30%", apply: lut(func(v float64) float64 { return v * 0.7 })},
		{name: "contrast +30%", apply: lut(func(v float64) float64 { return (v-0.5)*1.3 + 0.5 })},
		{name: "contrast -30%", apply: lut(func(v float64) float64 { return (v-0.5)*0.7 + 0.5 })},
		{name: "gamma 0.7", apply: lut(func(v float64) float64 { return math.Pow(v, 0.7) })},
		{name: "gamma 1.3", apply: lut(func(v float64) float64 { return math.Pow(v, 1.3) })},
		{name: "grayscale", apply: func(c robustCase) image.Image { return grayscale(c.img) }},
		{name: "box blur r2", apply: func(c robustCase) image.Image { return boxBlur(c.img, 2) }},
		{name: "watermark text 50%", apply: func(c robustCase) image.Image { return watermarkText(c.tb, c.img, "© STOCKPHOTO", 0.5) }},
		{name: "watermark bars opaque", apply: func(c robustCase) image.Image { return watermarkBars(c.img) }},
		{name: "hflip", apply: func(c robustCase) image.Image { return flippedH(c.img) }},
		{name: "rot90", apply: func(c robustCase) image.Image { return rotated90(c.img) }},
		{name: "rotate 3deg", apply: func(c robustCase) image.Image { return rotatedDeg(c.img, 3) }},

		{name: "crop 5%", apply: cut(func(robustCase) (l, t, r, b float64) { return 0.05, 0.05, 0.05, 0.05 })},
		{name: "crop 10%", apply: cut(func(robustCase) (l, t, r, b float64) { return 0.1, 0.1, 0.1, 0.1 })},
		{name: "crop 20%", apply: cut(func(robustCase) (l, t, r, b float64) { return 0.2, 0.2, 0.2, 0.2 })},
		{name: "crop 3-20% centred", apply: cut(func(c robustCase) (l, t, r, b float64) {
			f := uniform(c.rng, 0.03, 0.2)
			return f, f, f, f
		})},
		{name: "crop 3-20% one axis", apply: cut(func(c robustCase) (l, t, r, b float64) {
			// Centred on one axis, as a thumbnail of another aspect ratio.
			if f := uniform(c.rng, 0.03, 0.2); c.k%2 == 0 {
				return f, 0, f, 0
			} else {
				return 0, f, 0, f
			}
		})},
		{name: "crop 5% one side", apply: side(0.05)},
		{name: "crop 10% one side", apply: side(0.10)},
		{name: "crop 20% one side", apply: side(0.20)},
		{name: "crop 3-20% one side", apply: cut(func(c robustCase) (l, t, r, b float64) { return oneSide(c.k, uniform(c.rng, 0.03, 0.2)) })},
		{name: "crop 5% one corner", apply: corner(0.05)},
		{name: "crop 10% one corner", apply: corner(0.10)},
		{name: "crop 20% one corner", apply: corner(0.20)},
		{name: "crop 3-20% one corner", apply: cut(func(c robustCase) (l, t, r, b float64) { return oneCorner(c.k, uniform(c.rng, 0.03, 0.2)) })},
		{name: "crop 10% corner, 0.7x", apply: func(c robustCase) image.Image {
			l, t, r, b := oneCorner(c.k, 0.10)
			return scaled(cropRect(c.img, cutSides(c.img, l, t, r, b)), 0.7)
		}},
		{name: "crop <=20% any", apply: cut(func(c robustCase) (l, t, r, b float64) {
			// Keep 80-100% of each axis at a random position.
			kx, ky := uniform(c.rng, 0.8, 1), uniform(c.rng, 0.8, 1)
			l, t = (1-kx)*c.rng.Float64(), (1-ky)*c.rng.Float64()
			return l, t, 1 - kx - l, 1 - ky - t
		})},

		{name: "pad 10%", apply: func(c robustCase) image.Image { return padSides(c.img, 0.1, 0.1, 0.1, 0.1, color.White) }},
		{name: "pad 20%", apply: func(c robustCase) image.Image { return padSides(c.img, 0.2, 0.2, 0.2, 0.2, color.White) }},
		{name: "pad 10% one side", apply: padSide(0.10)},
		{name: "pad 20% one side", apply: padSide(0.20)},
		{name: "pad <=20% any", apply: func(c robustCase) image.Image {
			return padSides(c.img, uniform(c.rng, 0, 0.2), uniform(c.rng, 0, 0.2), uniform(c.rng, 0, 0.2), uniform(c.rng, 0, 0.2), randColour(c.rng))
		}},

		{name: "inside 2x other", usesOther: true, apply: func(c robustCase) image.Image {
			w, h := c.img.Bounds().Dx(), c.img.Bounds().Dy()
			return placeOn(c.img, c.other, 2, w/2, h/2)
		}},
		{name: "inside 2x, top-left", usesOther: true, apply: func(c robustCase) image.Image { return placeCorner(c.img, c.other, 2, 0) }},
		{name: "inside 2x, corner", usesOther: true, apply: func(c robustCase) image.Image { return placeCorner(c.img, c.other, 2, c.k) }},
		{name: "inside 2x, random", usesOther: true, apply: func(c robustCase) image.Image { return placeRandom(c.img, c.other, 2, c.rng) }},
		{name: "inside 3x, corner", usesOther: true, apply: func(c robustCase) image.Image { return placeCorner(c.img, c.other, 3, c.k) }},
		{name: "inside 3x, random", usesOther: true, apply: func(c robustCase) image.Image { return placeRandom(c.img, c.other, 3, c.rng) }},
		{name: "inside 2x white, random", apply: func(c robustCase) image.Image { return placeRandom(c.img, nil, 2, c.rng) }},
		{name: "screenshot 40%", apply: func(c robustCase) image.Image { return screenshot(c.img, c.rng) }},
	}
}

// robustNegativeTransforms are applied to the synthetic query images,
// which no work shows: every pair they make is a negative.
func robustNegativeTransforms() []string {
	return []string{"jpeg q50", "crop 10% one corner", "inside 2x, random", "screenshot 40%"}
}
