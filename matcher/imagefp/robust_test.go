package imagefp

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/draw"

	"github.com/attrib/attrib/matcher/pdq"
	"github.com/attrib/attrib/matcher/shareddata"
)

var robust = flag.Bool("robust", false, "run the robustness harness over the shared photos (slow, logs recall per transform)")

const (
	robustMaxSide   = 1024   // longer side of a harness photo, for speed
	robustPrecision = 0.9999 // precision the harness thresholds must keep
)

// robustPhoto is one distinct photo of the harness.
type robustPhoto struct {
	name string
	img  *image.RGBA
}

// robustTransform edits a photo; other is a different photo, for
// placement. quality is the JPEG quality of the query (0: 90).
type robustTransform struct {
	name    string
	quality int
	apply   func(img, other *image.RGBA) image.Image
}

// identity returns img unchanged.
func identity(img, _ *image.RGBA) image.Image { return img }

// robustTransforms lists the edits the issue asks the matcher to survive.
func robustTransforms() []robustTransform {
	scale := func(f float64) func(img, _ *image.RGBA) image.Image {
		return func(img, _ *image.RGBA) image.Image { return scaled(img, f) }
	}
	lut := func(f func(float64) float64) func(img, _ *image.RGBA) image.Image {
		return func(img, _ *image.RGBA) image.Image { return mapChannels(img, f) }
	}
	crop := func(f float64) func(img, _ *image.RGBA) image.Image {
		return func(img, _ *image.RGBA) image.Image { return cropped(img, f) }
	}
	pad := func(f float64) func(img, _ *image.RGBA) image.Image {
		return func(img, _ *image.RGBA) image.Image { return padded(img, f) }
	}
	return []robustTransform{
		{name: "resize 0.25x", apply: scale(0.25)},
		{name: "resize 0.5x", apply: scale(0.5)},
		{name: "resize 2x", apply: scale(2)},
		{name: "jpeg q20", quality: 20, apply: identity},
		{name: "jpeg q50", quality: 50, apply: identity},
		{name: "jpeg q95", quality: 95, apply: identity},
		{name: "brightness +30%", apply: lut(func(v float64) float64 { return v * 1.3 })},
		{name: "brightness -30%", apply: lut(func(v float64) float64 { return v * 0.7 })},
		{name: "contrast +30%", apply: lut(func(v float64) float64 { return (v-0.5)*1.3 + 0.5 })},
		{name: "contrast -30%", apply: lut(func(v float64) float64 { return (v-0.5)*0.7 + 0.5 })},
		{name: "gamma 0.7", apply: lut(func(v float64) float64 { return math.Pow(v, 0.7) })},
		{name: "gamma 1.3", apply: lut(func(v float64) float64 { return math.Pow(v, 1.3) })},
		{name: "grayscale", apply: func(img, _ *image.RGBA) image.Image { return grayscale(img) }},
		{name: "box blur r2", apply: func(img, _ *image.RGBA) image.Image { return boxBlur(img, 2) }},
		{name: "watermark 5%", apply: func(img, _ *image.RGBA) image.Image { return watermarked(img) }},
		{name: "hflip", apply: func(img, _ *image.RGBA) image.Image { return flippedH(img) }},
		{name: "rot90", apply: func(img, _ *image.RGBA) image.Image { return rotated90(img) }},
		{name: "crop 5%", apply: crop(0.05)},
		{name: "crop 10%", apply: crop(0.10)},
		{name: "crop 20%", apply: crop(0.20)},
		{name: "pad 10%", apply: pad(0.10)},
		{name: "pad 20%", apply: pad(0.20)},
		{name: "rotate 3deg", apply: func(img, _ *image.RGBA) image.Image { return rotatedDeg(img, 3) }},
		{name: "inside 2x other", apply: placedInside},
		// Off-centre cases: the window hashes are centred, so these show
		// what a grid of windows still has to win.
		{name: "crop 10% one corner", apply: cornerCrop(0.10)},
		{name: "inside 2x, top-left", apply: placedTopLeft},
	}
}

// cornerCrop keeps the top-left part of img, cutting frac of the width and
// height from the right and bottom only.
func cornerCrop(frac float64) func(img, _ *image.RGBA) image.Image {
	return func(img, _ *image.RGBA) image.Image {
		b := img.Bounds()
		r := image.Rect(0, 0, int(float64(b.Dx())*(1-frac)), int(float64(b.Dy())*(1-frac)))
		dst := image.NewRGBA(r)
		draw.Draw(dst, r, img, b.Min, draw.Src)
		return dst
	}
}

