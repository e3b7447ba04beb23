package report

import (
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/attrib/attrib/store"
)

func TestSplitSpans(t *testing.T) {
	tests := []struct {
		name    string
		spans   []span
		want    map[int]float64
		covered int
	}{
		{"none", nil, map[int]float64{}, 0},
		{"one span", []span{{0, 100, 1, "a"}}, map[int]float64{1: 100}, 100},
		{"disjoint", []span{{0, 100, 1, "a"}, {200, 250, 2, "b"}}, map[int]float64{1: 100, 2: 50}, 150},
		{"adjacent spans share no byte", []span{{0, 100, 1, "a"}, {100, 200, 2, "b"}}, map[int]float64{1: 100, 2: 100}, 200},
		{"two creators overlap: split in half", []span{{0, 100, 1, "a"}, {50, 150, 2, "b"}},
			map[int]float64{1: 75, 2: 75}, 150},
		{"three creators on the same bytes", []span{{0, 90, 1, "a"}, {0, 90, 2, "b"}, {0, 90, 3, "c"}},
			map[int]float64{1: 30, 2: 30, 3: 30}, 90},
		{"nested: inner bytes split, outer keeps the rest", []span{{0, 100, 1, "a"}, {40, 60, 2, "b"}},
			map[int]float64{1: 90, 2: 10}, 100},
		{"staircase of three creators", []span{{0, 60, 1, "a"}, {30, 90, 2, "b"}, {60, 120, 3, "c"}},
			// a: 30 + 15; b: 15 + 15; c: 15 + 30
			map[int]float64{1: 45, 2: 30, 3: 45}, 120},
		{"same creator's two works split the creator's part", []span{{0, 100, 1, "a"}, {0, 100, 2, "a"}, {0, 100, 3, "b"}},
			map[int]float64{1: 25, 2: 25, 3: 50}, 100},
		{"one owner's overlapping passages count once", []span{{0, 100, 1, "a"}, {50, 150, 1, "a"}}, map[int]float64{1: 150}, 150},
		{"empty and inverted spans cover nothing", []span{{10, 10, 1, "a"}, {20, 5, 2, "b"}, {0, 4, 3, "c"}},
			map[int]float64{3: 4}, 4},
		{"order does not matter", []span{{60, 120, 3, "c"}, {30, 90, 2, "b"}, {0, 60, 1, "a"}},
			map[int]float64{1: 45, 2: 30, 3: 45}, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, covered := splitSpans(tt.spans)
			if covered != tt.covered {
				t.Errorf("covered %d, want %d", covered, tt.covered)
			}
			if !maps.EqualFunc(got, tt.want, func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }) {
				t.Errorf("split %v, want %v", got, tt.want)
			}
			sum := 0.0
			for _, v := range got {
				sum += v
			}
			if math.Abs(sum-float64(covered)) > 1e-9 {
				t.Errorf("split sums to %v, want the %d covered bytes", sum, covered)
			}
		})
	}
}

// shareOf returns the named creator's share of the document at url.
func shareOf(tb testing.TB, r Report, url, creator string) Share {
	tb.Helper()
	for _, d := range r.Documents {
		if d.URL != url {
			continue
		}
		for _, s := range d.Shares {
			if s.Creator == creator {
				return s
			}
		}
		tb.Fatalf("document %s has no share of %q: %+v", url, creator, d.Shares)
	}
	tb.Fatalf("no document %s", url)
	return Share{}
}

func TestRemixShares(t *testing.T) {
	r := remixReport(t)
	if len(r.Documents) != 2 {
		t.Fatalf("got %d documents, want 2 (the remix page, the copy)", len(r.Documents))
	}
	page := "http://remix.example/mashup"
	tests := []struct {
		creator           string
		share, bytes, img float64
		works             []string
	}{
		{"Ana", 0.6364, 450, 1.5, []string{"w-dawn", "w-ode"}},
		{"Ben", 0.303, 450, 0.5, []string{"w-sketch", "w-ballad", "w-draft"}},
		{"Cy", 0.0606, 200, 0, []string{"w-chant"}},
	}
	sum := 0.0
	for _, tt := range tests {
		s := shareOf(t, r, page, tt.creator)
		sum += s.Share
		var ids []string
		for _, w := range s.Works {
			ids = append(ids, w.ID)
		}
		if s.Share != tt.share || s.TextBytes != tt.bytes || s.Images != tt.img || !slices.Equal(ids, tt.works) {
			t.Errorf("%s: share %v, bytes %v, images %v, works %q; want %v, %v, %v, %q",
				tt.creator, s.Share, s.TextBytes, s.Images, ids, tt.share, tt.bytes, tt.img, tt.works)
		}
	}
	if math.Abs(sum-1) > 1e-3 {
		t.Errorf("shares sum to %v, want 1", sum)
	}
	d := r.Documents[1]
	if d.URL != page || d.TextBytes != 1100 || d.Images != 2 || d.Matches != 7 || d.TextCoverage == nil || *d.TextCoverage != 0.55 {
		t.Errorf("remix document = %+v, want 1100 text bytes, 2 images, 7 matches, 55%% text coverage", d)
	}
	if c := shareOf(t, r, "http://copy.example/chant.txt", "Cy"); c.Share != 1 || c.TextBytes != 0 {
		t.Errorf("byte-identical copy: %+v, want share 1 and unknown bytes", c)
	}
	for _, m := range r.Matches {
		if m.Share == nil {
			t.Errorf("match %s at %s has no share", m.Work.ID, m.Found.URL)
		}
	}
}

