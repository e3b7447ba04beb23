package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

// baseTime is a fixed start time with sub-millisecond digits, in a non-UTC
// zone, to show that backends compare instants, not representations.
func baseTime() time.Time {
	return time.Date(2026, 11, 27, 2, 53, 17, 123_456_789, time.FixedZone("CET", 3600))
}

func crawlScan() store.Scan {
	return store.Scan{
		Kind:      "crawl",
		Targets:   []string{"http://127.0.0.1:8080/", "http://example.test/a?b=c"},
		State:     store.ScanRunning,
		StartedAt: baseTime(),
		Stats:     store.Stats{Pages: 3},
	}
}

// checkScan compares got with want; times to TimePrecision.
func checkScan(t testing.TB, got, want store.Scan) {
	t.Helper()
	if got.ID != want.ID || got.Kind != want.Kind || got.State != want.State || got.Error != want.Error ||
		got.Stats != want.Stats || !slices.Equal(got.Targets, want.Targets) {
		t.Errorf("scan = %+v, want %+v", got, want)
	}
	if !sameTime(got.StartedAt, want.StartedAt) {
		t.Errorf("scan %s StartedAt = %v, want %v", got.ID, got.StartedAt, want.StartedAt)
	}
	if got.FinishedAt.IsZero() != want.FinishedAt.IsZero() || !sameTime(got.FinishedAt, want.FinishedAt) {
		t.Errorf("scan %s FinishedAt = %v, want %v", got.ID, got.FinishedAt, want.FinishedAt)
	}
}

func loadScan(t testing.TB, s store.Store, id string) store.Scan {
	t.Helper()
	got, err := s.Scan(t.Context(), id)
	if err != nil {
		t.Fatalf("Scan(%s): %v", id, err)
	}
	return got
}

func testCreateScan(t *testing.T, s store.Store) {
	want := crawlScan()
	a := createScan(t, s, want)
	b := createScan(t, s, want)
	if a.ID == "" || b.ID == "" || a.ID == b.ID {
		t.Fatalf("CreateScan assigned IDs %q and %q, want two distinct IDs", a.ID, b.ID)
	}
	want.ID = a.ID
	checkScan(t, a, want)
	checkScan(t, loadScan(t, s, a.ID), want)

	empty := createScan(t, s, store.Scan{Kind: "audit", State: store.ScanQueued, StartedAt: baseTime()})
	got := loadScan(t, s, empty.ID)
	if len(got.Targets) != 0 || !got.FinishedAt.IsZero() || got.Stats != (store.Stats{}) {
		t.Errorf("scan without targets, finish or stats = %+v", got)
	}
}

func testCreateScanExplicitID(t *testing.T, s store.Store) {
	want := crawlScan()
	want.ID = "nightly-2026-11-27"
	got := createScan(t, s, want)
	checkScan(t, got, want)
	dup := crawlScan()
	dup.ID, dup.Kind, dup.Targets = want.ID, "audit", []string{"other"}
	if _, err := s.CreateScan(t.Context(), dup); err == nil {
		t.Fatal("CreateScan with an ID in use succeeded")
	}
	checkScan(t, loadScan(t, s, want.ID), want)
	if ss := listScans(t, s); len(ss) != 1 {
		t.Errorf("ListScans = %d scans after a rejected duplicate, want 1", len(ss))
	}
}

func testScanNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.LatestScan(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestScan on empty store = %v, want ErrNotFound", err)
	}
	if ss := listScans(t, s); len(ss) != 0 {
		t.Errorf("ListScans on empty store = %v", ss)
	}
	createScan(t, s, crawlScan())
	if _, err := s.Scan(ctx, "s_missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Scan(missing) = %v, want ErrNotFound", err)
	}
	err := s.UpdateScan(ctx, store.Scan{ID: "s_missing", State: store.ScanFinished})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateScan(missing) = %v, want ErrNotFound", err)
	}
}

func testUpdateScan(t *testing.T, s store.Store) {
	sc := createScan(t, s, crawlScan())
	upd := sc
	upd.State, upd.Error = store.ScanFailed, "seed unreachable"
	upd.FinishedAt = baseTime().Add(90*time.Minute + 7*time.Millisecond)
	upd.Stats = store.Stats{Pages: 10, Images: 4, Records: 2, Bytes: 1 << 40, Errors: 1, Skipped: 5}
	changed := upd
	changed.Kind, changed.Targets, changed.StartedAt = "audit", []string{"elsewhere"}, baseTime().Add(time.Hour)
	if err := s.UpdateScan(t.Context(), changed); err != nil {
		t.Fatalf("UpdateScan: %v", err)
	}
	checkScan(t, loadScan(t, s, sc.ID), upd)

	upd.State, upd.Error, upd.FinishedAt = store.ScanRunning, "", time.Time{}
	if err := s.UpdateScan(t.Context(), upd); err != nil {
		t.Fatalf("UpdateScan back to running: %v", err)
	}
	checkScan(t, loadScan(t, s, sc.ID), upd)
}

func testLatestAndListScans(t *testing.T, s store.Store) {
	var want []string
	for _, offset := range []time.Duration{0, 2 * time.Hour, time.Hour, -time.Hour} {
		sc := crawlScan()
		sc.StartedAt = baseTime().Add(offset)
		want = append(want, createScan(t, s, sc).ID)
	}
	latest, err := s.LatestScan(t.Context())
	if err != nil {
		t.Fatalf("LatestScan: %v", err)
	}
	if latest.ID != want[1] {
		t.Errorf("LatestScan = %s, want %s (started last, created second)", latest.ID, want[1])
	}
	want = []string{want[1], want[2], want[0], want[3]}
	var got []string
	for _, sc := range listScans(t, s) {
		got = append(got, sc.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListScans = %v, want newest first %v", got, want)
	}
}

func listScans(t testing.TB, s store.Store) []store.Scan {
	t.Helper()
	ss, err := s.ListScans(t.Context())
	if err != nil {
		t.Fatalf("ListScans: %v", err)
	}
	return ss
}
