package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Keys of each object of the Report JSON contract, version 1, with the
// additive keys of attribution shares ("documents", a match's "share").
var contractKeys = map[string][]string{
	"report":    {"version", "scan", "matches", "documents"},
	"scan":      {"id", "kind", "targets", "started_at", "finished_at", "stats"},
	"stats":     {"pages", "images", "records", "bytes", "errors", "skipped"},
	"match":     {"work", "found", "method", "score", "work_coverage", "found_coverage", "evidence", "optout", "share"},
	"work":      {"id", "title", "creator", "kind"},
	"found":     {"url", "page_url", "dataset", "record"},
	"evidence":  {"passages", "algorithm", "distance", "bits", "transform"},
	"passage":   {"work_start", "work_end", "found_start", "found_end", "text"},
	"optout":    {"reserved", "signals"},
	"signal":    {"kind", "value", "source"},
	"document":  {"url", "dataset", "record", "matches", "text_bytes", "images", "text_coverage", "shares"},
	"share":     {"creator", "share", "text_bytes", "images", "works"},
	"workshare": {"id", "title", "share", "text_bytes", "images"},
}

// renderMap renders r as JSON and decodes it into a generic map.
func renderMap(tb testing.TB, r Report) map[string]any {
	tb.Helper()
	var b bytes.Buffer
	if err := Render(&b, r, FormatJSON); err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		tb.Fatalf("report is not JSON: %v", err)
	}
	return m
}

// checkKeys fails unless obj's keys are a subset of the contract's keys for
// kind and include every key in required.
func checkKeys(tb testing.TB, kind string, obj any, required ...string) map[string]any {
	tb.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		tb.Fatalf("%s is %T, want an object", kind, obj)
	}
	for k := range m {
		if !slices.Contains(contractKeys[kind], k) {
			tb.Errorf("%s has key %q, not in the contract", kind, k)
		}
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			tb.Errorf("%s lacks required key %q", kind, k)
		}
	}
	return m
}

