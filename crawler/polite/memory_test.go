package polite

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestMemory(t *testing.T) {
	runSuite(t, func(t *testing.T, opts Options, n int) []gate {
		m, err := NewMemory(opts)
		if err != nil {
			t.Fatal(err)
		}
		gs := make([]gate, n)
		for i := range gs {
			gs[i] = m // one process: one gate
		}
		return gs
	})
}

func TestOptionsValidated(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{Rate: -1}, "rate"},
		{Options{Concurrency: -1}, "concurrency"},
		{Options{Concurrency: maxConcurrency + 1}, "concurrency"},
		{Options{LeaseTTL: -1}, "lease TTL"},
	}
	for _, tt := range tests {
		if _, err := NewMemory(tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewMemory(%+v): %v, want an error about %s", tt.opts, err, tt.want)
		}
	}
	m, err := NewMemory(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if o := m.Options(); o.Concurrency != DefaultConcurrency || o.LeaseTTL != DefaultLeaseTTL || o.MaxCrawlDelay != DefaultMaxCrawlDelay {
		t.Errorf("defaults not filled in: %+v", o)
	}
}

func TestMemoryForgetsIdleHosts(t *testing.T) {
	m, err := NewMemory(Options{Rate: 1e9}) // idle a nanosecond after release
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * maxIdleHosts {
		release, err := m.Acquire(context.Background(), fmt.Sprint("host", i), 0)
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	m.mu.Lock()
	n := len(m.hosts)
	m.mu.Unlock()
	if n > maxIdleHosts {
		t.Errorf("tracking %d hosts, want ≤ %d", n, maxIdleHosts)
	}
}
