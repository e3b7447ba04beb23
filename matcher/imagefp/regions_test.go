package imagefp

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/draw"
)

// jpegRoundTrip encodes img as JPEG at quality q and decodes it, as a
// found image arrives.
func jpegRoundTrip(tb testing.TB, img image.Image, q int) image.Image {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		tb.Fatal(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// within reports whether every side of got is within tol pixels of want.
func within(got, want image.Rectangle, tol int) bool {
	d := func(a, b int) bool { return a-b <= tol && b-a <= tol }
	return d(got.Min.X, want.Min.X) && d(got.Min.Y, want.Min.Y) && d(got.Max.X, want.Max.X) && d(got.Max.Y, want.Max.Y)
}

// Regions finds a picture placed on a background, padded on one side, or
// laid out on a page, to within 1-2 pixels, on synthetic images (the shared
// photos are kept for measuring, not tuning). The floors are what the
// detector achieves with a small margin, as a guard against regressions:
// on a page of text lines more than half the pictures are missed, mostly where
// a side of the picture is as light as the page (the harness's
// "screenshot" row measures the effect on matching).
func TestRegionsFindsPlacedPicture(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name     string
		canvas   func(pic *image.RGBA) (image.Image, image.Rectangle)
		tol      int
		quality  int
		minFound int // of 10
	}{
		{"2x on smooth field, random place", func(pic *image.RGBA) (image.Image, image.Rectangle) {
			return placeRandomRect(pic, synthField(rng, 2*pic.Bounds().Dx(), 2*pic.Bounds().Dy()), rng)
		}, 1, 90, 8},
		{"3x on shapes, random place", func(pic *image.RGBA) (image.Image, image.Rectangle) {
			return placeRandomRect(pic, synthShapes(rng, 3*pic.Bounds().Dx(), 3*pic.Bounds().Dy()), rng)
		}, 2, 90, 8},
		{"one side padded white", func(pic *image.RGBA) (image.Image, image.Rectangle) {
			w, h := pic.Bounds().Dx(), pic.Bounds().Dy()
			dst := padSides(pic, 0, 0, 0.15, 0, color.White)
			return dst, image.Rect(0, 0, w, h)
		}, 1, 90, 10},
		{"on a page", func(pic *image.RGBA) (image.Image, image.Rectangle) {
			w, h := pic.Bounds().Dx(), pic.Bounds().Dy()
			page := image.NewRGBA(image.Rect(0, 0, w*5/2, w*15/8+h))
			draw.Draw(page, page.Bounds(), synthPage(rng, page.Bounds().Dx(), page.Bounds().Dy()), image.Point{}, draw.Src)
			return placeRandomRect(pic, page, rng)
		}, 2, 80, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			found := 0
			for n := range 10 {
				pic := synthField(rng, 160+rng.IntN(200), 120+rng.IntN(200))
				if n%2 == 1 {
					pic = synthTexture(rng, pic.Bounds().Dx(), pic.Bounds().Dy())
				}
				img, want := c.canvas(pic)
				got := regions(jpegRoundTrip(t, img, c.quality))
				ok := false
				for _, r := range got {
					ok = ok || within(r, want, c.tol)
				}
				if ok {
					found++
				} else {
					t.Logf("picture %d at %v not among %v", n, want, got)
				}
			}
			if found < c.minFound {
				t.Errorf("found %d of 10, want >= %d", found, c.minFound)
			}
		})
	}
}

// placeRandomRect draws pic at a random place on canvas and returns the
// canvas and where pic is.
func placeRandomRect(pic, canvas *image.RGBA, rng *rand.Rand) (image.Image, image.Rectangle) {
	w, h := pic.Bounds().Dx(), pic.Bounds().Dy()
	x, y := rng.IntN(canvas.Bounds().Dx()-w+1), rng.IntN(canvas.Bounds().Dy()-h+1)
	r := image.Rect(x, y, x+w, y+h)
	draw.Draw(canvas, r, pic, image.Point{}, draw.Src)
	return canvas, r
}

// A plain picture yields few regions, and an empty or tiny image none.
func TestRegionsBounds(t *testing.T) {
	for _, img := range []image.Image{
		image.NewRGBA(image.Rect(0, 0, 1, 1)),
		image.NewGray(image.Rect(0, 0, 20, 400)),
		image.NewRGBA(image.Rect(0, 0, 600, 400)),
	} {
		if got := regions(img); len(got) != 0 {
			t.Errorf("%v: regions %v", img.Bounds(), got)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 5 {
		img := synthShapes(rng, 800, 600)
		if got := regions(img); len(got) > maxRegions {
			t.Errorf("shapes %d: %d regions", n, len(got))
		}
	}
}

// Images too small or too thin for parts hash without failing, and give
// no parts of unreliable quality.
func TestWindowsOfTinyImages(t *testing.T) {
	for _, r := range []image.Rectangle{image.Rect(0, 0, 1, 1), image.Rect(0, 0, 3, 3), image.Rect(0, 0, 1, 900), image.Rect(0, 0, 900, 2), image.Rect(5, 7, 70, 40)} {
		img := image.NewGray(r)
		for i := range img.Pix {
			img.Pix[i] = uint8(i * 7)
		}
		for _, data := range [][]byte{encodePNG(t, img), encodeJPEG(t, img, 90)} {
			for _, work := range []bool{false, true} {
				h, err := compute(data, DefaultLimits(), work)
				if err != nil {
					t.Fatalf("%v work %v: %v", r, work, err)
				}
				for _, p := range append(h.PDQWindows, h.PDQRegions...) {
					if p.Area <= 0 || p.Area > 1 {
						t.Errorf("%v: part area %v", r, p.Area)
					}
				}
			}
		}
	}
}
