package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/cmd/attrib/internal/demo"
)

// TestReportFormatsAndByCreator crawls the demo site and renders the stored
// scan as CSV, HTML and per-creator totals.
func TestReportFormatsAndByCreator(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	works, err := demo.Works()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range works {
		writeFile(t, filepath.Join(dir, w.Title), w.Data)
	}
	c.ok("register", "--creator", demo.Creator, dir)
	site, err := demo.Serve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	rep := decodeReport(t, c.ok("crawl", "--rate", "0", "--json", "--quiet", site.URL+"/"))

	rows, err := csv.NewReader(strings.NewReader(c.ok("report", "--format", "csv"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV report does not parse: %v", err)
	}
	if len(rows) != len(rep.Matches)+1 || rows[0][0] != "scan_id" || rows[0][len(rows[0])-1] != "share" {
		t.Errorf("CSV has %d rows (want %d) and header %q", len(rows), len(rep.Matches)+1, rows[0])
	}
	if h := c.ok("report", "--format", "html"); !strings.HasPrefix(h, "<!DOCTYPE html>") || strings.Count(h, `<tr><td class="num"><a href="#match-`) != len(rep.Matches) {
		t.Errorf("HTML report lacks a row per match")
	}

	var tot struct {
		By        string `json:"by"`
		Documents int    `json:"documents"`
		Creators  []struct {
			Creator            string
			Documents, Matches int
			Share              float64
		} `json:"creators"`
	}
	if err := json.Unmarshal([]byte(c.ok("report", "--by", "creator", "--format", "json")), &tot); err != nil {
		t.Fatal(err)
	}
	if tot.By != "creator" || len(tot.Creators) != 1 || tot.Creators[0].Creator != demo.Creator ||
		tot.Creators[0].Matches != len(rep.Matches) || tot.Creators[0].Documents != tot.Documents || tot.Creators[0].Share != float64(tot.Documents) {
		t.Errorf("totals %+v: want one creator owning all %d matches and every document whole", tot, len(rep.Matches))
	}
	if md := c.ok("report", "--by", "creator"); !strings.Contains(md, "# Attribution by creator") || !strings.Contains(md, demo.Creator) {
		t.Errorf("Markdown totals:\n%s", md)
	}
	out := filepath.Join(t.TempDir(), "totals.csv")
	c.ok("report", "--by", "creator", "--format", "csv", "-o", out)
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "scan_id,creator,documents,") {
		t.Errorf("totals CSV file: %v %q", err, b)
	}
	if _, errs, code := c.run("report", "--by", "work"); code != exitUsage || !strings.Contains(errs, "--by") {
		t.Errorf("--by work: exit %d, %q; want usage error", code, errs)
	}
}
