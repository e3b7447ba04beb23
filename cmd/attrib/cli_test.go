package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs attrib in-process with its own store and returns stdout, stderr
// and the exit status.
type cli struct {
	t  testing.TB
	db string
}

func newCLI(t testing.TB) *cli {
	t.Helper()
	return &cli{t: t, db: filepath.Join(t.TempDir(), "attrib.db")}
}

func (c *cli) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"--db", c.db}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// ok runs a command that must succeed.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("attrib %s: exit %d\nstderr: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// reportJSON is the part of the contract report the tests read.
type reportJSON struct {
	Version int `json:"version"`
	Scan    struct {
		ID      string   `json:"id"`
		Kind    string   `json:"kind"`
		Targets []string `json:"targets"`
		Stats   struct {
			Pages, Images, Errors, Skipped int64
		} `json:"stats"`
	} `json:"scan"`
	Matches []struct {
		Work struct {
			ID, Title, Creator, Kind string
		} `json:"work"`
		Found struct {
			URL     string `json:"url"`
			PageURL string `json:"page_url"`
		} `json:"found"`
		Method        string  `json:"method"`
		Score         float64 `json:"score"`
		WorkCoverage  float64 `json:"work_coverage"`
		FoundCoverage float64 `json:"found_coverage"`
		Evidence      struct {
			Passages []struct {
				WorkStart  int    `json:"work_start"`
				WorkEnd    int    `json:"work_end"`
				FoundStart int    `json:"found_start"`
				FoundEnd   int    `json:"found_end"`
				Text       string `json:"text"`
			} `json:"passages"`
			Algorithm string `json:"algorithm"`
			Distance  *int   `json:"distance"`
			Bits      int    `json:"bits"`
			Transform string `json:"transform"`
		} `json:"evidence"`
		OptOut *struct {
			Reserved bool `json:"reserved"`
		} `json:"optout"`
	} `json:"matches"`
}

func decodeReport(t testing.TB, s string) reportJSON {
	t.Helper()
	var r reportJSON
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("stdout is not report JSON: %v\n%s", err, s)
	}
	if r.Version != 1 {
		t.Fatalf("report version %d, want 1", r.Version)
	}
	return r
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"unknown flag", []string{"crawl", "--bogus", "http://x"}, exitUsage, "unknown flag"},
		{"missing argument", []string{"crawl"}, exitUsage, "requires at least 1 arg"},
		{"missing creator", []string{"register", "x.txt"}, exitUsage, "creator"},
		{"bad scope", []string{"crawl", "--scope", "galaxy", "http://127.0.0.1:1/"}, exitUsage, "scope"},
		{"bad format", []string{"report", "--format", "pdf"}, exitUsage, "pdf"},
		{"bad --by", []string{"report", "--by", "work"}, exitUsage, "--by"},
		{"no scans yet", []string{"report"}, exitFailure, "no scan"},
		{"redis unreachable", []string{"--redis", "redis://127.0.0.1:1/0", "works"}, exitFailure, "127.0.0.1:1"},
		{"bad redis url", []string{"--redis", "http://x", "status"}, exitUsage, "redis"},
		{"worker without redis", []string{"worker"}, exitUsage, "--redis"},
		{"enqueue without scan", []string{"--redis", "redis://127.0.0.1:1/0", "enqueue", "http://x/"}, exitUsage, "scan"},
		{"enqueue bad scan name", []string{"--redis", "redis://127.0.0.1:1/0", "enqueue", "--scan", "a b", "http://x/"}, exitUsage, "scan name"},
		{"hostile seed", []string{"crawl", "javascript:alert(1)"}, exitUsage, "javascript"},
		{"unreachable seed", []string{"crawl", "--quiet", "http://127.0.0.1:1/"}, exitFailure, "no page could be fetched"},
		{"unknown scan", []string{"report", "--scan", "s_nope"}, exitFailure, `no scan "s_nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := c.run(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errs)
			}
			// Logs may come first; the error is the last line, alone.
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "attrib: ") {
				t.Errorf("stderr must end with one line starting with 'attrib: ', got %q", errs)
			}
			if !strings.Contains(strings.ToLower(errs), strings.ToLower(tc.want)) {
				t.Errorf("stderr %q does not mention %q", errs, tc.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	out := newCLI(t).ok("version")
	if !strings.HasPrefix(out, "attrib ") {
		t.Errorf("version output %q", out)
	}
}
