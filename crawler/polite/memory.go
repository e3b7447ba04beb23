package polite

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// maxIdleHosts is how many hosts a Memory gate tracks before it forgets the
// idle ones (no lease held, next slot already past), which is lossless.
const maxIdleHosts = 4096

// Memory is the in-process gate of the embedded crawl. It is safe for
// concurrent use; its memory is bounded by the hosts being crawled at once.
type Memory struct {
	opts Options

	mu     sync.Mutex // guards hosts and nextID
	hosts  map[string]*memHost
	nextID uint64
}

// memHost is one host's schedule and leases.
type memHost struct {
	next    time.Time  // earliest start of the next slot
	leases  []memLease // held leases, at most Concurrency
	waiters int        // Lease calls waiting for a concurrency slot
	wake    chan struct{}
}

type memLease struct {
	id      uint64
	expires time.Time
}

var _ interface {
	Acquire(context.Context, string, time.Duration) (func(), error)
} = (*Memory)(nil)

// NewMemory returns an in-process gate.
func NewMemory(opts Options) (*Memory, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Memory{opts: o, hosts: map[string]*memHost{}}, nil
}

// Options returns the options in effect, defaults filled in.
func (m *Memory) Options() Options { return m.opts }

// Acquire waits for a lease of host (see Lease) and returns its Release.
func (m *Memory) Acquire(ctx context.Context, host string, crawlDelay time.Duration) (func(), error) {
	l, err := m.Lease(ctx, host, crawlDelay)
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}

// Lease waits until host has a free concurrency slot, books the host's next
// rate slot, waits for it and returns the lease. If ctx ends first it
// returns ctx's error, and a slot booked for it is given back.
func (m *Memory) Lease(ctx context.Context, host string, crawlDelay time.Duration) (*Lease, error) {
	if host == "" {
		return nil, ErrEmptyHost
	}
	iv := m.opts.Interval(crawlDelay)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t := m.try(host, iv)
		if t.lease != nil {
			if err := sleep(ctx, time.Until(t.lease.Slot)); err != nil {
				m.cancel(t.lease, t.id)
				return nil, fmt.Errorf("polite: lease of %s: %w", host, err)
			}
			return t.lease, nil
		}
		err := waitSlot(ctx, t.wake, t.expiry)
		m.mu.Lock()
		if h := m.hosts[host]; h != nil {
			h.waiters--
		}
		m.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("polite: lease of %s: %w", host, err)
		}
	}
}

// memTry is the outcome of one try: a lease and its id, or what to wait on.
type memTry struct {
	lease  *Lease
	id     uint64
	wake   <-chan struct{} // closed on the host's next release
	expiry time.Duration   // until the host's earliest lease expires
}

// try grants a lease when host has a free concurrency slot, or else
// registers a waiter.
func (m *Memory) try(host string, iv time.Duration) memTry {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.hosts[host]
	if h == nil {
		if len(m.hosts) >= maxIdleHosts {
			m.forgetIdle(now)
		}
		h = &memHost{}
		m.hosts[host] = h
	}
	h.expire(now)
	if len(h.leases) >= m.opts.Concurrency {
		if h.wake == nil {
			h.wake = make(chan struct{})
		}
		h.waiters++
		return memTry{wake: h.wake, expiry: h.earliestExpiry().Sub(now)}
	}
	slot := now
	if h.next.After(now) {
		slot = h.next
	}
	h.next = slot.Add(iv)
	m.nextID++
	id := m.nextID
	h.leases = append(h.leases, memLease{id: id, expires: slot.Add(m.opts.LeaseTTL)})
	l := &Lease{Host: host, Slot: slot, Interval: iv}
	l.release = func() { m.release(host, id) }
	return memTry{lease: l, id: id}
}

// waitSlot waits for a release, the expiry of the earliest lease or ctx.
func waitSlot(ctx context.Context, wake <-chan struct{}, expiry time.Duration) error {
	t := time.NewTimer(max(expiry, time.Millisecond))
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// release drops lease id of host and wakes the waiters.
func (m *Memory) release(host string, id uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h := m.hosts[host]; h != nil {
		h.drop(id)
	}
}

// cancel releases l (lease id) and gives its slot back if no later slot
// was booked after it.
func (m *Memory) cancel(l *Lease, id uint64) {
	l.once.Do(func() {}) // a later Release is a no-op
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.hosts[l.Host]
	if h == nil {
		return
	}
	h.drop(id)
	if h.next.Equal(l.Slot.Add(l.Interval)) {
		h.next = l.Slot
	}
}

// forgetIdle drops the hosts with no lease and no future slot; m.mu is held.
func (m *Memory) forgetIdle(now time.Time) {
	for k, h := range m.hosts {
		h.expire(now)
		if len(h.leases) == 0 && h.waiters == 0 && !h.next.After(now) {
			delete(m.hosts, k)
		}
	}
}

// expire drops the leases past their expiry, as if released.
func (h *memHost) expire(now time.Time) {
	n := len(h.leases)
	h.leases = slices.DeleteFunc(h.leases, func(l memLease) bool { return !l.expires.After(now) })
	if len(h.leases) < n {
		h.signal()
	}
}

// earliestExpiry returns when the first of the held leases expires.
func (h *memHost) earliestExpiry() time.Time {
	e := h.leases[0].expires
	for _, l := range h.leases[1:] {
		if l.expires.Before(e) {
			e = l.expires
		}
	}
	return e
}

// drop removes lease id, if still held, and wakes the waiters.
func (h *memHost) drop(id uint64) {
	i := slices.IndexFunc(h.leases, func(l memLease) bool { return l.id == id })
	if i < 0 {
		return
	}
	h.leases = slices.Delete(h.leases, i, i+1)
	h.signal()
}

// signal wakes every waiter; they race for the freed slots.
func (h *memHost) signal() {
	if h.wake != nil {
		close(h.wake)
		h.wake = nil
	}
}

// sleep waits for d or ctx.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
