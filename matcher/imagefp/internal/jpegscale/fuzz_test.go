package jpegscale

import (
	"bytes"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

// FuzzDecode compares Decode with image/jpeg on arbitrary input: no panic;
// the same verdict unless a scan was skipped; at scale 1 the same pixels,
// in colour and as luminance (checkAgainstImageJPEG); at 1/2, 1/4 and 1/8
// the scaled size, and component planes equal to the box downscale of the
// full-size planes up to rounding where they do not clip (fuzzBoxCheck).
func FuzzDecode(f *testing.F) {
	if _, err := shareddata.Find(); err == nil {
		for _, rel := range sharedJPEGs(f) {
			if strings.Contains(rel, "go-image-testdata") || strings.Contains(rel, "truncated") {
				f.Add(shareddata.Read(f, rel))
			}
		}
	}
	f.Add([]byte("\xff\xd8\xff\xd9"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Bound the work per input, as image/jpeg's own fuzz test does
		// (each input is decoded 12 times; a progressive image can hold
		// hundreds of scans of a few bytes that each visit every block).
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<16 {
			return
		}
		checkAgainstImageJPEG(t, data)
		fuzzBoxCheck(t, data)
	})
}

// fuzzBoxCheck decodes data at every scale and compares each component
// plane with the box downscale of the full-size plane: wherever neither
// the reduced pixel nor its s×s full-size pixels are clipped, they differ
// by rounding only (at most 2 levels, as in TestScaledNearBoxDownscale).
// Where pixels clip, the mean of the clipped values is not the clipped
// mean. Mutated data can also hold coefficients far outside the range of
// 8-bit images (a DC coefficient of -2²¹), which overflow image/jpeg's
// 32-bit IDCT (and the reduced IDCTs' 64-bit arithmetic): images with a
// dequantized coefficient beyond ±2¹¹ are not compared.
func fuzzBoxCheck(t *testing.T, data []byte) {
	t.Helper()
	inRange := true
	full := &decoder{data: data, scale: 1, blockHook: func(_ int, b, qt *block) {
		for zig, q := range qt {
			if c := int64(b[unzig[zig]]) * int64(q); c > 1<<11 || c < -1<<11 {
				inRange = false
			}
		}
	}}
	if _, err := full.decode(); err != nil || !inRange {
		return
	}
	fullPlanes := full.planes()
	for _, s := range []int{2, 4, 8} {
		d := &decoder{data: data, scale: s, noSkip: true}
		if _, err := d.decode(); err != nil {
			t.Fatalf("1/%d: %v where the full-size decoding succeeds", s, err)
		}
		for i, p := range d.planes() {
			if _, worst := boxCompare(p, fullPlanes[i], s); worst > 2 {
				t.Fatalf("1/%d, plane %d: %d levels from the box downscale where nothing clips", s, i, worst)
			}
		}
	}
}
