package imagefp

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// Builders of small valid images and of headers that lie about their size.
// Each withSize helper returns a copy of a real encoding whose header
// claims w x h pixels; the pixel data stays that of the tiny image.

// tinyImage is a 4x3 gradient, enough for every encoder.
func tinyImage() *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	for y := range 3 {
		for x := range 4 {
			m.Set(x, y, color.NRGBA{uint8(60 * x), uint8(80 * y), 128, 255})
		}
	}
	return m
}

func tinyPNG(tb testing.TB) []byte  { return encodePNG(tb, tinyImage()) }
func tinyJPEG(tb testing.TB) []byte { return encodeJPEG(tb, tinyImage(), 90) }

func tinyGIF(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, tinyImage(), nil); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func tinyBMP(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := bmp.Encode(&buf, tinyImage()); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func tinyTIFF(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, tinyImage(), &tiff.Options{Compression: tiff.Deflate}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// pngWithSize rewrites the IHDR chunk (and its CRC).
func pngWithSize(tb testing.TB, w, h uint32) []byte {
	b := bytes.Clone(tinyPNG(tb))
	if string(b[12:16]) != "IHDR" {
		tb.Fatal("png: IHDR is not the first chunk")
	}
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// gifWithSize rewrites the logical screen descriptor.
func gifWithSize(tb testing.TB, w, h uint16) []byte {
	b := bytes.Clone(tinyGIF(tb))
	binary.LittleEndian.PutUint16(b[6:], w)
	binary.LittleEndian.PutUint16(b[8:], h)
	return b
}

// jpegWithSize rewrites the SOF0 segment.
func jpegWithSize(tb testing.TB, w, h uint16) []byte {
	b := bytes.Clone(tinyJPEG(tb))
	i := bytes.Index(b, []byte{0xff, 0xc0})
	if i < 0 {
		tb.Fatal("jpeg: no SOF0 marker")
	}
	binary.BigEndian.PutUint16(b[i+5:], h)
	binary.BigEndian.PutUint16(b[i+7:], w)
	return b
}

// bmpWithSize rewrites the BITMAPINFOHEADER.
func bmpWithSize(tb testing.TB, w, h int32) []byte {
	b := bytes.Clone(tinyBMP(tb))
	binary.LittleEndian.PutUint32(b[18:], uint32(w))
	binary.LittleEndian.PutUint32(b[22:], uint32(h))
	return b
}

// tiffWithSize rewrites the ImageWidth and ImageLength entries of the
// first IFD.
func tiffWithSize(tb testing.TB, w, h uint16) []byte {
	b := bytes.Clone(tinyTIFF(tb))
	tiffEntry(tb, b, 256, func(e []byte) { binary.LittleEndian.PutUint16(e[8:], w) })
	tiffEntry(tb, b, 257, func(e []byte) { binary.LittleEndian.PutUint16(e[8:], h) })
	return b
}

// tiffWithCount makes the given tag of the first IFD claim count values.
func tiffWithCount(tb testing.TB, tag uint16, count uint32) []byte {
	b := bytes.Clone(tinyTIFF(tb))
	tiffEntry(tb, b, tag, func(e []byte) { binary.LittleEndian.PutUint32(e[4:], count) })
	return b
}

// tiffEntry calls edit on the 12-byte entry of tag in the first IFD of a
// little-endian TIFF (as x/image/tiff writes it).
func tiffEntry(tb testing.TB, b []byte, tag uint16, edit func(entry []byte)) {
	tb.Helper()
	ifd := int(binary.LittleEndian.Uint32(b[4:]))
	n := int(binary.LittleEndian.Uint16(b[ifd:]))
	for i := range n {
		if e := b[ifd+2+12*i:]; binary.LittleEndian.Uint16(e) == tag {
			edit(e)
			return
		}
	}
	tb.Fatalf("tiff: no tag %d", tag)
}

// riff wraps chunks into a RIFF WEBP container.
func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// chunk builds one RIFF chunk, padded to an even length.
func chunk(id string, data []byte) []byte {
	out := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// vp8x is a VP8X chunk declaring a w x h canvas.
func vp8x(w, h uint32) []byte {
	d := make([]byte, 10)
	d[4], d[5], d[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	d[7], d[8], d[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	return chunk("VP8X", d)
}

// vp8lHeader is the 5-byte header of a lossless bitstream of w x h.
func vp8lHeader(w, h uint32) []byte {
	v := (w - 1) | (h-1)<<14
	return append([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, v)...)
}

// webpWithSize is a VP8X header claiming a w x h canvas, then nothing.
func webpWithSize(w, h uint32) []byte { return riff(vp8x(w, h)) }
