package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
)

// A server honouring validators through net/http's own logic
// (http.ServeContent): the fetcher must send them back and recognise 304.
func TestFetchPageIfConditional(t *testing.T) {
	const etag = `"v1"`
	lastMod := "Wed, 21 Oct 2026 07:28:00 GMT"
	mux := http.NewServeMux()
	var seen []http.Header
	serve := func(w http.ResponseWriter, r *http.Request, withETag, withLM bool) {
		seen = append(seen, r.Header.Clone())
		if withETag {
			w.Header().Set("ETag", etag)
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		if withLM {
			w.Header().Set("Last-Modified", lastMod)
			if r.Header.Get("If-Modified-Since") == lastMod {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body><main><p>Hello there.</p></main></body></html>")
	}
	mux.HandleFunc("/etag", func(w http.ResponseWriter, r *http.Request) { serve(w, r, true, false) })
	mux.HandleFunc("/lm", func(w http.ResponseWriter, r *http.Request) { serve(w, r, false, true) })
	mux.HandleFunc("/none", func(w http.ResponseWriter, r *http.Request) { serve(w, r, false, false) })
	srv := newServer(t, mux)
	f := newFetcher(t, Options{IgnoreRobots: true})
	ctx := context.Background()

	tests := []struct {
		name      string
		path      string
		wantValid Validators
		want304   bool
	}{
		{"etag", "/etag", Validators{ETag: etag}, true},
		{"last-modified", "/lm", Validators{LastModified: lastMod}, true},
		{"no validators", "/none", Validators{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.FetchPage(ctx, srv.URL+tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if p.Validators != tc.wantValid {
				t.Fatalf("validators %+v, want %+v", p.Validators, tc.wantValid)
			}
			again, err := f.FetchPageIf(ctx, srv.URL+tc.path, p.Validators)
			last := seen[len(seen)-1]
			if tc.want304 {
				if !errors.Is(err, ErrNotModified) {
					t.Fatalf("conditional fetch: page %v, err %v; want ErrNotModified", again, err)
				}
				if last.Get("If-None-Match") != tc.wantValid.ETag || last.Get("If-Modified-Since") != tc.wantValid.LastModified {
					t.Errorf("request headers %v", last)
				}
				return
			}
			if err != nil || again.Text == "" {
				t.Fatalf("unconditional refetch: %v, %v", again, err)
			}
			if last.Get("If-None-Match") != "" || last.Get("If-Modified-Since") != "" {
				t.Errorf("conditional headers sent without validators: %v", last)
			}
		})
	}
}

// A 304 the fetcher did not ask for (no validators sent) is an error
// status, not "unchanged".
func TestFetchPageUnsolicited304(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotModified) })
	srv := newServer(t, mux)
	f := newFetcher(t, Options{IgnoreRobots: true})
	_, err := f.FetchPage(context.Background(), srv.URL+"/")
	var se *StatusError
	if errors.Is(err, ErrNotModified) || !errors.As(err, &se) || se.Code != http.StatusNotModified {
		t.Fatalf("err %v, want a 304 StatusError", err)
	}
}
