package imagefp

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corona10/goimagehash"

	"github.com/attrib/attrib/matcher/shareddata"
)

// Benchmarks of Compute on a big JPEG, a small PNG and a 512 px PNG.
// BenchmarkReference* run what the first cut did (decode, then goimagehash
// on the full image) for comparison; *Hash* isolate the hashing step.

const (
	benchJPEG   = "mate-backgrounds/nature/Wood.jpg" // 2560x1920
	benchPNG    = "go-image-testdata/video-001.png"  // 150x103
	benchMidPNG = "skimage/astronaut.png"            // 512x512
)

func benchCompute(b *testing.B, rel string) {
	data := readImageFile(b, rel)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(data, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}

func benchReference(b *testing.B, rel string) {
	data := readImageFile(b, rel)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := goimagehash.PerceptionHash(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComputeJPEG2560(b *testing.B)       { benchCompute(b, benchJPEG) }
func BenchmarkComputePNG150(b *testing.B)         { benchCompute(b, benchPNG) }
func BenchmarkComputePNG512(b *testing.B)         { benchCompute(b, benchMidPNG) }
func BenchmarkReferenceJPEG2560(b *testing.B)     { benchReference(b, benchJPEG) }
func BenchmarkReferencePNG150(b *testing.B)       { benchReference(b, benchPNG) }
func BenchmarkReferencePNG512(b *testing.B)       { benchReference(b, benchMidPNG) }
func BenchmarkDecodeOnlyJPEG2560(b *testing.B)    { benchDecode(b, benchJPEG) }
func BenchmarkHashJPEG2560(b *testing.B)          { benchHash(b, benchJPEG, false) }
func BenchmarkHashJPEG2560Reference(b *testing.B) { benchHash(b, benchJPEG, true) }
func BenchmarkHashPNG150(b *testing.B)            { benchHash(b, benchPNG, false) }
func BenchmarkHashPNG150Reference(b *testing.B)   { benchHash(b, benchPNG, true) }
func BenchmarkHashPNG512(b *testing.B)            { benchHash(b, benchMidPNG, false) }
func BenchmarkHashPNG512Reference(b *testing.B)   { benchHash(b, benchMidPNG, true) }

func benchDecode(b *testing.B, rel string) {
	data := readImageFile(b, rel)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// benchHash times only the perceptual hash of an already decoded image.
func benchHash(b *testing.B, rel string, reference bool) {
	img := decodeImage(b, readImageFile(b, rel))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if reference {
			_, err = goimagehash.PerceptionHash(img)
		} else {
			_, err = perceptionHash(img)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchPhoto is one shared JPEG photo.
type benchPhoto struct {
	name string
	data []byte
	w, h int
}

// benchPhotoGroups sorts the shared JPEG photos (mate-backgrounds and
// skimage, but not the truncated file) into size groups by megapixels.
func benchPhotoGroups(tb testing.TB) []struct {
	name   string
	photos []benchPhoto
} {
	tb.Helper()
	groups := []struct {
		name   string
		minMP  float64
		photos []benchPhoto
	}{{name: "4-5MP", minMP: 3.5}, {name: "2-3.5MP", minMP: 1.9}, {name: "0.3-1.5MP", minMP: 0}}
	for _, rel := range sharedJPEGs(tb, 0) {
		if !strings.HasPrefix(rel, "images/mate-backgrounds/") && !strings.HasPrefix(rel, "images/skimage/") ||
			strings.Contains(rel, "truncated") {
			continue
		}
		data := shareddata.Read(tb, rel)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			continue
		}
		mp := float64(cfg.Width*cfg.Height) / 1e6
		for i := range groups {
			if mp >= groups[i].minMP {
				groups[i].photos = append(groups[i].photos, benchPhoto{filepath.Base(rel), data, cfg.Width, cfg.Height})
				break
			}
		}
	}
	out := make([]struct {
		name   string
		photos []benchPhoto
	}, len(groups))
	for i, g := range groups {
		out[i].name, out[i].photos = fmt.Sprintf("%s(%d)", g.name, len(g.photos)), g.photos
	}
	return out
}

// BenchmarkPhotos times, per size group of the shared photos, a full
// image/jpeg decode, Compute and ComputeWork (file → all hashes), and
// decode + goimagehash PerceptionHash (what the first cut did); photos/s is
// per core when run with GOMAXPROCS=1 (scripts/bench-image.sh).
func BenchmarkPhotos(b *testing.B) {
	ops := []struct {
		name string
		run  func(data []byte) error
	}{
		{"decode", func(data []byte) error {
			_, err := jpeg.Decode(bytes.NewReader(data))
			return err
		}},
		{"Compute", func(data []byte) error {
			_, err := Compute(data, DefaultLimits())
			return err
		}},
		{"ComputeWork", func(data []byte) error {
			_, err := ComputeWork(data, DefaultLimits())
			return err
		}},
		{"goimagehash", func(data []byte) error {
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				return err
			}
			_, err = goimagehash.PerceptionHash(img)
			return err
		}},
	}
	for _, g := range benchPhotoGroups(b) {
		for _, op := range ops {
			b.Run(g.name+"/"+op.name, func(b *testing.B) {
				for b.Loop() {
					for _, p := range g.photos {
						if err := op.run(p.data); err != nil {
							b.Fatalf("%s: %v", p.name, err)
						}
					}
				}
				b.ReportMetric(float64(len(g.photos)*b.N)/b.Elapsed().Seconds(), "photos/s")
			})
		}
	}
}