// placedTopLeft puts img in the top-left quarter of other scaled to twice
// img's size.
func placedTopLeft(img, other *image.RGBA) image.Image {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dst := image.NewRGBA(image.Rect(0, 0, 2*w, 2*h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), other, other.Bounds(), draw.Src, nil)
	draw.Draw(dst, image.Rect(0, 0, w, h), img, image.Point{}, draw.Src)
	return dst
}

// mapChannels applies f to every colour channel scaled to [0, 1], clamped.
func mapChannels(img *image.RGBA, f func(float64) float64) *image.RGBA {
	var table [256]uint8
	for i := range table {
		v := f(float64(i)/255) * 255
		table[i] = uint8(min(255, max(0, math.Round(v))))
	}
	dst := toRGBA(img)
	for i, v := range dst.Pix {
		if i%4 != 3 {
			dst.Pix[i] = table[v]
		}
	}
	return dst
}

// grayscale replaces each pixel by its Rec. 601 luma.
func grayscale(img *image.RGBA) *image.RGBA {
	dst := toRGBA(img)
	for i := 0; i+3 < len(dst.Pix); i += 4 {
		p := dst.Pix[i : i+3 : i+3]
		y := uint8(math.Round(0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])))
		p[0], p[1], p[2] = y, y, y
	}
	return dst
}

// boxBlur averages each channel over a (2r+1)² window, clamping at edges.
func boxBlur(img *image.RGBA, r int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	pass := func(src *image.RGBA, dx, dy int) *image.RGBA {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				var sum [3]int
				n := 2*r + 1
				for k := -r; k <= r; k++ {
					sx := min(w-1, max(0, x+k*dx))
					sy := min(h-1, max(0, y+k*dy))
					o := src.PixOffset(sx, sy)
					sum[0] += int(src.Pix[o])
					sum[1] += int(src.Pix[o+1])
					sum[2] += int(src.Pix[o+2])
				}
				o := dst.PixOffset(x, y)
				dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2], dst.Pix[o+3] = uint8(sum[0]/n), uint8(sum[1]/n), uint8(sum[2]/n), 255
			}
		}
		return dst
	}
	return pass(pass(toRGBA(img), 1, 0), 0, 1)
}

// watermarked draws eight white bars, like a line of large letters, that
// cover 5% of the picture near its bottom.
func watermarked(img *image.RGBA) *image.RGBA {
	dst := toRGBA(img)
	w, h := dst.Bounds().Dx(), dst.Bounds().Dy()
	bw, bh := max(1, w/16), max(1, h/10)
	y0 := h * 8 / 10
	for i := range 8 {
		x0 := w/8 + i*bw*3/2
		r := image.Rect(x0, y0, x0+bw, y0+bh)
		draw.Draw(dst, r, image.NewUniform(color.White), image.Point{}, draw.Src)
	}
	return dst
}

// flippedH mirrors img left to right.
func flippedH(img *image.RGBA) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dst.SetRGBA(w-1-x, y, img.RGBAAt(x, y))
		}
	}
	return dst
}

// rotated90 rotates img by 90° clockwise.
func rotated90(img *image.RGBA) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dst := image.NewRGBA(image.Rect(0, 0, h, w))
	for y := range h {
		for x := range w {
			dst.SetRGBA(h-1-y, x, img.RGBAAt(x, y))
		}
	}
	return dst
}

// padded surrounds img with a white border of frac of its width and
// height on each side.
func padded(img *image.RGBA, frac float64) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	px, py := int(float64(w)*frac), int(float64(h)*frac)
	dst := image.NewRGBA(image.Rect(0, 0, w+2*px, h+2*py))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(px, py, px+w, py+h), img, image.Point{}, draw.Src)
	return dst
}

// rotatedDeg rotates img by deg about its centre with nearest-neighbour
// sampling, keeping its size and filling uncovered pixels with black.
func rotatedDeg(img *image.RGBA, deg float64) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	for y := range h {
		for x := range w {
			fx, fy := float64(x)-cx, float64(y)-cy
			sx := int(math.Round(cos*fx + sin*fy + cx))
			sy := int(math.Round(-sin*fx + cos*fy + cy))
			c := color.RGBA{A: 255}
			if sx >= 0 && sx < w && sy >= 0 && sy < h {
				c = img.RGBAAt(sx, sy)
			}
			dst.SetRGBA(x, y, c)
		}
	}
	return dst
}

