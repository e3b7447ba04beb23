package imagefp

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Pixel edits of the robustness harness. Each returns a new image and
// leaves its input unchanged.

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

// watermarkBars draws eight opaque white bars, like a line of large block
// letters, that cover 5% of the picture near its bottom: a harder case
// than a real watermark, which is translucent.
func watermarkBars(img *image.RGBA) *image.RGBA {
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

// watermarkText writes a stock-photo watermark across img: three rows of
// bold text, each about a tenth of the height tall and most of the width
// long, in white at the given opacity (0..1).
func watermarkText(tb testing.TB, img *image.RGBA, text string, opacity float64) *image.RGBA {
	tb.Helper()
	dst := toRGBA(img)
	w, h := dst.Bounds().Dx(), dst.Bounds().Dy()
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		tb.Fatal(err)
	}
	size := float64(h) / 10
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		tb.Fatal(err)
	}
	defer face.Close()
	// Shrink the size so that one line spans about 80% of the width.
	if adv := font.MeasureString(face, text).Round(); adv > 0 {
		size *= 0.8 * float64(w) / float64(adv)
		size = min(size, float64(h)/6)
		face.Close()
		if face, err = opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}); err != nil {
			tb.Fatal(err)
		}
	}
	ink := image.NewUniform(color.NRGBA{255, 255, 255, uint8(math.Round(255 * opacity))})
	d := font.Drawer{Dst: dst, Src: ink, Face: face}
	adv := d.MeasureString(text)
	for _, row := range []float64{0.3, 0.58, 0.86} {
		d.Dot = fixed.Point26_6{X: (fixed.I(w) - adv) / 2, Y: fixed.I(int(row * float64(h)))}
		d.DrawString(text)
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

// cropRect returns the part r of img (in img's coordinates) as a new image.
func cropRect(img *image.RGBA, r image.Rectangle) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Src)
	return dst
}

// cutSides returns the rectangle of img left after cutting the given
// shares of its width (l, r) and height (t, b).
func cutSides(img *image.RGBA, l, t, r, b float64) image.Rectangle {
	w, h := float64(img.Bounds().Dx()), float64(img.Bounds().Dy())
	return image.Rect(int(l*w), int(t*h), int(math.Round((1-r)*w)), int(math.Round((1-b)*h)))
}

// oneSide returns cut shares (l, t, r, b) with frac on side k%4 only.
func oneSide(k int, frac float64) (l, t, r, b float64) {
	switch k % 4 {
	case 0:
		return frac, 0, 0, 0
	case 1:
		return 0, frac, 0, 0
	case 2:
		return 0, 0, frac, 0
	}
	return 0, 0, 0, frac
}

// oneCorner returns cut shares that keep corner k%4 (top-left, top-right,
// bottom-right, bottom-left) and cut frac of the width and of the height
// from the two opposite sides.
func oneCorner(k int, frac float64) (l, t, r, b float64) {
	switch k % 4 {
	case 0:
		return 0, 0, frac, frac
	case 1:
		return frac, 0, 0, frac
	case 2:
		return frac, frac, 0, 0
	}
	return 0, frac, frac, 0
}

// padSides surrounds img with a border of colour c, of the given shares
// of its width (l, r) and height (t, b).
func padSides(img *image.RGBA, l, t, r, b float64, c color.Color) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	pl, pt := int(float64(w)*l), int(float64(h)*t)
	pr, pb := int(float64(w)*r), int(float64(h)*b)
	dst := image.NewRGBA(image.Rect(0, 0, w+pl+pr, h+pt+pb))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(pl, pt, pl+w, pt+h), img, image.Point{}, draw.Src)
	return dst
}

// placeOn draws img at (x, y) on a canvas of factor times its size filled
// with background (nil: white) scaled to cover it.
func placeOn(img, background *image.RGBA, factor float64, x, y int) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	cw, ch := int(float64(w)*factor), int(float64(h)*factor)
	dst := image.NewRGBA(image.Rect(0, 0, cw, ch))
	if background == nil {
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	} else {
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), background, background.Bounds(), draw.Src, nil)
	}
	draw.Draw(dst, image.Rect(x, y, x+w, y+h), img, image.Point{}, draw.Src)
	return dst
}

// placeCorner places img in corner k%4 of a canvas factor times its size.
func placeCorner(img, background *image.RGBA, factor float64, k int) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	fx, fy := int(float64(w)*(factor-1)), int(float64(h)*(factor-1))
	xs := [4]int{0, fx, fx, 0}
	ys := [4]int{0, 0, fy, fy}
	return placeOn(img, background, factor, xs[k%4], ys[k%4])
}

// placeRandom places img at a random position of a canvas factor times
// its size.
func placeRandom(img, background *image.RGBA, factor float64, rng *rand.Rand) *image.RGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	fx, fy := int(float64(w)*(factor-1)), int(float64(h)*(factor-1))
	return placeOn(img, background, factor, rng.IntN(fx+1), rng.IntN(fy+1))
}

// screenshot lays img out like a web page at about 40% of the page's
// width (a header, grey text lines, img at a random place in the text
// column) and scales the page to a screen's width of at most 1600 pixels.
func screenshot(img *image.RGBA, rng *rand.Rand) image.Image {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	pw := int(float64(w) * 2.5)
	ph := max(pw*3/4, h+h/2)
	page, _ := screenshotOf(img, rng, pw, ph)
	if pw <= 1600 {
		return page
	}
	return scaled(page, 1600/float64(pw))
}
