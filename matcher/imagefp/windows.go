package imagefp

import (
	"image"
	"math"
)

// Window hashes: crops, borders and placement.
//
// PDQ needs the frame of a picture within about 1% of its size: moving a
// window by 1% of its side moves its hash by ~30 of 256 bits, and scaling
// it by 2% by ~26. Fixed windows therefore match only the crops they were
// cut for, to about ±1%; a crop of 7% misses windows of 5% and 10%. The
// windows below are chosen so that whole families of crops match at any
// amount, each family by a pair of windows that show the same content:
//
//   - strips: a crop that keeps one axis whole (cuts from the left and
//     right only, as for a thumbnail of another aspect ratio, or from one
//     side) keeps that axis's length as a scale. A strip as wide as
//     stripSize times the image's height, at its left edge, centre or
//     right edge, shows the same content in the work and in such a crop,
//     however much was cut and however the copy was resized, as long as
//     the strip fits. Likewise for strips across the top, middle and
//     bottom. Both sides hash the same 6 strips.
//   - centred zoom: a crop of the same share from every side (k of each
//     side kept). The work keeps centred windows of 87, 75, 65 and 56 % of
//     its sides (steps of 1/0.864), the found image its whole and centred
//     windows of 86-98 % in steps of 2.4 %, so that some pair (a, b) has
//     a/b within ~1.2 % of k for any k from 0.56 to 1 (cuts of 0-22 % per
//     side).
//   - corners: a crop that keeps a corner of the work and was not resized
//     keeps the pixel scale. Squares at each corner of a fixed size in the
//     original image's pixels, 128 px times a power of √2, show the same
//     content: the found image hashes, at each corner, the largest such
//     square it holds, the work its two largest (a crop of up to 29 % of
//     the shorter side needs no smaller one).
//   - placement (a border or padding, a collage, a page): the found image's
//     picture regions (regions.go) against the work's whole image.
//
// Crops that cut both axes off-centre and were also resized, or cut all
// four sides unequally, are not covered: the harness measures them.

// PartMaxDistance is the largest PDQ distance at which a pair of hashes
// involving a part (PDQWindows, PDQRegions: a window, a picture region, or
// the whole hashed from the part plane) counts as the same picture. Parts
// are smaller and more numerous than whole images, and strips of pictures
// with a strong common layout (collages, pages) came within 30 bits in the
// robustness harness, so they get less room than whole images (31, PDQ's
// reference threshold).
const PartMaxDistance = 26

// Window geometry.
const (
	stripSize = 0.45 // a strip's width (height) as a share of the image's height (width)
)

var (
	// workZoom are the centred windows of a registered work, as shares of
	// its sides.
	workZoom = []float64{0.87, 0.75, 0.65, 0.56}
	// foundZoom are the centred windows of a found image: a geometric
	// progression from 1 (the whole, hashed anyway) down to 0.86.
	foundZoom = []float64{0.976, 0.953, 0.93, 0.907, 0.885, 0.864}
	// stripAnchors place strips at the start, centre and end of an axis.
	stripAnchors = []float64{0, 0.5, 1}
)

// frame is a part of an image defined by the image's size: a centred
// window of zoom times each side, or a strip.
type frame struct {
	zoom   float64 // centred window: share of each side (0 for a strip)
	across bool    // strip: true for a horizontal strip (full width)
	anchor float64 // strip: 0 at the start of its axis, 0.5 centred, 1 at the end
}

// rect returns the frame in an image of w×h pixels, or false when a strip
// does not fit (it would span the whole axis).
func (f frame) rect(w, h float64) (rectF, bool) {
	if f.zoom > 0 {
		mx, my := w*(1-f.zoom)/2, h*(1-f.zoom)/2
		return rectF{mx, my, w - mx, h - my}, true
	}
	if f.across {
		sh := stripSize * w
		if sh >= h {
			return rectF{}, false
		}
		y := f.anchor * (h - sh)
		return rectF{0, y, w, y + sh}, true
	}
	sw := stripSize * h
	if sw >= w {
		return rectF{}, false
	}
	x := f.anchor * (w - sw)
	return rectF{x, 0, x + sw, h}, true
}

