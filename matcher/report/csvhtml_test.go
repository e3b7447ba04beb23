package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/attrib/attrib/store"
)

func parseCSV(tb testing.TB, r Report) [][]string {
	tb.Helper()
	var b bytes.Buffer
	if err := Render(&b, r, FormatCSV); err != nil {
		tb.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		tb.Fatalf("CSV report does not parse: %v", err)
	}
	return rows
}

func TestCSVRowPerMatch(t *testing.T) {
	for name, r := range map[string]Report{"full": fixtureReport(t), "edge": edgeReport(t), "empty": emptyReport(t), "remix": remixReport(t)} {
		t.Run(name, func(t *testing.T) {
			rows := parseCSV(t, r)
			if !slices.Equal(rows[0], CSVColumns) {
				t.Fatalf("header %q, want %q", rows[0], CSVColumns)
			}
			if len(rows)-1 != len(r.Matches) {
				t.Fatalf("%d rows, want one per match (%d)", len(rows)-1, len(r.Matches))
			}
			for i, row := range rows[1:] {
				m := r.Matches[i]
				col := func(name string) string { return row[slices.Index(CSVColumns, name)] }
				if col("work_id") != m.Work.ID || col("scan_id") != clean(r.Scan.ID) || col("method") != m.Method {
					t.Errorf("row %d = %q, does not describe match %s", i, row, m.Work.ID)
				}
				if want := optRatio(m.Share); col("share") != want || want == "" {
					t.Errorf("row %d share %q, want %q", i, col("share"), want)
				}
			}
		})
	}
}

// TestCSVColumnsAreStable pins the documented column order: new columns may
// only be appended.
func TestCSVColumnsAreStable(t *testing.T) {
	want := "scan_id,work_id,work_title,creator,kind,method,score,work_coverage,found_coverage,found_url,page_url," +
		"dataset,record,algorithm,distance,transform,passages,optout_reserved,optout_signals,share"
	if got := strings.Join(CSVColumns, ","); got != want {
		t.Errorf("columns\n%s\nwant\n%s", got, want)
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	works := IndexWorks([]store.Work{{ID: "w", Creator: "@evil", Title: "=HYPERLINK(\"http://x\")", Kind: store.KindText}})
	r := Build(store.Scan{ID: "+1"}, works, []store.Match{{WorkID: "w", FoundURL: "-2", Method: "text", Score: 0.5}})
	row := parseCSV(t, r)[1]
	for _, want := range []string{"'+1", "'=HYPERLINK(\"http://x\")", "'@evil", "'-2"} {
		if !slices.Contains(row, want) {
			t.Errorf("row %q lacks %q", row, want)
		}
	}
}

func TestTotalsCSV(t *testing.T) {
	var b bytes.Buffer
	if err := RenderTotals(&b, ByCreator(remixReport(t)), FormatCSV); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], TotalsCSVColumns) || len(rows) != 4 || rows[1][1] != "Cy" || rows[1][5] != "1.0606" {
		t.Errorf("totals CSV %q", rows)
	}
}

func renderHTMLString(tb testing.TB, r Report) string {
	tb.Helper()
	var b bytes.Buffer
	if err := Render(&b, r, FormatHTML); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// TestHTMLIsSelfContained: no scripts, no external resources, and
// user-controlled text never becomes markup.
func TestHTMLIsSelfContained(t *testing.T) {
	srcAttr := regexp.MustCompile(`(?i)\s(src|href)="([^"]*)"`)
	for name, r := range map[string]Report{"full": fixtureReport(t), "edge": edgeReport(t), "remix": remixReport(t)} {
		t.Run(name, func(t *testing.T) {
			h := renderHTMLString(t, r)
			if strings.Contains(strings.ToLower(h), "<script") {
				t.Error("HTML contains a script element")
			}
			for _, m := range srcAttr.FindAllStringSubmatch(h, -1) {
				switch {
				case m[1] == "src" && !strings.HasPrefix(m[2], "data:image/"):
					t.Errorf("external resource %s=%q", m[1], m[2])
				case m[1] == "href" && !strings.HasPrefix(m[2], "#") && !strings.HasPrefix(m[2], "http"):
					t.Errorf("link to %q", m[2])
				}
			}
			if strings.Contains(h, "<c>") || strings.Contains(h, "\u202e") {
				t.Error("hostile text reached the markup")
			}
		})
	}
}

func TestHTMLThumbnailBudget(t *testing.T) {
	thumb := readThumb(t)
	big := append(slices.Clone(thumb[:4]), bytes.Repeat([]byte{0x55}, 200<<10)...) // sniffs as JPEG
	var ws []store.Work
	var ms []store.Match
	for i := range 12 {
		id := fmt.Sprintf("w%02d", i)
		ws = append(ws, store.Work{ID: id, Creator: "A", Title: id, Kind: store.KindImage, Thumb: big})
		ms = append(ms, store.Match{WorkID: id, FoundURL: "http://x.example/" + id + ".jpg", PageURL: "http://x.example/",
			Method: "image", Score: 1})
	}
	ws = append(ws, store.Work{ID: "zz-not-an-image", Creator: "B", Kind: store.KindImage, Thumb: []byte("<svg onload=alert(1)>")})
	ms = append(ms, store.Match{WorkID: "zz-not-an-image", FoundURL: "http://x.example/z.jpg", Method: "image", Score: 1})
	h := renderHTMLString(t, Build(store.Scan{ID: "s"}, IndexWorks(ws), ms))
	// Each thumbnail is 200 KiB + 4 bytes, about 273 KiB as a data: URI: 7 fit in 2 MiB.
	if n := strings.Count(h, `<img class="thumb"`); n != 7 {
		t.Errorf("%d thumbnails inlined, want 7", n)
	}
	if !strings.Contains(h, "5 thumbnail(s) were left out to keep this file's inlined images under 2.0 MiB.") {
		t.Error("the report does not say that 5 thumbnails were left out")
	}
	if len(h) > ThumbBudget+200<<10 {
		t.Errorf("report is %d bytes, want thumbnails bounded by %d", len(h), ThumbBudget)
	}
	if strings.Contains(h, "svg") {
		t.Error("a thumbnail that is not a raster image was inlined")
	}
}

func TestRenderTotalsFormats(t *testing.T) {
	tot := ByCreator(remixReport(t))
	for _, f := range TotalsFormats() {
		var b bytes.Buffer
		if err := RenderTotals(&b, tot, f); err != nil || !strings.Contains(b.String(), "Ana") {
			t.Errorf("RenderTotals %s = %v, %q", f, err, b.String())
		}
	}
	if err := RenderTotals(&bytes.Buffer{}, tot, Format("xml")); err == nil {
		t.Error("RenderTotals accepted xml")
	}
	if err := RenderTotals(failWriter{}, tot, FormatMarkdown); err == nil {
		t.Error("RenderTotals to a failing writer succeeded")
	}
}

func TestContentType(t *testing.T) {
	for _, f := range Formats() {
		if ContentType(f) == "" {
			t.Errorf("format %s has no content type", f)
		}
	}
	if ContentType(Format("xml")) != "" {
		t.Error("unknown format has a content type")
	}
}
