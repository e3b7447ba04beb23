package imagefp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestComputeFormats(t *testing.T) {
	tests := []struct {
		file   string
		format string
		w, h   int
	}{
		{"go-image-testdata/video-001.jpeg", "jpeg", 150, 103},
		{"go-image-testdata/video-001.progressive.jpeg", "jpeg", 150, 103},
		{"go-image-testdata/video-001.cmyk.jpeg", "jpeg", 150, 103},
		{"go-image-testdata/video-001.png", "png", 150, 103},
		{"go-image-testdata/video-001.interlaced.gif", "gif", 150, 103},
		{"x-image-testdata/video-001.lossy.webp", "webp", 150, 103},
		{"x-image-testdata/blue-purple-pink.lossless.webp", "webp", 150, 100},
		{"x-image-testdata/yellow_rose.lossy-with-alpha.webp", "webp", 400, 301},
		{"x-image-testdata/video-001.bmp", "bmp", 150, 103},
		{"x-image-testdata/video-001-16bit.tiff", "tiff", 150, 103},
		{"x-image-testdata/video-001-paletted.tiff", "tiff", 150, 103},
		{"mate-backgrounds/nature/Wood.jpg", "jpeg", 2560, 1920},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readImageFile(t, tt.file)
			h := mustCompute(t, tt.file, data)
			sum := sha256.Sum256(data)
			if h.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA256 = %s, want %x", h.SHA256, sum)
			}
			if h.Format != tt.format || h.Width != tt.w || h.Height != tt.h {
				t.Errorf("got %s %dx%d, want %s %dx%d", h.Format, h.Width, h.Height, tt.format, tt.w, tt.h)
			}
			if h.PHash == 0 || h.PHash == ^uint64(0) {
				t.Errorf("degenerate PHash %016x", h.PHash)
			}
		})
	}
}

// TestComputeTooLargeHeaders feeds headers that claim 20000x20000 pixels:
// Compute must say ErrTooLarge having allocated next to nothing.
func TestComputeTooLargeHeaders(t *testing.T) {
	const side = 20000
	tests := []struct {
		name string
		data []byte
	}{
		{"png", pngWithSize(t, side, side)},
		{"gif", gifWithSize(t, side, side)},
		{"jpeg", jpegWithSize(t, side, side)},
		{"webp", webpWithSize(side, side)},
		{"bmp", bmpWithSize(t, side, side)},
		{"tiff", tiffWithSize(t, side, side)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, format, err := image.DecodeConfig(bytes.NewReader(tt.data))
			if err != nil || format != tt.name || cfg.Width != side || cfg.Height != side {
				t.Fatalf("crafted header reads as %s %dx%d, %v", format, cfg.Width, cfg.Height, err)
			}
			var h Hashes
			n := allocated(func() { h, err = Compute(tt.data, DefaultLimits()) })
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if n > 1<<20 {
				t.Errorf("allocated %d bytes before rejecting", n)
			}
			if h.SHA256 == "" || h.PHash != 0 {
				t.Errorf("got %+v, want only SHA256 set", h)
			}
		})
	}
}

// TestAllocatedControl shows that allocated sees a real decode, so the
// bounds in the tests above mean something.
func TestAllocatedControl(t *testing.T) {
	data := encodePNG(t, image.NewGray(image.Rect(0, 0, 1024, 1024)))
	if n := allocated(func() { mustCompute(t, "1024x1024 png", data) }); n < 1<<20 {
		t.Fatalf("decoding a 1 MP image allocated only %d bytes", n)
	}
}

