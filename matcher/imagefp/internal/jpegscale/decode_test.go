package jpegscale

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

// sharedJPEGs returns the JPEG files of the shared data (images and PDQ
// vectors), including the truncated and partial ones, by path relative to
// the data folder.
func sharedJPEGs(tb testing.TB) []string {
	tb.Helper()
	root := shareddata.Dir(tb)
	var out []string
	for _, glob := range []string{"images/*/*.jp*g", "images/*/*/*.jp*g", "pdq/*/*.jp*g"} {
		files, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(root, f)
			out = append(out, filepath.ToSlash(rel))
		}
	}
	if len(out) < 50 {
		tb.Fatalf("found %d shared JPEGs, want at least 50", len(out))
	}
	slices.Sort(out)
	return out
}

// bigJPEGs are the large shared photos the slower tests decode, one per
// kind: baseline 4:2:2 with EXIF, progressive 4:4:4, progressive 4:2:0,
// and a 4:2:0 photo with a large flat black border.
var bigJPEGs = []string{
	"images/mate-backgrounds/nature/Wood.jpg",
	"images/mate-backgrounds/abstract/Elephants.jpg",
	"images/mate-backgrounds/nature/FreshFlower.jpg",
	"images/skimage/retina.jpg",
}

// someJPEGs returns the shared JPEGs of at most 0.6 megapixels (every
// colour model, subsampling and progression) and bigJPEGs, for the tests
// that decode each many times.
func someJPEGs(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, rel := range sharedJPEGs(tb) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(shareddata.Read(tb, rel)))
		if err != nil || cfg.Width*cfg.Height <= 600_000 || slices.Contains(bigJPEGs, rel) {
			out = append(out, rel)
		}
	}
	return out
}

// conformanceJPEGs returns the JPEGs the exact-equality tests compare with
// image/jpeg: all the shared ones, or under the race detector, which only
// slows these single-goroutine decodes (the big photos are 98% of the
// pixels), someJPEGs, which still holds every colour model, subsampling and
// progression and one big photo of each kind.
func conformanceJPEGs(tb testing.TB) []string {
	tb.Helper()
	if raceEnabled {
		return someJPEGs(tb)
	}
	return sharedJPEGs(tb)
}

// stdDecode decodes with image/jpeg.
func stdDecode(data []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(data)) }

// TestScale1MatchesImageJPEG: in colour at scale 1, every shared JPEG
// decodes to exactly image/jpeg's image, or fails where it fails.
func TestScale1MatchesImageJPEG(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	for _, rel := range conformanceJPEGs(t) {
		data := shareddata.Read(t, rel)
		want, werr := stdDecode(data)
		got, gerr := Decode(data, Options{})
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: error %v, image/jpeg %v", rel, gerr, werr)
			continue
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %T %v differs from image/jpeg's %T %v", rel, got, got.Bounds(), want, want.Bounds())
		}
	}
}

// lumaOf returns the luminance image/jpeg's decoding stands for: the Y
// plane of a YCbCr image, the grey image itself, or color.GrayModel of the
// colours of RGB and CMYK images.
func lumaOf(img image.Image) *image.Gray {
	switch m := img.(type) {
	case *image.Gray:
		return m
	case *image.YCbCr:
		g := image.NewGray(m.Rect)
		for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
			copy(g.Pix[g.PixOffset(m.Rect.Min.X, y):][:m.Rect.Dx()], m.Y[m.YOffset(m.Rect.Min.X, y):])
		}
		return g
	}
	b := img.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.SetGray(x, y, color.GrayModel.Convert(img.At(x, y)).(color.Gray))
		}
	}
	return g
}

