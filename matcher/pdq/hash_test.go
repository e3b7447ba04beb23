package pdq

import (
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

func TestHexRoundTripAndBitOrder(t *testing.T) {
	tests := []struct {
		name string
		bits []int
		hex  string
	}{
		{"zero", nil, strings.Repeat("0", 64)},
		{"bit 0 is the last digit", []int{0}, strings.Repeat("0", 63) + "1"},
		{"bit 255 is the first digit", []int{255}, "8" + strings.Repeat("0", 63)},
		{"bit 16 starts the second-last word", []int{16, 1}, strings.Repeat("0", 59) + "10002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Hash
			for _, k := range tt.bits {
				h.setBit(k)
			}
			if got := h.Hex(); got != tt.hex {
				t.Fatalf("Hex() = %s, want %s", got, tt.hex)
			}
			back, err := ParseHex(strings.ToUpper(tt.hex))
			if err != nil || back != h {
				t.Fatalf("ParseHex(Hex()) = %v, %v; want %v", back, err, h)
			}
			for _, k := range tt.bits {
				if !h.Bit(k) {
					t.Errorf("Bit(%d) = false after setBit", k)
				}
			}
		})
	}
}

func TestParseHexRejects(t *testing.T) {
	for _, s := range []string{"", "abc", strings.Repeat("g", 64), strings.Repeat("0", 65)} {
		if _, err := ParseHex(s); !errors.Is(err, ErrHex) {
			t.Errorf("ParseHex(%q) error = %v, want ErrHex", s, err)
		}
	}
}

func TestDistance(t *testing.T) {
	a := mustParse(t, "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	b := mustParse(t, "d8f8f0cee0f4a84f0637022a038f67f0b36e2ed596631e1d33e6339c4e9c9b22")
	var zero, ones Hash
	for i := range ones {
		ones[i] = 0xff
	}
	tests := []struct {
		name string
		a, b Hash
		want int
	}{
		{"same", a, a, 0},
		{"reference pair", a, b, 2},
		{"complement", zero, ones, Bits},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Distance = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// texture returns a deterministic textured NRGBA image with alpha a(x, y).
func texture(w, h int, alpha func(x, y int) uint8) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			v := func(p float64) uint8 {
				s := math.Sin(7*fx+p)*math.Cos(5*fy-p) + 0.5*math.Sin(23*fx*fy+3*p)
				return uint8(127.5 + 80*s)
			}
			img.SetNRGBA(x, y, color.NRGBA{v(0), v(1), v(2), alpha(x, y)})
		}
	}
	return img
}

func TestSmallImagesGetZeroHash(t *testing.T) {
	for _, r := range []image.Rectangle{image.Rect(0, 0, 4, 100), image.Rect(0, 0, 100, 4), image.Rect(0, 0, 0, 0), image.Rect(0, 0, 0, 900)} {
		img := image.NewGray(r)
		if h, q := HashImage(img); h != (Hash{}) || q != 0 {
			t.Errorf("%v: got %s quality %d, want zero hash, quality 0", r, h, q)
		}
		if hs, q := Dihedral(img); hs != ([NumTransforms]Hash{}) || q != 0 {
			t.Errorf("%v: Dihedral gave non-zero hashes or quality %d", r, q)
		}
		if hs, q := DihedralExact(img); hs != ([NumTransforms]Hash{}) || q != 0 {
			t.Errorf("%v: DihedralExact gave non-zero hashes or quality %d", r, q)
		}
	}
	// A thin strip over 512 px is stretched to 512×512 and hashed, as in
	// the reference.
	strip := texture(1000, 3, opaque)
	if h, _ := HashImage(strip); h == (Hash{}) {
		t.Error("1000x3 image got the zero hash")
	}
}

func TestFlatImageHasLowQuality(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range img.Pix {
		img.Pix[i] = 90
	}
	if _, q := HashImage(img); q >= MinQuality {
		t.Errorf("flat image quality %d, want < %d", q, MinQuality)
	}
	if _, q := HashImage(texture(300, 200, opaque)); q < MinQuality {
		t.Errorf("textured image quality %d, want ≥ %d", q, MinQuality)
	}
}

