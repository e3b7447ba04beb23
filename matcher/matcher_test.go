package matcher

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/pdq"
	"github.com/attrib/attrib/matcher/textfp"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

const poem = `Every evening at the turning of the tide she climbs the ninety steps of salted iron,
counting them the way her mother counted rosaries, and lights the lamp that no ship needs any more.
The harbour has been silent for a decade; the trawlers rust like sleeping animals along the
breakwater, their names half eaten by the patient grammar of the sea.`

func openStore(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newMatcher(t testing.TB, st Registry) *Matcher {
	t.Helper()
	m, err := New(st, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// gradient draws a test picture; seed varies its structure.
func gradient(w, h, seed int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8((x*seed + y*(7-seed)) * 255 / (w + h) % 256)
			if (x/(w/4)+y/(h/3))%2 == seed%2 {
				v = 255 - v
			}
			img.Set(x, y, color.RGBA{v, v / 2, 255 - v, 255})
		}
	}
	return img
}

func encode(t testing.TB, img image.Image, asJPEG bool) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	if asJPEG {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 60})
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRegisterIsIdempotentAndLoadRebuildsIndex(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	m := newMatcher(t, st)
	in := Input{Creator: "Mara", Title: "poem.txt", Kind: store.KindText, Data: []byte(poem), Text: poem}
	w1, created, err := m.Register(ctx, in)
	if err != nil || !created {
		t.Fatalf("first register: created=%v err=%v", created, err)
	}
	w2, created, err := m.Register(ctx, in)
	if err != nil || created || w2.ID != w1.ID {
		t.Fatalf("second register: %s created=%v err=%v, want %s existing", w2.ID, created, err, w1.ID)
	}
	if _, _, err := m.Register(ctx, Input{Creator: "Mara", Kind: store.KindText, Data: []byte("!!"), Text: "!! ??"}); err == nil {
		t.Error("a text without words registered")
	}

	// A fresh matcher over the same store finds the work after Load.
	m2 := newMatcher(t, st)
	page := "A long introduction about boats and harbours. " + poem[100:] + " And a closing remark."
	if ms, _ := m2.MatchText(ctx, Found{URL: "http://x/p"}, page); len(ms) != 0 {
		t.Fatalf("matched before Load: %+v", ms)
	}
	skipped, err := m2.Load(ctx)
	if err != nil || skipped != 0 || m2.Len() != 1 {
		t.Fatalf("Load: skipped %d, len %d, err %v", skipped, m2.Len(), err)
	}
	ms, err := m2.MatchText(ctx, Found{URL: "http://x/p"}, page)
	if err != nil || len(ms) != 1 {
		t.Fatalf("MatchText: %v, %+v", err, ms)
	}
	mt := ms[0]
	if mt.WorkID != w1.ID || mt.Method != "text" || mt.PageURL != "http://x/p" || mt.Evidence.Distance != nil {
		t.Errorf("match %+v", mt)
	}
	p := mt.Evidence.Passages[0]
	if page[p.FoundStart:p.FoundEnd] != p.Text || !strings.Contains(poem[p.WorkStart:p.WorkEnd], "patient grammar") {
		t.Errorf("passage offsets do not point at the text: %+v", p)
	}
}

