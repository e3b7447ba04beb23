package imagefp

import (
	"image"
	"image/color"
)

// reduceTarget is the number of samples an axis of 2*reduceTarget or more
// pixels is box-averaged down to before goimagehash's general resizer
// (nfnt/resize, bilinear) takes it to 64. Four samples per output pixel keep
// the hash within a few bits of resizing the full image, at a fraction of
// the cost.
const reduceTarget = 256

// Luminance weights of ITU-R BT.601 (0.299, 0.587, 0.114) in 1/65536ths,
// the weights goimagehash applies and JPEG's Y channel carries.
const (
	lumR = 19595
	lumG = 38470
	lumB = 7471
)

// rowFunc adds the 16-bit luminance of one source row (absolute y) to sum,
// which holds Bounds().Dx() samples.
type rowFunc func(y int, sum []uint64)

// luminance converts img to an 8-bit gray image with origin (0, 0). Each
// axis of 2*reduceTarget pixels or more is box-averaged to reduceTarget
// samples; shorter axes keep their size. Transparent pixels count as black,
// as with img.At(x, y).RGBA().
func luminance(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	xbin, xcount := bins(w)
	ybin, ycount := bins(h)
	out := image.NewGray(image.Rect(0, 0, len(xcount), len(ycount)))
	cols := make([]uint64, w)
	acc := make([]uint64, len(xcount))
	colScale := make([]float64, len(xcount)) // 16-bit sum -> 8-bit mean
	for bx, c := range xcount {
		colScale[bx] = 1 / (float64(c) * 0x101)
	}
	add := rowReader(img)
	for y := range h {
		add(b.Min.Y+y, cols)
		by := int(ybin[y])
		if y+1 < h && int(ybin[y+1]) == by {
			continue
		}
		for x, v := range cols {
			acc[xbin[x]] += v
			cols[x] = 0
		}
		rowScale := 1 / float64(ycount[by])
		dst := out.Pix[by*out.Stride:][:len(acc)]
		for bx, v := range acc {
			dst[bx] = uint8(min(float64(v)*rowScale*colScale[bx]+0.5, 255))
			acc[bx] = 0
		}
	}
	return out
}

// bins maps each of n source positions to its output sample and counts the
// positions per sample.
func bins(n int) (bin []uint16, count []uint32) {
	m := n
	if n >= 2*reduceTarget {
		m = reduceTarget
	}
	bin = make([]uint16, n)
	count = make([]uint32, m)
	for i := range bin {
		k := int(int64(i) * int64(m) / int64(n))
		bin[i] = uint16(k)
		count[k]++
	}
	return bin, count
}

// rowReader picks a fast path for the pixel layouts decoders return.
func rowReader(img image.Image) rowFunc {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(y int, sum []uint64) { ycbcrRow(m, y, sum) }
	case *image.Gray:
		return func(y int, sum []uint64) { grayRow(m, y, sum) }
	case *image.RGBA:
		return func(y int, sum []uint64) { rgbaRow(m, y, sum) }
	case *image.NRGBA:
		return func(y int, sum []uint64) { nrgbaRow(m, y, sum) }
	case *image.Paletted:
		lut := paletteLuma(m.Palette)
		return func(y int, sum []uint64) { palettedRow(m, lut, y, sum) }
	}
	return func(y int, sum []uint64) { genericRow(img, y, sum) }
}

// luma16 is the luminance of premultiplied 16-bit r, g, b.
func luma16(r, g, b uint32) uint64 {
	return (lumR*uint64(r) + lumG*uint64(g) + lumB*uint64(b) + 1<<15) >> 16
}

// ycbcrRow adds the Y channel: in JFIF it is exactly the BT.601 luminance.
func ycbcrRow(m *image.YCbCr, y int, sum []uint64) {
	src := m.Y[m.YOffset(m.Rect.Min.X, y):][:len(sum)]
	for x, v := range src {
		sum[x] += uint64(v) * 0x101
	}
}

func grayRow(m *image.Gray, y int, sum []uint64) {
	src := m.Pix[m.PixOffset(m.Rect.Min.X, y):][:len(sum)]
	for x, v := range src {
		sum[x] += uint64(v) * 0x101
	}
}

func rgbaRow(m *image.RGBA, y int, sum []uint64) {
	src := m.Pix[m.PixOffset(m.Rect.Min.X, y):][:4*len(sum)]
	for x := range sum {
		p := src[4*x : 4*x+3 : 4*x+3]
		sum[x] += luma16(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101)
	}
}

func nrgbaRow(m *image.NRGBA, y int, sum []uint64) {
	src := m.Pix[m.PixOffset(m.Rect.Min.X, y):][:4*len(sum)]
	for x := range sum {
		p := src[4*x : 4*x+4 : 4*x+4]
		r, g, b, _ := color.NRGBA{p[0], p[1], p[2], p[3]}.RGBA()
		sum[x] += luma16(r, g, b)
	}
}

// paletteLuma precomputes the luminance of every palette index; indices
// past the palette read as black (image.Paletted.At would panic).
func paletteLuma(p color.Palette) *[256]uint64 {
	var lut [256]uint64
	for i, c := range p {
		if i >= len(lut) {
			break
		}
		r, g, b, _ := c.RGBA()
		lut[i] = luma16(r, g, b)
	}
	return &lut
}

func palettedRow(m *image.Paletted, lut *[256]uint64, y int, sum []uint64) {
	src := m.Pix[m.PixOffset(m.Rect.Min.X, y):][:len(sum)]
	for x, v := range src {
		sum[x] += lut[v]
	}
}

// genericRow serves every other layout (CMYK, 16-bit, NYCbCrA) through At.
func genericRow(img image.Image, y int, sum []uint64) {
	x0 := img.Bounds().Min.X
	for x := range sum {
		r, g, b, _ := img.At(x0+x, y).RGBA()
		sum[x] += luma16(r, g, b)
	}
}
