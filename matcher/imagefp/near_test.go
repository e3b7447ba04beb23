package imagefp

import (
	"fmt"
	"image"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// variant derives a near-duplicate of a photo: a re-encoded, resized,
// cropped or brightened copy that a person would call the same picture.
type variant struct {
	name string
	// make returns the encoded copy; format is the original's format.
	make func(tb testing.TB, img *image.RGBA, format string) []byte
	// maxSide skips the variant for photos whose longer side exceeds it
	// (keeps 200% copies of big photos out of -race runs); 0 = all.
	maxSide int
	// beyond marks edits past what pHash tolerates: their distances are
	// logged, not asserted.
	beyond bool
}

// crop returns a variant cutting frac of each side (JPEG q90).
func crop(name string, frac float64, beyond bool) variant {
	return variant{name: name, beyond: beyond, make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		return encodeJPEG(tb, cropped(img, frac), 90)
	}}
}

var variants = []variant{
	{name: "scale-50%", make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		return encodeJPEG(tb, scaled(img, 0.5), 90)
	}},
	{name: "scale-25%", make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		return encodePNG(tb, scaled(img, 0.25))
	}},
	{name: "scale-200%", maxSide: 800, make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		return encodeJPEG(tb, scaled(img, 2), 90)
	}},
	{name: "jpeg-q50", make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		return encodeJPEG(tb, img, 50)
	}},
	{name: "jpeg-q85", make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		return encodeJPEG(tb, img, 85)
	}},
	{name: "other-format", make: func(tb testing.TB, img *image.RGBA, format string) []byte {
		if format == "jpeg" {
			return encodePNG(tb, img)
		}
		return encodeJPEG(tb, img, 90)
	}},
	{name: "brighter+16", make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		return encodeJPEG(tb, brightened(img, 16), 90)
	}},
	{name: "darker-16", make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		return encodeJPEG(tb, brightened(img, -16), 90)
	}},
	crop("crop-1%-each-side", 0.01, false),
	crop("crop-2%-each-side", 0.02, false),
	crop("crop-3%-each-side", 0.03, true),
	crop("crop-5%-each-side", 0.05, true),
	{name: "crop-5%-bottom", beyond: true, make: func(tb testing.TB, img *image.RGBA, _ string) []byte {
		b := img.Bounds()
		return encodeJPEG(tb, img.SubImage(image.Rect(0, 0, b.Dx(), b.Dy()*95/100)), 90)
	}},
}

// nearDupPhotos are the photos whose variants TestNearDuplicates checks:
// colour and gray, JPEG and PNG, 300 to 1280 px, detailed and smooth.
var nearDupPhotos = []string{
	"mate-backgrounds/nature/FreshFlower.jpg",
	"mate-backgrounds/nature/GreenMeadow.jpg",
	"skimage/astronaut.png",
	"skimage/camera.png",
	"skimage/chelsea.png",
	"skimage/coffee.png",
	"skimage/rocket.jpg",
	"skimage/coins.png",
}

// TestNearDuplicates checks that edited copies of a photo stay within
// DefaultMaxDistance of it, and logs the largest distance per edit.
func TestNearDuplicates(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	worst := map[string]int{}
	for i, rel := range nearDupPhotos {
		data := readImageFile(t, rel)
		orig := mustCompute(t, rel, data)
		img := toRGBA(decodeImage(t, data))
		side := max(img.Bounds().Dx(), img.Bounds().Dy())
		for j, v := range variants {
			if v.maxSide > 0 && side > v.maxSide {
				continue
			}
			// Under the race detector each photo gets every third edit,
			// rotating, so every edit still meets several photos.
			if raceEnabled && (i+j)%3 != 0 {
				continue
			}
			got := mustCompute(t, rel+" "+v.name, v.make(t, img, orig.Format))
			d := Distance(orig.PHash, got.PHash)
			worst[v.name] = max(worst[v.name], d)
			if d > DefaultMaxDistance && !v.beyond {
				t.Errorf("%s %s: distance %d > DefaultMaxDistance %d", rel, v.name, d, DefaultMaxDistance)
			}
		}
	}
	logWorst(t, worst)
}

// logWorst logs the largest distance seen per variant, and overall.
func logWorst(t *testing.T, worst map[string]int) {
	t.Helper()
	var b strings.Builder
	all := 0
	for _, v := range variants {
		fmt.Fprintf(&b, " %s=%d", v.name, worst[v.name])
		if !v.beyond {
			all = max(all, worst[v.name])
		}
	}
	t.Logf("max distance of asserted near-duplicates: %d; per edit:%s", all, b.String())
}