func TestMatchImage(t *testing.T) {
	ctx := context.Background()
	m := newMatcher(t, openStore(t))
	orig := encode(t, gradient(400, 300, 3), false)
	w, _, err := m.Register(ctx, Input{Creator: "P", Title: "g.png", Kind: store.KindImage, Data: orig})
	if err != nil {
		t.Fatal(err)
	}
	found := Found{URL: "http://x/i", PageURL: "http://x/"}
	tests := []struct {
		name   string
		data   []byte
		method string // "" for no match
	}{
		{"same bytes", orig, "exact"},
		{"recompressed jpeg", encode(t, gradient(400, 300, 3), true), "image"},
		{"other picture", encode(t, gradient(400, 300, 5), false), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := computeHashes(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			ms := m.MatchImage(ctx, found, h)
			if tc.method == "" {
				if len(ms) != 0 {
					t.Fatalf("unexpected match %+v (distance %d)", ms, *ms[0].Evidence.Distance)
				}
				return
			}
			if len(ms) != 1 || ms[0].Method != tc.method || ms[0].WorkID != w.ID || ms[0].Evidence.Distance == nil {
				t.Fatalf("got %+v, want one %s match", ms, tc.method)
			}
			if ms[0].PageURL != "http://x/" || ms[0].FoundCoverage != 1 {
				t.Errorf("match %+v", ms[0])
			}
			if tc.method == "exact" && (*ms[0].Evidence.Distance != 0 || ms[0].Evidence.Algorithm != "sha256") {
				t.Errorf("exact evidence %+v", ms[0].Evidence)
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	opts := DefaultOptions()
	opts.ImageMaxDistance = 65
	if _, err := New(openStore(t), opts); err == nil {
		t.Error("distance 65 of 64 bits accepted")
	}
	opts = DefaultOptions()
	opts.Text.K = 0
	if _, err := New(openStore(t), opts); err == nil {
		t.Error("shingle length 0 accepted")
	}
}

func computeHashes(data []byte) (imagefp.Hashes, error) {
	return imagefp.Compute(data, imagefp.DefaultLimits())
}

// Fingerprints written by another engine version are rebuilt from the
// stored text; unusable ones are skipped and counted.
func TestLoadRebuildsStaleFingerprints(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	sum := sha256.Sum256([]byte(poem))
	stale := []byte{99, 5, 6} // a format version no engine wrote
	_, _, err := st.PutWork(ctx, store.Work{Creator: "M", Title: "old", Kind: store.KindText, SHA256: hex.EncodeToString(sum[:]), Text: poem},
		[]store.Fingerprint{{Algorithm: textfp.Algorithm, Version: 99, Data: stale}, {Algorithm: "future-algo", Version: 1, Data: []byte{1}}})
	if err != nil {
		t.Fatal(err)
	}
	m := newMatcher(t, st)
	skipped, err := m.Load(ctx)
	if err != nil || skipped != 1 {
		t.Fatalf("Load: skipped %d (want 1: the unknown algorithm), err %v", skipped, err)
	}
	ms, err := m.MatchText(ctx, Found{URL: "http://x/"}, "Quoted: "+poem)
	if err != nil || len(ms) != 1 {
		t.Fatalf("stale work not matchable after Load: %v %+v", err, ms)
	}
}

// A byte-identical copy matches exactly, once; its text is not reported again.
func TestMatchPageExact(t *testing.T) {
	ctx := context.Background()
	m := newMatcher(t, openStore(t))
	w, _, err := m.Register(ctx, Input{Creator: "M", Title: "poem", Kind: store.KindText, Data: []byte(poem), Text: poem})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(poem))
	ms, err := m.MatchPage(ctx, Found{URL: "http://x/poem.txt"}, hex.EncodeToString(sum[:]), poem)
	if err != nil || len(ms) != 1 || ms[0].WorkID != w.ID || ms[0].Method != "exact" || ms[0].Evidence.Algorithm != "sha256" {
		t.Fatalf("got %+v, %v; want one exact match", ms, err)
	}
	ms, err = m.MatchPage(ctx, Found{URL: "http://x/quote"}, "", "Quote: "+poem)
	if err != nil || len(ms) != 1 || ms[0].Method != "text" {
		t.Fatalf("got %+v, %v; want one text match", ms, err)
	}
}

func flipH(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Max.X-1-(x-b.Min.X), y, img.At(x, y))
		}
	}
	return out
}

