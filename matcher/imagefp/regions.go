package imagefp

import (
	"cmp"
	"image"
	"slices"
)

// Picture regions. A found image that shows a work inside something larger
// (a collage, a screenshot of a page, a border or padding on some sides)
// holds the work as a rectangle bounded by straight edges or by the image's
// own border. PDQ needs the frame of a picture within about 1% of its size:
// shifting a window by 1% moves its hash by ~30 of 256 bits, so fixed
// windows cannot cover every position and size. regions finds such
// rectangles from long horizontal and vertical edges instead, wherever they
// are, and their hashes are searched as the found image's own.

const (
	regionSide      = 512  // longer side of the luma plane edges are found on
	regionMinStep   = 4    // luma step (of 255) of an edge pixel
	regionSmooth    = 3    // half-width of the box filter along each line
	regionMinShare  = 0.2  // a region's sides span at least this share of the image's
	regionMinPixels = 32   // ... and this many plane pixels
	regionMinLine   = 0.1  // a candidate line has edge pixels along this share of the image's side
	regionMaxRows   = 200  // candidate horizontal lines kept (pages hold many lines of text)
	regionMaxCols   = 48   // candidate vertical lines kept (each pair of them is a column of rectangles)
	regionMaxGap    = 6    // gap bridged in an edge run (where both sides match)
	regionSupport   = 0.3  // least score of each side of a region inside the image
	regionMean      = 0.5  // least mean score of those sides
	regionPast      = 0.5  // discount of a side whose edge runs on past its ends
	regionInner     = 0.5  // lineScore of a line inside a region that counts against it
	regionInnerPen  = 0.03 // rank penalty per such line
	regionMaxInner  = 10   // ... counted up to this many
	regionRerank    = 256  // regions reranked by their inner lines
	regionBorderPen = 0.15 // rank penalty per side on the image's border: possible, weaker evidence
	maxRegions      = 8    // regions returned per image
)

// edgeMap marks, for one direction, the pixels on a step edge: along
// boundary k (between lines k-1 and k of the plane, 1 ≤ k < n) at
// position i (0 ≤ i < length). It keeps prefix sums of the edge pixels
// along each boundary so that counting them on a segment costs two
// lookups.
type edgeMap struct {
	n, length int
	prefix    []int32 // boundary k: prefix[k*(length+1)+i] = edge pixels before i; 0 for k ≤ 0, k ≥ n
}

// newEdgeMap finds the edges across lines of p: horizontal edges (between
// rows) when rows is true, else vertical ones (between columns). The plane
// is first box-filtered along the lines: that keeps a straight edge and
// evens texture out. A pixel is on an edge where the step d across the
// boundary is at least regionMinStep, no smaller than the steps across
// the two neighbouring boundaries, and at least twice the steps two lines
// away: a step that stands out from the picture on both sides, even where
// resampling spread it over two lines.
func newEdgeMap(p lumaPlane, rows bool) edgeMap {
	n, length, pix := p.h, p.w, p.pix
	if !rows {
		n, length, pix = p.w, p.h, transpose(p.pix, p.w, p.h)
	}
	sm := smoothRows(pix, length, n)
	// step[(k+2)*length+i] for boundaries k = -2..n+2; 0 outside 1..n-1.
	step := make([]float32, (n+5)*length)
	for k := 1; k < n; k++ {
		cur, prev, out := sm[k*length:(k+1)*length], sm[(k-1)*length:k*length], step[(k+2)*length:(k+3)*length]
		for i := range out {
			d := cur[i] - prev[i]
			if d < 0 {
				d = -d
			}
			out[i] = d
		}
	}
	m := edgeMap{n: n, length: length, prefix: make([]int32, (n+1)*(length+1))}
	for k := 1; k < n; k++ {
		row := m.prefix[k*(length+1) : (k+1)*(length+1)]
		s2, s1 := step[k*length:(k+1)*length], step[(k+1)*length:(k+2)*length]
		d0 := step[(k+2)*length : (k+3)*length]
		n1, n2 := step[(k+3)*length:(k+4)*length], step[(k+4)*length:(k+5)*length]
		for i, d := range d0 {
			row[i+1] = row[i]
			if d >= regionMinStep && d >= s1[i] && d >= n1[i] && d >= 2*s2[i] && d >= 2*n2[i] {
				row[i+1]++
			}
		}
	}
	return m
}

// transpose returns the w×h row-major plane pix as an h×w one.
func transpose(pix []float32, w, h int) []float32 {
	out := make([]float32, len(pix))
	for y := range h {
		for x, v := range pix[y*w : (y+1)*w] {
			out[x*h+y] = v
		}
	}
	return out
}

