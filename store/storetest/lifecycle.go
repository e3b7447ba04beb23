package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/attrib/attrib/store"
)

// call is one store method invoked with ctx; calls lists every method.
type call struct {
	name string
	do   func(ctx context.Context, s store.Store) error
}

func calls(f matchFixture) []call {
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
			return s.PutMatches(ctx, f.scan.ID, richMatches(f))
		}},
		{"Matches", func(ctx context.Context, s store.Store) error {
			_, err := s.Matches(ctx, f.scan.ID, store.MatchFilter{})
			return err
		}},
	}
}

func testContextCancelled(t *testing.T, s store.Store) {
	f := newMatchFixture(t, s)
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
	f := newMatchFixture(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, c := range calls(f) {
		if err := c.do(t.Context(), s); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", c.name, err)
		}
	}
}