// placedInside draws img at the centre of other scaled to twice img's size.
func placedInside(img, other *image.RGBA) image.Image {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dst := image.NewRGBA(image.Rect(0, 0, 2*w, 2*h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), other, other.Bounds(), draw.Src, nil)
	draw.Draw(dst, image.Rect(w/2, h/2, w/2+w, h/2+h), img, image.Point{}, draw.Src)
	return dst
}

// robustPhotos loads the distinct shared photos, longer side ≤ maxSide.
func robustPhotos(tb testing.TB, maxSide int) []robustPhoto {
	tb.Helper()
	var photos []robustPhoto
	for _, dir := range []string{"images/mate-backgrounds/nature", "images/skimage"} {
		entries, err := os.ReadDir(shareddata.Path(tb, dir))
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.Name() == "truncated.jpg" || (ext != ".jpg" && ext != ".png") {
				continue
			}
			rel := dir + "/" + e.Name()
			img := toRGBA(decodeImage(tb, shareddata.Read(tb, rel)))
			if s := max(img.Bounds().Dx(), img.Bounds().Dy()); s > maxSide {
				img = toRGBA(scaled(img, float64(maxSide)/float64(s)))
			}
			photos = append(photos, robustPhoto{name: rel, img: img})
		}
	}
	return photos
}

// robustPair is one (query, work) comparison.
type robustPair struct {
	transform  int // index into the transform list
	photo      int // index of the query's photo
	quality    int // PDQ quality of the query
	positive   bool
	pdq, phash int
}

// pdqWorkDistance is the PDQ distance between the nearest pair of q's hashes
// (its own and its centre windows) and w's (8 dihedral variants and its
// centre crops), as the matcher compares them.
func pdqWorkDistance(q, w Hashes) int {
	stored := append([]pdq.Hash{w.PDQ}, w.PDQWindows...)
	if w.PDQDihedral != nil {
		stored = append(w.PDQDihedral[:], w.PDQWindows...)
	}
	best := pdq.Bits
	for _, qh := range append([]pdq.Hash{q.PDQ}, q.PDQWindows...) {
		for _, v := range stored {
			best = min(best, pdq.Distance(qh, v))
		}
	}
	return best
}

// registerPhotos fingerprints each photo as a registered work.
func registerPhotos(tb testing.TB, photos []robustPhoto) []Hashes {
	tb.Helper()
	works := make([]Hashes, len(photos))
	for i, p := range photos {
		h, err := ComputeWork(encodePNG(tb, p.img), DefaultLimits())
		if err != nil {
			tb.Fatalf("%s: %v", p.name, err)
		}
		works[i] = h
	}
	return works
}

// queryHashes applies tr to photo i (other: the next photo) and hashes
// the result encoded as JPEG.
func queryHashes(tb testing.TB, photos []robustPhoto, i int, tr robustTransform) Hashes {
	tb.Helper()
	q := tr.quality
	if q == 0 {
		q = 90
	}
	other := photos[(i+1)%len(photos)].img
	data := encodeJPEG(tb, tr.apply(photos[i].img, other), q)
	h, err := Compute(data, DefaultLimits())
	if err != nil {
		tb.Fatalf("%s %s: %v", photos[i].name, tr.name, err)
	}
	return h
}

// largestThreshold is the largest distance threshold at which at most
// 1-robustPrecision of the accepted pairs are negatives.
func largestThreshold(pairs []robustPair, dist func(robustPair) int, maxBits int) int {
	best := -1
	for t := 0; t <= maxBits; t++ {
		var accepted, falses int
		for _, p := range pairs {
			if dist(p) <= t {
				accepted++
				if !p.positive {
					falses++
				}
			}
		}
		if accepted == 0 || float64(falses) <= (1-robustPrecision)*float64(accepted) {
			best = t
		}
	}
	return best
}

// recallAt is the fraction of positives of transform tr within t bits.
func recallAt(pairs []robustPair, tr int, dist func(robustPair) int, t int) (float64, int) {
	var pos, found int
	for _, p := range pairs {
		if p.positive && p.transform == tr {
			pos++
			if dist(p) <= t {
				found++
			}
		}
	}
	if pos == 0 {
		return 0, 0
	}
	return float64(found) / float64(pos), pos
}

