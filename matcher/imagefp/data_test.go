package imagefp

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"

	"golang.org/x/image/draw"
)

// dataDir returns the shared test data folder.
func dataDir(tb testing.TB) string {
	tb.Helper()
	return shareddata.Dir(tb)
}

// findDataDir returns the shared test data folder or why it is missing.
func findDataDir() (string, error) { return shareddata.Find() }

// readImageFile reads a file under <data>/images.
func readImageFile(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir(tb), "images", rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// mustCompute fingerprints data with DefaultLimits or fails.
func mustCompute(tb testing.TB, name string, data []byte) Hashes {
	tb.Helper()
	h, err := Compute(data, DefaultLimits())
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return h
}

// decodeImage decodes encoded bytes with the registered decoders.
func decodeImage(tb testing.TB, data []byte) image.Image {
	tb.Helper()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// toRGBA copies img into an RGBA image with origin (0, 0).
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	return dst
}

// scaled returns img resized by factor with Catmull-Rom.
func scaled(img image.Image, factor float64) image.Image {
	b := img.Bounds()
	w := max(1, int(float64(b.Dx())*factor+0.5))
	h := max(1, int(float64(b.Dy())*factor+0.5))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// cropped returns img with frac of its width and height cut from each side.
func cropped(img image.Image, frac float64) image.Image {
	b := img.Bounds()
	dx, dy := int(float64(b.Dx())*frac), int(float64(b.Dy())*frac)
	r := image.Rect(b.Min.X+dx, b.Min.Y+dy, b.Max.X-dx, b.Max.Y-dy)
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Src)
	return dst
}

// brightened returns img with delta added to every channel (clamped).
func brightened(img image.Image, delta int) image.Image {
	dst := toRGBA(img)
	for i, v := range dst.Pix {
		if i%4 == 3 {
			continue
		}
		dst.Pix[i] = uint8(min(255, max(0, int(v)+delta)))
	}
	return dst
}

// encodeJPEG encodes img as JPEG at quality q.
func encodeJPEG(tb testing.TB, img image.Image, q int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// encodePNG encodes img as PNG with the fastest compression.
func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
