package extract

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

// sharedData returns a path inside the shared test data.
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	return shareddata.Path(tb, rel)
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