// cornerBase is the smallest corner square, in original pixels; squares
// grow by √2.
const cornerBase = 128

// cornerSquares returns squares at the four corners of an image of w×h
// original pixels, shown at scale decoded pixels per original pixel: of
// the n largest sizes cornerBase·√2^i that fit in the image.
func cornerSquares(w, h int, scale float64, n int) []rectF {
	var sizes []float64
	for s := float64(cornerBase); s <= float64(min(w, h)); s *= math.Sqrt2 {
		sizes = append(sizes, s)
	}
	sizes = sizes[max(0, len(sizes)-n):]
	W, H := float64(w)*scale, float64(h)*scale
	var out []rectF
	for _, s := range sizes {
		s *= scale
		out = append(out, rectF{0, 0, s, s}, rectF{W - s, 0, W, s}, rectF{0, H - s, s, H}, rectF{W - s, H - s, W, H})
	}
	return out
}

// windowPlan says which parts of an image are hashed besides the whole.
type windowPlan struct {
	work    []frame // parts of a registered work (PDQWindows, after its whole)
	found   []frame // parts of a found image (PDQWindows, after its whole)
	corners [2]int  // corner-square sizes of a work and of a found image
	regions int     // picture regions of a found image (PDQRegions), at most
}

// defaultPlan is the plan Compute and ComputeWork use.
func defaultPlan() windowPlan {
	p := windowPlan{regions: maxRegions, corners: [2]int{2, 1}}
	var strips []frame
	for _, across := range []bool{false, true} {
		for _, a := range stripAnchors {
			strips = append(strips, frame{across: across, anchor: a})
		}
	}
	p.work = append(p.work, strips...)
	p.found = append(p.found, strips...)
	for _, z := range workZoom {
		p.work = append(p.work, frame{zoom: z})
	}
	for _, z := range foundZoom {
		p.found = append(p.found, frame{zoom: z})
	}
	return p
}

// parts hashes an image's whole, the given frames and n corner-square
// sizes from one plane; the whole comes first (Area 1). origW and origH
// are the image's size before any reduced decoding (0: as decoded).
func parts(img image.Image, in *integral, frames []frame, n, origW, origH int) []Part {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	rs := []rectF{{0, 0, w, h}}
	for _, f := range frames {
		if r, ok := f.rect(w, h); ok {
			rs = append(rs, r)
		}
	}
	if origW <= 0 || origH <= 0 {
		origW, origH = b.Dx(), b.Dy()
	}
	rs = append(rs, cornerSquares(origW, origH, w/float64(origW), n)...)
	return in.hashRects(rs, b.Dx(), b.Dy())
}

// workWindows returns the part hashes of a registered work of origW×origH
// original pixels: its whole (hashed from the plane, to pair with found
// parts) and its windows.
func (p windowPlan) workWindows(img image.Image, origW, origH int) []Part {
	in := newIntegral(sampleLuma(img, partSide))
	return parts(img, &in, p.work, p.corners[0], origW, origH)
}

// foundWindows returns the window and picture-region hashes of a found
// image of origW×origH original pixels.
func (p windowPlan) foundWindows(img image.Image, origW, origH int) (windows, regionHashes []Part) {
	plane := sampleLuma(img, partSide)
	in := newIntegral(plane)
	windows = parts(img, &in, p.found, p.corners[1], origW, origH)
	if p.regions > 0 {
		var rs []rectF
		for _, r := range regionsOf(img, plane, p.regions) {
			rs = append(rs, fromRect(r, img.Bounds().Min))
		}
		regionHashes = in.hashRects(rs, img.Bounds().Dx(), img.Bounds().Dy())
	}
	return windows, regionHashes
}

// subImage returns the part r of img, or nil if img cannot be cut.
func subImage(img image.Image, r image.Rectangle) image.Image {
	s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok || r.Empty() {
		return nil
	}
	return s.SubImage(r)
}
