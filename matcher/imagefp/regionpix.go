package imagefp

import (
	"image"
	"image/color"
)

// Pixels for region finding: a luminance plane sampled from the image, and
// the refinement of a region's sides at full resolution.

// lumaPlane is a row-major luminance image on a 0..255 scale, each pixel
// the mean of a scale×scale block of an image's pixels.
type lumaPlane struct {
	w, h, scale int
	pix         []float32
}

// maxBlockSamples bounds the pixels read per side of a block: larger
// blocks (images over twice the plane's size, which reduced JPEG decoding
// makes rare) are averaged over an even grid of them, which keeps the
// cost at most 4 reads per plane pixel.
const maxBlockSamples = 2

// sampleLuma returns img's luminance averaged over scale×scale blocks,
// scale chosen so that the longer side is at most maxSide. Averaging, not
// picking one pixel per block, keeps fine texture from aliasing into the
// hashes of parts, and edges where they are.
func sampleLuma(img image.Image, maxSide int) lumaPlane {
	b := img.Bounds()
	s := max(1, (max(b.Dx(), b.Dy())+maxSide-1)/maxSide)
	p := lumaPlane{w: b.Dx() / s, h: b.Dy() / s, scale: s}
	p.pix = make([]float32, p.w*p.h)
	if p.w == 0 || p.h == 0 {
		return p
	}
	k := min(s, maxBlockSamples) // samples per block side
	offs := make([]int, k)
	for i := range offs {
		offs[i] = i * s / k
	}
	xs := make([]int, 0, p.w*k)
	for i := range p.w {
		for _, o := range offs {
			xs = append(xs, b.Min.X+i*s+o)
		}
	}
	row := lumaRow(img)
	if y, ok := img.(*image.YCbCr); ok {
		row = ycbcrLumaRow(y)
	}
	buf := make([]float32, len(xs))
	inv := 1 / float32(k*k)
	for j := range p.h {
		out := p.pix[j*p.w : (j+1)*p.w]
		for _, o := range offs {
			row(buf, xs, b.Min.Y+j*s+o)
			for i := range out {
				var sum float32
				for _, v := range buf[i*k : (i+1)*k] {
					sum += v
				}
				out[i] += sum
			}
		}
		for i := range out {
			out[i] *= inv
		}
	}
	return p
}

// resampled returns p reduced by an integer factor to at most maxSide on
// its longer side, averaging blocks.
func (p lumaPlane) resampled(maxSide int) lumaPlane {
	f := (max(p.w, p.h) + maxSide - 1) / maxSide
	q := lumaPlane{w: p.w / f, h: p.h / f, scale: f * p.scale}
	q.pix = make([]float32, q.w*q.h)
	inv := 1 / float32(f*f)
	for y := range q.h {
		out := q.pix[y*q.w : (y+1)*q.w]
		for dy := range f {
			row := p.pix[(y*f+dy)*p.w:]
			for x := range out {
				for _, v := range row[x*f : x*f+f] {
					out[x] += v
				}
			}
		}
		for x := range out {
			out[x] *= inv
		}
	}
	return q
}

// ycbcrLumaRow reads the Y plane of m directly: the common case (JPEG),
// and the bulk of the pixels sampleLuma reads.
func ycbcrLumaRow(m *image.YCbCr) func(dst []float32, xs []int, y int) {
	return func(dst []float32, xs []int, y int) {
		row := m.Y[(y-m.Rect.Min.Y)*m.YStride-m.Rect.Min.X:]
		for i, x := range xs {
			dst[i] = float32(row[x])
		}
	}
}

// lumaRow returns a function that writes the luminance of img's pixels
// (xs[i], y) to dst[i], with fast paths for the decoders' image types.
func lumaRow(img image.Image) func(dst []float32, xs []int, y int) {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(dst []float32, xs []int, y int) {
			for i, x := range xs {
				dst[i] = float32(m.Y[m.YOffset(x, y)])
			}
		}
	case *image.Gray:
		return func(dst []float32, xs []int, y int) {
			for i, x := range xs {
				dst[i] = float32(m.Pix[m.PixOffset(x, y)])
			}
		}
	case *image.RGBA:
		return func(dst []float32, xs []int, y int) {
			for i, x := range xs {
				o := m.PixOffset(x, y)
				dst[i] = luma8(m.Pix[o], m.Pix[o+1], m.Pix[o+2])
				if a := m.Pix[o+3]; a != 255 && a != 0 {
					dst[i] *= 255 / float32(a) // straight, not premultiplied, colour
				}
			}
		}
	case *image.NRGBA:
		return func(dst []float32, xs []int, y int) {
			for i, x := range xs {
				o := m.PixOffset(x, y)
				dst[i] = luma8(m.Pix[o], m.Pix[o+1], m.Pix[o+2])
			}
		}
	}
	return func(dst []float32, xs []int, y int) {
		for i, x := range xs {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			dst[i] = luma8(c.R, c.G, c.B)
		}
	}
}

