package frontier

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Memory is the in-process Frontier: a FIFO queue (so the crawl is
// breadth-first) with bounded memory. Jobs over the MaxQueued bound, and new
// URLs once the seen set holds MaxSeen URLs, are dropped and counted (a
// dropped URL is remembered when the seen set has room, so it is dropped
// and counted once). Leases live only in this process: a job popped and
// never acknowledged keeps Pop from reporting ErrDrained.
type Memory struct {
	policy    *Policy
	maxPages  int
	maxQueued int
	seen      *SeenSet

	mu       sync.Mutex     // guards the fields below
	queue    []Job          // queue[head:] is waiting, oldest first
	head     int            //
	inFlight map[string]int // canonical URL -> leases
	leases   int            // sum of inFlight
	stats    Stats          // counters (Queued and InFlight are computed)
	wake     chan struct{}  // closed and replaced when Pop may make progress
}

var _ Frontier = (*Memory)(nil)

// NewMemory returns an empty in-memory frontier; push the seeds to start.
func NewMemory(opts Options) (*Memory, error) {
	p, err := NewPolicy(opts.Scope, opts.Seeds, opts.MaxDepth)
	if err != nil {
		return nil, err
	}
	if opts.MaxPages < 0 || opts.MaxQueued < 0 || opts.MaxSeen < 0 {
		return nil, fmt.Errorf("frontier limits must not be negative")
	}
	if opts.MaxQueued == 0 {
		opts.MaxQueued = DefaultMaxQueued
	}
	return &Memory{
		policy:    p,
		maxPages:  opts.MaxPages,
		maxQueued: opts.MaxQueued,
		seen:      NewSeenSet(opts.MaxSeen),
		inFlight:  map[string]int{},
		wake:      make(chan struct{}),
	}, nil
}

// Policy returns the policy the frontier admits jobs by.
func (m *Memory) Policy() *Policy { return m.policy }

// Push implements Frontier. It never fails for an admitted context.
func (m *Memory) Push(ctx context.Context, jobs ...Job) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	added := 0
	for _, j := range jobs {
		if m.admit(j) {
			added++
		}
	}
	if added > 0 {
		m.broadcast()
	}
	return added, nil
}

// Claim implements Frontier.
func (m *Memory) Claim(ctx context.Context, rawURL string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	u, err := Canonical(rawURL)
	if err != nil {
		return false, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	isNew, err := m.seen.Add(u)
	if err != nil {
		m.stats.Dropped++
		return false, nil
	}
	if !isNew {
		m.stats.Duplicates++
	}
	return isNew, nil
}

// admit enqueues one job if the policy and the bounds allow; m.mu is held.
func (m *Memory) admit(j Job) bool {
	j, err := m.policy.Admit(j)
	if err != nil {
		m.refused(err)
		return false
	}
	if m.maxPages > 0 && m.stats.Admitted >= int64(m.maxPages) {
		m.stats.OverBudget++
		return false
	}
	isNew, err := m.seen.Add(j.URL)
	switch {
	case err != nil:
		m.stats.Dropped++
		return false
	case !isNew:
		m.stats.Duplicates++
		return false
	case len(m.queue)-m.head >= m.maxQueued:
		m.stats.Dropped++
		return false
	}
	m.queue = append(m.queue, j)
	m.stats.Admitted++
	return true
}

// refused counts a job the policy refused; m.mu is held.
func (m *Memory) refused(err error) {
	switch {
	case errors.Is(err, ErrTooDeep):
		m.stats.TooDeep++
	case errors.Is(err, ErrOutOfScope):
		m.stats.OutOfScope++
	default:
		m.stats.Invalid++
	}
}

// Pop implements Frontier.
func (m *Memory) Pop(ctx context.Context) (Job, error) {
	for {
		m.mu.Lock()
		if j, ok := m.take(); ok {
			m.mu.Unlock()
			return j, nil
		}
		if m.leases == 0 {
			m.mu.Unlock()
			return Job{}, ErrDrained
		}
		wake := m.wake
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return Job{}, ctx.Err()
		case <-wake:
		}
	}
}

// take dequeues the oldest job and leases it; m.mu is held.
func (m *Memory) take() (Job, bool) {
	if m.head == len(m.queue) {
		return Job{}, false
	}
	j := m.queue[m.head]
	m.queue[m.head] = Job{}
	m.head++
	if m.head == len(m.queue) {
		m.queue, m.head = m.queue[:0], 0
	} else if m.head >= 1024 && m.head*2 >= len(m.queue) {
		n := copy(m.queue, m.queue[m.head:])
		clear(m.queue[n:])
		m.queue, m.head = m.queue[:n], 0
	}
	m.inFlight[j.URL]++
	m.leases++
	return j, true
}

// Done implements Frontier.
func (m *Memory) Done(_ context.Context, j Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.inFlight[j.URL]
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrUnknownJob, j.URL)
	}
	if n == 1 {
		delete(m.inFlight, j.URL)
	} else {
		m.inFlight[j.URL] = n - 1
	}
	m.leases--
	if m.leases == 0 && m.head == len(m.queue) {
		m.broadcast() // waiting Pops return ErrDrained
	}
	return nil
}

// Stats returns a snapshot of the frontier's counters.
func (m *Memory) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.stats
	s.Queued = len(m.queue) - m.head
	s.InFlight = m.leases
	return s
}

// broadcast wakes every waiting Pop; m.mu is held.
func (m *Memory) broadcast() {
	close(m.wake)
	m.wake = make(chan struct{})
}