func TestJSONHasOnlyContractKeys(t *testing.T) {
	for _, r := range []Report{fixtureReport(t), emptyReport(t), edgeReport(t), remixReport(t)} {
		top := checkKeys(t, "report", renderMap(t, r), "version", "scan", "matches")
		for _, d := range asSlice(top["documents"]) {
			for _, sh := range asSlice(checkKeys(t, "document", d, "matches", "shares")["shares"]) {
				for _, w := range asSlice(checkKeys(t, "share", sh, "share", "works")["works"]) {
					checkKeys(t, "workshare", w, "id", "share")
				}
			}
		}
		scan := checkKeys(t, "scan", top["scan"], "id", "kind", "targets", "started_at", "stats")
		checkKeys(t, "stats", scan["stats"], contractKeys["stats"]...)
		for _, mv := range top["matches"].([]any) {
			m := checkKeys(t, "match", mv, "work", "found", "method", "score", "work_coverage", "found_coverage", "evidence", "share")
			if w := checkKeys(t, "work", m["work"], "id"); w["id"] != "w-deleted" {
				checkKeys(t, "work", w, contractKeys["work"]...) // only an unregistered work lacks the rest
			}
			checkKeys(t, "found", m["found"])
			ev := checkKeys(t, "evidence", m["evidence"])
			for _, p := range asSlice(ev["passages"]) {
				checkKeys(t, "passage", p, contractKeys["passage"]...)
			}
			if o, ok := m["optout"]; ok {
				for _, s := range asSlice(checkKeys(t, "optout", o, "reserved")["signals"]) {
					checkKeys(t, "signal", s, "kind", "value")
				}
			}
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestJSONOmitsWhatDoesNotApply pins, per match of the fixture, which keys
// are present: nothing invented, nothing that applies left out.
func TestJSONOmitsWhatDoesNotApply(t *testing.T) {
	matches := renderMap(t, fixtureReport(t))["matches"].([]any)
	tests := []struct {
		i                     int
		name                  string
		found, evidence, opts []string // present keys; opts nil means no "optout"
	}{
		{0, "text with opt-out", []string{"page_url", "url"}, []string{"algorithm", "passages"}, []string{"reserved", "signals"}},
		{1, "image distance 0", []string{"page_url", "url"}, []string{"algorithm", "bits", "distance", "transform"}, []string{"reserved"}},
		{2, "image distance 6", []string{"page_url", "url"}, []string{"algorithm", "bits", "distance", "transform"}, nil},
		{3, "audit", []string{"dataset", "page_url", "record", "url"}, []string{"algorithm", "passages"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := matches[tt.i].(map[string]any)
			if got := sortedKeys(m["found"]); !slices.Equal(got, tt.found) {
				t.Errorf("found keys %q, want %q", got, tt.found)
			}
			if got := sortedKeys(m["evidence"]); !slices.Equal(got, tt.evidence) {
				t.Errorf("evidence keys %q, want %q", got, tt.evidence)
			}
			if got := sortedKeys(m["optout"]); !slices.Equal(got, tt.opts) {
				t.Errorf("optout keys %q, want %q", got, tt.opts)
			}
		})
	}
	if d := matches[1].(map[string]any)["evidence"].(map[string]any)["distance"]; d != 0.0 {
		t.Errorf("exact image distance = %v, want 0", d)
	}
	scan := renderMap(t, emptyReport(t))["scan"].(map[string]any)
	if _, ok := scan["finished_at"]; ok {
		t.Error("running scan has finished_at")
	}
}

func sortedKeys(v any) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return slices.Sorted(maps.Keys(m))
}

func TestJSONRoundTrips(t *testing.T) {
	for _, want := range []Report{fixtureReport(t), emptyReport(t), edgeReport(t), remixReport(t)} {
		withoutThumbs(&want) // the JSON report leaves thumbnails out
		var b bytes.Buffer
		if err := Render(&b, want, FormatJSON); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(b.String(), "}\n") || !strings.HasPrefix(b.String(), "{\n  \"version\": 1,") {
			t.Errorf("not indented JSON with a trailing newline: %.40q", b.String())
		}
		var got Report
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip changed the report:\n got %+v\nwant %+v", got, want)
		}
	}
}

func TestJSONNilSlicesAreEmptyArrays(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, Report{Version: Version}, FormatJSON); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"targets": []`, `"matches": []`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, b.String())
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		err  bool
	}{
		{"json", FormatJSON, false}, {"md", FormatMarkdown, false}, {"csv", FormatCSV, false},
		{"html", FormatHTML, false}, {"JSON", FormatJSON, false}, {" md ", FormatMarkdown, false},
		{"markdown", FormatMarkdown, false},
		{"xml", "", true}, {"", "", true}, {"jsonl", "", true}, {"md;rm -rf", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if got != tt.want || (err != nil) != tt.err {
				t.Fatalf("ParseFormat(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("error %v does not wrap ErrUnknownFormat", err)
			}
			want := `unknown report format "` + tt.in + `" (valid: json, md, csv, html)`
			if err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
}

func TestRenderRefuses(t *testing.T) {
	tests := []struct {
		format  Format
		is      error
		message string
	}{
		{Format("xml"), ErrUnknownFormat, `unknown report format "xml" (valid: json, md, csv, html)`},
		{Format(""), ErrUnknownFormat, `unknown report format "" (valid: json, md, csv, html)`},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var b bytes.Buffer
			err := Render(&b, fixtureReport(t), tt.format)
			if !errors.Is(err, tt.is) {
				t.Fatalf("Render(%q) = %v, want %v", tt.format, err, tt.is)
			}
			if err.Error() != tt.message {
				t.Errorf("message %q, want %q", err, tt.message)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes on error", b.Len())
			}
		})
	}
}

type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteErrorsAreReturned(t *testing.T) {
	r := fixtureReport(t)
	for _, f := range SupportedFormats() {
		if err := Render(failWriter{}, r, f); !errors.Is(err, errDiskFull) {
			t.Errorf("Render %s to a failing writer = %v, want wrapped errDiskFull", f, err)
		}
	}
	if err := Summary(failWriter{}, r); !errors.Is(err, errDiskFull) {
		t.Errorf("Summary to a failing writer = %v, want wrapped errDiskFull", err)
	}
}
