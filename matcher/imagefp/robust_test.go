package imagefp

import (
	"flag"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/matcher/pdq"
	"github.com/attrib/attrib/matcher/shareddata"
)

var (
	robust      = flag.Bool("robust", false, "run the robustness harness over the shared photos (slow, logs recall and precision per transform)")
	robustSynth = flag.Int("robust.synth", 300, "synthetic distractors of the harness: half registered as works, half queried under 4 transforms")
)

const (
	robustMaxSide   = 1024   // longer side of a harness photo, for speed
	robustPrecision = 0.9999 // precision the harness thresholds must keep
	robustSeed      = 4      // seed of the random amounts and distractors
)

// robustPhoto is one distinct photo of the harness.
type robustPhoto struct {
	name string
	img  *image.RGBA
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

// robustQuery is one hashed query image.
type robustQuery struct {
	transform int    // index into the transform list
	photo     int    // index of the photo shown, -1 for a synthetic distractor
	skip      int    // a work the query also shows (neither positive nor negative), -1 for none
	name      string // the source image, for listings
	h         Hashes
	took      time.Duration // Compute, decoding included
}

// robustPair is one (query, work) comparison: the PDQ distance of the
// nearest pair of whole-image hashes (the reference PDQ of both), of the
// nearest pair involving a part hash (windows, regions, the plane-hashed
// whole), and the pHash distance.
type robustPair struct {
	query       int // index into the queries
	work        int // index into the works
	positive    bool
	whole, part int
	phash       int
}

// pdq is the pair's distance under one threshold for every kind of pair.
func (p robustPair) pdq() int { return min(p.whole, p.part) }

// matched applies the matcher's rule: whole-image pairs within 31 bits,
// pairs involving a part within partMax.
func (p robustPair) matched(partMax int) bool {
	return p.whole <= pdq.MatchDistance || p.part <= partMax
}

// storedWholes returns a work's whole-image PDQ hashes as the matcher
// indexes them: its 8 dihedral variants, or its plain hash.
func storedWholes(w Hashes) []pdq.Hash {
	if w.PDQDihedral != nil {
		return w.PDQDihedral[:]
	}
	return []pdq.Hash{w.PDQ}
}

// searchedWholes returns a found image's whole-image PDQ hash, when
// reliable.
func searchedWholes(q Hashes) []pdq.Hash {
	if q.PDQQuality >= pdq.MinQuality {
		return []pdq.Hash{q.PDQ}
	}
	return nil
}

// stored returns every PDQ hash the matcher indexes for a work.
func stored(w Hashes) []pdq.Hash { return partHashes(storedWholes(w), w.PDQWindows) }

// searched returns every PDQ hash the matcher searches for a found image.
func searched(q Hashes) []pdq.Hash {
	return partHashes(partHashes(searchedWholes(q), q.PDQWindows), q.PDQRegions)
}

// partHashes appends the hashes of parts to hs.
func partHashes(hs []pdq.Hash, parts []Part) []pdq.Hash {
	out := append([]pdq.Hash(nil), hs...)
	for _, p := range parts {
		out = append(out, p.Hash)
	}
	return out
}

// nearest is the least distance between a hash of as and one of bs.
func nearest(as, bs []pdq.Hash) int {
	best := pdq.Bits
	for _, a := range as {
		for _, b := range bs {
			best = min(best, pdq.Distance(a, b))
		}
	}
	return best
}

// pairDistances returns the whole-image and part distances of q and w.
func pairDistances(q, w Hashes) (whole, part int) {
	qw, ww := searchedWholes(q), storedWholes(w)
	qp := partHashes(partHashes(nil, q.PDQWindows), q.PDQRegions)
	wp := partHashes(nil, w.PDQWindows)
	return nearest(qw, ww), min(nearest(qw, wp), nearest(qp, ww), nearest(qp, wp))
}

// pdqWorkDistance is the PDQ distance between the nearest pair of q's
// searched hashes and w's stored ones.
func pdqWorkDistance(q, w Hashes) int { return nearest(searched(q), stored(w)) }

// robustHasher fingerprints the harness's works and queries: Compute and
// ComputeWork, or an alternative being measured.
type robustHasher struct {
	work, found func(data []byte) (Hashes, error)
}

// defaultHasher is what the matcher runs.
func defaultHasher() robustHasher {
	return robustHasher{
		work:  func(data []byte) (Hashes, error) { return ComputeWork(data, DefaultLimits()) },
		found: func(data []byte) (Hashes, error) { return Compute(data, DefaultLimits()) },
	}
}

// registerImages fingerprints each image as a registered work.
func registerImages(tb testing.TB, hr robustHasher, names []string, imgs []*image.RGBA) []Hashes {
	tb.Helper()
	works := make([]Hashes, len(imgs))
	for i, img := range imgs {
		h, err := hr.work(encodePNG(tb, img))
		if err != nil {
			tb.Fatalf("%s: %v", names[i], err)
		}
		works[i] = h
	}
	return works
}

// registerPhotos fingerprints each photo as a registered work.
func registerPhotos(tb testing.TB, photos []robustPhoto) []Hashes {
	tb.Helper()
	names := make([]string, len(photos))
	imgs := make([]*image.RGBA, len(photos))
	for i, p := range photos {
		names[i], imgs[i] = p.name, p.img
	}
	return registerImages(tb, defaultHasher(), names, imgs)
}

// queryHashes applies tr to img (other: a background picture; k: the
// photo's index) and hashes the result encoded as JPEG.
func queryHashes(tb testing.TB, hr robustHasher, img, other *image.RGBA, k, ti int, tr robustTransform) (Hashes, time.Duration) {
	tb.Helper()
	q := tr.quality
	if q == 0 {
		q = 90
	}
	c := robustCase{tb: tb, img: img, other: other, k: k, rng: rand.New(rand.NewPCG(robustSeed+uint64(k), uint64(ti)))}
	data := encodeJPEG(tb, c.apply(tr), q)
	start := time.Now()
	h, err := hr.found(data)
	took := time.Since(start)
	if err != nil {
		tb.Fatalf("%s: %v", tr.name, err)
	}
	return h, took
}

// apply runs tr on c.
func (c robustCase) apply(tr robustTransform) image.Image { return tr.apply(c) }

// robustSet is the harness's registry and queries.
type robustSet struct {
	trs       []robustTransform
	workNames []string
	works     []Hashes
	queries   []robustQuery
	nPhotos   int
}

// buildRobustSet registers the photos and half of nSynth synthetic
// distractors, and hashes every transform of every photo and four
// transforms of the other synthetic images.
func buildRobustSet(tb testing.TB, hr robustHasher, photos []robustPhoto, nSynth int) *robustSet {
	tb.Helper()
	s := &robustSet{trs: robustTransforms(), nPhotos: len(photos)}
	var imgs []*image.RGBA
	for _, p := range photos {
		s.workNames, imgs = append(s.workNames, p.name), append(imgs, p.img)
	}
	var synthQ []*image.RGBA
	for n := range nSynth {
		img := syntheticImage(robustSeed, n)
		if n%2 == 1 {
			synthQ = append(synthQ, img)
			continue
		}
		s.workNames = append(s.workNames, fmt.Sprintf("synthetic %d (%s)", n, synthKinds[n%len(synthKinds)]))
		imgs = append(imgs, img)
	}
	s.works = registerImages(tb, hr, s.workNames, imgs)
	for i, p := range photos {
		other := photos[(i+1)%len(photos)].img
		for ti, tr := range s.trs {
			h, took := queryHashes(tb, hr, p.img, other, i, ti, tr)
			skip := -1
			if tr.usesOther {
				skip = (i + 1) % len(photos)
			}
			s.queries = append(s.queries, robustQuery{transform: ti, photo: i, skip: skip, name: p.name, h: h, took: took})
		}
	}
	neg := robustNegativeTransforms()
	for n, img := range synthQ {
		other := synthQ[(n+1)%len(synthQ)]
		for ti, tr := range s.trs {
			if !slices.Contains(neg, tr.name) {
				continue
			}
			h, took := queryHashes(tb, hr, img, other, 1000+n, ti, tr)
			s.queries = append(s.queries, robustQuery{transform: ti, photo: -1, skip: -1, name: fmt.Sprintf("synthetic query %d", 2*n+1), h: h, took: took})
		}
	}
	return s
}

// pairs compares every query with every work, and counts the distances
// of every pair of hashes between a query and a work it does not show.
func (s *robustSet) pairs() ([]robustPair, *[pdq.Bits + 1]int64) {
	var out []robustPair
	var hist [pdq.Bits + 1]int64
	for qi, q := range s.queries {
		qs := searched(q.h)
		for wi, w := range s.works {
			if wi == q.skip {
				continue
			}
			for _, v := range stored(w) {
				for _, qh := range qs {
					if q.photo != wi {
						hist[pdq.Distance(qh, v)]++
					}
				}
			}
			whole, part := pairDistances(q.h, w)
			out = append(out, robustPair{query: qi, work: wi, positive: q.photo == wi, whole: whole, part: part, phash: Distance(q.h.PHash, w.PHash)})
		}
	}
	return out, &hist
}

// TestRobust measures recall per transform and precision for PDQ (with
// the work's dihedral variants and windows, and the found image's windows
// and picture regions) and pHash, at thresholds that keep precision ≥
// 99.99% over all (query, work) pairs and at PDQ's standard 31 bits. Run
// it with -robust.
func TestRobust(t *testing.T) {
	if !*robust {
		t.Skip("robustness harness: run with -robust")
	}
	start := time.Now()
	s := buildRobustSet(t, defaultHasher(), robustPhotos(t, robustMaxSide), *robustSynth)
	pairs, hist := s.pairs()
	t.Log(s.report(pairs, time.Since(start)))
	t.Log(hashPairTail(hist))
	t.Log(s.misses(pairs, 31))
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
	for ti, tr := range robustTransforms() {
		if tr.name != "resize 0.5x" && tr.name != "jpeg q50" && tr.name != "hflip" {
			continue
		}
		for i, p := range photos {
			q, _ := queryHashes(t, defaultHasher(), p.img, photos[1-i].img, i, ti, tr)
			if own := pdqWorkDistance(q, works[i]); own > 31 {
				t.Errorf("%s %s: PDQ distance %d > 31", p.name, tr.name, own)
			}
			if far := pdqWorkDistance(q, works[1-i]); far <= 31 {
				t.Errorf("%s %s: PDQ distance %d to the other photo <= 31", p.name, tr.name, far)
			}
		}
	}
}