// TestGrayIsLuminance: with Gray at scale 1, Decode returns the luminance
// of image/jpeg's decoding, pixel for pixel, for every colour model.
func TestGrayIsLuminance(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	models := map[string]bool{}
	for _, rel := range conformanceJPEGs(t) {
		data := shareddata.Read(t, rel)
		want, werr := stdDecode(data)
		got, gerr := Decode(data, Options{Gray: true})
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: error %v, image/jpeg %v", rel, gerr, werr)
			continue
		}
		if werr != nil {
			continue
		}
		models[fmt.Sprintf("%T", want)] = true
		g, ok := got.(*image.Gray)
		if !ok {
			t.Errorf("%s: got %T, want *image.Gray", rel, got)
			continue
		}
		if l := lumaOf(want); !g.Rect.Eq(l.Rect) || !sameGray(g, l) {
			t.Errorf("%s: luminance differs from image/jpeg's", rel)
		}
	}
	for _, m := range []string{"*image.Gray", "*image.YCbCr", "*image.RGBA", "*image.CMYK"} {
		if !models[m] {
			t.Errorf("no shared JPEG decodes to %s", m)
		}
	}
}

// sameGray compares two grey images of equal bounds pixel by pixel.
func sameGray(a, b *image.Gray) bool {
	for y := a.Rect.Min.Y; y < a.Rect.Max.Y; y++ {
		if !bytes.Equal(a.Pix[a.PixOffset(a.Rect.Min.X, y):][:a.Rect.Dx()], b.Pix[b.PixOffset(a.Rect.Min.X, y):][:a.Rect.Dx()]) {
			return false
		}
	}
	return true
}

// planes returns the decoded component planes of d, whole (with the
// blocks past the image's right and bottom edges).
func (d *decoder) planes() []*image.Gray {
	plane := func(pix []byte, stride int) *image.Gray {
		if stride == 0 {
			return &image.Gray{} // an image 0 pixels wide
		}
		return &image.Gray{Pix: pix, Stride: stride, Rect: image.Rect(0, 0, stride, len(pix)/stride)}
	}
	if d.img1 != nil {
		return []*image.Gray{plane(d.img1.Pix, d.img1.Stride)}
	}
	out := []*image.Gray{plane(d.img3.Y, d.img3.YStride), plane(d.img3.Cb, d.img3.CStride), plane(d.img3.Cr, d.img3.CStride)}
	if d.blackPix != nil {
		out = append(out, plane(d.blackPix, d.blackStride))
	}
	return out
}

// boxCompare compares a reduced plane with the full-size one at 1/s: the
// mean absolute difference from the rounded s×s means, and the largest
// difference among the pixels that are not clipped (0 or 255) and whose
// s×s full-size pixels are not either: there only rounding separates the
// two.
func boxCompare(reduced, full *image.Gray, s int) (mean float64, worst int) {
	var sum, n int
	for y := range min(reduced.Rect.Dy(), full.Rect.Dy()/s) {
		for x := range min(reduced.Rect.Dx(), full.Rect.Dx()/s) {
			box, clipped := 0, false
			for yy := y * s; yy < y*s+s; yy++ {
				for xx := x * s; xx < x*s+s; xx++ {
					v := full.Pix[full.PixOffset(xx, yy)]
					box += int(v)
					clipped = clipped || v == 0 || v == 255
				}
			}
			r := reduced.Pix[reduced.PixOffset(x, y)]
			d := int(r) - (box+s*s/2)/(s*s)
			d = max(d, -d)
			sum += d
			n++
			if !clipped && r != 0 && r != 255 {
				worst = max(worst, d)
			}
		}
	}
	return float64(sum) / float64(max(n, 1)), worst
}

