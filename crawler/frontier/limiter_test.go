package frontier

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestHostLimiterSpacesRequests(t *testing.T) {
	l, err := NewHostLimiter(50)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	for range 4 {
		if err := l.Wait(ctx, "a.example"); err != nil {
			t.Fatal(err)
		}
	}
	// A lower bound cannot flake: 4 requests at 50/s need 3 intervals.
	if took := time.Since(start); took < 3*time.Second/50 {
		t.Errorf("4 requests at 50/s took %v, want ≥ 60ms", took)
	}
	if err := l.Wait(ctx, "b.example"); err != nil { // another host: no wait needed
		t.Fatal(err)
	}
}

func TestHostLimiterCancelled(t *testing.T) {
	l, err := NewHostLimiter(0.001) // one request per 1000 s
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx, "h"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Wait: %v, want the context's error", err)
	}
}

func TestHostLimiterUnlimited(t *testing.T) {
	l, err := NewHostLimiter(0)
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if err := l.Wait(context.Background(), "h"); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx, "h"); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled context: %v", err)
	}
	for _, bad := range []float64{-1} {
		if _, err := NewHostLimiter(bad); err == nil {
			t.Errorf("NewHostLimiter(%v): no error", bad)
		}
	}
}

func TestHostLimiterForgetsIdleHosts(t *testing.T) {
	l, err := NewHostLimiter(1e9) // idle after a nanosecond
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * maxIdleLimiters {
		if err := l.Wait(context.Background(), fmt.Sprint("host", i)); err != nil {
			t.Fatal(err)
		}
	}
	l.mu.Lock()
	n := len(l.hosts)
	l.mu.Unlock()
	if n > maxIdleLimiters {
		t.Errorf("tracking %d hosts, want ≤ %d", n, maxIdleLimiters)
	}
}
