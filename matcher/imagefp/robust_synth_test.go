package imagefp

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"golang.org/x/image/draw"
)

// Synthetic distractors for the robustness harness: images unrelated to
// the shared photos, of the kinds a crawl meets (smooth photos, flat
// graphics with hard edges, textures, pages and collages), so that the
// harness measures precision against more than the photos themselves.

// synthKinds names the generators of syntheticImage, in order.
var synthKinds = []string{"field", "shapes", "texture", "page", "collage"}

// syntheticImage draws image n of a seeded stream: kind n%5, random size
// (longer side 256-1024) and aspect ratio.
func syntheticImage(seed uint64, n int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	aspects := []float64{1, 4.0 / 3, 3.0 / 2, 16.0 / 9, 3.0 / 4, 2.0 / 3}
	a := aspects[rng.IntN(len(aspects))]
	long := 256 + rng.IntN(769)
	w, h := long, int(float64(long)/a)
	if a < 1 {
		w, h = int(float64(long)*a), long
	}
	return synthOfKind(rng, n%len(synthKinds), w, h)
}

// synthOfKind draws a w×h image of generator kind.
func synthOfKind(rng *rand.Rand, kind, w, h int) *image.RGBA {
	switch kind {
	case 0:
		return synthField(rng, w, h)
	case 1:
		return synthShapes(rng, w, h)
	case 2:
		return synthTexture(rng, w, h)
	case 3:
		return synthPage(rng, w, h)
	}
	return synthCollage(rng, w, h)
}

// randColour returns an opaque random colour.
func randColour(rng *rand.Rand) color.RGBA {
	return color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
}

// synthField is a smooth picture: a gradient plus coloured Gaussian blobs
// and a little noise, like an out-of-focus photo.
func synthField(rng *rand.Rand, w, h int) *image.RGBA {
	type blob struct {
		x, y, r float64
		c       [3]float64
	}
	blobs := make([]blob, 4+rng.IntN(10))
	for i := range blobs {
		c := randColour(rng)
		blobs[i] = blob{rng.Float64() * float64(w), rng.Float64() * float64(h),
			(0.05 + 0.3*rng.Float64()) * float64(max(w, h)), [3]float64{float64(c.R), float64(c.G), float64(c.B)}}
	}
	c0, c1 := randColour(rng), randColour(rng)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		t := float64(y) / float64(h)
		for x := range w {
			v := [3]float64{float64(c0.R)*(1-t) + float64(c1.R)*t, float64(c0.G)*(1-t) + float64(c1.G)*t, float64(c0.B)*(1-t) + float64(c1.B)*t}
			for _, b := range blobs {
				dx, dy := float64(x)-b.x, float64(y)-b.y
				k := math.Exp(-(dx*dx + dy*dy) / (2 * b.r * b.r))
				for i := range v {
					v[i] = v[i]*(1-k) + b.c[i]*k
				}
			}
			o := dst.PixOffset(x, y)
			for i := range v {
				dst.Pix[o+i] = uint8(min(255, max(0, v[i]+rng.NormFloat64()*3)))
			}
			dst.Pix[o+3] = 255
		}
	}
	return dst
}

// synthShapes is a flat graphic: rectangles and ellipses with hard edges.
func synthShapes(rng *rand.Rand, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(randColour(rng)), image.Point{}, draw.Src)
	for range 8 + rng.IntN(30) {
		x0, y0 := rng.IntN(w), rng.IntN(h)
		x1, y1 := x0+rng.IntN(w/2+1), y0+rng.IntN(h/2+1)
		c := image.NewUniform(randColour(rng))
		if rng.IntN(2) == 0 {
			draw.Draw(dst, image.Rect(x0, y0, x1, y1), c, image.Point{}, draw.Src)
			continue
		}
		cx, cy, rx, ry := float64(x0+x1)/2, float64(y0+y1)/2, float64(x1-x0)/2+1, float64(y1-y0)/2+1
		for y := max(0, y0); y < min(h, y1); y++ {
			for x := max(0, x0); x < min(w, x1); x++ {
				if dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry; dx*dx+dy*dy <= 1 {
					dst.Set(x, y, c.C)
				}
			}
		}
	}
	return dst
}

