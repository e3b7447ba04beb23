package report_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

// prose is n bytes (or a little less, ending at a word) of seeded
// pseudo-English: words of 2-9 letters, sentences of 6-16 words.
func prose(seed uint64, n int) string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const letters = "etaoinshrdlcumwfgypbvkjxqz"
	var b strings.Builder
	for b.Len() < n {
		words := 6 + rng.IntN(11)
		for w := range words {
			k := 2 + rng.IntN(8)
			word := make([]byte, k)
			for i := range word {
				word[i] = letters[min(rng.IntN(26), rng.IntN(26))] // skewed towards common letters
			}
			if w == 0 {
				word[0] -= 'a' - 'A'
			}
			b.Write(word)
			if w < words-1 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(". ")
	}
	s := b.String()[:n]
	return s[:strings.LastIndexByte(s, ' ')]
}

// TestSharesOfRealRemixes registers three works of three creators with the
// real matcher over SQLite, builds remix pages from known byte lengths of
// each, attributes them, stores the scan and checks the report's shares
// against the constructed proportions (within 2 percentage points).
func TestSharesOfRealRemixes(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "attrib.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := matcher.New(st, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	creators := []string{"Ada", "Ben", "Cy"}
	texts := make([]string, len(creators))
	for i, c := range creators {
		texts[i] = prose(uint64(i+1), 12000)
		if _, _, err := m.Register(ctx, matcher.Input{Creator: c, Title: c + "'s work", Kind: store.KindText,
			Data: []byte(texts[i]), Text: texts[i]}); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct {
		name  string
		parts [3]float64 // proportions of Ada, Ben, Cy
	}{
		{"halves and fifths", [3]float64{0.5, 0.3, 0.2}},
		{"thirds", [3]float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
		{"mostly Cy", [3]float64{0.15, 0.15, 0.7}},
		{"a small quote", [3]float64{0.8, 0.12, 0.08}},
	}
	const pageBytes = 9000
	sc, err := st.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: []string{"http://remix.example/"}, State: store.ScanRunning})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]float64{}
	for pi, p := range pages {
		url := fmt.Sprintf("http://remix.example/%d", pi)
		var found strings.Builder
		var lens [3]float64
		for i, share := range p.parts {
			// Each part starts at a different offset of its work, and is
			// cut at a word: its real byte length is what the share is of.
			part := texts[i][pi*500:]
			part = part[:strings.LastIndexByte(part[:int(share*pageBytes)], ' ')]
			lens[i] = float64(len(part))
			found.WriteString(part + "\n\n")
		}
		total := lens[0] + lens[1] + lens[2]
		want[url] = [3]float64{lens[0] / total, lens[1] / total, lens[2] / total}
		ms, err := m.MatchPage(ctx, matcher.Found{URL: url, PageURL: url}, "", found.String())
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutMatches(ctx, sc.ID, ms); err != nil {
			t.Fatal(err)
		}
	}
	r, err := report.FromStore(ctx, st, sc.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Documents) != len(pages) {
		t.Fatalf("report has %d documents, want %d", len(r.Documents), len(pages))
	}
	for pi, d := range r.Documents {
		t.Run(pages[pi].name, func(t *testing.T) {
			if d.TextCoverage == nil {
				t.Fatalf("%s has no text coverage", d.URL)
			}
			got := map[string]float64{}
			for _, s := range d.Shares {
				got[s.Creator] = s.Share
			}
			t.Logf("%s: shares %.4f %.4f %.4f, constructed %.4f %.4f %.4f, text coverage %v", d.URL,
				got["Ada"], got["Ben"], got["Cy"], want[d.URL][0], want[d.URL][1], want[d.URL][2], *d.TextCoverage)
			for i, c := range creators {
				if diff := math.Abs(got[c] - want[d.URL][i]); diff > 0.02 {
					t.Errorf("%s: %s's share %.4f, constructed %.4f (off by %.1f points)", d.URL, c, got[c], want[d.URL][i], diff*100)
				}
			}
			if len(d.Shares) != 3 {
				t.Errorf("%s lists %d creators, want 3: %+v", d.URL, len(d.Shares), d.Shares)
			}
			if *d.TextCoverage < 0.9 {
				t.Errorf("%s: text coverage %v, want nearly all of a page made only of works", d.URL, d.TextCoverage)
			}
		})
	}
	// A creator's filtered report keeps the whole-page shares.
	ben, err := report.FromStore(ctx, st, sc.ID, "Ben")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ben.Documents {
		if len(d.Shares) != 1 || d.Shares[0].Creator != "Ben" || math.Abs(d.Shares[0].Share-want[d.URL][1]) > 0.02 {
			t.Errorf("Ben's report, %s: shares %+v, want Ben's %.4f only", d.URL, d.Shares, want[d.URL][1])
		}
	}
}