// smoothRows returns the n rows of length pixels of pix box-filtered
// along each row (half-width regionSmooth; shorter windows at the ends).
func smoothRows(pix []float32, length, n int) []float32 {
	const r = regionSmooth
	sm := make([]float32, n*length)
	run := make([]float32, length+1)
	inv := 1 / float32(2*r+1)
	for k := range n {
		for i, v := range pix[k*length : (k+1)*length] {
			run[i+1] = run[i] + v
		}
		out := sm[k*length : (k+1)*length]
		for i := range out {
			if i >= r && i+r < length {
				out[i] = (run[i+r+1] - run[i-r]) * inv
				continue
			}
			lo, hi := max(0, i-r), min(length, i+r+1)
			out[i] = (run[hi] - run[lo]) / float32(hi-lo)
		}
	}
	return sm
}

// count is the number of edge pixels on [from, to) of boundary k (0
// outside the plane).
func (m *edgeMap) count(k, from, to int) int {
	if k <= 0 || k >= m.n {
		return 0
	}
	row := m.prefix[k*(m.length+1):]
	return int(row[to] - row[from])
}

// lineScore rates [from, to) of boundary k as a straight edge: the share
// of it on an edge (an edge spread over k and a neighbour counted once)
// less the share on the quieter of the boundaries three lines away, so
// that a textured area, busy everywhere, scores near zero while a line
// next to another (lines of text) keeps its score.
func (m *edgeMap) lineScore(k, from, to int) float64 {
	c := m.count(k, from, to)
	on := c + max(m.count(k-1, from, to), m.count(k+1, from, to))
	off := min(m.count(k-3, from, to), m.count(k+3, from, to))
	l := float64(max(1, to-from))
	return max(0, min(1, float64(on)/l)-float64(off)/l)
}

// lines returns the candidate boundaries: the border (0 and n) and the
// boundaries that are a local maximum of edge pixels and hold a straight
// edge: a run of edge pixels (gaps of up to regionMaxGap bridged, where
// both sides happen to match) or a lineScore over the whole length of at
// least regionMinLine of the length; the best first, at most limit.
func (m *edgeMap) lines(limit int) []int {
	type line struct {
		k     int
		score float64
	}
	minScore := max(8/float64(m.length), regionMinLine)
	var cand []line
	for k := 1; k < m.n; k++ {
		c := m.count(k, 0, m.length)
		if c < m.count(k-1, 0, m.length) || c <= m.count(k+1, 0, m.length) {
			continue
		}
		s := max(m.lineScore(k, 0, m.length), float64(m.longestRun(k))/float64(m.length))
		if s >= minScore {
			cand = append(cand, line{k, s})
		}
	}
	slices.SortFunc(cand, func(a, b line) int { return cmp.Compare(b.score, a.score) })
	out := []int{0, m.n}
	for _, c := range cand[:min(len(cand), limit)] {
		out = append(out, c.k)
	}
	slices.Sort(out)
	return out
}

// longestRun is the longest run of edge pixels on boundary k or a
// neighbour, bridging gaps of up to regionMaxGap pixels.
func (m *edgeMap) longestRun(k int) int {
	w := m.length + 1
	row := m.prefix[k*w : (k+1)*w]
	var above, below []int32
	if k > 1 {
		above = m.prefix[(k-1)*w : k*w]
	}
	if k+1 < m.n {
		below = m.prefix[(k+1)*w : (k+2)*w]
	}
	on := func(r []int32, i int) bool { return r != nil && r[i+1] > r[i] }
	best, start, gap := 0, -1, 0
	for i := range m.length {
		if on(row, i) || on(above, i) || on(below, i) {
			if start < 0 {
				start = i
			}
			gap = 0
			best = max(best, i+1-start)
			continue
		}
		if gap++; gap > regionMaxGap {
			start = -1
		}
	}
	return best
}

// sideScore rates [from, to) of boundary k as the side of a picture
// inside the image: its lineScore, discounted by up to regionPast where
// the edge runs on past the ends (a picture's edge ends at its corners; a
// long line through the image, such as a page's header or a line of
// text, does not).
func (m *edgeMap) sideScore(k, from, to int) float64 {
	s := m.lineScore(k, from, to)
	if s < regionSupport {
		return s
	}
	l := max(3, (to-from)/10)
	var past float64
	if from > 0 {
		past = float64(m.count(k, max(0, from-l), from)) / float64(from-max(0, from-l))
	}
	if to < m.length {
		past = max(past, float64(m.count(k, to, min(m.length, to+l)))/float64(min(m.length, to+l)-to))
	}
	return s * (1 - regionPast*past)
}

// region is a candidate rectangle on the plane and its rank.
type region struct {
	r    image.Rectangle
	rank float64
}

// regions returns up to maxRegions rectangles of img, other than img
// itself, whose sides lie on long straight edges or on img's border, best
// first, in img's coordinates.
func regions(img image.Image) []image.Rectangle {
	return regionsOf(img, sampleLuma(img, regionSide), maxRegions)
}