// synthTexture is value noise at a random scale in random colours, like
// grass, sand or gravel.
func synthTexture(rng *rand.Rand, w, h int) *image.RGBA {
	cell := 2 + rng.IntN(24)
	gw, gh := w/cell+2, h/cell+2
	grid := make([]float64, gw*gh)
	for i := range grid {
		grid[i] = rng.Float64()
	}
	c0, c1 := randColour(rng), randColour(rng)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		gy, fy := y/cell, float64(y%cell)/float64(cell)
		for x := range w {
			gx, fx := x/cell, float64(x%cell)/float64(cell)
			top := grid[gy*gw+gx]*(1-fx) + grid[gy*gw+gx+1]*fx
			bot := grid[(gy+1)*gw+gx]*(1-fx) + grid[(gy+1)*gw+gx+1]*fx
			t := top*(1-fy) + bot*fy
			o := dst.PixOffset(x, y)
			dst.Pix[o] = uint8(float64(c0.R)*(1-t) + float64(c1.R)*t)
			dst.Pix[o+1] = uint8(float64(c0.G)*(1-t) + float64(c1.G)*t)
			dst.Pix[o+2] = uint8(float64(c0.B)*(1-t) + float64(c1.B)*t)
			dst.Pix[o+3] = 255
		}
	}
	return dst
}

// synthPage is a web page: header, text lines and an unrelated picture.
func synthPage(rng *rand.Rand, w, h int) *image.RGBA {
	pic := synthField(rng, max(8, w*(3+rng.IntN(4))/10), max(8, h*(3+rng.IntN(4))/10))
	page, _ := screenshotOf(pic, rng, w, h)
	return page
}

// screenshotOf lays pic out on a w×h page with a header and text lines,
// and returns the page and where pic is on it.
func screenshotOf(pic *image.RGBA, rng *rand.Rand, w, h int) (*image.RGBA, image.Rectangle) {
	page := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(page, page.Bounds(), image.NewUniform(color.RGBA{250, 250, 250, 255}), image.Point{}, draw.Src)
	header := image.Rect(0, 0, w, max(4, h/14))
	draw.Draw(page, header, image.NewUniform(randColour(rng)), image.Point{}, draw.Src)
	line := max(3, h/70)
	for y := header.Max.Y + 2*line; y+line < h; y += 2 * line {
		x1 := w/12 + w/12 + rng.IntN(max(1, w*9/12))
		draw.Draw(page, image.Rect(w/12, y, min(x1, w*11/12), y+line), image.NewUniform(color.RGBA{90, 90, 90, 255}), image.Point{}, draw.Src)
	}
	pw, ph := pic.Bounds().Dx(), pic.Bounds().Dy()
	x := w/12 + rng.IntN(max(1, w*11/12-pw-w/12))
	y := header.Max.Y + line + rng.IntN(max(1, h-ph-header.Max.Y-2*line))
	r := image.Rect(x, y, x+pw, y+ph)
	draw.Draw(page, r, pic, image.Point{}, draw.Src)
	return page, r
}

// synthCollage tiles four other synthetic pictures with a gutter.
func synthCollage(rng *rand.Rand, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(randColour(rng)), image.Point{}, draw.Src)
	g := max(2, w/40)
	cw, ch := (w-3*g)/2, (h-3*g)/2
	for i := range 4 {
		tile := synthOfKind(rng, rng.IntN(3), max(8, cw), max(8, ch))
		x, y := g+(i%2)*(cw+g), g+(i/2)*(ch+g)
		draw.Draw(dst, image.Rect(x, y, x+cw, y+ch), tile, image.Point{}, draw.Src)
	}
	return dst
}
