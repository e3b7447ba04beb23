package extract

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns the path of /work/shared/data's file rel, found as
// ../shared/data from the module root. It skips the test when the data is
// absent, and fails instead when the CI environment variable is set.
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("shared test data missing (CI set): %v", err)
		}
		tb.Skipf("shared test data missing: %v", err)
	}
	return p
}

// readFile returns a file's bytes or fails the test.
func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// newHeaderServer starts a loopback HTTP server answering every request with
// the given raw header lines and an empty HTML page.
func newHeaderServer(tb testing.TB, header map[string][]string) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, vs := range header {
			w.Header()[k] = vs // as given, not canonicalised
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html><title>h</title>"))
	}))
	tb.Cleanup(srv.Close)
	return srv
}
