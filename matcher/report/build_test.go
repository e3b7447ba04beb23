package report

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func TestBuildDedupe(t *testing.T) {
	works := IndexWorks([]store.Work{{ID: "w1", Creator: "A", Title: "T", Kind: store.KindImage}})
	m := func(url, page, dataset, record string, score, workCov float64) store.Match {
		return store.Match{WorkID: "w1", FoundURL: url, PageURL: page, Dataset: dataset, Record: record,
			Method: "image", Score: score, WorkCoverage: workCov}
	}
	tests := []struct {
		name      string
		in        []store.Match
		wantPages []string // page_url of the kept matches, in report order
	}{
		{"higher score first", []store.Match{m("u", "best", "", "", 0.9, 0.1), m("u", "worse", "", "", 0.8, 1)}, []string{"best"}},
		{"higher score last", []store.Match{m("u", "worse", "", "", 0.8, 1), m("u", "best", "", "", 0.9, 0.1)}, []string{"best"}},
		{"score tie: work coverage", []store.Match{m("u", "worse", "", "", 0.9, 0.2), m("u", "best", "", "", 0.9, 0.3)}, []string{"best"}},
		{"full tie: first wins", []store.Match{m("u", "first", "", "", 0.9, 0.2), m("u", "second", "", "", 0.9, 0.2)}, []string{"first"}},
		{"tie after rounding: first wins", []store.Match{m("u", "first", "", "", 0.90001, 0.2), m("u", "second", "", "", 0.90002, 0.2)}, []string{"first"}},
		{"different urls kept", []store.Match{m("u1", "a", "", "", 0.9, 0), m("u2", "b", "", "", 0.8, 0)}, []string{"a", "b"}},
		{"different records kept", []store.Match{m("u", "a", "d", "r1", 0.9, 0), m("u", "b", "d", "r2", 0.8, 0)}, []string{"a", "b"}},
		{"different datasets kept", []store.Match{m("u", "a", "d1", "r", 0.9, 0), m("u", "b", "d2", "r", 0.8, 0)}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(store.Scan{ID: "s"}, works, tt.in)
			var got []string
			for _, m := range r.Matches {
				got = append(got, m.Found.PageURL)
			}
			if !slices.Equal(got, tt.wantPages) {
				t.Errorf("kept %q, want %q", got, tt.wantPages)
			}
		})
	}
}

func TestBuildDedupeKeepsWinnerWhole(t *testing.T) {
	scan, works, matches := fixture(t)
	r := Build(scan, works, matches)
	var notes []Match
	for _, m := range r.Matches {
		if m.Work.ID == "w-notes" {
			notes = append(notes, m)
		}
	}
	if len(notes) != 1 {
		t.Fatalf("got %d matches for w-notes, want 1", len(notes))
	}
	if notes[0].Score != 0.9313 || len(notes[0].Evidence.Passages) != 2 || notes[0].OptOut == nil {
		t.Errorf("kept the weaker duplicate or merged: %+v", notes[0])
	}
}

func TestBuildSortIsDeterministic(t *testing.T) {
	scan, works, matches := fixture(t)
	want := []string{
		"w-notes http://blog.example/post.html",
		"w-portrait http://blog.example/img/ada.jpg", // same work: score 1 before 0.8125
		"w-portrait http://mirror.example/a.png",
		"w-essay http://cc.example/essay",   // creator Cara Byte
		"w-evil http://evil.example/a|b<c>", // creator Mallory
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		shuffled := slices.Clone(matches)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		var got []string
		for _, m := range Build(scan, works, shuffled).Matches {
			got = append(got, m.Work.ID+" "+m.Found.URL)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("shuffle %d: order %q, want %q", i, got, want)
		}
	}
}