// luma8 is Rec. 601 luminance of 8-bit R, G, B.
func luma8(r, g, b uint8) float32 {
	return 0.299*float32(r) + 0.587*float32(g) + 0.114*float32(b)
}

// refine maps plane rectangle r to img's coordinates, moving each side
// that is not on img's border to the full-resolution boundary with the
// largest mean luma step within one plane pixel of it.
func refine(img image.Image, p lumaPlane, r image.Rectangle) image.Rectangle {
	b := img.Bounds()
	s := p.scale
	out := image.Rect(b.Min.X+r.Min.X*s, b.Min.Y+r.Min.Y*s, b.Min.X+r.Max.X*s, b.Min.Y+r.Max.Y*s)
	if r.Max.X == p.w {
		out.Max.X = b.Max.X
	}
	if r.Max.Y == p.h {
		out.Max.Y = b.Max.Y
	}
	if s == 1 {
		return out
	}
	row := lumaRow(img)
	if r.Min.Y > 0 {
		out.Min.Y = bestBoundary(out.Min.Y, s, b.Min.Y, b.Max.Y, func(y int) float32 { return rowStep(row, out.Min.X, out.Max.X, y, s) })
	}
	if r.Max.Y < p.h {
		out.Max.Y = bestBoundary(out.Max.Y, s, b.Min.Y, b.Max.Y, func(y int) float32 { return rowStep(row, out.Min.X, out.Max.X, y, s) })
	}
	if r.Min.X > 0 {
		out.Min.X = bestBoundary(out.Min.X, s, b.Min.X, b.Max.X, func(x int) float32 { return colStep(row, out.Min.Y, out.Max.Y, x, s) })
	}
	if r.Max.X < p.w {
		out.Max.X = bestBoundary(out.Max.X, s, b.Min.X, b.Max.X, func(x int) float32 { return colStep(row, out.Min.Y, out.Max.Y, x, s) })
	}
	return out
}

// bestBoundary returns the source boundary near plane boundary at = k*s
// with the largest step. The plane averages blocks, so an edge inside
// block k-1 or k shows at plane boundary k: the source boundary lies
// within (at-s, at+s); as the edge map may put a line one plane line off,
// the search widens by s on each side, but a boundary in the narrow range
// wins unless one outside has over twice its step (a low-contrast side
// next to a strong edge of the background).
func bestBoundary(at, s, lo, hi int, step func(int) float32) int {
	best, bestStep := at, float32(-1)
	wide, wideStep := at, float32(-1)
	for k := max(lo+1, at-2*s+1); k <= min(hi-1, at+2*s-1); k++ {
		v := step(k)
		if k > at-s && k < at+s && v > bestStep {
			best, bestStep = k, v
		}
		if v > wideStep {
			wide, wideStep = k, v
		}
	}
	if wideStep > 2*bestStep {
		return wide
	}
	return best
}

// rowStep is the mean luma step between source rows y-1 and y over
// [x0, x1), sampled every s-th pixel.
func rowStep(row func([]float32, []int, int), x0, x1, y, s int) float32 {
	var xs []int
	for x := x0 + s/2; x < x1; x += s {
		xs = append(xs, x)
	}
	a, b := make([]float32, len(xs)), make([]float32, len(xs))
	row(a, xs, y-1)
	row(b, xs, y)
	return meanAbsDiff(a, b)
}

// colStep is the mean luma step between source columns x-1 and x over
// [y0, y1), sampled every s-th pixel.
func colStep(row func([]float32, []int, int), y0, y1, x, s int) float32 {
	var sum float32
	n := 0
	a, b := make([]float32, 1), make([]float32, 1)
	for y := y0 + s/2; y < y1; y += s {
		row(a, []int{x - 1}, y)
		row(b, []int{x}, y)
		d := a[0] - b[0]
		if d < 0 {
			d = -d
		}
		sum += d
		n++
	}
	return sum / float32(max(1, n))
}

// meanAbsDiff is the mean of |a[i]-b[i]|.
func meanAbsDiff(a, b []float32) float32 {
	var sum float32
	for i := range a {
		d := a[i] - b[i]
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return sum / float32(max(1, len(a)))
}
