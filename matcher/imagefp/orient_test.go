package imagefp

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/attrib/attrib/matcher/pdq"
)

// withEXIF inserts an APP1 EXIF segment holding Orientation o after SOI.
func withEXIF(jpg []byte, o int, littleEndian bool) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, 0, 0, 0, 0}
	if littleEndian {
		tiff = []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, byte(o), 0, 0, 0, 0, 0, 0, 0}
	}
	seg := append([]byte("Exif\x00\x00"), tiff...)
	n := len(seg) + 2
	out := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, byte(n >> 8), byte(n)}, seg...)
	return append(out, jpg[2:]...)
}

func scene(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255}
			if x < w/3 && y < h/4 || (x-w*2/3)*(x-w*2/3)+(y-h/2)*(y-h/2) < h*h/25 {
				c = color.NRGBA{240, 230, 20, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func jpegOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A photo stored sideways with an EXIF Orientation tag hashes like the
// picture it displays as, for all eight orientations and both byte orders.
func TestEXIFOrientation(t *testing.T) {
	shown := scene(480, 320)
	want, err := Compute(jpegOf(t, shown), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	inverse := map[int]int{6: 8, 8: 6}
	for o := 1; o <= 8; o++ {
		inv := o
		if v, ok := inverse[o]; ok {
			inv = v
		}
		w, h := 480, 320
		if inv >= 5 {
			w, h = h, w
		}
		stored := turn(shown, w, h, inv)
		for _, le := range []bool{false, true} {
			data := withEXIF(jpegOf(t, stored), o, le)
			if got := exifOrientation(data); got != o {
				t.Fatalf("orientation %d read as %d", o, got)
			}
			h, err := Compute(data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if d := pdq.Distance(h.PDQ, want.PDQ); d > 16 {
				t.Errorf("orientation %d (little endian %v): PDQ %d bits from the displayed picture", o, le, d)
			}
			if d := Distance(h.PHash, want.PHash); d > 6 {
				t.Errorf("orientation %d (little endian %v): pHash %d bits from the displayed picture", o, le, d)
			}
			if h.Width != 480 || h.Height != 320 {
				t.Errorf("orientation %d: size %dx%d, want the displayed 480x320", o, h.Width, h.Height)
			}
		}
	}
}

func TestEXIFOrientationMalformed(t *testing.T) {
	for _, data := range [][]byte{nil, {0xFF, 0xD8}, {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E'}, withEXIF([]byte{0xFF, 0xD8}, 9, false)[:20]} {
		if o := exifOrientation(data); o != 1 {
			t.Errorf("%x: orientation %d, want 1", data, o)
		}
	}
}
