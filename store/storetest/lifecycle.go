package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

// call is one store method invoked with ctx; calls lists every method.
type call struct {
	name string
	do   func(ctx context.Context, s store.Store) error
}

// fixture is a store with records for every method to act on.
type fixture struct {
	matchFixture
	token    store.Token
	schedule store.Schedule
	page     store.PageState
}

func newFixture(t testing.TB, s store.Store) fixture {
	t.Helper()
	f := fixture{
		matchFixture: newMatchFixture(t, s),
		token:        store.Token{Hash: hash("fixture token"), Creator: "alice"},
		schedule:     putSchedule(t, s, nightly()),
		page:         store.PageState{URL: "http://site.test/", ETag: `"1"`},
	}
	if err := s.PutToken(t.Context(), f.token); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	if err := s.PutPageStates(t.Context(), []store.PageState{f.page}); err != nil {
		t.Fatalf("PutPageStates: %v", err)
	}
	appendLeaves(t, s, []byte("fixture leaf"))
	if err := s.PutTreeHead(t.Context(), head(1, "fixture")); err != nil {
		t.Fatalf("PutTreeHead: %v", err)
	}
	return f
}

func calls(f fixture) []call {
	nop := func(store.Fingerprint) error { return nil }
	return []call{
		{"PutWork", func(ctx context.Context, s store.Store) error {
			_, _, err := s.PutWork(ctx, textWork("dave", "new"), nil)
			return err
		}},
		{"Work", func(ctx context.Context, s store.Store) error { _, err := s.Work(ctx, f.alice1.ID); return err }},
		{"Works", func(ctx context.Context, s store.Store) error { _, err := s.Works(ctx, store.WorkFilter{}); return err }},
		{"Creators", func(ctx context.Context, s store.Store) error { _, err := s.Creators(ctx); return err }},
		{"Fingerprints", func(ctx context.Context, s store.Store) error { return s.Fingerprints(ctx, "", nop) }},
		{"CreateScan", func(ctx context.Context, s store.Store) error { _, err := s.CreateScan(ctx, crawlScan()); return err }},
		{"UpdateScan", func(ctx context.Context, s store.Store) error { return s.UpdateScan(ctx, f.scan) }},
		{"Scan", func(ctx context.Context, s store.Store) error { _, err := s.Scan(ctx, f.scan.ID); return err }},
		{"LatestScan", func(ctx context.Context, s store.Store) error { _, err := s.LatestScan(ctx); return err }},
		{"ListScans", func(ctx context.Context, s store.Store) error { _, err := s.ListScans(ctx); return err }},
		{"PutMatches", func(ctx context.Context, s store.Store) error {
			return s.PutMatches(ctx, f.scan.ID, richMatches(f.matchFixture))
		}},
		{"Matches", func(ctx context.Context, s store.Store) error {
			_, err := s.Matches(ctx, f.scan.ID, store.MatchFilter{})
			return err
		}},
		{"PutToken", func(ctx context.Context, s store.Store) error {
			return s.PutToken(ctx, store.Token{Hash: hash("another token"), Admin: true})
		}},
		{"TokenByHash", func(ctx context.Context, s store.Store) error { _, err := s.TokenByHash(ctx, f.token.Hash); return err }},
		{"ListTokens", func(ctx context.Context, s store.Store) error { _, err := s.ListTokens(ctx); return err }},
		{"DeleteToken", func(ctx context.Context, s store.Store) error { return s.DeleteToken(ctx, f.token.Hash) }},
		{"Schedule", func(ctx context.Context, s store.Store) error { _, err := s.Schedule(ctx, f.schedule.ID); return err }},
		{"ListSchedules", func(ctx context.Context, s store.Store) error { _, err := s.ListSchedules(ctx); return err }},
		{"PutSchedule", func(ctx context.Context, s store.Store) error { _, err := s.PutSchedule(ctx, nightly()); return err }},
		{"DeleteSchedule", func(ctx context.Context, s store.Store) error { return s.DeleteSchedule(ctx, f.schedule.ID) }},
		{"PutPageStates", func(ctx context.Context, s store.Store) error {
			return s.PutPageStates(ctx, []store.PageState{{URL: "http://site.test/new"}})
		}},
		{"PageState", func(ctx context.Context, s store.Store) error { _, err := s.PageState(ctx, f.page.URL); return err }},
		{"AcquireLease", func(ctx context.Context, s store.Store) error {
			_, err := s.AcquireLease(ctx, "lease", "host-a", time.Hour)
			return err
		}},
		{"ReleaseLease", func(ctx context.Context, s store.Store) error { return s.ReleaseLease(ctx, "lease", "host-a") }},
		{"AppendLeaves", func(ctx context.Context, s store.Store) error {
			_, err := s.AppendLeaves(ctx, [][]byte{[]byte("leaf")})
			return err
		}},
		{"LogLeaves", func(ctx context.Context, s store.Store) error { _, err := s.LogLeaves(ctx, 0, 1); return err }},
		{"LogSize", func(ctx context.Context, s store.Store) error { _, err := s.LogSize(ctx); return err }},
		{"PutTreeHead", func(ctx context.Context, s store.Store) error { return s.PutTreeHead(ctx, head(1, "again")) }},
		{"TreeHead", func(ctx context.Context, s store.Store) error { _, err := s.TreeHead(ctx, 1); return err }},
		{"LatestTreeHead", func(ctx context.Context, s store.Store) error { _, err := s.LatestTreeHead(ctx); return err }},
	}
}

func testContextCancelled(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	putWork(t, s, textWork("carol", "fingerprinted"), store.Fingerprint{Algorithm: "sha256", Data: []byte{1}})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, c := range calls(f) {
		if err := c.do(ctx, s); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", c.name, err)
		}
	}
	// Nothing was written.
	if ws := works(t, s, store.WorkFilter{}); len(ws) != 4 {
		t.Errorf("%d works after cancelled writes, want 4", len(ws))
	}
	if ms := matches(t, s, f.scan.ID, store.MatchFilter{}); len(ms) != 0 {
		t.Errorf("%d matches after a cancelled PutMatches, want 0", len(ms))
	}
	if ts := listTokens(t, s); len(ts) != 1 || ts[0].Hash != f.token.Hash {
		t.Errorf("tokens after cancelled PutToken and DeleteToken = %v, want only the fixture's", ts)
	}
	if ss := listSchedules(t, s); len(ss) != 1 {
		t.Errorf("%d schedules after cancelled PutSchedule and DeleteSchedule, want 1", len(ss))
	}
	if n := logSize(t, s); n != 1 {
		t.Errorf("log size %d after a cancelled AppendLeaves, want 1", n)
	}
	if _, err := s.PageState(t.Context(), "http://site.test/new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PageState after a cancelled PutPageStates = %v, want ErrNotFound", err)
	}
	// Every call works with a live context.
	for _, c := range calls(f) {
		if err := c.do(t.Context(), s); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func testFingerprintsCancelled(t *testing.T, s store.Store) {
	var fps []store.Fingerprint
	for i := range 50 {
		fps = append(fps, store.Fingerprint{Algorithm: "x", Version: i, Data: []byte{byte(i)}})
	}
	putWork(t, s, textWork("alice", "many fingerprints"), fps...)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := s.Fingerprints(ctx, "", func(store.Fingerprint) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fingerprints cancelled while streaming = %v, want context.Canceled", err)
	}
}

func testClosed(t *testing.T, s store.Store) {
	f := newFixture(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, c := range calls(f) {
		if err := c.do(t.Context(), s); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", c.name, err)
		}
	}
}
