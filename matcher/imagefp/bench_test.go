package imagefp

import (
	"bytes"
	"image"
	"testing"

	"github.com/corona10/goimagehash"
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
