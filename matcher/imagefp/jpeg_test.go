package imagefp

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/imagefp/internal/jpegscale"
	"github.com/attrib/attrib/matcher/pdq"
	"github.com/attrib/attrib/matcher/shareddata"
)

// sharedJPEGs lists the decodable JPEGs of the shared data (paths relative
// to it) whose shorter side is at least minSide.
func sharedJPEGs(tb testing.TB, minSide int) []string {
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
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(shareddata.Read(tb, rel)))
			if err == nil && min(cfg.Width, cfg.Height) >= minSide {
				out = append(out, filepath.ToSlash(rel))
			}
		}
	}
	slices.Sort(out)
	return out
}

// scaleHashes are the hashes of one decoding of a photo.
type scaleHashes struct {
	pdq     pdq.Hash
	quality int
	phash   uint64
	windows [3]pdq.Hash // centred windows at 1/1.2, 1/1.4 and 1/2 of each side
}

// hashDecoded hashes img as Compute does (PDQ, pHash) plus three centred
// window hashes.
func hashDecoded(tb testing.TB, img image.Image) scaleHashes {
	tb.Helper()
	var h scaleHashes
	h.pdq, h.quality = pdq.HashImage(img)
	ph, err := perceptionHash(img)
	if err != nil {
		tb.Fatal(err)
	}
	h.phash = ph
	b := img.Bounds()
	for i, s := range []float64{1 / 1.2, 1 / 1.4, 0.5} {
		w, ht := int(float64(b.Dx())*s), int(float64(b.Dy())*s)
		r := image.Rect((b.Dx()-w)/2, (b.Dy()-ht)/2, (b.Dx()-w)/2+w, (b.Dy()-ht)/2+ht).Add(b.Min)
		h.windows[i], _ = pdq.HashImage(img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(r))
	}
	return h
}

// scaleDistances compares the hashes of a reduced decoding with those of
// the full one.
type scaleDistances struct {
	file         string
	scale, short int // reduction and the shorter side it decodes to
	pdq, window  int // PDQ distance, and the largest among the windows
	phash        int
}

// measureScales decodes every shared JPEG fully with image/jpeg and at each
// reduction whose shorter side is at least 64, and compares the hashes.
// With race it measures only every third file (in name order, which keeps
// two of the six that decode at 1/2) and only at the reduction chosen at
// minimum side m (see chosen), the one the test asserts on.
func measureScales(tb testing.TB, race bool, m int) []scaleDistances {
	tb.Helper()
	var out []scaleDistances
	for i, rel := range sharedJPEGs(tb, 2*64) {
		if race && i%3 != 0 {
			continue
		}
		data := shareddata.Read(tb, rel)
		full, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			tb.Fatalf("%s: %v", rel, err)
		}
		ref := hashDecoded(tb, full)
		want := 1
		for _, s := range []int{2, 4, 8} {
			if w, h := jpegscale.ScaledSize(full.Bounds().Dx(), full.Bounds().Dy(), s); min(w, h) >= m {
				want = s
			}
		}
		for _, s := range []int{1, 2, 4, 8} {
			w, h := jpegscale.ScaledSize(full.Bounds().Dx(), full.Bounds().Dy(), s)
			if min(w, h) < 64 {
				break
			}
			if race && s != want {
				continue
			}
			img, err := jpegscale.Decode(data, jpegscale.Options{Scale: s, Gray: true})
			if err != nil {
				tb.Fatalf("%s at 1/%d: %v", rel, s, err)
			}
			got := hashDecoded(tb, img)
			d := scaleDistances{file: rel, scale: s, short: min(w, h),
				pdq: pdq.Distance(got.pdq, ref.pdq), phash: Distance(got.phash, ref.phash)}
			for i := range got.windows {
				d.window = max(d.window, pdq.Distance(got.windows[i], ref.windows[i]))
			}
			out = append(out, d)
		}
	}
	return out
}

// chosen returns, for each file, the distances at the reduction jpegScale
// would pick with minimum side m (scale 1 when none keeps m).
func chosen(ds []scaleDistances, m int) []scaleDistances {
	best := map[string]scaleDistances{}
	for _, d := range ds {
		if b, ok := best[d.file]; !ok || (d.short >= m && d.scale > b.scale) {
			best[d.file] = d
		}
	}
	out := make([]scaleDistances, 0, len(best))
	for _, d := range best {
		out = append(out, d)
	}
	return out
}

// TestJPEGScaleAgreement compares the hashes of the shared JPEGs decoded by
// Compute's reduced path with their hashes from a full image/jpeg decode,
// for several minimum sides (logged), and checks the bounds at
// minJPEGSide: PDQ and its centred windows within 8 bits (a quarter of
// PDQ's usual match threshold of 31), pHash within 4 of 64.
//
// Under the race detector, which only slows these single-goroutine decodes
// and hashes, it measures a third of the files, just at the asserted
// reduction, and logs no table.
func TestJPEGScaleAgreement(t *testing.T) {
	t.Parallel() // CPU-bound and independent: uses both cores when the package runs alone
	ds := measureScales(t, raceEnabled, minJPEGSide)
	if !raceEnabled {
		logScaleTable(t, ds)
	}
	for _, d := range chosen(ds, minJPEGSide) {
		if d.pdq > 8 || d.window > 8 || d.phash > 4 {
			t.Errorf("%s at 1/%d (shorter side %d): PDQ %d, window %d, pHash %d bits from the full decode",
				d.file, d.scale, d.short, d.pdq, d.window, d.phash)
		}
	}
}

