package polite

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gate is what the conformance suite tests; both backends implement it.
type gate interface {
	Acquire(ctx context.Context, host string, crawlDelay time.Duration) (func(), error)
	Lease(ctx context.Context, host string, crawlDelay time.Duration) (*Lease, error)
	Options() Options
}

var (
	_ gate = (*Memory)(nil)
	_ gate = (*Redis)(nil)
)

// newGates returns n gates built with opts that share one politeness state
// (for Redis: separate instances, as separate workers would have).
type newGates func(t *testing.T, opts Options, n int) []gate

// clockSkew is the slack allowed when a lease's slot, on the gate's clock
// (Redis's TIME), is compared with this process's clock. On one machine
// the two are the same clock, read at different moments.
const clockSkew = 2 * time.Millisecond

// runSuite runs the conformance suite against a backend.
func runSuite(t *testing.T, gates newGates) {
	tests := []struct {
		name string
		run  func(t *testing.T, gates newGates)
	}{
		{"RateSpacesSlots", testRateSpacesSlots},
		{"CrawlDelay", testCrawlDelay},
		{"ConcurrencyLimit", testConcurrencyLimit},
		{"DeadHolderLeaseExpires", testDeadHolderLeaseExpires},
		{"HostsAreIndependent", testHostsAreIndependent},
		{"CancelWaitingForSlot", testCancelWaitingForSlot},
		{"CancelWaitingForConcurrency", testCancelWaitingForConcurrency},
		{"ReleaseIsIdempotent", testReleaseIsIdempotent},
		{"EmptyHost", testEmptyHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, gates) })
	}
}

// lease takes a lease of host from g or fails the test.
func lease(t *testing.T, ctx context.Context, g gate, host string, delay time.Duration) *Lease {
	t.Helper()
	l, err := g.Lease(ctx, host, delay)
	if err != nil {
		t.Fatalf("Lease(%s): %v", host, err)
	}
	return l
}

// blocked asserts that a lease of host is not granted within d.
func blocked(t *testing.T, g gate, host string, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if l, err := g.Lease(ctx, host, 0); !errors.Is(err, context.DeadlineExceeded) {
		if l != nil {
			l.Release()
		}
		t.Fatalf("Lease(%s) within %v: %v, want it blocked", host, d, err)
	}
}

// testRateSpacesSlots: N leases of one host from two gates and many
// goroutines are scheduled at least 1/rate apart, and the last is granted
// no sooner than (N-1)/rate after the first call.
func testRateSpacesSlots(t *testing.T, gates newGates) {
	const n, rate = 8, 20
	gs := gates(t, Options{Rate: rate, Concurrency: n}, 2)
	iv := gs[0].Options().Interval(0)
	slots := make([]time.Time, n)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			l, err := gs[i%2].Lease(context.Background(), "a.test", 0)
			if err != nil {
				t.Errorf("Lease: %v", err)
				return
			}
			if now := time.Now(); now.Add(clockSkew).Before(l.Slot) {
				t.Errorf("lease granted at %v, before its slot %v", now, l.Slot)
			}
			slots[i] = l.Slot
			l.Release()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.SortFunc(slots, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < n; i++ {
		if gap := slots[i].Sub(slots[i-1]); gap < iv {
			t.Errorf("slots %d and %d are %v apart, want ≥ %v", i-1, i, gap, iv)
		}
	}
	if lower := time.Duration(n-1)*iv - clockSkew; elapsed < lower {
		t.Errorf("%d leases at %v/s took %v, want ≥ %v", n, rate, elapsed, lower)
	}
}

// testCrawlDelay: the interval is the larger of 1/rate and the site's
// Crawl-delay, the latter capped at MaxCrawlDelay.
func testCrawlDelay(t *testing.T, gates newGates) {
	tests := []struct {
		name     string
		opts     Options
		delay    time.Duration
		interval time.Duration
	}{
		{"delay over rate", Options{Rate: 100}, 40 * time.Millisecond, 40 * time.Millisecond},
		{"rate over delay", Options{Rate: 50}, 5 * time.Millisecond, 20 * time.Millisecond},
		{"delay without rate", Options{}, 30 * time.Millisecond, 30 * time.Millisecond},
		{"delay capped", Options{MaxCrawlDelay: 60 * time.Millisecond}, time.Hour, 60 * time.Millisecond},
		{"negative delay", Options{Rate: 100}, -time.Second, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := gates(t, tt.opts, 1)[0]
			first := lease(t, context.Background(), g, "d.test", tt.delay)
			first.Release()
			second := lease(t, context.Background(), g, "d.test", tt.delay)
			second.Release()
			if first.Interval != tt.interval || second.Slot.Sub(first.Slot) != tt.interval {
				t.Errorf("interval %v, slots %v apart; want %v", first.Interval, second.Slot.Sub(first.Slot), tt.interval)
			}
		})
	}
}

