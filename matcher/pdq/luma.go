package pdq

import (
	"image"
	"image/color"
	"sync"
)

// sampleDim is the size above which the reference (pdqio.cpp) first
// resizes an image, with CImg's nearest-neighbour resize, to
// sampleDim×sampleDim: the Jarosz filter would be slow on the full image.
const sampleDim = 512

// Luminance weights of the reference, applied in float32 to 8-bit
// non-premultiplied R, G, B.
const (
	lumaR float32 = 0.299
	lumaG float32 = 0.587
	lumaB float32 = 0.114
)

// lumaPlane is a row-major float32 luminance image.
type lumaPlane struct {
	pix  []float32
	w, h int
}

// sampledLuma returns the luminance of img as the reference sees it: images
// with a side over sampleDim become sampleDim×sampleDim, reading source
// pixel floor(x*W/sampleDim) as CImg does; smaller images keep their size.
//
// With m.x (m.y) set, it returns the plane of img mirrored left-right
// (top-bottom) exactly as the reference would see the mirrored image.
func sampledLuma(img image.Image, buf []float32, m mirror) lumaPlane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	xs, ys := identity(b.Min.X, w), identity(b.Min.Y, h)
	if w > sampleDim || h > sampleDim {
		xs, ys = nearest(b.Min.X, w), nearest(b.Min.Y, h)
	}
	if m.x {
		reflect(xs, b.Min.X, b.Max.X)
	}
	if m.y {
		reflect(ys, b.Min.Y, b.Max.Y)
	}
	p := lumaPlane{pix: grow(buf, len(xs)*len(ys)), w: len(xs), h: len(ys)}
	fill := rowFiller(img, xs)
	for i, y := range ys {
		fill(p.pix[i*p.w:(i+1)*p.w], xs, y)
	}
	return p
}

// grow returns buf resized to n, reallocating only when it is too small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// mirror selects the axes along which sampledLuma mirrors the image.
type mirror struct{ x, y bool }

// reflect maps each coordinate c of [lo, hi) to lo+hi-1-c: the reference
// resizing a mirrored image reads the mirror of the pixel it would read in
// the original.
func reflect(cs []int, lo, hi int) {
	for i, c := range cs {
		cs[i] = lo + hi - 1 - c
	}
}

// identity lists the n coordinates from min.
func identity(min, n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = min + i
	}
	return c
}

// nearest lists the sampleDim source coordinates CImg's nearest-neighbour
// resize reads from an axis of n pixels starting at min.
func nearest(min, n int) []int {
	c := make([]int, sampleDim)
	for i := range c {
		c[i] = min + int(int64(i)*int64(n)/sampleDim)
	}
	return c
}

// rowFunc writes the luminance of the pixels (xs[j], y) to dst[j].
type rowFunc func(dst []float32, xs []int, y int)

// rgbLuma is the reference's luminance of 8-bit R, G, B: each product
// rounded to float32 (looked up in lumaLUT), then summed in float32.
func rgbLuma(t *lumaLUT, r, g, b uint8) float32 {
	return t[0][r] + t[1][g] + t[2][b]
}

// lumaLUT is the type of lumaTable's result.
type lumaLUT = [3][256]float32

// lumaTable holds the float32 products of the three weights with 0..255,
// bit-identical to computing them per pixel.
var lumaTable = sync.OnceValue(func() *lumaLUT {
	var t lumaLUT
	for v := range 256 {
		t[0][v] = float32(lumaR * float32(v))
		t[1][v] = float32(lumaG * float32(v))
		t[2][v] = float32(lumaB * float32(v))
	}
	return &t
})

// rowFiller picks a fast path for the pixel layouts decoders return. Grey
// images take the grey value itself, as the reference does for one-channel
// images; colour images take non-premultiplied R, G, B.
func rowFiller(img image.Image, xs []int) rowFunc {
	t := lumaTable()
	switch m := img.(type) {
	case *image.YCbCr:
		return ycbcrFiller(t, m, xs)
	case *image.NYCbCrA:
		return ycbcrFiller(t, &m.YCbCr, xs)
	case *image.Gray:
		return func(dst []float32, xs []int, y int) { grayRow(m, dst, xs, y) }
	case *image.Gray16:
		return func(dst []float32, xs []int, y int) {
			for j, x := range xs {
				dst[j] = float32(m.Pix[m.PixOffset(x, y)])
			}
		}
	case *image.NRGBA:
		return func(dst []float32, xs []int, y int) { nrgbaRow(t, m, dst, xs, y) }
	case *image.RGBA:
		return func(dst []float32, xs []int, y int) { rgbaRow(t, m, dst, xs, y) }
	case *image.Paletted:
		lut := paletteLuma(t, m.Palette)
		return func(dst []float32, xs []int, y int) {
			for j, x := range xs {
				dst[j] = lut[m.Pix[m.PixOffset(x, y)]]
			}
		}
	}
	return func(dst []float32, xs []int, y int) { genericRow(t, img, dst, xs, y) }
}

