package pdq

import (
	"image"
	"image/color"
	"image/draw"
	"path/filepath"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

// TestPixelLayoutsAgree: each fast path hashes like the generic path
// (color.NRGBAModel over At) on the same pixels, including sub-images with
// odd offsets. YCbCr differs from the generic path only by Go's two
// YCbCr→RGB roundings, so it gets a few bits of slack.
func TestPixelLayoutsAgree(t *testing.T) {
	photo := decodeFile(t, filepath.Join(shareddata.Path(t, "pdq/bridge-mods"), "aaa-orig.jpg"))
	ycc, ok := photo.(*image.YCbCr)
	if !ok {
		t.Fatalf("aaa-orig.jpg decoded as %T, want *image.YCbCr", photo)
	}
	sub := ycc.SubImage(image.Rect(101, 77, 1401, 977))
	b := sub.Bounds()
	rgba := image.NewRGBA(b)
	draw.Draw(rgba, b, sub, b.Min, draw.Src)
	// The photo is opaque, so its NRGBA pixels are its RGBA ones, and the
	// grey palette maps grey v to index v, as draw.Draw would pick: copying
	// gives the same pixels without draw's generic per-pixel paths (slow
	// under -race).
	nrgba := image.NewNRGBA(b)
	copy(nrgba.Pix, rgba.Pix)
	gray := image.NewGray(b)
	draw.Draw(gray, b, sub, b.Min, draw.Src)
	pal := image.NewPaletted(b, grayPalette())
	copy(pal.Pix, gray.Pix)

	tests := []struct {
		name   string
		img    image.Image
		slack  int
		shared image.Image // the generic-path equivalent
	}{
		{"YCbCr sub-image", sub, 4, custom{sub}},
		{"NRGBA", nrgba, 0, custom{nrgba}},
		{"RGBA", rgba, 0, custom{rgba}},
		{"Gray", gray, 0, custom{gray}},
		{"Paletted grey", pal, 0, custom{pal}},
	}
	for _, tt := range tests {
		got, q := HashImage(tt.img)
		want, wq := HashImage(tt.shared)
		d := Distance(got, want)
		t.Logf("%s: %d bits from the generic path (quality %d, %d)", tt.name, d, q, wq)
		if d > tt.slack {
			t.Errorf("%s: %d bits from the generic path, want ≤ %d", tt.name, d, tt.slack)
		}
	}
	// Grey images take the grey value itself; the colour path of the same
	// picture lands close.
	g, _ := HashImage(gray)
	c, _ := HashImage(nrgba)
	if d := Distance(g, c); d > 16 {
		t.Errorf("grey copy is %d bits from the colour image", d)
	}
}

// grayPalette is the 256 grey levels.
func grayPalette() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{uint8(i)}
	}
	return p
}
