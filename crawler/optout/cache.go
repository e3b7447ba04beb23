package optout

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errLoadAbandoned marks a load whose caller's context ended; the next
// caller loads again.
var errLoadAbandoned = errors.New("policy load abandoned")

// originCache keeps each origin's policy for its TTL, loading it once
// however many callers ask at the same time. It keeps at most max origins.
type originCache struct {
	max int
	now func() time.Time

	mu      sync.Mutex // guards entries
	entries map[string]*originEntry
}

// originEntry is an origin's policy, or a load in progress.
type originEntry struct {
	ready   chan struct{} // closed once the load ended
	policy  *sitePolicy
	err     error
	expires time.Time
	created time.Time
}

func newOriginCache(max int) *originCache {
	return &originCache{max: max, now: time.Now, entries: map[string]*originEntry{}}
}

// get returns origin's policy, loading it when none is kept. A load
// abandoned because its caller's context ended is retried by the next
// caller; get's own error is its context's.
func (c *originCache) get(ctx context.Context, origin string, load func(context.Context) (*sitePolicy, time.Duration, error)) (*sitePolicy, error) {
	for {
		c.mu.Lock()
		e, ok := c.entries[origin]
		if ok && isDone(e.ready) && (e.err != nil || !c.now().Before(e.expires)) {
			delete(c.entries, origin)
			ok = false
		}
		if !ok {
			e = &originEntry{ready: make(chan struct{}), created: c.now()}
			c.makeRoom()
			c.entries[origin] = e
			c.mu.Unlock()
			return c.fill(ctx, origin, e, load)
		}
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-e.ready:
		}
		if e.err == nil {
			return e.policy, nil
		}
	}
}

// fill runs the load of e.
func (c *originCache) fill(ctx context.Context, origin string, e *originEntry, load func(context.Context) (*sitePolicy, time.Duration, error)) (*sitePolicy, error) {
	p, ttl, err := load(ctx)
	c.mu.Lock()
	e.policy, e.err, e.expires = p, err, c.now().Add(ttl)
	if err != nil {
		e.err = errors.Join(errLoadAbandoned, err)
		if c.entries[origin] == e {
			delete(c.entries, origin)
		}
	}
	close(e.ready)
	c.mu.Unlock()
	return p, err
}

// makeRoom forgets expired entries, then the oldest finished ones, until
// a new entry fits. Loads in progress are kept. Called with mu held.
func (c *originCache) makeRoom() {
	if len(c.entries) < c.max {
		return
	}
	now := c.now()
	for k, e := range c.entries {
		if isDone(e.ready) && !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	for len(c.entries) >= c.max {
		oldest := ""
		var at time.Time
		for k, e := range c.entries {
			if isDone(e.ready) && (oldest == "" || e.created.Before(at)) {
				oldest, at = k, e.created
			}
		}
		if oldest == "" {
			return // every entry is loading: over the bound until they end
		}
		delete(c.entries, oldest)
	}
}

func isDone(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
