package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden (run go test ./matcher/report -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from golden (run with -update to accept)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	render := func(f Format) func(*bytes.Buffer, Report) error {
		return func(b *bytes.Buffer, r Report) error { return Render(b, r, f) }
	}
	summary := func(b *bytes.Buffer, r Report) error { return Summary(b, r) }
	totals := func(f Format) func(*bytes.Buffer, Report) error {
		return func(b *bytes.Buffer, r Report) error { return RenderTotals(b, ByCreator(r), f) }
	}
	tests := []struct {
		golden string
		report func(testing.TB) Report
		write  func(*bytes.Buffer, Report) error
	}{
		{"full.json.golden", fixtureReport, render(FormatJSON)},
		{"full.md.golden", fixtureReport, render(FormatMarkdown)},
		{"full.summary.golden", fixtureReport, summary},
		{"full.summary2.golden", fixtureReport, func(b *bytes.Buffer, r Report) error { return SummaryN(b, r, 2) }},
		{"edge.json.golden", edgeReport, render(FormatJSON)},
		{"edge.md.golden", edgeReport, render(FormatMarkdown)},
		{"edge.summary.golden", edgeReport, summary},
		{"empty.json.golden", emptyReport, render(FormatJSON)},
		{"empty.md.golden", emptyReport, render(FormatMarkdown)},
		{"empty.summary.golden", emptyReport, summary},
		{"full.csv.golden", fixtureReport, render(FormatCSV)},
		{"full.html.golden", fixtureReport, render(FormatHTML)},
		{"edge.csv.golden", edgeReport, render(FormatCSV)},
		{"edge.html.golden", edgeReport, render(FormatHTML)},
		{"empty.csv.golden", emptyReport, render(FormatCSV)},
		{"empty.html.golden", emptyReport, render(FormatHTML)},
		{"remix.json.golden", remixReport, render(FormatJSON)},
		{"remix.md.golden", remixReport, render(FormatMarkdown)},
		{"remix.summary.golden", remixReport, summary},
		{"remix.csv.golden", remixReport, render(FormatCSV)},
		{"remix.html.golden", remixReport, render(FormatHTML)},
		{"remix.bycreator.md.golden", remixReport, totals(FormatMarkdown)},
		{"remix.bycreator.json.golden", remixReport, totals(FormatJSON)},
		{"remix.bycreator.csv.golden", remixReport, totals(FormatCSV)},
		{"remix.bycreator.html.golden", remixReport, totals(FormatHTML)},
		{"full.bycreator.md.golden", fixtureReport, totals(FormatMarkdown)},
		{"empty.bycreator.md.golden", emptyReport, totals(FormatMarkdown)},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b, tt.report(t)); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, b.Bytes())
		})
	}
}
