package imagefp

import (
	"bytes"
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/corona10/goimagehash"
)

// opaque hides an image's concrete type, forcing luminance's generic path.
type opaque struct{ image.Image }

// randomImages returns one image of every layout with a fast path, plus
// some that take the generic one, filled with random pixels.
func randomImages(w, h int) map[string]image.Image {
	rng := rand.New(rand.NewPCG(3, 4))
	r := image.Rect(3, 5, 3+w, 5+h) // non-zero origin on purpose
	fill := func(pix []byte) {
		for i := range pix {
			pix[i] = byte(rng.Uint32())
		}
	}
	// In-gamut YCbCr: luma 40-215 and chroma within 20 of neutral never
	// clamp when converted to RGB, so Y is the exact luminance.
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = byte(40 + rng.IntN(176))
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = byte(108+rng.IntN(41)), byte(108+rng.IntN(41))
	}
	gray := image.NewGray(r)
	fill(gray.Pix)
	rgba := image.NewRGBA(r)
	for i := range rgba.Pix { // keep it a valid premultiplied image
		rgba.Pix[i] = byte(rng.Uint32())
		if i%4 == 3 {
			rgba.Pix[i] = 255
		}
	}
	nrgba := image.NewNRGBA(r)
	fill(nrgba.Pix)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, color.RGBA{200, 10, 10, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = byte(rng.IntN(4)) // 3 is past the palette
	}
	cmyk := image.NewCMYK(r)
	fill(cmyk.Pix)
	return map[string]image.Image{
		"ycbcr": ycc, "gray": gray, "rgba": rgba, "nrgba": nrgba, "paletted": pal, "cmyk": cmyk,
	}
}

// TestLuminanceFastPaths compares every fast path with the generic path
// (img.At), on an identity-sized image and on one that is box-reduced.
func TestLuminanceFastPaths(t *testing.T) {
	for _, size := range [][2]int{{37, 21}, {600, 530}} {
		for name, img := range randomImages(size[0], size[1]) {
			if name == "paletted" {
				// At panics past the palette; compare with the palette
				// padded with black instead.
				p := *img.(*image.Paletted)
				p.Palette = append(p.Palette, color.Black)
				img = &p
			}
			fast, slow := luminance(img), luminance(opaque{img})
			tol := 0
			if name == "ycbcr" {
				tol = 1 // Y vs the luminance of Y'CbCr rounded to RGB
			}
			if !fast.Bounds().Eq(slow.Bounds()) {
				t.Fatalf("%s %v: bounds %v vs %v", name, size, fast.Bounds(), slow.Bounds())
			}
			for i := range fast.Pix {
				if d := int(fast.Pix[i]) - int(slow.Pix[i]); d > tol || d < -tol {
					t.Fatalf("%s %v: sample %d: fast %d, generic %d", name, size, i, fast.Pix[i], slow.Pix[i])
				}
			}
		}
	}
}

func TestLuminanceSize(t *testing.T) {
	tests := []struct{ w, h, wantW, wantH int }{
		{1, 1, 1, 1},
		{511, 511, 511, 511},
		{512, 511, reduceTarget, 511},
		{2560, 1920, reduceTarget, reduceTarget},
		{5000, 3, reduceTarget, 3},
	}
	for _, tt := range tests {
		g := luminance(image.NewGray(image.Rect(0, 0, tt.w, tt.h)))
		if g.Bounds() != image.Rect(0, 0, tt.wantW, tt.wantH) {
			t.Errorf("%dx%d: reduced to %v, want %dx%d", tt.w, tt.h, g.Bounds(), tt.wantW, tt.wantH)
		}
	}
}

func TestBins(t *testing.T) {
	for _, n := range []int{1, 7, 511, 512, 513, 1920, 2560, 100003} {
		bin, count := bins(n)
		total := 0
		for i, c := range count {
			total += int(c)
			if n >= 2*reduceTarget && (c < uint32(n/reduceTarget) || c > uint32(n/reduceTarget+1)) {
				t.Errorf("n=%d: bin %d holds %d positions", n, i, c)
			}
		}
		if total != n {
			t.Errorf("n=%d: bins hold %d positions", n, total)
		}
		for i := 1; i < n; i++ {
			if bin[i] < bin[i-1] || bin[i] > bin[i-1]+1 {
				t.Fatalf("n=%d: bin[%d]=%d after %d", n, i, bin[i], bin[i-1])
			}
		}
	}
}

// TestReferenceAgreement compares Compute's pHash with goimagehash run on
// the full decoded image (the first cut of this package) on every image
// of the shared data: the pre-downscaling must not move hashes by more
// than a few bits.
//
// Under the race detector, which only slows these single-goroutine decodes
// and hashes, it checks every third file (in walk order) and scales the
// count of exact agreements it wants accordingly.
func TestReferenceAgreement(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	root := filepath.Join(dataDir(t), "images")
	stride := 1
	if raceEnabled {
		stride = 3
	}
	hist := map[int]int{}
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if n++; (n-1)%stride != 0 {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil // the bad files; TestComputeBadFiles covers them
		}
		ph, err := perceptionHash(img)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := goimagehash.PerceptionHash(img)
		if err != nil {
			t.Fatal(err)
		}
		dist := Distance(ph, ref.GetHash())
		hist[dist]++
		if dist > 4 {
			t.Errorf("%s: %d bits from goimagehash on the full image", p, dist)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if hist[0]*stride < 100 {
		t.Errorf("only %d images (of every %d) hash exactly as before", hist[0], stride)
	}
	t.Logf("distance to goimagehash on the full image: count by bits %v", hist)
}
