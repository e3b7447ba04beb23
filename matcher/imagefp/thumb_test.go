package imagefp

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"
)

// pngOf encodes img as PNG with the fastest compression: the fixtures are
// large and only their pixels matter.
func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// noise is the worst case for JPEG size: no two neighbours alike.
func noise(w, h int) *image.NRGBA {
	rng := rand.New(rand.NewPCG(3, 4))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	return img
}

// transparentRed is a red square on a fully transparent background.
func transparentRed(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := h / 4; y < h*3/4; y++ {
		for x := w / 4; x < w*3/4; x++ {
			img.SetNRGBA(x, y, color.NRGBA{220, 20, 20, 255})
		}
	}
	return img
}

func TestComputeWorkThumb(t *testing.T) {
	t.Parallel()                // CPU-bound and independent: uses both cores when the package runs alone
	sideways := scene(480, 320) // shown landscape; stored as the rotated portrait with tag 6
	stored := image.NewNRGBA(image.Rect(0, 0, 320, 480))
	for y := range 320 {
		for x := range 480 {
			// Orientation 6 displays the stored image rotated 90° clockwise:
			// displayed (x, y) comes from stored (y, 479-x).
			stored.Set(y, 479-x, sideways.At(x, y))
		}
	}
	yellow := [3]int{240, 230, 20}
	tests := []struct {
		name string
		data []byte
		w, h int    // wanted thumbnail size
		at   [3]int // wanted colour near the top left corner (the scene's yellow block), ±tol per channel
		tol  int
	}{
		{"large png shrinks to 320", pngOf(t, scene(1600, 1200)), 320, 240, yellow, 40},
		{"portrait jpeg in colour", jpegOf(t, scene(900, 1800)), 160, 320, yellow, 40},
		{"small image is not enlarged", pngOf(t, scene(120, 90)), 120, 90, yellow, 40},
		{"exif rotation applied", withEXIF(jpegOf(t, stored), 6, false), 320, 213, yellow, 40},
		{"transparency on white", pngOf(t, transparentRed(400, 400)), 320, 320, [3]int{255, 255, 255}, 8},
		{"noise still fits", pngOf(t, noise(1200, 1200)), 0, 0, [3]int{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := ComputeWork(tt.data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			h, thumb, err := ComputeWorkThumb(tt.data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if h.PHash != want.PHash || h.PDQ != want.PDQ || h.Width != want.Width || h.Height != want.Height {
				t.Errorf("hashes differ from ComputeWork: %x %dx%d, want %x %dx%d", h.PHash, h.Width, h.Height, want.PHash, want.Width, want.Height)
			}
			if len(thumb) > ThumbMaxBytes {
				t.Errorf("thumbnail is %d bytes, over %d", len(thumb), ThumbMaxBytes)
			}
			img, err := jpeg.Decode(bytes.NewReader(thumb))
			if err != nil {
				t.Fatalf("thumbnail is not a JPEG: %v", err)
			}
			b := img.Bounds()
			if max(b.Dx(), b.Dy()) > ThumbMaxSide {
				t.Errorf("thumbnail is %dx%d, over %d px", b.Dx(), b.Dy(), ThumbMaxSide)
			}
			if tt.w == 0 {
				return
			}
			if b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("thumbnail is %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.w, tt.h)
			}
			r, g, bl, _ := img.At(b.Dx()/8, b.Dy()/8).RGBA()
			got := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
			for i := range got {
				if d := got[i] - tt.at[i]; d > tt.tol || d < -tt.tol {
					t.Errorf("colour near the top left %v, want %v ± %d", got, tt.at, tt.tol)
					break
				}
			}
		})
	}
}

func TestComputeWorkThumbRejects(t *testing.T) {
	_, thumb, err := ComputeWorkThumb([]byte("not an image"), DefaultLimits())
	if err == nil || thumb != nil {
		t.Fatalf("got thumb of %d bytes and err %v, want an error and no thumbnail", len(thumb), err)
	}
}

// Registration cost with and without the preview (go test -bench Work).
func BenchmarkComputeWorkJPEG2560(b *testing.B)      { benchWork(b, benchJPEG, false) }
func BenchmarkComputeWorkThumbJPEG2560(b *testing.B) { benchWork(b, benchJPEG, true) }
func BenchmarkComputeWorkPNG512(b *testing.B)        { benchWork(b, benchMidPNG, false) }
func BenchmarkComputeWorkThumbPNG512(b *testing.B)   { benchWork(b, benchMidPNG, true) }

func benchWork(b *testing.B, rel string, thumb bool) {
	data := readImageFile(b, rel)
	b.SetBytes(int64(len(data)))
	size := 0
	for b.Loop() {
		var err error
		if thumb {
			var t []byte
			_, t, err = ComputeWorkThumb(data, DefaultLimits())
			size = len(t)
		} else {
			_, err = ComputeWork(data, DefaultLimits())
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if thumb {
		b.ReportMetric(float64(size), "thumb-bytes")
	}
}
