package storetest

import (
	"errors"
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
		!sameTime(got.CheckedAt, want.CheckedAt) {
		t.Errorf("PageState = %+v\nwant %+v", got, want)
	}
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
		ScanID: "s_1", CheckedAt: baseTime()}
	b := store.PageState{URL: "http://site.test/ü {x}?q=1#frag", ScanID: "nightly"} // no validators, no time
	if err := s.PutPageStates(ctx, []store.PageState{a, b}); err != nil {
		t.Fatalf("PutPageStates: %v", err)
	}
	checkPageState(t, s, a)
	checkPageState(t, s, b)

	// Upsert: every field replaced, validators can disappear; within a
	// batch the last state of a URL wins.
	a2 := store.PageState{URL: a.URL, ScanID: "s_2", CheckedAt: baseTime().Add(time.Hour)}
	a3 := store.PageState{URL: a.URL, ETag: `"v3"`, ScanID: "s_3", CheckedAt: baseTime().Add(2 * time.Hour)}
	c := store.PageState{URL: "http://other.test/page", ETag: `"1"`, CheckedAt: baseTime()}
	if err := s.PutPageStates(ctx, []store.PageState{a2, c, a3}); err != nil {
		t.Fatalf("PutPageStates(upsert): %v", err)
	}
	checkPageState(t, s, a3)
	checkPageState(t, s, b)
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
	if err := s.PutPageStates(ctx, []store.PageState{ok}); err != nil {
		t.Fatalf("PutPageStates: %v", err)
	}
	if err := s.PutPageStates(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("PutPageStates(batch with an empty URL) = %v, want ErrInvalid", err)
	}
	checkPageState(t, s, ok)
	if _, err := s.PageState(ctx, "http://site.test/new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PageState of a rejected batch's URL = %v, want ErrNotFound", err)
	}
}