// ycbcrFiller converts with Go's JFIF YCbCr → RGB conversion (as
// color.YCbCrToRGB), then to luminance. Offsets are separable into a row
// and a column part; the column parts of xs are computed once.
func ycbcrFiller(t *lumaLUT, m *image.YCbCr, xs []int) rowFunc {
	yx, cx := make([]int, len(xs)), make([]int, len(xs))
	for j, x := range xs {
		yx[j], cx[j] = m.YOffset(x, m.Rect.Min.Y), m.COffset(x, m.Rect.Min.Y)
	}
	return func(dst []float32, _ []int, y int) {
		yr, cr := m.YOffset(m.Rect.Min.X, y), m.COffset(m.Rect.Min.X, y)
		ys, cbs, crs := m.Y[yr:], m.Cb[cr:], m.Cr[cr:]
		for j := range dst {
			r, g, b := ycbcrToRGB(ys[yx[j]], cbs[cx[j]], crs[cx[j]])
			dst[j] = rgbLuma(t, r, g, b)
		}
	}
}

// ycbcrToRGB is color.YCbCrToRGB, inlined.
func ycbcrToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y) * 0x10101
	cb1, cr1 := int32(cb)-128, int32(cr)-128
	return clamp16(yy + 91881*cr1), clamp16(yy - 22554*cb1 - 46802*cr1), clamp16(yy + 116130*cb1)
}

// clamp16 takes bits 16-23 of v, clamped to 0..255.
func clamp16(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	return uint8(^(v >> 31))
}

// grayRow copies grey values.
func grayRow(m *image.Gray, dst []float32, xs []int, y int) {
	for j, x := range xs {
		dst[j] = float32(m.Pix[m.PixOffset(x, y)])
	}
}

// nrgbaRow reads straight (non-premultiplied) R, G, B, ignoring alpha.
func nrgbaRow(t *lumaLUT, m *image.NRGBA, dst []float32, xs []int, y int) {
	for j, x := range xs {
		p := m.Pix[m.PixOffset(x, y):]
		dst[j] = rgbLuma(t, p[0], p[1], p[2])
	}
}

// rgbaRow un-premultiplies translucent pixels before taking luminance.
func rgbaRow(t *lumaLUT, m *image.RGBA, dst []float32, xs []int, y int) {
	for j, x := range xs {
		p := m.Pix[m.PixOffset(x, y):]
		if p[3] == 0xff {
			dst[j] = rgbLuma(t, p[0], p[1], p[2])
			continue
		}
		c := color.NRGBAModel.Convert(color.RGBA{p[0], p[1], p[2], p[3]}).(color.NRGBA)
		dst[j] = rgbLuma(t, c.R, c.G, c.B)
	}
}

// genericRow converts any colour to non-premultiplied 8-bit RGB. Grey
// colour models keep the grey path of the reference.
func genericRow(t *lumaLUT, img image.Image, dst []float32, xs []int, y int) {
	grey := img.ColorModel() == color.GrayModel || img.ColorModel() == color.Gray16Model
	for j, x := range xs {
		c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
		if grey {
			dst[j] = float32(c.R)
			continue
		}
		dst[j] = rgbLuma(t, c.R, c.G, c.B)
	}
}

// paletteLuma precomputes the luminance of each palette entry; indexes past
// the palette (invalid images) read as black.
func paletteLuma(t *lumaLUT, p color.Palette) []float32 {
	lut := make([]float32, 256)
	for i, c := range p {
		if i == len(lut) {
			break
		}
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		lut[i] = rgbLuma(t, n.R, n.G, n.B)
	}
	return lut
}