func opaque(int, int) uint8 { return 0xff }

// TestAlphaIsNotPremultiplied: translucent pixels hash by their straight
// colour, whether the image is stored premultiplied or not.
func TestAlphaIsNotPremultiplied(t *testing.T) {
	photo := decodeFile(t, filepath.Join(shareddata.Path(t, "pdq/bridge-mods"), "square-512x512.jpg"))
	b := photo.Bounds()
	opaqueImg := image.NewNRGBA(b)
	draw.Draw(opaqueImg, b, photo, b.Min, draw.Src)
	want, _ := HashImage(opaqueImg)

	straight := image.NewNRGBA(b)
	premul := image.NewRGBA(b)
	blackened := image.NewNRGBA(b) // premultiplied colour taken as opaque
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := opaqueImg.NRGBAAt(x, y)
			c.A = uint8(96 + 159*((x/37+y/23)%2))
			straight.SetNRGBA(x, y, c)
			p := color.RGBAModel.Convert(c).(color.RGBA)
			premul.SetRGBA(x, y, p)
			blackened.SetNRGBA(x, y, color.NRGBA{p.R, p.G, p.B, 0xff})
		}
	}
	tests := []struct {
		name    string
		img     image.Image
		maxDist int
	}{
		{"NRGBA", straight, 0},
		{"RGBA premultiplied", premul, 8},
		{"generic path", custom{straight}, 0},
	}
	for _, tt := range tests {
		got, _ := HashImage(tt.img)
		d := Distance(got, want)
		t.Logf("%s: %d bits from the opaque image", tt.name, d)
		if d > tt.maxDist {
			t.Errorf("%s: distance %d to the opaque image, want ≤ %d", tt.name, d, tt.maxDist)
		}
	}
	// The test has teeth: hashing premultiplied colour moves the hash far.
	bad, _ := HashImage(blackened)
	t.Logf("premultiplied colour taken as opaque: %d bits", Distance(bad, want))
	if d := Distance(bad, want); d < 20 {
		t.Errorf("premultiplied colour is only %d bits away: the test cannot tell", d)
	}
}

// custom hides the concrete type so the generic path is taken.
type custom struct{ image.Image }

func TestHashJSON(t *testing.T) {
	want := mustParse(t, "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	data, err := json.Marshal(map[string]Hash{"pdq": want})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"pdq":"d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"}` {
		t.Fatalf("json = %s", data)
	}
	var got map[string]Hash
	if err := json.Unmarshal(data, &got); err != nil || got["pdq"] != want {
		t.Fatalf("round trip = %v, %v", got, err)
	}
	if err := json.Unmarshal([]byte(`{"pdq":"xyz"}`), &got); !errors.Is(err, ErrHex) {
		t.Fatalf("bad hex: error %v, want ErrHex", err)
	}
}

// TestOddImagesDoNotPanic: unusual colour models and origins hash without
// panicking, through the generic path.
func TestOddImagesDoNotPanic(t *testing.T) {
	r := image.Rect(-40, -30, 160, 120)
	imgs := map[string]image.Image{
		"CMYK":                 image.NewCMYK(r),
		"Alpha16":              image.NewAlpha16(r),
		"NRGBA64":              image.NewNRGBA64(r),
		"Gray16":               image.NewGray16(r),
		"Paletted, no palette": image.NewPaletted(r, nil),
		"YCbCr 4:1:0":          image.NewYCbCr(r, image.YCbCrSubsampleRatio410),
		"NYCbCrA 4:2:0":        image.NewNYCbCrA(image.Rect(-3, -5, 700, 9), image.YCbCrSubsampleRatio420),
	}
	for name, img := range imgs {
		if _, q := HashImage(img); q != 0 {
			t.Errorf("%s: flat image has quality %d", name, q)
		}
		DihedralExact(img)
	}
}