func TestDocumentRules(t *testing.T) {
	works := IndexWorks([]store.Work{
		{ID: "t1", Creator: "A", Title: "T1", Kind: store.KindText},
		{ID: "t2", Creator: "B", Title: "T2", Kind: store.KindText},
		{ID: "i1", Creator: "A", Title: "I1", Kind: store.KindImage},
		{ID: "i2", Creator: "C", Title: "I2", Kind: store.KindImage},
	})
	text := func(id, url string, fc float64, s, e int) store.Match {
		return store.Match{WorkID: id, FoundURL: url, PageURL: url, Method: "text", Score: 0.9, FoundCoverage: fc,
			Evidence: store.Evidence{Passages: []store.Passage{{FoundStart: s, FoundEnd: e}}}}
	}
	image := func(id, url, page string) store.Match {
		return store.Match{WorkID: id, FoundURL: url, PageURL: page, Method: "image", Score: 0.9, FoundCoverage: 1}
	}
	exact := func(id, url string) store.Match {
		return store.Match{WorkID: id, FoundURL: url, PageURL: url, Method: "exact", Score: 1, FoundCoverage: 1}
	}
	tests := []struct {
		name     string
		in       []store.Match
		url      string
		want     map[string]float64 // creator -> share
		coverage float64            // -1: omitted
	}{
		{"text only: by bytes", []store.Match{text("t1", "p", 0.3, 0, 300), text("t2", "p", 0.1, 300, 400)}, "p",
			map[string]float64{"A": 0.75, "B": 0.25}, 0.4},
		{"text and an image: one unit each", []store.Match{text("t2", "p", 0.5, 0, 100), image("i1", "p/x.jpg", "p")}, "p",
			map[string]float64{"A": 0.5, "B": 0.5}, 0.5},
		{"an image belongs to its page, not its own URL", []store.Match{image("i2", "p/y.jpg", "p")}, "p",
			map[string]float64{"C": 1}, -1},
		{"two creators' works in one image split it", []store.Match{image("i1", "p/c.png", "p"), image("i2", "p/c.png", "p"),
			image("i2", "p/d.png", "p")}, "p", map[string]float64{"A": 0.25, "C": 0.75}, -1},
		{"a byte-identical copy covers the whole text", []store.Match{exact("t1", "p"), text("t2", "p", 0.25, 0, 100)}, "p",
			// the whole text is 400 bytes (100 / 0.25); t2's 100 bytes are split with t1
			map[string]float64{"A": 0.875, "B": 0.125}, 1},
		{"an empty passage counts as the whole text", []store.Match{text("t1", "p", 0.5, 5, 5)}, "p",
			map[string]float64{"A": 1}, 1},
		{"unknown work: its own creator", []store.Match{text("gone", "p", 0.5, 0, 100), text("gone2", "p", 0.5, 100, 200)}, "p",
			map[string]float64{"": 0.5}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(store.Scan{ID: "s"}, works, tt.in)
			if len(r.Documents) != 1 || r.Documents[0].URL != tt.url {
				t.Fatalf("documents %+v, want one at %s", r.Documents, tt.url)
			}
			d := r.Documents[0]
			for _, s := range d.Shares {
				if want, ok := tt.want[s.Creator]; !ok || math.Abs(s.Share-want) > 1e-4 {
					t.Errorf("creator %q share %v, want %v", s.Creator, s.Share, tt.want[s.Creator])
				}
			}
			switch {
			case tt.coverage < 0 && d.TextCoverage != nil:
				t.Errorf("text coverage %v, want none", *d.TextCoverage)
			case tt.coverage >= 0 && (d.TextCoverage == nil || *d.TextCoverage != tt.coverage):
				t.Errorf("text coverage %v, want %v", d.TextCoverage, tt.coverage)
			}
		})
	}
}

func TestFilterCreatorKeepsWholeDocumentShares(t *testing.T) {
	r := FilterCreator(remixReport(t), "Ben")
	if len(r.Documents) != 1 {
		t.Fatalf("got %d documents, want the remix page only", len(r.Documents))
	}
	if s := r.Documents[0].Shares; len(s) != 1 || s[0].Creator != "Ben" || s[0].Share != 0.303 {
		t.Errorf("shares %+v, want only Ben's 0.303 of the whole page", s)
	}
	if full := remixReport(t); len(full.Documents[1].Shares) != 3 {
		t.Error("FilterCreator modified its input")
	}
}

func TestByCreator(t *testing.T) {
	got := ByCreator(remixReport(t))
	want := []CreatorTotal{
		{Creator: "Cy", Documents: 2, Matches: 2, Works: 1, Share: 1.0606, TextBytes: 200},
		{Creator: "Ana", Documents: 1, Matches: 3, Works: 2, Share: 0.6364, TextBytes: 450, Images: 1.5},
		{Creator: "Ben", Documents: 1, Matches: 3, Works: 3, Share: 0.303, TextBytes: 450, Images: 0.5},
	}
	if !slices.Equal(got.Creators, want) || got.Documents != 2 || got.By != "creator" {
		t.Errorf("totals %+v\nwant creators %+v", got, want)
	}
	if e := ByCreator(emptyReport(t)); e.Creators == nil || len(e.Creators) != 0 {
		t.Errorf("empty report totals %+v, want an empty creator list", e.Creators)
	}
}
