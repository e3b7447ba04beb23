package main

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"
)

// TestRealImagesResized registers real photos and crawls a page that embeds
// resized, recompressed copies of them next to a photo that is not registered.
func TestRealImagesResized(t *testing.T) {
	dir := sharedData(t, "images")
	registered := []string{
		"mate-backgrounds/nature/Aqua.jpg",
		"skimage/astronaut.png",
		"skimage/coffee.png",
		"skimage/chelsea.png",
	}
	unrelated := "skimage/rocket.jpg"
	c := newCLI(t)
	for _, rel := range registered {
		if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
			t.Fatalf("test image missing: %v", err)
		}
		c.ok("register", "--quiet", "--creator", "Photographer", "--title", rel, filepath.Join(dir, rel))
	}

	mux := http.NewServeMux()
	var page strings.Builder
	page.WriteString("<html><body><main><h1>Gallery</h1>")
	for i, rel := range append(registered, unrelated) {
		data := resizedJPEG(t, filepath.Join(dir, rel), 0.5, 60)
		path := fmt.Sprintf("/img/%d.jpg", i)
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			_, _ = w.Write(data)
		})
		fmt.Fprintf(&page, `<figure><img src="%s" alt="photo %d"></figure>`, path, i)
	}
	page.WriteString("</main></body></html>")
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page.String()))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	rep := decodeReport(t, c.ok("crawl", "--quiet", "--rate", "0", "--json", srv.URL+"/"))
	found := make(map[string]string) // title -> image URL
	for _, m := range rep.Matches {
		if m.Method != "image" || m.Evidence.Distance == nil {
			t.Errorf("unexpected match %+v", m)
			continue
		}
		t.Logf("%s found at %s, %s distance %d of %d bits", m.Work.Title, m.Found.URL, m.Evidence.Algorithm, *m.Evidence.Distance, m.Evidence.Bits)
		found[m.Work.Title] = strings.TrimPrefix(m.Found.URL, srv.URL)
		if m.Found.PageURL != srv.URL+"/" {
			t.Errorf("page_url %q, want the gallery page", m.Found.PageURL)
		}
	}
	for i, rel := range registered {
		if want := fmt.Sprintf("/img/%d.jpg", i); found[rel] != want {
			t.Errorf("%s found at %q, want %q", rel, found[rel], want)
		}
	}
	if len(rep.Matches) != len(registered) {
		t.Errorf("%d matches, want %d (the unrelated photo must not match)", len(rep.Matches), len(registered))
	}
}

// resizedJPEG decodes an image, scales it and re-encodes it as JPEG.
func resizedJPEG(t testing.TB, path string, scale float64, quality int) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
