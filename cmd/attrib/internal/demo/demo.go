package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math"
	"net"
	"net/http"
	"time"

	"golang.org/x/image/draw"
)

//go:embed site works
var files embed.FS

// Creator is the sample works' creator.
const Creator = "Mara Quill"

// Work is one sample work to register.
type Work struct {
	Title string
	Kind  string // "text" or "image"
	Data  []byte
}

// Works returns the sample works: two texts and one photo-like image.
func Works() ([]Work, error) {
	var out []Work
	for _, name := range []string{"the-lighthouse-keeper.txt", "on-tidewater-towns.md"} {
		data, err := files.ReadFile("works/" + name)
		if err != nil {
			return nil, fmt.Errorf("demo work %s: %w", name, err)
		}
		out = append(out, Work{Title: name, Kind: "text", Data: data})
	}
	img, err := encodePNG(harbour(640, 400))
	if err != nil {
		return nil, err
	}
	return append(out, Work{Title: "harbour-at-dusk.png", Kind: "image", Data: img}), nil
}

// Site is the demo blog, running on 127.0.0.1.
type Site struct {
	URL string // base URL, e.g. http://127.0.0.1:41234
	srv *http.Server
}

// Serve starts the demo blog on a free loopback port.
func Serve(ctx context.Context) (*Site, error) {
	mux, err := siteHandler()
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo site: %w", err)
	}
	s := &Site{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	// Serve returns http.ErrServerClosed after Close; nothing else to report.
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the site.
func (s *Site) Close() error { return s.srv.Close() }

func siteHandler() (http.Handler, error) {
	sub, err := fs.Sub(files, "site")
	if err != nil {
		return nil, err
	}
	small, err := encodeJPEG(resize(harbour(640, 400), 384, 240), 70)
	if err != nil {
		return nil, err
	}
	engine, err := encodePNG(engine(320, 240))
	if err != nil {
		return nil, err
	}
	mirrored, err := encodeJPEG(mirror(resize(harbour(640, 400), 480, 300)), 80)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServerFS(sub))
	serveBytes(mux, "/img/harbour-small.jpg", "image/jpeg", small)
	serveBytes(mux, "/img/engine.png", "image/png", engine)
	serveBytes(mux, "/img/harbour-mirrored.jpg", "image/jpeg", mirrored)
	return mux, nil
}

func serveBytes(mux *http.ServeMux, path, ctype string, data []byte) {
	mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(data)
	})
}

// harbour draws a dusk scene: sky gradient, sun, sea and boats.
func harbour(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	horizon := h * 3 / 5
	for y := range h {
		for x := range w {
			var c color.RGBA
			if y < horizon {
				t := float64(y) / float64(horizon)
				c = color.RGBA{uint8(40 + 200*t), uint8(30 + 90*t), uint8(90 - 40*t), 255}
			} else {
				t := float64(y-horizon) / float64(h-horizon)
				wave := 12 * math.Sin(float64(x)/9+float64(y)/3)
				c = color.RGBA{uint8(20 + 20*t), uint8(40 + 30*t + wave), uint8(90 + 40*t + wave), 255}
			}
			dx, dy := float64(x-w*2/3), float64(y-horizon+h/10)
			if dx*dx+dy*dy < float64(h*h)/64 {
				c = color.RGBA{250, 200, 90, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	for i, bx := range []int{w / 8, w / 3, w / 2} {
		fill(img, image.Rect(bx, horizon+h/20+i*8, bx+w/7, horizon+h/10+i*8), color.RGBA{15, 15, 20, 255})
		fill(img, image.Rect(bx+w/16, horizon-h/6+i*8, bx+w/16+3, horizon+h/20+i*8), color.RGBA{15, 15, 20, 255})
	}
	return img
}

// engine draws an unrelated picture: concentric rings on a grey bench.
func engine(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := float64(x-w/3), float64(y-h/2)
			r := math.Sqrt(dx*dx + dy*dy)
			v := uint8(128 + 100*math.Cos(r/6))
			img.SetRGBA(x, y, color.RGBA{v, v / 2, 60, 255})
		}
	}
	return img
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// mirror flips an image left to right, as a careless re-poster might.
func mirror(src image.Image) image.Image {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			dst.Set(b.Max.X-1-(x-b.Min.X), y, src.At(x, y))
		}
	}
	return dst
}

func resize(src image.Image, w, h int) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	return dst
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("demo image: %w", err)
	}
	return b.Bytes(), nil
}

func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("demo image: %w", err)
	}
	return b.Bytes(), nil
}
