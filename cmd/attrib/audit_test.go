package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditCLI audits a JSONL file through the CLI: the report is the
// contract's with scan.kind audit and record locators, the summary speaks
// to curators, and --clean-out writes the file without the copied record.
func TestAuditCLI(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	poem := "The lighthouse keeper climbs the winding stair each evening when the tide turns grey, " +
		"and lights the lamp that guides the fishing boats home through the fog and the long November dark."
	writeFile(t, filepath.Join(dir, "keeper.txt"), []byte(poem))
	c.ok("register", "--quiet", "--creator", "ada", filepath.Join(dir, "keeper.txt"))
	lines := []string{
		`{"text":"An unrelated record about weather.","url":"https://a.example/1"}`,
		`{"text":"Copied: ` + poem + `","url":"https://b.example/2"}`,
		`not json at all`,
		`{"text":"Another unrelated record about tides.","url":"https://a.example/3"}`,
	}
	in := filepath.Join(dir, "corpus.jsonl")
	writeFile(t, in, []byte(strings.Join(lines, "\n")+"\n"))

	var rep struct {
		Scan struct {
			Kind  string
			Stats struct{ Records, Errors int64 }
		}
		Matches []struct {
			Work  struct{ Creator string }
			Found struct{ URL, Dataset, Record string }
		}
	}
	if err := json.Unmarshal([]byte(c.ok("audit", "--quiet", "--json", in)), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Scan.Kind != "audit" || rep.Scan.Stats.Records != 3 || rep.Scan.Stats.Errors != 1 {
		t.Errorf("scan %+v: want an audit of 3 records and 1 error", rep.Scan)
	}
	if len(rep.Matches) != 1 || rep.Matches[0].Found.Record != "line:2" || rep.Matches[0].Found.Dataset != in ||
		rep.Matches[0].Found.URL != "https://b.example/2" || rep.Matches[0].Work.Creator != "ada" {
		t.Fatalf("matches %+v", rep.Matches)
	}
	out := filepath.Join(dir, "clean")
	sum := c.ok("audit", "--quiet", "--clean-out", out, in)
	for _, want := range []string{"1 records copy registered works", "b.example", "ada"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	got, err := os.ReadFile(filepath.Join(out, "corpus.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join([]string{lines[0], lines[2], lines[3]}, "\n") + "\n"; string(got) != want {
		t.Errorf("clean copy:\n%s\nwant:\n%s", got, want)
	}
	if man, err := os.ReadFile(filepath.Join(out, "manifest.jsonl")); err != nil || !strings.Contains(string(man), `"record":"line:2"`) {
		t.Errorf("manifest %s, %v", man, err)
	}
	if _, errs, code := c.run("audit", "--drop", "everything", in); code != exitUsage || !strings.Contains(errs, "--drop") {
		t.Errorf("bad --drop: exit %d, %s", code, errs)
	}
	if _, errs, code := c.run("audit", "--resume", in); code != exitFailure || !strings.Contains(errs, "no interrupted audit") {
		t.Errorf("--resume without an interrupted audit: exit %d, %s", code, errs)
	}
}
