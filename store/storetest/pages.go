package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func checkPageState(t testing.TB, s store.Store, want store.PageState) {
	t.Helper()
	got, err := s.PageState(t.Context(), want.URL)
	if err != nil {
		t.Fatalf("PageState(%s): %v", want.URL, err)
	}
	if got.URL != want.URL || got.ETag != want.ETag || got.LastModified != want.LastModified ||
		got.ScanID != want.ScanID || got.CheckedAt.IsZero() != want.CheckedAt.IsZero() ||
		!sameTime(got.CheckedAt, want.CheckedAt) || !sameLinks(got.Links, want.Links) {
		t.Errorf("PageState = %+v\nwant %+v", got, want)
	}
}

// sameLinks compares links in order and tells nil (not recorded) from
// empty (a page without links): a recrawl treats them differently.
func sameLinks(got, want []string) bool {
	return (got == nil) == (want == nil) && slices.Equal(got, want)
}

func testPageStates(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.PageState(ctx, "http://site.test/"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PageState on an empty store = %v, want ErrNotFound", err)
	}
	if err := s.PutPageStates(ctx, nil); err != nil {
		t.Errorf("PutPageStates(empty batch) = %v", err)
	}
	a := store.PageState{URL: "http://site.test/", ETag: `W/"abc"`, LastModified: "Wed, 21 Oct 2026 07:28:00 GMT",
		ScanID: "s_1", CheckedAt: baseTime(),
		Links: []string{"http://site.test/b", "http://site.test/a?x=1&y=%22", "http://site.test/ü \"q\"\n", "", "http://other.test/"}}
	b := store.PageState{URL: "http://site.test/ü {x}?q=1#frag", ScanID: "nightly"} // no validators, no time, links not recorded
	empty := store.PageState{URL: "http://site.test/leaf", ETag: `"leaf"`, ScanID: "s_1", Links: []string{}}
	many := store.PageState{URL: "http://site.test/hub", ScanID: "s_1", Links: make([]string, store.MaxPageLinks)}
	for i := range many.Links {
		many.Links[i] = fmt.Sprintf("http://site.test/p/%d", i)
	}
	if err := s.PutPageStates(ctx, []store.PageState{a, b, empty, many}); err != nil {
		t.Fatalf("PutPageStates: %v", err)
	}
	checkPageState(t, s, a)
	checkPageState(t, s, b)
	checkPageState(t, s, empty)
	checkPageState(t, s, many)

	// Upsert: every field replaced, validators and links can disappear;
	// within a batch the last state of a URL wins.
	a2 := store.PageState{URL: a.URL, ScanID: "s_2", CheckedAt: baseTime().Add(time.Hour), Links: []string{"http://site.test/z"}}
	a3 := store.PageState{URL: a.URL, ETag: `"v3"`, ScanID: "s_3", CheckedAt: baseTime().Add(2 * time.Hour)}
	b2 := store.PageState{URL: b.URL, ScanID: "s_3", Links: []string{"http://site.test/"}}
	empty2 := store.PageState{URL: empty.URL, ScanID: "s_3"}
	c := store.PageState{URL: "http://other.test/page", ETag: `"1"`, CheckedAt: baseTime()}
	if err := s.PutPageStates(ctx, []store.PageState{a2, c, a3, b2, empty2}); err != nil {
		t.Fatalf("PutPageStates(upsert): %v", err)
	}
	checkPageState(t, s, a3)
	checkPageState(t, s, b2)
	checkPageState(t, s, empty2)
	checkPageState(t, s, c)
	if _, err := s.PageState(ctx, "http://site.test"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PageState(other URL) = %v, want ErrNotFound", err)
	}
}

func testPageStatesInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	ok := store.PageState{URL: "http://site.test/", ETag: `"1"`, ScanID: "s_1", CheckedAt: baseTime()}
	bad := []store.PageState{
		{URL: ok.URL, ETag: `"2"`, ScanID: "s_2"},
		{URL: "http://site.test/new", ScanID: "s_2"},
		{ETag: `"no url"`},
	}
	tooMany := store.PageState{URL: "http://site.test/new", ScanID: "s_2", Links: make([]string, store.MaxPageLinks+1)}
	if err := s.PutPageStates(ctx, []store.PageState{ok}); err != nil {
		t.Fatalf("PutPageStates: %v", err)
	}
	if err := s.PutPageStates(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("PutPageStates(batch with an empty URL) = %v, want ErrInvalid", err)
	}
	if err := s.PutPageStates(ctx, []store.PageState{{URL: ok.URL, ScanID: "s_3"}, tooMany}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("PutPageStates(batch with %d links) = %v, want ErrInvalid", len(tooMany.Links), err)
	}
	checkPageState(t, s, ok)
	if _, err := s.PageState(ctx, "http://site.test/new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PageState of a rejected batch's URL = %v, want ErrNotFound", err)
	}
}
