package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/attrib/attrib/cmd/attrib/internal/demo"
	"github.com/attrib/attrib/matcher/transparency"
)

// TestRegisterCrawlReport runs the creator's whole path through the CLI
// against a real HTTP server: register files, crawl, read the report.
func TestRegisterCrawlReport(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	works, err := demo.Works()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range works {
		writeFile(t, filepath.Join(dir, w.Title), w.Data)
	}
	// An unsupported file in a folder is skipped, not an error.
	writeFile(t, filepath.Join(dir, "notes.docx"), []byte("PK\x03\x04"))

	var reg struct {
		Works []struct {
			ID, Title, Creator, Kind, SHA256 string
			Receipt                          json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(c.ok("register", "--creator", demo.Creator, "--json", dir)), &reg); err != nil {
		t.Fatal(err)
	}
	if len(reg.Works) != 3 {
		t.Fatalf("registered %d works, want 3: %+v", len(reg.Works), reg.Works)
	}
	// Each work comes with its transparency receipt, verifiable offline
	// against the registered file.
	pub, err := transparency.ParsePublicKey(strings.TrimSpace(c.ok("key", "--public")))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range reg.Works {
		var rc bytes.Buffer
		if err := json.Indent(&rc, w.Receipt, "", "  "); err != nil {
			t.Fatalf("receipt of %s: %v", w.Title, err)
		}
		rc.WriteByte('\n')
		data, err := os.ReadFile(filepath.Join(dir, w.Title))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := transparency.VerifyReceipt(rc.Bytes(), pub, data); err != nil {
			t.Errorf("receipt of %s from register --json does not verify: %v", w.Title, err)
		}
	}
	// Registering the same content again is a no-op returning the same works.
	var again struct{ Works []struct{ ID string } }
	if err := json.Unmarshal([]byte(c.ok("register", "--creator", demo.Creator, "--json", dir)), &again); err != nil {
		t.Fatal(err)
	}
	for i := range reg.Works {
		if again.Works[i].ID != reg.Works[i].ID {
			t.Errorf("re-register gave new ID %s for %s", again.Works[i].ID, reg.Works[i].ID)
		}
	}
	if got := strings.Count(c.ok("works"), demo.Creator); got != 3 {
		t.Errorf("works lists %d works of the creator, want 3", got)
	}

	site, err := demo.Serve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	out := c.ok("crawl", "--rate", "0", "--json", "--quiet", site.URL+"/")
	rep := decodeReport(t, out)

	var got []string
	for _, m := range rep.Matches {
		got = append(got, m.Work.Title+" @ "+strings.TrimPrefix(m.Found.URL, site.URL)+" "+m.Method)
		checkEvidence(t, m.Method, len(m.Evidence.Passages), m.Evidence.Distance)
		for _, p := range m.Evidence.Passages {
			if p.WorkStart >= p.WorkEnd || p.FoundStart >= p.FoundEnd || p.Text == "" {
				t.Errorf("bad passage %+v", p)
			}
		}
	}
	sort.Strings(got)
	want := []string{
		"harbour-at-dusk.png @ /img/harbour-mirrored.jpg image",
		"harbour-at-dusk.png @ /img/harbour-small.jpg image",
		"on-tidewater-towns.md @ /blog/tidewater.html text",
		"the-lighthouse-keeper.txt @ /blog/poems-we-love.html text",
		"the-lighthouse-keeper.txt @ /blog/quiet-harbour.html text",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("matches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, m := range rep.Matches {
		if strings.HasSuffix(m.Found.URL, "/quiet-harbour.html") && (m.OptOut == nil || !m.OptOut.Reserved) {
			t.Errorf("quiet-harbour opted out with meta noai, report says %+v", m.OptOut)
		}
		if m.Method == "image" && !strings.HasSuffix(m.Found.PageURL, "/gallery.html") && !strings.HasSuffix(m.Found.PageURL, "/") {
			t.Errorf("image page_url %q", m.Found.PageURL)
		}
		want := "none"
		if strings.HasSuffix(m.Found.URL, "-mirrored.jpg") {
			want = "hflip"
		}
		if m.Method == "image" && (m.Evidence.Transform != want || m.Evidence.Algorithm != "pdq" || m.Evidence.Bits != 256) {
			t.Errorf("%s: evidence %s/%d bits, transform %q, want pdq/256 %q", m.Found.URL, m.Evidence.Algorithm, m.Evidence.Bits, m.Evidence.Transform, want)
		}
	}
	if rep.Scan.Stats.Pages < 6 {
		t.Errorf("crawled %d pages, want the whole blog", rep.Scan.Stats.Pages)
	}

	// The scan is stored: scans lists it, report renders it in both formats.
	if !strings.Contains(c.ok("scans"), rep.Scan.ID) {
		t.Errorf("scans does not list %s", rep.Scan.ID)
	}
	md := c.ok("report", "--scan", rep.Scan.ID)
	if !strings.Contains(md, "the-lighthouse-keeper.txt") || !strings.Contains(md, "Still she polishes the lens") {
		t.Errorf("markdown report lacks the work or its evidence:\n%s", md)
	}
	again2 := decodeReport(t, c.ok("report", "--format", "json"))
	if again2.Scan.ID != rep.Scan.ID || len(again2.Matches) != len(rep.Matches) {
		t.Errorf("latest report differs from the crawl's")
	}
	if none := decodeReport(t, c.ok("report", "--format", "json", "--creator", "Somebody Else")); len(none.Matches) != 0 {
		t.Errorf("creator filter kept %d matches", len(none.Matches))
	}
}

func checkEvidence(t *testing.T, method string, passages int, distance *int) {
	t.Helper()
	switch method {
	case "text":
		if passages == 0 || distance != nil {
			t.Errorf("text match: %d passages, distance %v", passages, distance)
		}
	case "image":
		if passages != 0 || distance == nil || *distance == 0 {
			t.Errorf("image match of a resized copy: %d passages, distance %v", passages, distance)
		}
	}
}

func TestRegisterBadFiles(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty.txt", nil, "no text"},
		{"blank.md", []byte("  \n\t\n"), "no text"},
		{"binary.txt", []byte("\x00\x01\x02\x03ELF\x00\x00"), "binary"},
		{"broken.png", []byte("\x89PNG\r\n\x1a\nnot really"), "decode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			writeFile(t, p, tc.data)
			_, errs, code := c.run("register", "--creator", "x", p)
			if code != exitFailure || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 mentioning %q", code, errs, tc.want)
			}
		})
	}
	if out := c.ok("works", "--json"); !strings.Contains(out, `"works": []`) {
		t.Errorf("bad files left works behind: %s", out)
	}
}

func TestDemo(t *testing.T) {
	out := newCLI(t).ok("demo", "--quiet")
	for _, want := range []string{"the-lighthouse-keeper.txt", "on-tidewater-towns.md", "harbour-at-dusk.png"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %s:\n%s", want, out)
		}
	}
}

// In a folder, a bad file is reported and the others are still registered.
func TestRegisterFolderPartialFailure(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "good.txt"), []byte("A perfectly ordinary sentence with enough words to fingerprint it well."))
	writeFile(t, filepath.Join(dir, "empty.txt"), nil)
	out, errs, code := c.run("register", "--creator", "x", dir)
	if code != exitFailure || !strings.Contains(errs, "1 of 2 files could not be registered") || !strings.Contains(errs, "empty.txt") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, "good.txt") || !strings.Contains(c.ok("works"), "good.txt") {
		t.Errorf("good.txt not registered: %q", out)
	}
}
