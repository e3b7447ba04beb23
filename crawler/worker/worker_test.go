package worker

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/intake"
	"github.com/attrib/attrib/store/redistest"
)

// blogSite serves an index linking n posts, each embedding one image.
func blogSite(t *testing.T, n int) *httptest.Server {
	t.Helper()
	var img bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 7)
	}
	m.Set(3, 3, color.White)
	if err := png.Encode(&img, m); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		var b strings.Builder
		b.WriteString("<html><body><main><h1>Index</h1>")
		for i := range n {
			fmt.Fprintf(&b, `<a href="/post/%d">post %d</a> `, i, i)
		}
		b.WriteString("</main></body></html>")
		w.Write([]byte(b.String()))
	})
	mux.HandleFunc("/post/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><head><meta name="robots" content="noai"></head><body><main><p>Post %s has words of its own.</p><img src="/img.png"></main></body></html>`, r.URL.Path)
	})
	mux.HandleFunc("/img.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(img.Bytes())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// memFrontiers opens one in-memory frontier per scan, shared by the
// worker's crawls of that scan.
func memFrontiers() FrontierFunc {
	var mu sync.Mutex
	fs := map[string]*frontier.Memory{}
	return func(_ context.Context, scan string, o frontier.Options) (frontier.Frontier, error) {
		mu.Lock()
		defer mu.Unlock()
		if f, ok := fs[scan]; ok {
			return f, nil
		}
		f, err := frontier.NewMemory(o)
		fs[scan] = f
		return f, err
	}
}

func TestWorkerCrawlsActiveScans(t *testing.T) {
	ctx := context.Background()
	c, prefix := redistest.Client(t)
	ns := strings.TrimSuffix(prefix, ":")
	reg := scanreg.New(c, ns)
	in := intake.New(c, intake.Options{Namespace: ns, Block: 20 * time.Millisecond})
	srv := blogSite(t, 3)
	if err := reg.Create(ctx, scanreg.Spec{Name: "s1", Seeds: []string{srv.URL + "/"}, Depth: 1}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Activate(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	base := crawler.DefaultOptions()
	base.Workers = 2
	w := &Worker{Scans: reg, Intake: in, Frontier: memFrontiers(), Base: base, PollEvery: 20 * time.Millisecond, StatsEvery: 20 * time.Millisecond}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	drain := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx, drain) }()

	for deadline := time.Now().Add(15 * time.Second); w.Pages() < 4; {
		if time.Now().After(deadline) {
			t.Fatalf("worker sent %d pages, want 4", w.Pages())
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(drain)
	if err := <-done; err != nil {
		t.Fatalf("drained worker: %v", err)
	}
	var got []intake.Delivery
	for deadline := time.Now().Add(5 * time.Second); len(got) < 4 && time.Now().Before(deadline); {
		ds, err := in.Receive(ctx, []string{"s1"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ds...)
	}
	if len(got) != 4 {
		t.Fatalf("intake holds %d pages, want 4 (index and 3 posts)", len(got))
	}
	images := 0
	for _, d := range got {
		p := d.Page
		if !strings.HasPrefix(p.URL, srv.URL) || len(p.SHA256) != 64 || p.Text == "" {
			t.Errorf("page %+v", p)
		}
		if strings.Contains(p.URL, "/post/") && (len(p.Signals) == 0 || p.Signals[0].Value == "") {
			t.Errorf("post %s lost its noai signal: %+v", p.URL, p.Signals)
		}
		for _, img := range p.Images {
			if _, err := imagefp.Decode(img.Hashes); err != nil {
				t.Errorf("image %s: %v", img.URL, err)
			}
			images++
		}
	}
	if images != 1 {
		t.Errorf("%d images sent, want the shared image once", images)
	}
	st, err := reg.Stats(ctx, "s1")
	if err != nil || st.Pages != 4 || st.Images != 1 || st.Bytes == 0 {
		t.Errorf("scan counters %+v, %v: want 4 pages and 1 image", st, err)
	}
}

func TestWorkerNeedsParts(t *testing.T) {
	if err := (&Worker{}).Run(context.Background(), nil); err == nil {
		t.Error("a worker without a registry, intake and frontier ran")
	}
}