// distinctPhotos globs the photos that are pairwise different pictures:
// mate-backgrounds/nature, one Elephants and skimage (less truncated.jpg).
func distinctPhotos(tb testing.TB) []string {
	tb.Helper()
	root := filepath.Join(dataDir(tb), "images")
	var out []string
	for _, g := range []string{"mate-backgrounds/nature/*.jpg", "skimage/*"} {
		ms, err := filepath.Glob(filepath.Join(root, g))
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range ms {
			rel, _ := filepath.Rel(root, m)
			if path.Base(rel) != "truncated.jpg" {
				out = append(out, filepath.ToSlash(rel))
			}
		}
	}
	return append(out, "mate-backgrounds/abstract/Elephants.jpg")
}

// TestDistinctPhotos checks that no two different photos are within
// DefaultMaxDistance of each other, and logs the closest pairs.
func TestDistinctPhotos(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	photos := distinctPhotos(t)
	if len(photos) < 25 {
		t.Fatalf("found %d photos, want about 30", len(photos))
	}
	hashes := make([]uint64, len(photos))
	for i, rel := range photos {
		hashes[i] = mustCompute(t, rel, readImageFile(t, rel)).PHash
	}
	type pair struct {
		d    int
		a, b string
	}
	var pairs []pair
	for i := range photos {
		for j := i + 1; j < len(photos); j++ {
			p := pair{Distance(hashes[i], hashes[j]), photos[i], photos[j]}
			pairs = append(pairs, p)
			if p.d <= DefaultMaxDistance {
				t.Errorf("distinct photos %s and %s: distance %d <= DefaultMaxDistance %d", p.a, p.b, p.d, DefaultMaxDistance)
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].d < pairs[j].d })
	t.Logf("%d photos, %d pairs; closest: %v %v %v", len(photos), len(pairs), pairs[0], pairs[1], pairs[2])
	t.Logf("median pair distance %d", pairs[len(pairs)/2].d)
}

// TestDatasetNearDuplicates checks the near-duplicate groups shipped in the
// shared data: each file is within maxDist of the group's first file.
func TestDatasetNearDuplicates(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	root := filepath.Join(dataDir(t), "images")
	tests := []struct {
		name    string
		ref     string
		glob    string
		exclude []string // not the same picture (see the data README)
		maxDist int
	}{
		{name: "elephants", ref: "mate-backgrounds/abstract/Elephants.jpg", glob: "mate-backgrounds/abstract/Elephants*.jpg", maxDist: 0},
		{
			name: "video-001 stdlib encodings", ref: "go-image-testdata/video-001.png",
			glob: "go-image-testdata/video-001.*", maxDist: 0,
		},
		{
			name: "video-001 x/image encodings", ref: "go-image-testdata/video-001.png",
			glob: "x-image-testdata/video-001*", exclude: []string{"video-001.lossy.webp.ycbcr.png"}, maxDist: 0,
		},
		{name: "video-005 gray", ref: "go-image-testdata/video-005.gray.png", glob: "go-image-testdata/video-005.*", maxDist: 0},
		{
			name: "go-turns-two resamples", ref: "x-image-testdata/go-turns-two-280x360.jpeg",
			glob: "x-image-testdata/go-turns-two-*", exclude: []string{
				"go-turns-two-rotate-ab.png", "go-turns-two-rotate-bl.png",
				"go-turns-two-rotate-cr.png", "go-turns-two-rotate-nn.png",
			}, maxDist: DefaultMaxDistance,
		},
		{
			name: "webp vs png", ref: "x-image-testdata/blue-purple-pink-large.png",
			glob: "x-image-testdata/blue-purple-pink*p", maxDist: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := mustCompute(t, tt.ref, readImageFile(t, tt.ref))
			files, err := filepath.Glob(filepath.Join(root, tt.glob))
			if err != nil || len(files) < 2 {
				t.Fatalf("glob %s: %d files, %v", tt.glob, len(files), err)
			}
			for _, f := range files {
				if slices.Contains(tt.exclude, filepath.Base(f)) {
					continue
				}
				rel, _ := filepath.Rel(root, f)
				h := mustCompute(t, rel, readImageFile(t, rel))
				if d := Distance(ref.PHash, h.PHash); d > tt.maxDist {
					t.Errorf("%s: distance %d to %s > %d", rel, d, tt.ref, tt.maxDist)
				}
			}
		})
	}
}