// testConcurrencyLimit: many goroutines on two gates never hold more than
// Concurrency leases of one host at once.
func testConcurrencyLimit(t *testing.T, gates newGates) {
	const limit, workers, rounds = 3, 16, 4
	gs := gates(t, Options{Concurrency: limit}, 2)
	var held, peak, done atomic.Int64
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for range rounds {
				release, err := gs[i%2].Acquire(context.Background(), "c.test", 0)
				if err != nil {
					t.Errorf("Acquire: %v", err)
					return
				}
				n := held.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(time.Millisecond)
				held.Add(-1)
				release()
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > limit {
		t.Errorf("%d leases held at once, limit %d", p, limit)
	}
	if done.Load() != workers*rounds {
		t.Errorf("%d leases granted, want %d", done.Load(), workers*rounds)
	}
}

// testDeadHolderLeaseExpires: a lease never released (its holder was
// killed) blocks its slot until LeaseTTL, then frees it.
func testDeadHolderLeaseExpires(t *testing.T, gates newGates) {
	const ttl = 300 * time.Millisecond
	gs := gates(t, Options{Concurrency: 1, LeaseTTL: ttl}, 2)
	dead := lease(t, context.Background(), gs[0], "k.test", 0)
	_ = dead // never released
	blocked(t, gs[1], "k.test", 30*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*ttl)
	defer cancel()
	l := lease(t, ctx, gs[1], "k.test", 0)
	l.Release()
}

// testHostsAreIndependent: one host's interval and full concurrency do not
// delay another host.
func testHostsAreIndependent(t *testing.T, gates newGates) {
	g := gates(t, Options{Rate: 0.1, Concurrency: 1}, 1)[0] // one request per 10 s
	a := lease(t, context.Background(), g, "a.test", 0)
	defer a.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b := lease(t, ctx, g, "b.test", 0)
	defer b.Release()
	if gap := b.Slot.Sub(a.Slot); gap >= a.Interval {
		t.Errorf("b.test scheduled %v after a.test, as if it shared a.test's %v interval", gap, a.Interval)
	}
	blocked(t, g, "a.test", 50*time.Millisecond)
}

// testCancelWaitingForSlot: a lease waiting for its rate slot returns as
// soon as its context ends, frees its concurrency slot and gives its rate
// slot back to the next caller.
func testCancelWaitingForSlot(t *testing.T, gates newGates) {
	g := gates(t, Options{Rate: 1, Concurrency: 1}, 1)[0]
	first := lease(t, context.Background(), g, "s.test", 0)
	first.Release()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	if l, err := g.Lease(ctx, "s.test", 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lease with a cancelled context: %v (lease %+v)", err, l)
	}
	if took := time.Since(start); took >= first.Interval {
		t.Errorf("cancelled Lease returned after %v, not before its slot %v away", took, first.Interval)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	next := lease(t, ctx2, g, "s.test", 0) // blocks until LeaseTTL if the slot was not freed
	next.Release()
	if want := first.Slot.Add(first.Interval); !next.Slot.Equal(want) {
		t.Errorf("next slot %v after the first, want %v: the cancelled slot was not given back",
			next.Slot.Sub(first.Slot), first.Interval)
	}
}

// testCancelWaitingForConcurrency: a lease waiting for a concurrency slot
// returns when its context ends and leaves nothing behind.
func testCancelWaitingForConcurrency(t *testing.T, gates newGates) {
	gs := gates(t, Options{Concurrency: 1}, 2)
	held := lease(t, context.Background(), gs[0], "w.test", 0)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := gs[1].Lease(ctx, "w.test", 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lease with a cancelled context: %v", err)
	}
	held.Release()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	lease(t, ctx2, gs[1], "w.test", 0).Release()
}

// testReleaseIsIdempotent: releasing a lease twice does not free another
// holder's slot.
func testReleaseIsIdempotent(t *testing.T, gates newGates) {
	g := gates(t, Options{Concurrency: 1}, 1)[0]
	first := lease(t, context.Background(), g, "r.test", 0)
	first.Release()
	second := lease(t, context.Background(), g, "r.test", 0)
	defer second.Release()
	first.Release()
	blocked(t, g, "r.test", 30*time.Millisecond)
}

func testEmptyHost(t *testing.T, gates newGates) {
	g := gates(t, Options{}, 1)[0]
	if _, err := g.Acquire(context.Background(), "", 0); !errors.Is(err, ErrEmptyHost) {
		t.Errorf("Acquire of the empty host: %v, want ErrEmptyHost", err)
	}
}
