// Copyright 2012 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Forked from Go 1.26.8 src/image/jpeg/scan.go (makeImg,
// reconstructProgressiveImage, reconstructBlock): images are allocated and
// blocks written at d.scale, and a luminance-only decode of a YCbCr image
// allocates the Y plane alone.

package jpegscale

import (
	"image"
)

// zigOf maps from the natural ordering to the zig-zag ordering: the
// inverse of unzig.
var zigOf = [blockSize]int{
	0, 1, 5, 6, 14, 15, 27, 28,
	2, 4, 7, 13, 16, 26, 29, 42,
	3, 8, 12, 17, 25, 30, 41, 43,
	9, 11, 18, 24, 31, 40, 44, 53,
	10, 19, 23, 32, 39, 45, 52, 54,
	20, 22, 33, 38, 46, 51, 55, 60,
	21, 34, 37, 47, 50, 56, 59, 61,
	35, 36, 48, 49, 57, 58, 62, 63,
}

// maxZigForScale is the highest zig-zag index among the coefficients a
// block reconstructed at 1/scale reads: all of them for the box means of
// 1/2 and 1/4 (see idct_reduced.go), the DC coefficient alone at 1/8.
func maxZigForScale(scale int) int32 {
	if scale == 8 {
		return 0
	}
	return blockSize - 1
}

// makeImg allocates and initializes the destination image.
func (d *decoder) makeImg(mxx, myy int) {
	bs := d.bs
	w, h := ScaledSize(d.width, d.height, d.scale)
	if d.nComp == 1 {
		m := image.NewGray(image.Rect(0, 0, bs*mxx, bs*myy))
		d.img1 = m.SubImage(image.Rect(0, 0, w, h)).(*image.Gray)
		return
	}

	h0 := d.comp[0].h
	v0 := d.comp[0].v
	if d.gray && !d.colourGray && d.nComp == 3 && !d.isRGB() {
		// The luminance of a YCbCr image is its Y component.
		d.lumaOnly = true
		m := image.NewGray(image.Rect(0, 0, bs*h0*mxx, bs*v0*myy))
		d.img1 = m.SubImage(image.Rect(0, 0, w, h)).(*image.Gray)
		return
	}
	hRatio := h0 / d.comp[1].h
	vRatio := v0 / d.comp[1].v
	var subsampleRatio image.YCbCrSubsampleRatio
	switch hRatio<<4 | vRatio {
	case 0x11:
		subsampleRatio = image.YCbCrSubsampleRatio444
	case 0x12:
		subsampleRatio = image.YCbCrSubsampleRatio440
	case 0x21:
		subsampleRatio = image.YCbCrSubsampleRatio422
	case 0x22:
		subsampleRatio = image.YCbCrSubsampleRatio420
	case 0x41:
		subsampleRatio = image.YCbCrSubsampleRatio411
	case 0x42:
		subsampleRatio = image.YCbCrSubsampleRatio410
	default:
		panic("unreachable")
	}
	m := image.NewYCbCr(image.Rect(0, 0, bs*h0*mxx, bs*v0*myy), subsampleRatio)
	d.img3 = m.SubImage(image.Rect(0, 0, w, h)).(*image.YCbCr)

	if d.nComp == 4 {
		h3, v3 := d.comp[3].h, d.comp[3].v
		d.blackPix = make([]byte, bs*h3*mxx*bs*v3*myy)
		d.blackStride = bs * h3 * mxx
	}
}

func (d *decoder) reconstructProgressiveImage() error {
	// The h0, mxx, by and bx variables have the same meaning as in the
	// processSOS method.
	h0 := d.comp[0].h
	mxx := (d.width + 8*h0 - 1) / (8 * h0)
	for i := 0; i < d.nComp; i++ {
		if d.progCoeffs[i] == nil || !d.keeps(i) {
			continue
		}
		v := 8 * d.comp[0].v / d.comp[i].v
		h := 8 * d.comp[0].h / d.comp[i].h
		stride := mxx * d.comp[i].h
		for by := 0; by*v < d.height; by++ {
			for bx := 0; bx*h < d.width; bx++ {
				k := by*stride + bx
				if err := d.reconstructBlock(&d.progCoeffs[i][k], d.progNonZero[i][k], bx, by, i); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// reconstructBlock dequantizes, performs the inverse DCT at d.scale and
// stores the block to the image. nonZero has bit i set when the AC
// coefficient of zig-zag index i may not be zero.
func (d *decoder) reconstructBlock(b *block, nonZero uint64, bx, by, compIndex int) error {
	var (
		dst    []byte
		stride int
		bs     = d.bs
	)
	switch {
	case d.img1 != nil:
		dst, stride = d.img1.Pix[bs*(by*d.img1.Stride+bx):], d.img1.Stride
	case compIndex == 0:
		dst, stride = d.img3.Y[bs*(by*d.img3.YStride+bx):], d.img3.YStride
	case compIndex == 1:
		dst, stride = d.img3.Cb[bs*(by*d.img3.CStride+bx):], d.img3.CStride
	case compIndex == 2:
		dst, stride = d.img3.Cr[bs*(by*d.img3.CStride+bx):], d.img3.CStride
	case compIndex == 3:
		dst, stride = d.blackPix[bs*(by*d.blackStride+bx):], d.blackStride
	default:
		return UnsupportedError("too many components")
	}
	tq := d.comp[compIndex].tq
	if d.blockHook != nil {
		d.blockHook(compIndex, b, &d.quant[tq])
	}
	if d.scale == 1 {
		idct8x8(b, &d.quant[tq], dst, stride)
		return nil
	}
	if nonZero == 0 || d.scale == 8 {
		// The DC coefficient alone, or a 1×1 block: a flat block at its
		// mean.
		c := clampPixel((b[0]*d.quant[tq][0] + 4) >> 3)
		for y := range bs {
			row := dst[y*stride:][:bs]
			for x := range row {
				row[x] = c
			}
		}
		return nil
	}
	switch d.scale {
	case 4:
		idct2x2(b, &d.quantNat[tq], dst, stride)
	case 2:
		idct4x4(b, &d.quantNat[tq], nonZero, dst, stride)
	}
	return nil
}

// idct8x8 is image/jpeg's reconstruction of a full-size block.
func idct8x8(b *block, qt *block, dst []byte, stride int) {
	for zig := 0; zig < blockSize; zig++ {
		b[unzig[zig]] *= qt[zig]
	}
	idct(b)
	// Level shift by +128, clip to [0, 255], and write to dst.
	for y := 0; y < 8; y++ {
		y8 := y * 8
		yStride := y * stride
		for x := 0; x < 8; x++ {
			c := b[y8+x]
			if c < -128 {
				c = 0
			} else if c > 127 {
				c = 255
			} else {
				c += 128
			}
			dst[yStride+x] = uint8(c)
		}
	}
}

// clampPixel level-shifts an IDCT output by +128 and clips it to a byte.
func clampPixel(c int32) uint8 {
	c += 128
	if c < 0 {
		return 0
	}
	if c > 255 {
		return 255
	}
	return uint8(c)
}
