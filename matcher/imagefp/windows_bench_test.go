package imagefp

import (
	"bytes"
	"image"
	"math/rand/v2"
	"testing"

	"github.com/attrib/attrib/matcher/pdq"
)

// BenchmarkWindows measures the window part of hashing on decoded images:
// a registered work's parts (plane, integral, whole, strips, zoom windows,
// corner squares), and a found image's parts and picture regions, for a
// plain photo, a photo placed in a larger one and a screenshot of a page;
// with the reference PDQ hash of the whole image for scale.
func BenchmarkWindows(b *testing.B) {
	photos := robustPhotos(b, robustMaxSide)
	rng := rand.New(rand.NewPCG(1, 1))
	decode := func(img image.Image) image.Image {
		out, _, err := image.Decode(bytes.NewReader(encodeJPEG(b, img, 90)))
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
	photo := decode(photos[3].img)
	found := []struct {
		name string
		img  image.Image
	}{
		{"photo", photo},
		{"inside-2x", decode(placeRandom(photos[3].img, photos[4].img, 2, rng))},
		{"screenshot", decode(screenshot(photos[5].img, rng))},
	}
	plan := defaultPlan()
	b.Run("pdq-whole/photo", func(b *testing.B) {
		for b.Loop() {
			pdq.HashImage(photo)
		}
	})
	b.Run("work/photo", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = len(plan.workWindows(photo, 0, 0))
		}
		b.ReportMetric(float64(n), "parts")
	})
	for _, f := range found {
		b.Run("found/"+f.name, func(b *testing.B) {
			var n, r int
			for b.Loop() {
				w, rs := plan.foundWindows(f.img, 0, 0)
				n, r = len(w), len(rs)
			}
			b.ReportMetric(float64(n), "parts")
			b.ReportMetric(float64(r), "regions")
		})
		b.Run("regions/"+f.name, func(b *testing.B) {
			for b.Loop() {
				regions(f.img)
			}
		})
	}
}
