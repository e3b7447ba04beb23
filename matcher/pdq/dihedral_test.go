package pdq

import (
	"image"
	"image/draw"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

// toNRGBA copies img into an NRGBA image with origin (0, 0). Opaque images
// go through RGBA, whose pixels are then the same and which draw.Draw
// fills without its generic per-pixel path (slow under -race).
func toNRGBA(img image.Image) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	rgba := image.NewRGBA(out.Rect)
	draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
	if rgba.Opaque() {
		copy(out.Pix, rgba.Pix)
	} else {
		draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	}
	return out
}

// apply returns src transformed by t, moving the pixels. src's origin is
// (0, 0) (see toNRGBA, done once per image: the conversion is the slow part).
func apply(src *image.NRGBA, t Transform) image.Image {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	ow, oh := w, h
	if t == Rot90 || t == Rot270 || t == Transpose || t == Transverse {
		ow, oh = h, w
	}
	out := image.NewNRGBA(image.Rect(0, 0, ow, oh))
	for y := range oh {
		for x := range ow {
			sx, sy := source(t, x, y, w, h)
			copy(out.Pix[out.PixOffset(x, y):][:4], src.Pix[src.PixOffset(sx, sy):][:4])
		}
	}
	return out
}

// source is the pixel of a w×h image that lands at (x, y) after t.
func source(t Transform, x, y, w, h int) (int, int) {
	switch t {
	case Rot90: // counter-clockwise: the top-right corner comes to the top-left
		return w - 1 - y, x
	case Rot180:
		return w - 1 - x, h - 1 - y
	case Rot270:
		return y, h - 1 - x
	case HFlip:
		return w - 1 - x, y
	case VFlip:
		return x, h - 1 - y
	case Transpose:
		return y, x
	case Transverse:
		return w - 1 - y, h - 1 - x
	}
	return x, y
}

// dihedralImages are test images of several shapes: small and not
// resampled, exactly 512×512, and large (resampled to 512×512).
func dihedralImages(t *testing.T) map[string]image.Image {
	t.Helper()
	return map[string]image.Image{
		"synthetic 300x200": texture(300, 200, opaque),
		"bridge 512x512":    decodeFile(t, filepath.Join(shareddata.Path(t, "pdq/bridge-mods"), "square-512x512.jpg")),
		"bridge 1600x1004":  decodeFile(t, filepath.Join(shareddata.Path(t, "pdq/bridge-mods"), "aaa-orig.jpg")),
		// The worst photo for the reference's derived variants (vflip: 50 bits).
		"storm 1920x1280": decodeFile(t, shareddata.Path(t, "images/mate-backgrounds/nature/Storm.jpg")),
	}
}

// TestDihedralMatchesTransformedPixels: DihedralExact[t] is the hash of the
// transformed pixels; Dihedral[t] (one DCT, as the reference) is logged,
// and both single out t among the eight variants.
//
// Under the race detector, which only slows this single-goroutine hashing,
// each image gets every second transform, alternating by pairs of images
// in name order so that each transform meets one large photo (storm gets
// vflip, its worst derived variant) and one small image; every check
// still compares with all eight variants.
func TestDihedralMatchesTransformedPixels(t *testing.T) {
	imgs := dihedralImages(t)
	for k, name := range slices.Sorted(maps.Keys(imgs)) {
		img := imgs[name]
		derived, q := Dihedral(img)
		exact, eq := DihedralExact(img)
		plain, pq := HashImage(img)
		if derived[None] != plain || exact[None] != plain || q != pq || eq != pq {
			t.Errorf("%s: none variants %s, %s (q%d, q%d), HashImage %s (q%d)",
				name, derived[None], exact[None], q, eq, plain, pq)
		}
		src := toNRGBA(img)
		for tr := range Transform(NumTransforms) {
			if raceEnabled && (k/2+int(tr))%2 != 0 {
				continue
			}
			t.Run(name+"/"+tr.String(), func(t *testing.T) {
				got, _ := HashImage(apply(src, tr))
				de, dd := Distance(got, exact[tr]), Distance(got, derived[tr])
				t.Logf("distance to the exact variant %d, to the derived variant %d", de, dd)
				if de > 2 {
					t.Errorf("hash of the %s image is %d bits from DihedralExact's %s", tr, de, tr)
				}
				for other := range Transform(NumTransforms) {
					if od := Distance(got, exact[other]); other != tr && od <= MatchDistance {
						t.Errorf("also within %d bits of the exact %s variant", od, other)
					}
					if od := Distance(got, derived[other]); other != tr && od <= dd {
						t.Errorf("derived %s variant (%d bits) is as close as %s (%d)", other, od, tr, dd)
					}
				}
			})
		}
	}
}

func TestTransformNames(t *testing.T) {
	want := []string{"none", "rot90", "rot180", "rot270", "hflip", "vflip", "transpose", "transverse"}
	for i, name := range want {
		tr, err := ParseTransform(name)
		if err != nil || tr != Transform(i) || tr.String() != name {
			t.Errorf("ParseTransform(%q) = %v, %v; want %d", name, tr, err, i)
		}
	}
	if _, err := ParseTransform("crop"); err == nil {
		t.Error("ParseTransform(crop) succeeded")
	}
	if s := Transform(99).String(); s != "transform(99)" {
		t.Errorf("String of an invalid transform = %q", s)
	}
}
