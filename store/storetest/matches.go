package storetest

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/attrib/attrib/store"
)

// matchFixture is a store with two creators' works and one scan.
type matchFixture struct {
	alice1, alice2, bob store.Work
	scan                store.Scan
}

func newMatchFixture(t testing.TB, s store.Store) matchFixture {
	t.Helper()
	return matchFixture{
		alice1: putWork(t, s, textWork("alice", "first poem")),
		alice2: putWork(t, s, store.Work{Creator: "alice", Title: "photo", Kind: store.KindImage, SHA256: hash("jpeg"), Size: 4}),
		bob:    putWork(t, s, textWork("bob", "bob's essay")),
		scan:   createScan(t, s, crawlScan()),
	}
}

func intp(i int) *int { return &i }

// richMatches exercises every field of Match, including nil and zero values
// that must stay distinct.
func richMatches(f matchFixture) []store.Match {
	return []store.Match{{
		WorkID: f.alice1.ID, FoundURL: "http://site.test/page", PageURL: "http://site.test/page",
		Method: "text", Score: 0.875, WorkCoverage: 0.5, FoundCoverage: 1.0 / 3,
		Evidence: store.Evidence{Algorithm: "text-winnow", Passages: []store.Passage{
			{WorkStart: 0, WorkEnd: 5, FoundStart: 100, FoundEnd: 105, Text: "first"},
			{WorkStart: 6, WorkEnd: 10, FoundStart: 200, FoundEnd: 204, Text: "pöém \"quoted\" <b>"},
		}},
		OptOut: &store.OptOut{Reserved: true, Signals: []store.OptOutSignal{
			{Kind: "robots", Value: "GPTBot: Disallow /", Source: "http://site.test/robots.txt"},
			{Kind: "meta", Value: "noai"},
		}},
	}, {
		WorkID: f.alice2.ID, FoundURL: "http://site.test/img.jpg", PageURL: "http://site.test/page",
		Method: "image", Score: 1, WorkCoverage: 1, FoundCoverage: 1,
		Evidence: store.Evidence{Algorithm: "phash", Distance: intp(0), Bits: 64, Transform: "none"},
	}, {
		WorkID: f.alice2.ID, FoundURL: "http://site.test/flipped.jpg", PageURL: "http://site.test/page",
		Method: "image", Score: 0.9, WorkCoverage: 1, FoundCoverage: 1,
		Evidence: store.Evidence{Algorithm: "pdq", Distance: intp(17), Bits: 256, Transform: "hflip"},
		OptOut:   &store.OptOut{},
	}, {
		WorkID: f.bob.ID, FoundURL: "", Dataset: "/data/crawl.warc.gz", Record: "urn:uuid:1234",
		Method: "exact", Score: 1, Evidence: store.Evidence{Algorithm: "sha256"},
	}}
}

// normMatch makes empty slices nil so that equivalent matches compare equal.
func normMatch(m store.Match) store.Match {
	if len(m.Evidence.Passages) == 0 {
		m.Evidence.Passages = nil
	}
	if m.OptOut != nil {
		o := *m.OptOut
		if len(o.Signals) == 0 {
			o.Signals = nil
		}
		m.OptOut = &o
	}
	return m
}

// checkMatches compares got with want in order, exactly.
func checkMatches(t testing.TB, got, want []store.Match) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d matches, want %d:\n got %s\nwant %s", len(got), len(want), keys(got), keys(want))
	}
	for i := range got {
		g, w := normMatch(got[i]), normMatch(want[i])
		if !reflect.DeepEqual(g, w) {
			t.Errorf("match %d:\n got %s\nwant %s", i, dump(g), dump(w))
		}
	}
}

func dump(m store.Match) string {
	s := fmt.Sprintf("%+v", m)
	if m.Evidence.Distance != nil {
		s += fmt.Sprintf(" distance=%d", *m.Evidence.Distance)
	}
	if m.OptOut != nil {
		s += fmt.Sprintf(" optout=%+v", *m.OptOut)
	}
	return s
}

func keys(ms []store.Match) []string {
	var ks []string
	for _, m := range ms {
		ks = append(ks, m.WorkID+" "+m.FoundURL+" "+m.Dataset+" "+m.Record)
	}
	return ks
}

// sortMatches orders ms as Matches must: by work ID, then found URL.
func sortMatches(ms []store.Match) []store.Match {
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b store.Match) int {
		if a.WorkID != b.WorkID {
			return cmpString(a.WorkID, b.WorkID)
		}
		return cmpString(a.FoundURL, b.FoundURL)
	})
	return ms
}

