package imagefp

import (
	"encoding/binary"
	"image"

	"golang.org/x/image/draw"
)

// orientSide bounds the copy an EXIF-rotated image is turned in: the hashes
// look at 512 pixels (PDQ) or fewer (pHash), so a 1024-pixel copy loses
// nothing they use and turns in milliseconds.
const orientSide = 1024

// exifOrientation returns the EXIF Orientation (1-8) of a JPEG, or 1 when it
// has none or the data is not a JPEG. It reads only the segments before the
// image data and never more than they declare.
func exifOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for p := 2; p+4 <= len(data) && data[p] == 0xFF; {
		marker, n := data[p+1], int(binary.BigEndian.Uint16(data[p+2:]))
		if marker == 0xDA || n < 2 || p+2+n > len(data) { // start of scan, or malformed
			return 1
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		p += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 from IFD0 of an EXIF TIFF block.
func tiffOrientation(t []byte) int {
	bo := tiffOrder(t)
	if bo == nil {
		return 1
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	count := int(bo.Uint16(t[ifd:]))
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient returns img as it is meant to be displayed under EXIF orientation
// o, downscaled to at most orientSide pixels a side.
func orient(img image.Image, o int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if s := max(w, h); s > orientSide {
		w, h = max(1, w*orientSide/s), max(1, h*orientSide/s)
	}
	src := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(src, src.Bounds(), img, b, draw.Src, nil)
	if o <= 4 {
		return turn(src, w, h, o)
	}
	return turn(src, h, w, o)
}

// turn maps each pixel of src (w0×h0) to its displayed place in a dw×dh
// image, per the EXIF orientations: 2 mirror, 3 rotate 180, 4 flip, 5
// transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-
// clockwise.
func turn(src *image.NRGBA, dw, dh, o int) *image.NRGBA {
	w0, h0 := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for y := range h0 {
		for x := range w0 {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w0-1-x, y
			case 3:
				dx, dy = w0-1-x, h0-1-y
			case 4:
				dx, dy = x, h0-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h0-1-y, x
			case 7:
				dx, dy = h0-1-y, w0-1-x
			case 8:
				dx, dy = y, w0-1-x
			default:
				dx, dy = x, y
			}
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}