// TestScaledNearBoxDownscale: at 1/2, 1/4 and 1/8, every component plane
// of every decodable shared JPEG, in colour and with Gray, is the box
// downscale of the plane decoded at full size (which is image/jpeg's, see
// TestScale1MatchesImageJPEG) up to rounding: within 2 levels wherever the
// full decoding clips no pixel, and within 0.75 levels on average. The
// images have the scaled size.
func TestScaledNearBoxDownscale(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	var worstMean float64
	var worst int
	for _, rel := range someJPEGs(t) {
		data := shareddata.Read(t, rel)
		full := &decoder{data: data, scale: 1}
		fullImg, err := full.decode()
		if err != nil {
			continue
		}
		for _, s := range []int{2, 4, 8} {
			for _, gray := range []bool{true, false} {
				d := &decoder{data: data, scale: s, gray: gray}
				img, err := d.decodeRetrying()
				if err != nil {
					t.Errorf("%s at 1/%d: %v", rel, s, err)
					continue
				}
				w, h := ScaledSize(fullImg.Bounds().Dx(), fullImg.Bounds().Dy(), s)
				if got := img.Bounds(); got != image.Rect(0, 0, w, h) {
					t.Errorf("%s at 1/%d: bounds %v, want %dx%d", rel, s, got, w, h)
				}
				if !gray && reflect.TypeOf(img) != reflect.TypeOf(fullImg) {
					t.Errorf("%s at 1/%d: %T, at full size %T", rel, s, img, fullImg)
				}
				for i, p := range d.planes() {
					mean, most := boxCompare(p, full.planes()[i], s)
					worstMean, worst = max(worstMean, mean), max(worst, most)
					if mean > 0.75 || most > 2 {
						t.Errorf("%s at 1/%d (gray %v), plane %d: mean difference %.2f, %d where nothing clips",
							rel, s, gray, i, mean, most)
					}
				}
			}
		}
	}
	t.Logf("largest mean difference %.2f levels; largest difference where nothing clips %d", worstMean, worst)
}

// TestSkippedScansChangeNothing: the scans Decode skips (AC scans at 1/8,
// chroma scans with Gray) do not change its output, on every shared
// progressive JPEG.
func TestSkippedScansChangeNothing(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	progressive := 0
	for _, rel := range someJPEGs(t) {
		data := shareddata.Read(t, rel)
		for _, s := range []int{1, 2, 8} {
			for _, gray := range []bool{true, false} {
				skip := &decoder{data: data, scale: s, gray: gray}
				got, err := skip.decode()
				if err != nil || skip.skipped == 0 {
					continue
				}
				full := &decoder{data: data, scale: s, gray: gray, noSkip: true}
				want, err := full.decode()
				if err != nil {
					t.Errorf("%s at 1/%d: decoding every scan failed: %v", rel, s, err)
					continue
				}
				progressive++
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s at 1/%d (gray %v): skipping %d scans changed the image", rel, s, gray, skip.skipped)
				}
			}
		}
	}
	if progressive == 0 {
		t.Error("no shared JPEG had a scan skipped")
	}
}

// TestCorruptInputs truncates and flips bytes of real JPEGs (baseline,
// progressive, restart markers, grey, CMYK): Decode never panics, and
// unless it skipped a scan it accepts exactly what image/jpeg accepts,
// with the same pixels at scale 1.
func TestCorruptInputs(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	files := []string{
		"images/go-image-testdata/video-001.q50.420.jpeg",
		"images/go-image-testdata/video-001.q50.422.progressive.jpeg",
		"images/go-image-testdata/video-001.restart2.jpeg",
		"images/go-image-testdata/video-005.gray.q50.progressive.jpeg",
		"images/go-image-testdata/video-001.cmyk.jpeg",
		"images/go-image-testdata/video-001.separate.dc.progression.progressive.jpeg",
	}
	state := uint64(7)
	next := func(n int) int { // xorshift: deterministic, cheap
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return int(state % uint64(n))
	}
	// Under the race detector, which only slows these single-goroutine
	// decodes, each file gets the first 36 mutations: still every kind
	// (truncation, 1 to 4 flipped bytes) several times.
	mutations := 120
	if raceEnabled {
		mutations = 36
	}
	for _, rel := range files {
		orig := shareddata.Read(t, rel)
		for i := range mutations {
			data := slices.Clone(orig)
			if i%3 == 0 {
				data = data[:next(len(data))]
			} else {
				for range 1 + i%4 {
					data[next(len(data))] ^= byte(1 + next(255))
				}
			}
			checkAgainstImageJPEG(t, data)
		}
	}
}

