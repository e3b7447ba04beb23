package textmatch

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/textfp"
)

var calibrate = flag.Bool("calibrate", false, "run the calibration experiments behind the default options (slow, logs figures)")

func skipUnlessCalibrate(t *testing.T) {
	t.Helper()
	if !*calibrate {
		t.Skip("calibration experiment; run with -calibrate")
	}
}

func allFortunes(t *testing.T) works {
	ws := works{}
	ents, err := os.ReadDir(filepath.Join(dataDir(t), "texts", "fortunes"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		for i, r := range fortunes(t, e.Name()) {
			ws[fmt.Sprintf("fortune/%s/%d", e.Name(), i)] = r
		}
	}
	return ws
}

// TestCalibrateChance measures the passages that texts with no shared
// source produce with the thresholds off: the lengths chance and stock
// phrases reach.
func TestCalibrateChance(t *testing.T) {
	skipUnlessCalibrate(t)
	holmes := readData(t, "texts/pg1661.txt")
	tom := readData(t, "texts/Mark.Twain-Tom.Sawyer.txt")
	kjv := readData(t, "texts/kjv.txt")
	ws := allFortunes(t)
	for i, c := range chunks(holmes, 2000) {
		ws[fmt.Sprintf("holmes/%d", i)] = c
	}
	opts := DefaultOptions()
	opts.MinPassageTokens, opts.MinScore, opts.MaxHashWorks = opts.K, 0, 1<<30
	e := newEngine(t, opts, ws)
	founds := chunks(tom, 5000)
	founds = append(founds, chunks(kjv[:len(kjv)/4], 5000)...)
	hist := map[int]int{}
	type hit struct {
		n         int
		work, txt string
	}
	var hits []hit
	words := 0
	for _, f := range founds {
		words += len(textfp.Tokenize(f))
		rs, err := e.Match(context.Background(), f, ws.text)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			for _, p := range r.Passages {
				n := len(textfp.Tokenize(p.Text))
				hist[n]++
				hits = append(hits, hit{n, r.WorkID, p.Text})
			}
		}
	}
	t.Logf("%d found texts, %d tokens, %d works", len(founds), words, len(ws))
	keys := make([]int, 0, len(hist))
	for k := range hist {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	cum := 0
	for _, k := range keys {
		cum += hist[k]
		t.Logf("len %3d: %6d passages (cum %d)", k, hist[k], cum)
	}
	slices.SortFunc(hits, func(a, b hit) int { return b.n - a.n })
	for _, h := range hits[:min(40, len(hits))] {
		t.Logf("%d %s %q", h.n, h.work, strings.Join(strings.Fields(h.txt), " "))
	}
}

// TestCalibrateBoilerplate measures in how many works shingles occur.
func TestCalibrateBoilerplate(t *testing.T) {
	skipUnlessCalibrate(t)
	ws := allFortunes(t)
	root := filepath.Join(dataDir(t), "site-pydoc-sources")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		ws[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range chunks(readData(t, "texts/pg1661.txt"), 2000) {
		ws[fmt.Sprintf("holmes/%d", i)] = c
	}
	opts := DefaultOptions()
	opts.MaxHashWorks = 1 << 30 // count every hash's works
	e := newEngine(t, opts, ws)
	text := map[uint64]string{}
	for _, w := range ws {
		toks := textfp.Tokenize(w)
		for i, h := range textfp.Shingles(nil, toks, e.opts.K) {
			if _, ok := text[prefix(h)]; !ok {
				text[prefix(h)] = w[toks[i].Start:toks[i+e.opts.K-1].End]
			}
		}
	}
	hist := map[int]int{}
	type top struct {
		works int
		h     uint64
	}
	var tops []top
	distinct := 0
	e.ix.forEachHash(func(h uint64, works int) {
		distinct++
		hist[works]++
		if works >= 8 {
			tops = append(tops, top{works, h})
		}
	})
	for _, k := range []int{1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 100, 200} {
		n := 0
		for w, c := range hist {
			if w > k {
				n += c
			}
		}
		t.Logf("hashes in more than %3d works: %d of %d", k, n, distinct)
	}
	slices.SortFunc(tops, func(a, b top) int { return b.works - a.works })
	for i, tp := range tops {
		if i < 30 || (i%20 == 0 && i < 400) {
			t.Logf("%4d works: %q", tp.works, text[tp.h])
		}
	}
}

// edit changes text: every `every` words, op ("replace", "insert",
// "delete") is applied at a random offset.
func edit(text string, every int, op string, rng *rand.Rand) string {
	f := strings.Fields(text)
	var out []string
	for i := 0; i < len(f); i += every {
		part := slices.Clone(f[i:min(i+every, len(f))])
		j := rng.IntN(len(part))
		switch op {
		case "replace":
			part[j] = "zqx" + fmt.Sprint(rng.IntN(1000))
		case "insert":
			part = slices.Insert(part, j, "zqx"+fmt.Sprint(rng.IntN(1000)))
		case "delete":
			part = slices.Delete(part, j, j+1)
		}
		out = append(out, part...)
	}
	return strings.Join(out, " ")
}

// TestCalibrateEdits measures passages and coverage of edited copies.
func TestCalibrateEdits(t *testing.T) {
	skipUnlessCalibrate(t)
	holmes := chunks(readData(t, "texts/pg1661.txt"), 1000)
	ws := works{}
	for i, c := range holmes[5:15] {
		ws[fmt.Sprint(i)] = c
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, gap := range []int{0, 4, 8, 12} {
		opts := DefaultOptions()
		opts.MaxGapTokens = gap
		e := newEngine(t, opts, ws)
		for _, op := range []string{"replace", "insert", "delete"} {
			for _, every := range []int{8, 12, 20, 50, 100} {
				var cov, passages, missed float64
				for id, w := range ws {
					rs, err := e.Match(context.Background(), edit(w, every, op, rng), ws.text)
					if err != nil {
						t.Fatal(err)
					}
					if len(rs) == 0 || rs[0].WorkID != id {
						missed++
						continue
					}
					cov += rs[0].WorkCoverage
					passages += float64(len(rs[0].Passages))
				}
				n := float64(len(ws))
				t.Logf("gap %2d %-7s every %3d: coverage %.3f passages %.1f missed %.0f", gap, op, every, cov/n, passages/n, missed)
			}
		}
	}
}

// TestCalibrateExcerpts measures detection of short excerpts inside
// unrelated text.
func TestCalibrateExcerpts(t *testing.T) {
	skipUnlessCalibrate(t)
	holmes := readData(t, "texts/pg1661.txt")
	tom := readData(t, "texts/Mark.Twain-Tom.Sawyer.txt")
	ws := works{"holmes": holmes}
	e := newEngine(t, DefaultOptions(), ws)
	hw := strings.Fields(holmes)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{10, 12, 14, 16, 20, 30, 50, 300} {
		found, exact := 0, 0
		var score float64
		const trials = 200
		for range trials {
			from := rng.IntN(len(hw) - n)
			ex := strings.Join(hw[from:from+n], " ")
			at := 20000 + rng.IntN(len(tom)-60000)
			at += strings.IndexByte(tom[at:], '\n')
			page := tom[at-20000:at] + "\n" + ex + "\n" + tom[at:at+20000]
			rs, err := e.Match(context.Background(), page, ws.text)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) == 1 {
				found++
				score += rs[0].Score
				if len(rs[0].Passages) == 1 && strings.Contains(ex, rs[0].Passages[0].Text) && len(rs[0].Passages[0].Text) > len(ex)-30 {
					exact++
				}
			}
		}
		t.Logf("excerpt %3d words: found %3d/%d, passage within excerpt %3d, mean score %.3f", n, found, trials, exact, score/float64(max(found, 1)))
	}
}