// regionsOf is regions on p, a plane of img from sampleLuma, first
// reduced to regionSide if larger; it returns up to n rectangles.
func regionsOf(img image.Image, p lumaPlane, n int) []image.Rectangle {
	if max(p.w, p.h) > regionSide {
		p = p.resampled(regionSide)
	}
	if p.w < regionMinPixels || p.h < regionMinPixels {
		return nil
	}
	hz, vt := newEdgeMap(p, true), newEdgeMap(p, false)
	ys, xs := hz.lines(regionMaxRows), vt.lines(regionMaxCols)
	minW := max(regionMinPixels, int(regionMinShare*float64(p.w)))
	minH := max(regionMinPixels, int(regionMinShare*float64(p.h)))
	var found []region
	for a, x0 := range xs {
		for _, x1 := range xs[a+1:] {
			if x1-x0 >= minW {
				found = appendRegions(found, &hz, &vt, ys, x0, x1, minH)
			}
		}
	}
	byRank := func(a, b region) int {
		if a.rank != b.rank {
			return cmp.Compare(b.rank, a.rank)
		}
		return b.r.Dx()*b.r.Dy() - a.r.Dx()*a.r.Dy()
	}
	// Rank by the sides, then rerank the best by what lies inside them
	// (costlier, so not for all).
	slices.SortFunc(found, byRank)
	found = found[:min(len(found), regionRerank)]
	for i := range found {
		found[i].rank -= regionInnerPen * float64(min(regionMaxInner, innerLines(&hz, &vt, ys, xs, found[i].r)))
	}
	slices.SortFunc(found, byRank)
	var out []image.Rectangle
	for _, f := range found {
		if len(out) == n {
			break
		}
		r := refine(img, p, f.r)
		if !slices.ContainsFunc(out, func(o image.Rectangle) bool { return nearlySame(o, r, p.scale) }) {
			out = append(out, r)
		}
	}
	return out
}

// appendRegions appends the rectangles between columns x0 and x1 whose top
// and bottom are candidate rows ys and whose sides inside the image each
// score at least regionSupport and on average regionMean. Their rank is
// the mean of that average and the least score, less regionBorderPen per
// side on the border.
func appendRegions(found []region, hz, vt *edgeMap, ys []int, x0, x1, minH int) []region {
	// side adds one side's score: a side on the border adds nothing but
	// the penalty.
	type sides struct {
		sum, least float64
		n, border  int
		ok         bool
	}
	add := func(s sides, m *edgeMap, k, from, to int) sides {
		if k <= 0 || k >= m.n {
			s.border++
			return s
		}
		v := m.sideScore(k, from, to)
		s.sum, s.least, s.n, s.ok = s.sum+v, min(s.least, v), s.n+1, s.ok && v >= regionSupport
		return s
	}
	// Rows that can be the top or bottom between x0 and x1: the cost of
	// pairing them stays small even with hundreds of candidate rows.
	var rows []int
	for _, y := range ys {
		if y <= 0 || y >= hz.n || hz.lineScore(y, x0, x1) >= regionSupport {
			rows = append(rows, y)
		}
	}
	for a, y0 := range rows {
		top := add(sides{least: 1, ok: true}, hz, y0, x0, x1)
		for _, y1 := range rows[a+1:] {
			if y1-y0 < minH || x0 == 0 && x1 == vt.n && y0 == 0 && y1 == hz.n {
				continue
			}
			s := add(add(add(top, hz, y1, x0, x1), vt, x0, y0, y1), vt, x1, y0, y1)
			if !s.ok {
				continue
			}
			if mean := s.sum / float64(s.n); mean >= regionMean {
				rank := (mean+s.least)/2 - regionBorderPen*float64(s.border)
				found = append(found, region{r: image.Rect(x0, y0, x1, y1), rank: rank})
			}
		}
	}
	return found
}

// innerLines counts the candidate lines strictly inside r that run along
// most of it: a stack of text lines or of pictures, not one picture.
func innerLines(hz, vt *edgeMap, ys, xs []int, r image.Rectangle) int {
	n := 0
	for _, y := range ys {
		if y > r.Min.Y+2 && y < r.Max.Y-2 && hz.lineScore(y, r.Min.X, r.Max.X) >= regionInner {
			n++
		}
	}
	for _, x := range xs {
		if x > r.Min.X+2 && x < r.Max.X-2 && vt.lineScore(x, r.Min.Y, r.Max.Y) >= regionInner {
			n++
		}
	}
	return n
}

// nearlySame reports whether two rectangles differ by at most one plane
// pixel on every side.
func nearlySame(a, b image.Rectangle, scale int) bool {
	d := func(u, v int) bool { return u-v <= scale && v-u <= scale }
	return d(a.Min.X, b.Min.X) && d(a.Min.Y, b.Min.Y) && d(a.Max.X, b.Max.X) && d(a.Max.Y, b.Max.Y)
}
