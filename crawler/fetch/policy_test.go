package fetch

import (
	"bytes"
	"context"
	"net/http"
	"sync/atomic"
	"testing"
)

// TestPolicyFiles: policy files come back whatever their status, cut at
// 500 KiB; robots.txt is shared with the crawl's own check and read even
// when robots.txt is ignored; image responses keep their headers.
func TestPolicyFiles(t *testing.T) {
	var robotsHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		robotsHits.Add(1)
		w.Write([]byte("User-agent: GPTBot\nDisallow: /\n"))
	})
	mux.HandleFunc("/ai.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(bytes.Repeat([]byte("# padding line\n"), 50_000))
	})
	mux.HandleFunc("/x.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("X-Robots-Tag", "noimageai")
		w.Write(pngBytes(t, 8, 8))
	})
	srv := newServer(t, mux)
	ctx := context.Background()
	for _, ignore := range []bool{false, true} {
		robotsHits.Store(0)
		f := newFetcher(t, Options{IgnoreRobots: ignore})
		if _, err := f.CheckRobots(ctx, srv.URL+"/page"); err != nil {
			t.Fatal(err)
		}
		rf, err := f.RobotsFile(ctx, srv.URL)
		if err != nil || rf.Status != 200 || string(rf.Body) != "User-agent: GPTBot\nDisallow: /\n" {
			t.Errorf("RobotsFile = %+v, %v", rf, err)
		}
		if n := robotsHits.Load(); n != 1 {
			t.Errorf("ignore robots %v: robots.txt fetched %d times, want 1", ignore, n)
		}
	}
	f := newFetcher(t, Options{})
	ai, err := f.PolicyFile(ctx, srv.URL+"/ai.txt")
	if err != nil || ai.Status != 200 || len(ai.Body) != maxRobotsBytes || ai.ContentType != "text/plain" {
		t.Errorf("ai.txt: status %d, %d bytes, type %q, %v", ai.Status, len(ai.Body), ai.ContentType, err)
	}
	missing, err := f.PolicyFile(ctx, srv.URL+"/.well-known/tdmrep.json")
	if err != nil || missing.Status != http.StatusNotFound {
		t.Errorf("missing file: %+v, %v", missing.Status, err)
	}
	if _, err := f.PolicyFile(ctx, "ftp://x/ai.txt"); err == nil {
		t.Error("PolicyFile took a non-http URL")
	}
	b, h, err := f.FetchImageWithHeader(ctx, srv.URL+"/x.png")
	if err != nil || len(b) == 0 || h.Get("X-Robots-Tag") != "noimageai" {
		t.Errorf("FetchImageWithHeader: %d bytes, header %v, %v", len(b), h, err)
	}
}