// logScaleTable logs the mean and largest distances at the reductions
// chosen for several minimum sides.
func logScaleTable(t *testing.T, ds []scaleDistances) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-9s %5s %-22s %-22s %-22s\n", "min side", "files", "PDQ mean/max", "windows mean/max", "pHash mean/max")
	for _, m := range []int{64, 128, 192, 256, 384, 512, 768, 1024, 1 << 30} {
		c := chosen(ds, m)
		if m == 1<<30 {
			c = nil
			for _, d := range ds {
				if d.scale == 1 {
					c = append(c, d)
				}
			}
		}
		var sp, sw, sh, mp, mw, mh int
		for _, d := range c {
			sp, sw, sh = sp+d.pdq, sw+d.window, sh+d.phash
			mp, mw, mh = max(mp, d.pdq), max(mw, d.window), max(mh, d.phash)
		}
		n := float64(max(1, len(c)))
		label := fmt.Sprint(m)
		if m == 1<<30 {
			label = "1 (gray)"
		}
		fmt.Fprintf(&b, "%-9s %5d %8.1f / %-11d %8.1f / %-11d %8.1f / %-11d\n", label, len(c),
			float64(sp)/n, mp, float64(sw)/n, mw, float64(sh)/n, mh)
	}
	t.Log(b.String())
}

// pdqVector is one of ThreatExchange's PDQ reference images.
type pdqVector struct {
	file    string
	cpp     pdq.Hash // the C++ reference's hash
	quality int      // the Python port's quality
}

// pdqVectors reads pdq/expected-cpp.tsv and the qualities of expected.tsv.
func pdqVectors(tb testing.TB) []pdqVector {
	tb.Helper()
	rows := func(rel string) [][]string {
		var out [][]string
		for i, line := range strings.Split(string(shareddata.Read(tb, rel)), "\n") {
			if i > 0 && strings.TrimSpace(line) != "" {
				out = append(out, strings.Split(line, "\t"))
			}
		}
		return out
	}
	quality := map[string]int{}
	for _, r := range rows("pdq/expected.tsv") {
		var q int
		if _, err := fmt.Sscan(r[2], &q); err != nil {
			tb.Fatal(err)
		}
		quality[r[0]] = q
	}
	var vs []pdqVector
	for _, r := range rows("pdq/expected-cpp.tsv") {
		h, err := pdq.ParseHex(r[1])
		if err != nil {
			tb.Fatal(err)
		}
		q, ok := quality[r[0]]
		if !ok {
			tb.Fatalf("%s: no quality in expected.tsv", r[0])
		}
		vs = append(vs, pdqVector{file: r[0], cpp: h, quality: q})
	}
	if len(vs) == 0 {
		tb.Fatal("no PDQ vectors")
	}
	return vs
}

// TestJPEGConformance runs ThreatExchange's PDQ vectors (JPEGs) through
// Compute, which decodes JPEGs at a reduced scale when they are large
// enough (jpegScale) and only their luminance: vectors of quality ≥ 80 stay
// within 10 bits of the C++ reference, Meta's bound for a correct PDQ. It
// also holds when the vectors are forced to each reduction that keeps
// their shorter side at 256 or more.
func TestJPEGConformance(t *testing.T) {
	exact := 0
	for _, v := range pdqVectors(t) {
		data := shareddata.Read(t, "pdq/"+v.file)
		h := mustCompute(t, v.file, data)
		d := pdq.Distance(h.PDQ, v.cpp)
		if d == 0 {
			exact++
		}
		if v.quality >= 80 && d > 10 {
			t.Errorf("%s: Compute's PDQ is %d bits from the C++ reference", v.file, d)
		}
		line := fmt.Sprintf("%s %dx%d at 1/%d: %d bits, quality %d;", v.file, h.Width, h.Height, jpegScale(h.Width, h.Height), d, h.PDQQuality)
		for _, s := range []int{2, 4, 8} {
			if w, ht := jpegscale.ScaledSize(h.Width, h.Height, s); min(w, ht) < 256 {
				break
			}
			img, err := jpegscale.Decode(data, jpegscale.Options{Scale: s, Gray: true})
			if err != nil {
				t.Fatalf("%s at 1/%d: %v", v.file, s, err)
			}
			hs, q := pdq.HashImage(img)
			ds := pdq.Distance(hs, v.cpp)
			line += fmt.Sprintf(" at 1/%d %d bits (quality %d)", s, ds, q)
			if v.quality >= 80 && ds > 10 {
				t.Errorf("%s at 1/%d: PDQ %d bits from the C++ reference", v.file, s, ds)
			}
		}
		t.Log(line)
	}
	t.Logf("exact matches with the C++ reference through Compute: %d", exact)
}
