package imagefp

import (
	"image"

	"github.com/attrib/attrib/matcher/pdq"
)

// Hashes of parts of an image. PDQ's reference pipeline samples an image
// down to 512 pixels by picking pixels, then blurs it: about 1 ms per hash,
// and a window's hash drifts by 4-56 bits from an area average of the same
// pixels, with textured photos the worst (the picking aliases). Parts are
// hashed instead from one luminance plane of the image, averaged over
// blocks, and its integral image: each part's 64×64 grid of cell means is
// read with four lookups per cell at fractional positions, and pdq.HashGrid
// runs PDQ's DCT and threshold on it. That costs ~0.1 ms per part and, as
// both sides of a part match are hashed this way, it is more robust than
// the reference pipeline (halving a photo and saving it as JPEG q50 moved
// the whole-image hash by at most 16 bits of 256 on the shared photos,
// against 60 for the reference pipeline).

// Part is the PDQ hash of part of an image and the share of the image's
// area that part covers (0 < Area ≤ 1, 1 for the whole image hashed this
// way; 0 only for parts decoded from old data of unknown shape).
type Part struct {
	Hash pdq.Hash
	Area float64
}

// partSide is the longer side of the plane parts are hashed from: a part
// of a fifth of the image still has cells of 1.6 plane pixels.
const partSide = 512

// integral is the summed-area table of a luminance plane: at[y*(w+1)+x] is
// the sum of the plane's pixels above and left of (x, y).
type integral struct {
	w, h  int
	scale float64 // source pixels per plane pixel
	at    []float64
}

// newIntegral builds the summed-area table of p.
func newIntegral(p lumaPlane) integral {
	in := integral{w: p.w, h: p.h, scale: float64(p.scale), at: make([]float64, (p.w+1)*(p.h+1))}
	for y := range p.h {
		var run float64
		above, cur := in.at[y*(p.w+1):(y+1)*(p.w+1)], in.at[(y+1)*(p.w+1):(y+2)*(p.w+1)]
		for x, v := range p.pix[y*p.w : (y+1)*p.w] {
			run += float64(v)
			cur[x+1] = above[x+1] + run
		}
	}
	return in
}

// sum returns the table at fractional (x, y), interpolating bilinearly:
// exact for a plane of square pixels of constant value.
func (in *integral) sum(x, y float64) float64 {
	x, y = min(max(x, 0), float64(in.w)), min(max(y, 0), float64(in.h))
	ix, iy := min(int(x), in.w-1), min(int(y), in.h-1)
	fx, fy := x-float64(ix), y-float64(iy)
	w := in.w + 1
	a, b := in.at[iy*w+ix], in.at[iy*w+ix+1]
	c, d := in.at[(iy+1)*w+ix], in.at[(iy+1)*w+ix+1]
	return a*(1-fx)*(1-fy) + b*fx*(1-fy) + c*(1-fx)*fy + d*fx*fy
}

// hash returns the PDQ hash and quality of part r (in source coordinates
// relative to the image's origin) from 64×64 cell means.
func (in *integral) hash(r rectF) (pdq.Hash, int) {
	x0, y0 := r.x0/in.scale, r.y0/in.scale
	cw, ch := (r.x1-r.x0)/in.scale/64, (r.y1-r.y0)/in.scale/64
	var xs, ys [65]float64
	for i := range xs {
		xs[i], ys[i] = x0+float64(i)*cw, y0+float64(i)*ch
	}
	var grid [64][64]float32
	var prev, cur [65]float64
	for j := range prev {
		prev[j] = in.sum(xs[j], ys[0])
	}
	inv := 1 / (cw * ch)
	for i := range 64 {
		for j := range cur {
			cur[j] = in.sum(xs[j], ys[i+1])
		}
		for j := range 64 {
			grid[i][j] = float32((cur[j+1] - cur[j] - prev[j+1] + prev[j]) * inv)
		}
		prev = cur
	}
	return pdq.HashGrid(&grid)
}

// rectF is a rectangle in source pixels with fractional bounds.
type rectF struct{ x0, y0, x1, y1 float64 }

// area is the rectangle's area.
func (r rectF) area() float64 { return (r.x1 - r.x0) * (r.y1 - r.y0) }

// fromRect converts an integer rectangle relative to origin o.
func fromRect(r image.Rectangle, o image.Point) rectF {
	return rectF{float64(r.Min.X - o.X), float64(r.Min.Y - o.Y), float64(r.Max.X - o.X), float64(r.Max.Y - o.Y)}
}

// hashRects hashes the parts rs (source coordinates relative to the
// image's origin) of an image of size (w, h), keeping those whose PDQ
// quality reaches pdq.MinQuality: flat parts (sky, a white page) hash
// unreliably and would match each other.
func (in *integral) hashRects(rs []rectF, w, h int) []Part {
	if in.w == 0 || in.h == 0 {
		return nil
	}
	var out []Part
	total := float64(w) * float64(h)
	for _, r := range rs {
		if r.x1-r.x0 < 1 || r.y1-r.y0 < 1 {
			continue
		}
		if x, q := in.hash(r); q >= pdq.MinQuality {
			out = append(out, Part{Hash: x, Area: min(1, r.area()/total)})
		}
	}
	return out
}
