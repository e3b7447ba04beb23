package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attrib/attrib/cmd/attrib/internal/demo"
	"github.com/attrib/attrib/matcher/pdq"
	"github.com/attrib/attrib/matcher/shareddata"
)

func TestFingerprintJSON(t *testing.T) {
	dir := t.TempDir()
	works, err := demo.Works()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, w := range works {
		p := filepath.Join(dir, w.Title)
		writeFile(t, p, w.Data)
		paths = append(paths, p)
	}
	var got struct {
		Fingerprints []map[string]any `json:"fingerprints"`
	}
	out := newCLI(t).ok(append([]string{"fingerprint", "--json"}, paths...)...)
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got.Fingerprints) != len(works) {
		t.Fatalf("%d fingerprints for %d files", len(got.Fingerprints), len(works))
	}
	for i, fp := range got.Fingerprints {
		sum := sha256.Sum256(works[i].Data)
		if fp["file"] != paths[i] || fp["sha256"] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: file %v sha256 %v", works[i].Title, fp["file"], fp["sha256"])
		}
		keys := make([]string, 0, len(fp))
		for k := range fp {
			keys = append(keys, k)
		}
		want := "file fingerprints sha256 words"
		if works[i].Kind == "image" {
			want = "file pdq pdq_quality phash sha256"
			if s, _ := fp["pdq"].(string); len(s) != 64 || strings.ToLower(s) != s {
				t.Errorf("pdq %q is not 64 lowercase hex digits", s)
			}
			if s, _ := fp["phash"].(string); len(s) != 16 {
				t.Errorf("phash %q is not 16 hex digits", s)
			}
		} else if fp["words"].(float64) < 100 || fp["fingerprints"].(float64) < 10 {
			t.Errorf("%s: %v words, %v fingerprints", works[i].Title, fp["words"], fp["fingerprints"])
		}
		slices.Sort(keys)
		if strings.Join(keys, " ") != want {
			t.Errorf("%s: keys %v, want %s", works[i].Title, keys, want)
		}
	}
}

// The PDQ the CLI prints agrees with Meta's reference implementation.
func TestFingerprintPDQReference(t *testing.T) {
	img := shareddata.Path(t, "pdq/bridge-mods/aaa-orig.jpg")
	ref := shareddata.Read(t, "pdq/expected-cpp.tsv")
	var want pdq.Hash
	for _, line := range strings.Split(string(ref), "\n") {
		if f := strings.Split(line, "\t"); len(f) == 2 && strings.HasSuffix(f[0], "aaa-orig.jpg") {
			var err error
			if want, err = pdq.ParseHex(strings.TrimSpace(f[1])); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got struct {
		Fingerprints []struct {
			PDQ     string `json:"pdq"`
			Quality int    `json:"pdq_quality"`
		} `json:"fingerprints"`
	}
	if err := json.Unmarshal([]byte(newCLI(t).ok("fingerprint", "--json", img)), &got); err != nil {
		t.Fatal(err)
	}
	h, err := pdq.ParseHex(got.Fingerprints[0].PDQ)
	if err != nil {
		t.Fatal(err)
	}
	if d := pdq.Distance(h, want); d > 10 || got.Fingerprints[0].Quality < 80 {
		t.Errorf("pdq %s quality %d: %d bits from the reference %s", h.Hex(), got.Fingerprints[0].Quality, d, want.Hex())
	}
}

func TestFingerprintBadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "broken.png")
	if err := os.WriteFile(p, []byte("\x89PNG\r\n\x1a\nnope"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := newCLI(t).run("fingerprint", p); code != exitFailure || !strings.Contains(errs, "broken.png") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
