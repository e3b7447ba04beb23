package frontier

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxIdleLimiters is how many per-host limiters a HostLimiter keeps before
// it forgets idle ones.
const maxIdleLimiters = 4096

// HostLimiter spaces requests to each host: at most perSecond requests per
// second per host, with no burst. Call Wait before every request. Its memory
// is bounded: when it tracks many hosts it forgets the idle ones, which is
// lossless because an idle host's limiter is full again anyway. It is safe
// for concurrent use.
type HostLimiter struct {
	limit rate.Limit // 0: unlimited
	idle  time.Duration

	mu    sync.Mutex // guards hosts
	hosts map[string]*hostLimit
}

type hostLimit struct {
	lim  *rate.Limiter
	last time.Time // time of the latest slot booked
}

// NewHostLimiter returns a limiter of perSecond requests per second per
// host; 0 means unlimited (Wait only checks the context).
func NewHostLimiter(perSecond float64) (*HostLimiter, error) {
	if perSecond < 0 || math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		return nil, fmt.Errorf("rate %v must be a finite number ≥ 0", perSecond)
	}
	l := &HostLimiter{limit: rate.Limit(perSecond), hosts: map[string]*hostLimit{}}
	if perSecond > 0 {
		l.idle = time.Duration(float64(time.Second) / perSecond)
	}
	return l, nil
}

// Wait blocks until a request to host is allowed or ctx is done.
func (l *HostLimiter) Wait(ctx context.Context, host string) error {
	if err := ctx.Err(); err != nil || l.limit == 0 {
		return err
	}
	r, d := l.reserve(host)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	}
}

// reserve books the next slot for host and returns how long to wait for it.
func (l *HostLimiter) reserve(host string) (*rate.Reservation, time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.hosts[host]
	if !ok {
		if len(l.hosts) >= maxIdleLimiters {
			l.forgetIdle(now)
		}
		h = &hostLimit{lim: rate.NewLimiter(l.limit, 1)}
		l.hosts[host] = h
	}
	r := h.lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	h.last = now.Add(d)
	return r, d
}

// forgetIdle drops the limiters whose last slot is long enough past for
// them to be full again; l.mu is held.
func (l *HostLimiter) forgetIdle(now time.Time) {
	for k, h := range l.hosts {
		if now.Sub(h.last) > 2*l.idle {
			delete(l.hosts, k)
		}
	}
}
