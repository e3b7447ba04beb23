package fetch

import (
	"context"
	"errors"
	"sync"
	"time"
)

// loadMap is a bounded map of values loaded on demand, each kept until its
// TTL runs out. Concurrent gets of a missing key share one load.
type loadMap[V any] struct {
	maxEntries int
	maxCost    int64         // bound on the sum of cost over the entries
	cost       func(V) int64 // nil: every entry costs 0

	mu    sync.Mutex // guards m and total
	m     map[string]*loadEntry[V]
	total int64
}

type loadEntry[V any] struct {
	done    chan struct{} // closed once val or err is set
	val     V
	err     error
	cost    int64
	expires time.Time
}

func newLoadMap[V any](maxEntries int, maxCost int64, cost func(V) int64) *loadMap[V] {
	return &loadMap[V]{maxEntries: maxEntries, maxCost: maxCost, cost: cost, m: map[string]*loadEntry[V]{}}
}

// get returns key's value, calling load when no fresh value is kept or
// being loaded. A failed load is not kept: callers waiting for it load
// again, unless the failure is not their context's.
func (m *loadMap[V]) get(ctx context.Context, key string, load func(context.Context) (V, time.Duration, error)) (V, error) {
	for {
		e, mine := m.entry(key)
		if mine {
			return m.fill(ctx, key, e, load)
		}
		select {
		case <-e.done:
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
		if e.err == nil {
			return e.val, nil
		}
		if !errors.Is(e.err, context.Canceled) && !errors.Is(e.err, context.DeadlineExceeded) {
			var zero V
			return zero, e.err
		}
	}
}

// entry returns key's entry if it is fresh or being loaded, or else a new
// entry the caller must fill (mine).
func (m *loadMap[V]) entry(key string) (e *loadEntry[V], mine bool) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[key]; ok {
		select {
		case <-e.done:
			if now.Before(e.expires) {
				return e, false
			}
			m.remove(key)
		default:
			return e, false // being loaded
		}
	}
	e = &loadEntry[V]{done: make(chan struct{})}
	m.m[key] = e
	return e, true
}

// fill loads e's value and publishes it.
func (m *loadMap[V]) fill(ctx context.Context, key string, e *loadEntry[V], load func(context.Context) (V, time.Duration, error)) (V, error) {
	v, ttl, err := load(ctx)
	m.mu.Lock()
	if err != nil {
		e.err = err
		if m.m[key] == e {
			delete(m.m, key)
		}
	} else {
		e.val, e.expires = v, time.Now().Add(ttl)
		if m.cost != nil {
			e.cost = m.cost(v)
			m.total += e.cost
		}
		m.evict(key)
	}
	m.mu.Unlock()
	close(e.done)
	return v, err
}

// evict drops expired entries, then any loaded entries other than keep,
// until the map is within its bounds; m.mu is held. Entries being loaded
// stay: there are at most as many as concurrent callers.
func (m *loadMap[V]) evict(keep string) {
	over := func() bool { return len(m.m) > m.maxEntries || m.total > m.maxCost }
	if !over() {
		return
	}
	now := time.Now()
	for _, pass := range []bool{true, false} {
		for k, e := range m.m {
			if !over() {
				return
			}
			if k == keep || !isDone(e) || (pass && now.Before(e.expires)) {
				continue
			}
			m.remove(k)
		}
	}
}

// remove deletes key's loaded entry; m.mu is held.
func (m *loadMap[V]) remove(key string) {
	m.total -= m.m[key].cost
	delete(m.m, key)
}

func isDone[V any](e *loadEntry[V]) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}