func TestComputeMaxBytes(t *testing.T) {
	data := tinyPNG(t)
	_, err := Compute(data, Limits{MaxBytes: int64(len(data)) - 1})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if _, err := Compute(data, Limits{MaxBytes: int64(len(data))}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}

// TestComputeSmallImages checks that every encoder's tiny output decodes:
// the crafted headers above start from these.
func TestComputeSmallImages(t *testing.T) {
	for name, data := range map[string][]byte{
		"png": tinyPNG(t), "gif": tinyGIF(t), "jpeg": tinyJPEG(t), "bmp": tinyBMP(t), "tiff": tinyTIFF(t),
	} {
		h, err := Compute(data, DefaultLimits())
		if err != nil || h.Format != name || h.Width != 4 || h.Height != 3 {
			t.Errorf("%s: got %+v, %v", name, h, err)
		}
	}
}

func TestComputeDecodeErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	png := tinyPNG(t)
	tests := []struct {
		name string
		data []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"random bytes", random},
		{"text", []byte(strings.Repeat("not an image ", 20))},
		{"png truncated", png[:len(png)/2]},
		{"png zero size", pngWithSize(t, 0, 0)},
		{"png zero width", pngWithSize(t, 0, 5)},
		{"gif zero size", gifWithSize(t, 0, 0)},
		{"jpeg zero height", jpegWithSize(t, 4, 0)},
		{"bmp zero size", bmpWithSize(t, 0, 0)},
		{"tiff zero size", tiffWithSize(t, 0, 0)},
		{"webp canvas only", webpWithSize(16, 16)},
		{"webp vp8l larger than vp8x canvas", riff(vp8x(16, 16), chunk("VP8L", vp8lHeader(16000, 16000)))},
		{"gif first frame outside screen", gifWithSize(t, 2, 2)},
		// x/image/tiff would allocate the 8 MB this tag claims.
		{"tiff strip offsets past the end", tiffWithCount(t, 273, 2<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Hashes
			var err error
			n := allocated(func() { h, err = Compute(tt.data, DefaultLimits()) })
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("err = %v, want ErrDecode", err)
			}
			if n > 1<<20 {
				t.Errorf("allocated %d bytes", n)
			}
			sum := sha256.Sum256(tt.data)
			if h.SHA256 != hex.EncodeToString(sum[:]) || h.PHash != 0 {
				t.Errorf("got %+v, want only SHA256", h)
			}
		})
	}
}

// TestCheckTIFFAcceptsRealFiles: the pre-check passes every TIFF of the
// shared data that x/image/tiff decodes.
func TestCheckTIFFAcceptsRealFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(dataDir(t), "images", "x-image-testdata", "*.tiff"))
	if err != nil || len(files) < 10 {
		t.Fatalf("found %d TIFF files, %v", len(files), err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			continue
		}
		if err := checkTIFF(data); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

// TestComputeBadFiles runs the bad files shipped in the shared data.
func TestComputeBadFiles(t *testing.T) {
	for _, rel := range []string{
		"skimage/truncated.jpg",
		"x-image-testdata/invalid-palette-ref.tiff",
		"x-image-testdata/lzw-hi-overflow.tiff.bz2",
		"x-image-testdata/large-huffman-index.lossless.webp.bz2",
	} {
		_, err := Compute(readImageFile(t, rel), DefaultLimits())
		if !errors.Is(err, ErrDecode) {
			t.Errorf("%s: err = %v, want ErrDecode", rel, err)
		}
	}
}

// Test-only formats whose decoders panic, registered once per test binary.
var registerPanicky sync.Once

func panickyFormats() {
	registerPanicky.Do(func() {
		small := func(io.Reader) (image.Config, error) { return image.Config{Width: 2, Height: 2}, nil }
		boom := func(io.Reader) (image.Image, error) { panic("boom") }
		image.RegisterFormat("panic-config", "PANICCFG", boom, func(io.Reader) (image.Config, error) { panic("boom") })
		image.RegisterFormat("panic-decode", "PANICDEC", boom, small)
		// A decoder returning a malformed image: its Y plane is missing.
		broken := func(io.Reader) (image.Image, error) {
			return &image.YCbCr{Rect: image.Rect(0, 0, 2, 2), YStride: 2}, nil
		}
		image.RegisterFormat("panic-pixels", "PANICPIX", broken, small)
	})
}

func TestComputeRecoversPanics(t *testing.T) {
	panickyFormats()
	for _, magic := range []string{"PANICCFG", "PANICDEC", "PANICPIX"} {
		_, err := Compute([]byte(magic+"data"), DefaultLimits())
		if !errors.Is(err, ErrDecode) || !strings.Contains(err.Error(), "panicked") {
			t.Errorf("%s: err = %v, want ErrDecode from a recovered panic", magic, err)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b uint64
		want int
	}{
		{0, 0, 0},
		{0, ^uint64(0), 64},
		{0xf0, 0x0f, 8},
		{1 << 63, 1, 2},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%x, %x) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