// byFullKey sorts ms by the whole upsert key.
func byFullKey(ms []store.Match) []store.Match {
	slices.SortFunc(ms, func(a, b store.Match) int {
		return slices.Compare(
			[]string{a.WorkID, a.FoundURL, a.Dataset, a.Record},
			[]string{b.WorkID, b.FoundURL, b.Dataset, b.Record})
	})
	return ms
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func matches(t testing.TB, s store.Store, scanID string, f store.MatchFilter) []store.Match {
	t.Helper()
	ms, err := s.Matches(t.Context(), scanID, f)
	if err != nil {
		t.Fatalf("Matches(%s, %+v): %v", scanID, f, err)
	}
	return ms
}

func putMatches(t testing.TB, s store.Store, scanID string, ms []store.Match) {
	t.Helper()
	if err := s.PutMatches(t.Context(), scanID, ms); err != nil {
		t.Fatalf("PutMatches(%s, %d matches): %v", scanID, len(ms), err)
	}
}

func testMatchesRoundTrip(t *testing.T, s store.Store) {
	f := newMatchFixture(t, s)
	want := richMatches(f)
	putMatches(t, s, f.scan.ID, want)
	checkMatches(t, matches(t, s, f.scan.ID, store.MatchFilter{}), sortMatches(want))
	putMatches(t, s, f.scan.ID, nil)
	if got := matches(t, s, f.scan.ID, store.MatchFilter{}); len(got) != len(want) {
		t.Errorf("an empty PutMatches changed the scan's matches to %d", len(got))
	}
}

func testMatchesUpsert(t *testing.T, s store.Store) {
	f := newMatchFixture(t, s)
	other := createScan(t, s, crawlScan())
	m := richMatches(f)[0]
	putMatches(t, s, f.scan.ID, []store.Match{m})
	better := m
	better.Score, better.PageURL, better.OptOut = 0.99, "http://site.test/other", nil
	better.Evidence = store.Evidence{Algorithm: "text-winnow", Passages: []store.Passage{{WorkEnd: 10, FoundEnd: 10, Text: "first poem"}}}
	otherRecord := m
	otherRecord.Dataset, otherRecord.Record = "/data/a.jsonl", "line 7"
	otherRecord2 := otherRecord
	otherRecord2.Record = "line 8"
	putMatches(t, s, f.scan.ID, []store.Match{better, otherRecord, otherRecord2, otherRecord})
	putMatches(t, s, other.ID, []store.Match{m})

	// The three share work and found URL, so their order is not specified.
	got := byFullKey(matches(t, s, f.scan.ID, store.MatchFilter{}))
	checkMatches(t, got, byFullKey([]store.Match{better, otherRecord, otherRecord2}))
	checkMatches(t, matches(t, s, other.ID, store.MatchFilter{}), []store.Match{m})
}

func testMatchesFilterAndOrder(t *testing.T, s store.Store) {
	f := newMatchFixture(t, s)
	var all []store.Match
	for _, u := range []string{"http://c.test/", "http://a.test/", "http://b.test/"} {
		for _, w := range []store.Work{f.bob, f.alice2, f.alice1} {
			all = append(all, store.Match{WorkID: w.ID, FoundURL: u, PageURL: u, Method: "exact", Score: 1})
		}
	}
	putMatches(t, s, f.scan.ID, all)
	only := func(keep func(store.Match) bool) []store.Match {
		var ms []store.Match
		for _, m := range sortMatches(all) {
			if keep(m) {
				ms = append(ms, m)
			}
		}
		return ms
	}
	isAlice := func(m store.Match) bool { return m.WorkID != f.bob.ID }
	tests := []struct {
		name   string
		filter store.MatchFilter
		want   []store.Match
	}{
		{"all", store.MatchFilter{}, sortMatches(all)},
		{"creator", store.MatchFilter{Creator: "alice"}, only(isAlice)},
		{"work", store.MatchFilter{WorkID: f.bob.ID}, only(func(m store.Match) bool { return m.WorkID == f.bob.ID })},
		{"creator and own work", store.MatchFilter{Creator: "alice", WorkID: f.alice2.ID},
			only(func(m store.Match) bool { return m.WorkID == f.alice2.ID })},
		{"creator and other's work", store.MatchFilter{Creator: "alice", WorkID: f.bob.ID}, nil},
		{"unknown creator", store.MatchFilter{Creator: "nobody"}, nil},
		{"unknown work", store.MatchFilter{WorkID: "w_missing"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkMatches(t, matches(t, s, f.scan.ID, tc.filter), tc.want)
		})
	}
}

func testMatchesUnknownScan(t *testing.T, s store.Store) {
	f := newMatchFixture(t, s)
	err := s.PutMatches(t.Context(), "s_missing", richMatches(f)[:1])
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutMatches(unknown scan) = %v, want ErrNotFound", err)
	}
	if _, err := s.Matches(t.Context(), "s_missing", store.MatchFilter{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Matches(unknown scan) = %v, want ErrNotFound", err)
	}
}

// testPutMatchesInvalidStoresNothing: a batch with one invalid match is
// refused whole (store.ErrInvalid) and stores none of its matches.
func testPutMatchesInvalidStoresNothing(t *testing.T, s store.Store) {
	ctx := t.Context()
	w, _, err := s.PutWork(ctx, textWork("alice", "x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := s.CreateScan(ctx, store.Scan{Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	good := store.Match{WorkID: w.ID, FoundURL: "http://a.test/", Score: 1}
	for _, tc := range []struct {
		name string
		bad  store.Match
	}{
		{"unknown work", store.Match{WorkID: "w_0000000000000000", FoundURL: "http://b.test/"}},
		{"malformed work id", store.Match{WorkID: "no-such-work", FoundURL: "http://b.test/"}},
		{"no work", store.Match{FoundURL: "http://b.test/"}},
		{"NaN score", store.Match{WorkID: w.ID, FoundURL: "http://b.test/", Score: math.NaN()}},
		{"infinite coverage", store.Match{WorkID: w.ID, FoundURL: "http://b.test/", WorkCoverage: math.Inf(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.PutMatches(ctx, sc.ID, []store.Match{good, tc.bad})
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("PutMatches = %v, want ErrInvalid", err)
			}
			if ms, err := s.Matches(ctx, sc.ID, store.MatchFilter{}); err != nil || len(ms) != 0 {
				t.Errorf("Matches = %d, %v; want none stored from a failed batch", len(ms), err)
			}
		})
	}
}