// TestRobust measures recall per transform for PDQ (with the work's
// dihedral variants) and pHash at thresholds that keep precision ≥ 99.99%
// over all (query, work) pairs. Run it with -robust.
func TestRobust(t *testing.T) {
	if !*robust {
		t.Skip("robustness harness: run with -robust")
	}
	start := time.Now()
	photos := robustPhotos(t, robustMaxSide)
	works := registerPhotos(t, photos)
	trs := robustTransforms()
	var pairs []robustPair
	lowQuality := 0
	for i := range photos {
		for ti, tr := range trs {
			q := queryHashes(t, photos, i, tr)
			if q.PDQQuality < pdq.MinQuality {
				lowQuality++
			}
			for j, w := range works {
				if strings.HasPrefix(tr.name, "inside 2x") && j == (i+1)%len(photos) {
					continue // the query also shows the background photo
				}
				pairs = append(pairs, robustPair{
					transform: ti, photo: i, quality: q.PDQQuality, positive: i == j,
					pdq: pdqWorkDistance(q, w), phash: Distance(q.PHash, w.PHash),
				})
			}
		}
	}
	t.Log(robustReport(pairs, trs, len(photos), lowQuality, time.Since(start)))
	t.Log(robustMisses(pairs, trs, photos, 31))
}

// robustReport formats thresholds and recall per transform.
func robustReport(pairs []robustPair, trs []robustTransform, nPhotos, lowQuality int, took time.Duration) string {
	pdqD := func(p robustPair) int { return p.pdq }
	phD := func(p robustPair) int { return p.phash }
	tP := largestThreshold(pairs, pdqD, pdq.Bits)
	tH := largestThreshold(pairs, phD, PHashBits)
	minNeg := [2]int{pdq.Bits, PHashBits}
	npos := 0
	for _, p := range pairs {
		if p.positive {
			npos++
			continue
		}
		minNeg[0], minNeg[1] = min(minNeg[0], p.pdq), min(minNeg[1], p.phash)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d photos, %d transforms, %d positive and %d negative pairs, %d queries with PDQ quality < %d, %s\n",
		nPhotos, len(trs), npos, len(pairs)-npos, lowQuality, pdq.MinQuality, took.Round(time.Second))
	fmt.Fprintf(&b, "thresholds at precision >= %.2f%%: PDQ %d/256 (closest negative %d), pHash %d/64 (closest negative %d)\n",
		100*robustPrecision, tP, minNeg[0], tH, minNeg[1])
	fmt.Fprintf(&b, "%-16s %4s %10s %10s %10s\n", "transform", "n", "PDQ@"+fmt.Sprint(tP), "pHash@"+fmt.Sprint(tH), "PDQ@31")
	for ti, tr := range trs {
		rp, n := recallAt(pairs, ti, pdqD, tP)
		rh, _ := recallAt(pairs, ti, phD, tH)
		r31, _ := recallAt(pairs, ti, pdqD, 31)
		fmt.Fprintf(&b, "%-16s %4d %10.3f %10.3f %10.3f\n", tr.name, n, rp, rh, r31)
	}
	return b.String()
}

// TestRobustSmoke checks on 2 photos that PDQ finds a resized, a
// recompressed and a mirrored copy within 31 bits; TestRobust measures
// the full set.
func TestRobustSmoke(t *testing.T) {
	photos := []robustPhoto{}
	for _, rel := range []string{"images/skimage/astronaut.png", "images/skimage/coffee.png"} {
		photos = append(photos, robustPhoto{name: rel, img: toRGBA(decodeImage(t, shareddata.Read(t, rel)))})
	}
	works := registerPhotos(t, photos)
	all := robustTransforms()
	pick := map[string]bool{"resize 0.5x": true, "jpeg q50": true, "hflip": true}
	for i, p := range photos {
		for _, tr := range all {
			if !pick[tr.name] {
				continue
			}
			q := queryHashes(t, photos, i, tr)
			own := pdqWorkDistance(q, works[i])
			if own > 31 {
				t.Errorf("%s %s: PDQ distance %d > 31", p.name, tr.name, own)
			}
			if far := pdqWorkDistance(q, works[1-i]); far <= 31 {
				t.Errorf("%s %s: PDQ distance %d to the other photo <= 31", p.name, tr.name, far)
			}
		}
	}
}

// robustMisses lists the positives farther than t PDQ bits, for the
// transforms where most positives are found.
func robustMisses(pairs []robustPair, trs []robustTransform, photos []robustPhoto, t int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nPDQ misses at %d bits (transforms with recall >= 0.5 there): photo distance/quality\n", t)
	for ti, tr := range trs {
		if r, _ := recallAt(pairs, ti, func(p robustPair) int { return p.pdq }, t); r < 0.5 || r == 1 {
			continue
		}
		fmt.Fprintf(&b, "%-16s", tr.name)
		for _, p := range pairs {
			if p.positive && p.transform == ti && p.pdq > t {
				fmt.Fprintf(&b, " %s %d/q%d", filepath.Base(photos[p.photo].name), p.pdq, p.quality)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