// checkAgainstImageJPEG decodes data at every scale, in colour and grey,
// and checks the relation to image/jpeg's verdict that Decode promises.
func checkAgainstImageJPEG(t *testing.T, data []byte) {
	t.Helper()
	want, werr := stdDecode(data)
	for _, s := range []int{1, 2, 4, 8} {
		for _, gray := range []bool{false, true} {
			d := &decoder{data: data, scale: s, gray: gray}
			got, gerr := d.decodeRetrying()
			switch {
			case werr == nil && gerr != nil && d.skipped == 0:
				t.Fatalf("1/%d gray %v: error %v where image/jpeg decodes, no scan skipped", s, gray, gerr)
			case werr != nil && gerr == nil && d.skipped == 0:
				t.Fatalf("1/%d gray %v: decoded where image/jpeg fails (%v), no scan skipped", s, gray, werr)
			case gerr != nil && !isJPEGError(gerr):
				t.Fatalf("1/%d gray %v: unexpected error type %T: %v", s, gray, gerr, gerr)
			}
			if werr != nil || gerr != nil {
				continue
			}
			if d.skipped > 0 && s == 1 {
				continue // corruption in a skipped scan can change later ones
			}
			w, h := ScaledSize(want.Bounds().Dx(), want.Bounds().Dy(), s)
			if got.Bounds() != image.Rect(0, 0, w, h) {
				t.Fatalf("1/%d: bounds %v, want %dx%d", s, got.Bounds(), w, h)
			}
			if s == 1 && !gray && !reflect.DeepEqual(got, want) {
				t.Fatal("scale 1: image differs from image/jpeg's")
			}
			if s == 1 && gray && !sameGray(got.(*image.Gray), lumaOf(want)) {
				t.Fatal("scale 1: luminance differs from image/jpeg's")
			}
		}
	}
}

// isJPEGError reports whether err is one of the errors Decode returns.
func isJPEGError(err error) bool {
	var fe FormatError
	var ue UnsupportedError
	return errors.As(err, &fe) || errors.As(err, &ue) || errors.Is(err, io.ErrUnexpectedEOF)
}

// TestAllocationBounded: a header announcing a large image over a few
// bytes of data allocates in proportion to the announced (scaled) pixels,
// as image/jpeg does, and no more.
func TestAllocationBounded(t *testing.T) {
	orig := shareddata.Read(t, "images/go-image-testdata/video-001.q50.420.progressive.jpeg")
	const w, h = 4000, 3000
	data := withSize(t, orig, w, h)
	for _, tc := range []struct {
		opts  Options
		limit float64 // bytes per announced pixel
	}{
		{Options{Scale: 1}, 14},            // 4-byte coefficients of Y, Cb, Cr (4:2:0) + image
		{Options{Scale: 8, Gray: true}, 5}, // Y coefficients only
	} {
		alloc := allocated(func() { _, _ = Decode(data, tc.opts) })
		if perPixel := float64(alloc) / (w * h); perPixel > tc.limit {
			t.Errorf("%+v: allocated %d bytes, %.1f per announced pixel > %.0f", tc.opts, alloc, perPixel, tc.limit)
		}
	}
}

// withSize returns a copy of a JPEG with the size in its frame header
// replaced, its scans left as they are (so they end early).
func withSize(tb testing.TB, data []byte, w, h int) []byte {
	tb.Helper()
	out := slices.Clone(data)
	for p := 2; p+9 < len(out); {
		if out[p] != 0xff {
			tb.Fatal("no frame header")
		}
		m, n := out[p+1], int(out[p+2])<<8|int(out[p+3])
		if m == sof0Marker || m == sof1Marker || m == sof2Marker {
			out[p+5], out[p+6], out[p+7], out[p+8] = byte(h>>8), byte(h), byte(w>>8), byte(w)
			return out
		}
		p += 2 + n
	}
	tb.Fatal("no frame header")
	return nil
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