// A mirrored copy is found by PDQ with the transform named; a work stored
// before PDQ (pHash only) still matches by pHash.
func TestMatchImageFlippedAndLegacy(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	m := newMatcher(t, st)
	pic := gradient(400, 300, 3)
	w, _, err := m.Register(ctx, Input{Creator: "P", Title: "g.png", Kind: store.KindImage, Data: encode(t, pic, false)})
	if err != nil {
		t.Fatal(err)
	}
	h, err := computeHashes(encode(t, flipH(pic), true))
	if err != nil {
		t.Fatal(err)
	}
	ms := m.MatchImage(ctx, Found{URL: "http://x/f.jpg"}, h)
	if len(ms) != 1 || ms[0].WorkID != w.ID || ms[0].Evidence.Algorithm != "pdq" || ms[0].Evidence.Transform != "hflip" || ms[0].Evidence.Bits != 256 {
		t.Fatalf("flipped copy: %+v", ms)
	}

	// A legacy fingerprint: pHash only, as stored before PDQ.
	legacy, err := computeHashes(encode(t, gradient(400, 300, 1), false))
	if err != nil {
		t.Fatal(err)
	}
	stored := legacy
	stored.PDQ, stored.PDQQuality = pdq.Hash{}, 0
	_, _, err = st.PutWork(ctx, store.Work{Creator: "P", Title: "old.png", Kind: store.KindImage, SHA256: strings.Repeat("0", 64)},
		[]store.Fingerprint{{Algorithm: imagefp.Algorithm, Version: imagefp.Version, Data: imagefp.Encode(stored)}})
	if err != nil {
		t.Fatal(err)
	}
	m2 := newMatcher(t, st)
	if _, err := m2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	ms = m2.MatchImage(ctx, Found{URL: "http://x/o.png"}, legacy)
	if len(ms) != 1 || ms[0].Evidence.Algorithm != "phash" {
		t.Fatalf("legacy work: %+v", ms)
	}
}

// A copy inside a border or placed off-centre on a larger picture matches
// through the found image's window and region hashes ("placed", with the
// share of the found image it fills), a cropped copy through the work's
// window hashes ("crop", with the share of the work it shows).
func TestMatchImageWindows(t *testing.T) {
	ctx := context.Background()
	m := newMatcher(t, openStore(t))
	pic := gradient(400, 300, 3)
	if _, _, err := m.Register(ctx, Input{Creator: "P", Title: "g.png", Kind: store.KindImage, Data: encode(t, pic, false)}); err != nil {
		t.Fatal(err)
	}
	place := func(w, h, x, y int, bg color.Color) image.Image {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
		draw.Draw(dst, image.Rect(x, y, x+400, y+300), pic, image.Point{}, draw.Src)
		return dst
	}
	cropped := image.NewRGBA(image.Rect(0, 0, 320, 240))
	draw.Draw(cropped, cropped.Bounds(), pic, image.Point{40, 30}, draw.Src)
	corner := image.NewRGBA(image.Rect(0, 0, 330, 260)) // the bottom-right, cut from the top and left
	draw.Draw(corner, corner.Bounds(), pic, image.Point{70, 40}, draw.Src)
	// Coverage: a placed copy shows the whole work and fills a known share
	// of the found image; a crop match is through windows, so it reports
	// the share of each image the matched windows cover: at most what
	// the crop shows.
	tests := []struct {
		name             string
		img              image.Image
		transform        string
		workLo, workHi   float64
		foundLo, foundHi float64
	}{
		{"padded", place(480, 360, 40, 30, color.White), TransformPlaced, 1, 1, 0.67, 0.72},
		{"in a corner", place(900, 700, 500, 0, color.RGBA{20, 90, 40, 255}), TransformPlaced, 1, 1, 0.17, 0.21},
		{"cropped", cropped, TransformCrop, 0.3, 0.65, 0.5, 1},
		{"corner crop", corner, TransformCrop, 0.2, 0.72, 0.3, 1},
	}
	for _, tt := range tests {
		h, err := computeHashes(encode(t, tt.img, true))
		if err != nil {
			t.Fatal(err)
		}
		ms := m.MatchImage(ctx, Found{URL: "http://x/" + tt.name}, h)
		if len(ms) != 1 || ms[0].Evidence.Algorithm != "pdq" || ms[0].Evidence.Transform != tt.transform || ms[0].Evidence.Bits != pdq.Bits {
			t.Fatalf("%s copy: %+v", tt.name, ms)
		}
		if got := ms[0]; got.WorkCoverage < tt.workLo || got.WorkCoverage > tt.workHi || got.FoundCoverage < tt.foundLo || got.FoundCoverage > tt.foundHi {
			t.Errorf("%s copy: coverage of work %.3f, of found %.3f; want %.2f-%.2f, %.2f-%.2f", tt.name, got.WorkCoverage, got.FoundCoverage, tt.workLo, tt.workHi, tt.foundLo, tt.foundHi)
		}
	}
}
