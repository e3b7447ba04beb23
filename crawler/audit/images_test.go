package audit

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

// TestAuditFetchesImageURLs audits a LAION-style Parquet file (image URL
// and caption per row): with fetching on, the registered image served at
// one URL is attributed to its row; dataset URLs may not reach loopback
// unless private addresses are allowed.
func TestAuditFetchesImageURLs(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	m := image.NewRGBA(image.Rect(0, 0, 96, 96))
	for i := range m.Pix {
		m.Pix[i] = uint8((i*31)%251 + i/97)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	art := buf.Bytes()
	w, _, err := e.m.Register(ctx, matcher.Input{Creator: "ada", Title: "art.png", Kind: store.KindImage, Data: art})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/art.png" {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "image/png")
		rw.Write(art)
	}))
	defer srv.Close()
	type row struct {
		URL  string `parquet:"URL"`
		TEXT string `parquet:"TEXT"`
	}
	in := filepath.Join(e.dir, "laion.parquet")
	if err := parquet.WriteFile(in, []row{{srv.URL + "/missing.png", "a cat"}, {srv.URL + "/art.png", "a painting"}}); err != nil {
		t.Fatal(err)
	}
	files, err := Files([]string{in}, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, allow := range []bool{false, true} {
		imgs, closeFn, err := NewImageFetcher(ctx, ImageFetchOptions{Fetch: fetch.Options{IgnoreRobots: true}, AllowPrivate: allow})
		if err != nil {
			t.Fatal(err)
		}
		res, err := (&Runner{Store: e.st, Matcher: e.m}).Audit(ctx, files, Options{Images: imgs}, "")
		closeFn()
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := e.st.Matches(ctx, res.Scan.ID, store.MatchFilter{})
		if !allow {
			if len(ms) != 0 || res.Scan.Stats.Errors != 2 {
				t.Errorf("private addresses refused: %d matches, %d errors; want none and 2", len(ms), res.Scan.Stats.Errors)
			}
			continue
		}
		if len(ms) != 1 || ms[0].WorkID != w.ID || ms[0].Record != "row:1" || ms[0].FoundURL != srv.URL+"/art.png" {
			t.Errorf("with --allow-private: matches %+v, want art.png at row:1", ms)
		}
	}
}

// TestAuditFetchesPolicies: with policy fetching on, a record whose site's
// robots.txt disallows GPTBot is reserved, with the robots.txt as source;
// with it off, the same record is not.
func TestAuditFetchesPolicies(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			rw.Write([]byte("User-agent: GPTBot\nDisallow: /\n"))
			return
		}
		http.NotFound(rw, r)
	}))
	defer srv.Close()
	in := filepath.Join(e.dir, "crawl.warc")
	body := "<html><body><main><p>" + poem + "</p></main></body></html>"
	if err := os.WriteFile(in, []byte(warcResponse(srv.URL+"/post", "", body)), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := Files([]string{in}, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web, closeFn, err := NewImageFetcher(ctx, ImageFetchOptions{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	for _, fetchPolicies := range []bool{false, true} {
		opts := Options{}
		if fetchPolicies {
			opts.Policies = web
		}
		res, err := (&Runner{Store: e.st, Matcher: e.m}).Audit(ctx, files, opts, "")
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := e.st.Matches(ctx, res.Scan.ID, store.MatchFilter{})
		if len(ms) != 1 || ms[0].OptOut == nil {
			t.Fatalf("matches %+v", ms)
		}
		oo := ms[0].OptOut
		if !fetchPolicies && oo.Reserved {
			t.Errorf("reserved without reading the site's policies: %+v", oo)
		}
		if fetchPolicies && (!oo.Reserved || oo.Signals[0].Kind != "robots" || oo.Signals[0].Source != srv.URL+"/robots.txt") {
			t.Errorf("with the site's robots.txt: %+v, want a robots signal from it", oo)
		}
	}
}
