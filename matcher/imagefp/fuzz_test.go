package imagefp

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzLimits keep each fuzz input cheap: at most 1 MB and 1 MP.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20}

// fuzzSeedFiles are small real files of every format, added to the seed
// corpus when the shared data is present.
var fuzzSeedFiles = []string{
	"skimage/truncated.jpg",
	"x-image-testdata/invalid-palette-ref.tiff",
	"x-image-testdata/gopher-doc.1bpp.lossless.webp",
	"x-image-testdata/blue-purple-pink.lossy.webp",
	"x-image-testdata/yellow_rose.lossy-with-alpha.webp",
	"x-image-testdata/bw-gopher_ccittGroup4.tiff",
	"x-image-testdata/yellow_rose-small.bmp",
	"go-image-testdata/video-001.q50.420.progressive.jpeg",
	"go-image-testdata/triangle-001.gif",
}

// FuzzCompute: Compute never panics, fails only with ErrDecode or
// ErrTooLarge, and what it accepts is within the limits and deterministic.
func FuzzCompute(f *testing.F) {
	for _, seed := range [][]byte{
		tinyPNG(f), tinyGIF(f), tinyJPEG(f), tinyBMP(f), tinyTIFF(f),
		pngWithSize(f, 20000, 20000), gifWithSize(f, 0, 0), jpegWithSize(f, 300, 2),
		bmpWithSize(f, 5, -5), tiffWithSize(f, 2, 2), webpWithSize(20000, 20000),
		riff(vp8x(16, 16), chunk("VP8L", vp8lHeader(16, 16))),
		nil, []byte("GIF89a"), []byte("\x89PNG\r\n\x1a\n"),
	} {
		f.Add(seed)
	}
	if dir, err := findDataDir(); err == nil {
		for _, rel := range fuzzSeedFiles {
			if b, err := os.ReadFile(filepath.Join(dir, "images", rel)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := Compute(data, fuzzLimits)
		if err != nil {
			if !errors.Is(err, ErrDecode) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		sum := sha256.Sum256(data)
		if h.SHA256 != hex.EncodeToString(sum[:]) || h.Format == "" {
			t.Fatalf("bad hashes %+v", h)
		}
		if h.Width <= 0 || h.Height <= 0 || int64(h.Width)*int64(h.Height) > fuzzLimits.MaxPixels {
			t.Fatalf("accepted %dx%d", h.Width, h.Height)
		}
		if again, err := Compute(data, fuzzLimits); err != nil || !reflect.DeepEqual(again, h) {
			t.Fatalf("not deterministic: %+v, %v then %+v", h, err, again)
		}
	})
}

// TestComputeRandomInputs runs random bytes behind each format's magic:
// no panic, only the two error kinds, and no large allocation.
func TestComputeRandomInputs(t *testing.T) {
	magics := []string{
		"", "\x89PNG\r\n\x1a\n", "GIF89a", "\xff\xd8", "BM", "II*\x00", "MM\x00*", "II*\x00\x08\x00\x00\x00",
		"RIFF\x00\x01\x00\x00WEBPVP8 ", "RIFF\x00\x01\x00\x00WEBPVP8L", "RIFF\x00\x01\x00\x00WEBPVP8X",
	}
	state := uint64(12345)
	next := func() byte { // xorshift: deterministic, cheap
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return byte(state)
	}
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 16}
	for _, m := range magics {
		for i := range 120 {
			data := []byte(m)
			for range i * 11 {
				data = append(data, next())
			}
			var err error
			if n := allocated(func() { _, err = Compute(data, lim) }); n > 1<<20 {
				t.Errorf("%q + %d random bytes: allocated %d bytes", m, i*11, n)
			}
			if err != nil && !errors.Is(err, ErrDecode) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%q + %d random bytes: %v", m, i*11, err)
			}
			if m == "" && !errors.Is(err, ErrDecode) {
				t.Fatalf("%d random bytes: err = %v, want ErrDecode", i*11, err)
			}
		}
	}
}
