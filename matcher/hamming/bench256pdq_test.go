package hamming

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // decoders for the shared photos
	_ "image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"

	"github.com/attrib/attrib/matcher/pdq"
	"github.com/attrib/attrib/matcher/shareddata"
)

// Real PDQ hashes are not uniform: the 256 bits of natural images are
// correlated (most photos share a dark-bright layout of the low
// frequencies) and a registry holds many hashes of one picture (its 8
// flips and rotations, its windows) tens of bits apart. Multi-index hashing
// slows down where hashes crowd, so the random corpora of BenchmarkSearch256
// flatter it. BenchmarkSearch256PDQ measures it on hashes of real photos.

// pdqPhotoDirs are the shared photo folders the realistic corpus is cut from.
var pdqPhotoDirs = []string{"images/mate-backgrounds/nature", "images/mate-backgrounds/abstract", "images/skimage"}

// pdqCorpus is the real hashes of the benchmark, computed once.
type pdqCorpus struct {
	indexed []Hash256 // windows of most photos: the corpus is built from these
	heldOut []Hash256 // windows of other photos: queries with no true match
}

var realPDQ = sync.OnceValues(func() (*pdqCorpus, error) {
	perPhoto := 1200
	if os.Getenv("HAMMING_BENCH_REAL") != "" {
		perPhoto = 36000 // about 1M indexed real hashes: minutes to compute
	}
	return buildPDQCorpus(perPhoto)
})

// buildPDQCorpus hashes perWindow random windows of every shared photo:
// random sizes (25-100% of each side) and places, under a random one of
// the 8 flips and rotations, each a hash of a picture a registry could
// hold. Every fifth photo is held out for queries. Photos are first
// scaled to 256 pixels on the longer side, for speed.
func buildPDQCorpus(perPhoto int) (*pdqCorpus, error) {
	dir, err := shareddata.Find()
	if err != nil {
		return nil, err
	}
	c := &pdqCorpus{}
	rng := rand.New(rand.NewPCG(31, 256))
	n := 0
	for _, d := range pdqPhotoDirs {
		entries, err := os.ReadDir(filepath.Join(dir, d))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.Name() == "truncated.jpg" || ext != ".jpg" && ext != ".png" {
				continue
			}
			img, err := loadSmall(filepath.Join(dir, d, e.Name()), 256)
			if err != nil {
				return nil, err
			}
			hs := windowHashes(rng, img, perPhoto)
			if n++; n%5 == 0 {
				c.heldOut = append(c.heldOut, hs...)
			} else {
				c.indexed = append(c.indexed, hs...)
			}
		}
	}
	return c, nil
}

// loadSmall decodes a photo and scales it to at most side pixels.
func loadSmall(path string, side int) (*image.RGBA, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b := src.Bounds()
	f := min(1, float64(side)/float64(max(b.Dx(), b.Dy())))
	dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*f)), max(1, int(float64(b.Dy())*f))))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst, nil
}

// windowHashes returns the PDQ hashes (quality ≥ pdq.MinQuality) of n
// random windows of img, each under a random flip or rotation.
func windowHashes(rng *rand.Rand, img *image.RGBA, n int) []Hash256 {
	var h pdq.Hasher
	var out []Hash256
	w, ht := img.Bounds().Dx(), img.Bounds().Dy()
	for range n {
		ww, wh := max(8, w*(25+rng.IntN(76))/100), max(8, ht*(25+rng.IntN(76))/100)
		x, y := rng.IntN(w-ww+1), rng.IntN(ht-wh+1)
		win := img.SubImage(image.Rect(x, y, x+ww, y+wh))
		if t := pdq.Transform(rng.IntN(pdq.NumTransforms)); t != pdq.None {
			d, q := pdq.Dihedral(win)
			if q >= pdq.MinQuality {
				out = append(out, Hash256(d[t]))
			}
			continue
		}
		if x, q := h.Hash(win); q >= pdq.MinQuality {
			out = append(out, Hash256(x))
		}
	}
	return out
}

// pdqCorpus256 returns n entries shaped like a real registry: every real
// hash once (up to n), then variants of random real hashes with 8 to 100
// bits flipped — near-duplicates within PDQ's match range and, mostly, the
// crowd of related but distinct hashes around each real one. With
// HAMMING_BENCH_REAL set there are about 1M real hashes, windows of only
// ~35 photos: far more crowded than a registry of distinct pictures, a
// worst case.
func pdqCorpus256(rng *rand.Rand, real []Hash256, n int) []entry256 {
	out := make([]entry256, 0, n)
	for _, h := range real[:min(n, len(real))] {
		out = append(out, entry256{fmt.Sprintf("r%d", len(out)), h})
	}
	for len(out) < n {
		h := flip256(rng, real[rng.IntN(len(real))], 8+rng.IntN(93))
		out = append(out, entry256{fmt.Sprintf("v%d", len(out)), h})
	}
	return out
}

// BenchmarkSearch256PDQ measures radius-31 queries on corpora of real PDQ
// hashes (windows of the shared photos under flips and rotations, and
// variants of them) at 100k and 1M hashes (10M with HAMMING_BENCH_10M):
// queries near an indexed hash (a copy of a registered picture), windows
// of photos held out of the corpus (a found picture that matches nothing:
// the common case, and the hard one where hashes crowd), and uniform
// random hashes (for comparison with BenchmarkSearch256). With
// HAMMING_BENCH_REAL set the corpora are real hashes only, up to ~1M.
func BenchmarkSearch256PDQ(b *testing.B) {
	c, err := realPDQ()
	if err != nil {
		b.Skipf("shared photos: %v", err)
	}
	b.Logf("%d real hashes indexed, %d held out", len(c.indexed), len(c.heldOut))
	for _, n := range bench256Sizes() {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		es := pdqCorpus256(rng, c.indexed, n)
		ix, elapsed, perHash := build256(es, true)
		b.Run(fmt.Sprintf("n=%d/build", n), func(b *testing.B) {
			for b.Loop() { // built once above: the metrics are what counts
			}
			b.ReportMetric(perHash, "B/hash")
			b.ReportMetric(elapsed.Seconds(), "build-s")
		})
		queries := map[string]func() Hash256{
			"near":     func() Hash256 { return flip256(rng, es[rng.IntN(n)].h, rng.IntN(32)) },
			"held-out": func() Hash256 { return c.heldOut[rng.IntN(len(c.heldOut))] },
			"random":   func() Hash256 { return random256(rng) },
		}
		for _, kind := range []string{"near", "held-out", "random"} {
			qs := make([]Hash256, 4096)
			for i := range qs {
				qs[i] = queries[kind]()
			}
			b.Run(fmt.Sprintf("n=%d/%s", n, kind), func(b *testing.B) {
				benchQueries(b, qs, func(q Hash256) int { return len(ix.Search(q, DefaultRadius256)) })
			})
		}
		ix = nil
	}
}
