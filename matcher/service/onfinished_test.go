package service

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/matcher/transparency"
)

// A closed scan's report is recorded in the transparency log through
// OnFinished; a failing hook keeps the scan active and is retried.
func TestServiceOnFinishedRecordsScan(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tlog := transparency.New(f.st, ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	var calls atomic.Int32
	svc := f.service()
	svc.OnFinished = func(ctx context.Context, scan string) error {
		if calls.Add(1) == 1 {
			return errors.New("transient")
		}
		return tlog.RecordScan(ctx, scan)
	}
	f.crawlD.Store(true)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx, nil) }()
	waitFor(t, "scan deactivated", func() bool {
		ok, _ := f.scans.IsActive(ctx, "s1")
		return !ok
	})
	cancel()
	<-done
	if calls.Load() < 2 {
		t.Errorf("OnFinished called %d times, want a retry after the failure", calls.Load())
	}
	rep, err := report.FromStore(ctx, f.st, "s1", "")
	if err != nil {
		t.Fatal(err)
	}
	size, _ := f.st.LogSize(ctx)
	rep, err = tlog.Attach(ctx, rep)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := f.st.LogSize(ctx); after != size || size == 0 {
		t.Errorf("log size %d before rendering, %d after: the finished scan was not recorded", size, after)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, rep, report.FormatJSON); err != nil {
		t.Fatal(err)
	}
	if _, err := transparency.VerifyReport(buf.Bytes(), tlog.PublicKey()); err != nil {
		t.Error(err)
	}
}