func TestBuildSortTieBreaks(t *testing.T) {
	works := IndexWorks([]store.Work{
		{ID: "w2", Creator: "A", Title: "Same"}, {ID: "w1", Creator: "A", Title: "Same"}, {ID: "w3", Creator: "A", Title: "Other"},
	})
	in := []store.Match{
		{WorkID: "w2", FoundURL: "b", Score: 0.5}, {WorkID: "w2", FoundURL: "a", Score: 0.5},
		{WorkID: "w1", FoundURL: "z", Score: 0.1}, {WorkID: "w3", FoundURL: "q", Score: 0.2},
	}
	var got []string
	for _, m := range Build(store.Scan{}, works, in).Matches {
		got = append(got, m.Work.ID+" "+m.Found.URL)
	}
	want := []string{"w3 q", "w1 z", "w2 a", "w2 b"} // title, then work ID, then URL
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestBuildRatios(t *testing.T) {
	tests := []struct {
		in, want float64
	}{
		{0.123456, 0.1235}, {0.99996, 1}, {1, 1}, {1.5, 1}, {-0.2, 0}, {math.NaN(), 0}, {math.Inf(1), 1}, {0.00004, 0},
	}
	for _, tt := range tests {
		r := Build(store.Scan{}, nil, []store.Match{{WorkID: "w", Score: tt.in, WorkCoverage: tt.in, FoundCoverage: tt.in}})
		m := r.Matches[0]
		if m.Score != tt.want || m.WorkCoverage != tt.want || m.FoundCoverage != tt.want {
			t.Errorf("ratio(%v) = %v/%v/%v, want %v", tt.in, m.Score, m.WorkCoverage, m.FoundCoverage, tt.want)
		}
	}
}

func TestBuildFound(t *testing.T) {
	works := IndexWorks([]store.Work{{ID: "t", Kind: store.KindText}, {ID: "i", Kind: store.KindImage}})
	tests := []struct {
		name string
		in   store.Match
		want Found
	}{
		{"text page_url defaults to url", store.Match{WorkID: "t", FoundURL: "u"}, Found{URL: "u", PageURL: "u"}},
		{"image without page keeps none", store.Match{WorkID: "i", FoundURL: "u"}, Found{URL: "u"}},
		{"image with page", store.Match{WorkID: "i", FoundURL: "u", PageURL: "p"}, Found{URL: "u", PageURL: "p"}},
		{"audit record without url", store.Match{WorkID: "t", Dataset: "d", Record: "r"}, Found{Dataset: "d", Record: "r"}},
		{"unknown work: no default", store.Match{WorkID: "gone", FoundURL: "u"}, Found{URL: "u"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Build(store.Scan{}, works, []store.Match{tt.in}).Matches[0].Found; got != tt.want {
				t.Errorf("found = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBuildScan(t *testing.T) {
	r := Build(store.Scan{ID: "s", Kind: "audit",
		StartedAt: time.Date(2025, 1, 2, 5, 4, 5, 999e6, time.FixedZone("X", -3*3600))}, nil, nil)
	want := Scan{ID: "s", Kind: "audit", Targets: []string{}, StartedAt: "2025-01-02T08:04:05Z"}
	if !reflect.DeepEqual(r.Scan, want) {
		t.Errorf("scan = %+v, want %+v", r.Scan, want)
	}
	if r.Version != 1 || r.Matches == nil || len(r.Matches) != 0 {
		t.Errorf("version %d, matches %#v; want 1 and empty non-nil", r.Version, r.Matches)
	}
}

func TestBuildMissingWorkKeepsID(t *testing.T) {
	r := Build(store.Scan{}, nil, []store.Match{{WorkID: "gone", FoundURL: "u", Method: "text"}})
	if got := r.Matches[0].Work; !reflect.DeepEqual(got, Work{ID: "gone"}) {
		t.Errorf("work = %+v, want only the ID", got)
	}
}

func TestBuildCopiesInput(t *testing.T) {
	scan, works, matches := fixture(t)
	r := Build(scan, works, matches)
	before := fixtureReport(t)
	for i := range matches {
		for j := range matches[i].Evidence.Passages {
			matches[i].Evidence.Passages[j].Text = "mutated"
		}
		if matches[i].Evidence.Distance != nil {
			*matches[i].Evidence.Distance = 99
		}
		if matches[i].OptOut != nil {
			for j := range matches[i].OptOut.Signals {
				matches[i].OptOut.Signals[j].Value = "mutated"
			}
		}
	}
	scan.Targets[0] = "mutated"
	if !reflect.DeepEqual(r, before) {
		t.Error("report changed when its input was mutated")
	}
}

func TestFilterCreator(t *testing.T) {
	full := fixtureReport(t)
	tests := []struct {
		name    string
		creator string
		want    []string
	}{
		{"one creator", "Ada Lovelace", []string{"w-notes", "w-portrait", "w-portrait"}},
		{"another", "Mallory", []string{"w-evil"}},
		{"exact name only", "ada lovelace", nil},
		{"unknown", "Nobody", nil},
		{"empty keeps all", "", []string{"w-notes", "w-portrait", "w-portrait", "w-essay", "w-evil"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := FilterCreator(full, tt.creator)
			var got []string
			for _, m := range r.Matches {
				got = append(got, m.Work.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("works %q, want %q", got, tt.want)
			}
			if r.Matches == nil || r.Scan.Stats != full.Scan.Stats || r.Version != full.Version {
				t.Errorf("filter changed the report's frame: %+v", r.Scan)
			}
		})
	}
	if len(full.Matches) != 5 {
		t.Errorf("FilterCreator modified its input: %d matches", len(full.Matches))
	}
}
