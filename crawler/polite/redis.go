package polite

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Polling bounds of a Redis lease waiting for a concurrency slot: a release
// is not signalled, so a waiter asks again after a backoff between these.
const (
	minPoll = 5 * time.Millisecond
	maxPoll = 200 * time.Millisecond
)

// cleanupTimeout bounds the calls that release or give back a lease after
// the caller's context is done.
const cleanupTimeout = 2 * time.Second

// acquireScript grants a lease of one host when it has a free concurrency
// slot. KEYS: the host's next-slot key (a string of µs since the epoch)
// and its lease set (a sorted set of holder ids scored by expiry, in µs).
// ARGV: holder id, interval µs, concurrency, lease TTL µs. It returns
// {1, wait µs, slot µs} for a lease, or {0, µs until the earliest lease
// expires, 0}. Every time is the server's (TIME), never a worker's, and
// each key expires once it no longer matters, so idle hosts cost nothing.
var acquireScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - now, 0}
end
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local nxt = slot + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.floor((nxt - now) / 1000) + 1)
redis.call('ZADD', KEYS[2], slot + tonumber(ARGV[4]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[2], math.floor((tonumber(last[2]) - now) / 1000) + 1)
return {1, slot - now, slot}
`)

// cancelScript releases a lease whose slot was not used and gives the slot
// back when no later slot was booked after it. KEYS as acquireScript;
// ARGV: holder id, slot µs, interval µs.
var cancelScript = redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
local nxt = redis.call('GET', KEYS[1])
if nxt and tonumber(nxt) == tonumber(ARGV[2]) + tonumber(ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
end
return 1
`)

// Redis is a gate shared through Redis by every process that uses the
// same namespace. Each host has two keys, "<namespace>polite:{<host>}:next"
// and "…:lease", in one cluster slot (the hash tag is the host), both with
// TTLs: a host costs nothing once its last slot and lease are past. It is
// safe for concurrent use.
//
// A lease's concurrency slot is held until Release or until LeaseTTL after
// its slot, so a worker killed mid-request blocks a slot for at most
// LeaseTTL. Waiting for a concurrency slot polls (5-200 ms backoff); waiting
// for a rate slot is one sleep until the slot the server booked.
type Redis struct {
	c      redis.UniversalClient
	ns     string
	opts   Options
	holder string // this gate's prefix of lease ids
	seq    atomic.Uint64
}

var _ interface {
	Acquire(context.Context, string, time.Duration) (func(), error)
} = (*Redis)(nil)

// NewRedis returns a gate on c whose keys start with namespace (e.g.
// "attrib:"). Every worker that shares the namespace shares the limits;
// give them all the same Options.
func NewRedis(c redis.UniversalClient, namespace string, opts Options) (*Redis, error) {
	if c == nil {
		return nil, errors.New("polite: nil redis client")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("polite: holder id: %w", err)
	}
	return &Redis{c: c, ns: namespace, opts: o, holder: hex.EncodeToString(b[:]) + ":"}, nil
}

// Options returns the options in effect, defaults filled in.
func (g *Redis) Options() Options { return g.opts }

// keys returns host's next-slot and lease-set keys. The "h:" inside the
// hash tag keeps the tag non-empty whatever the host.
func (g *Redis) keys(host string) []string {
	base := g.ns + "polite:{h:" + host + "}:"
	return []string{base + "next", base + "lease"}
}

// Acquire waits for a lease of host (see Lease) and returns its Release.
func (g *Redis) Acquire(ctx context.Context, host string, crawlDelay time.Duration) (func(), error) {
	l, err := g.Lease(ctx, host, crawlDelay)
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}

// Lease waits until host has a free concurrency slot, books the host's next
// rate slot on the server, waits for it and returns the lease. If ctx ends
// first it returns ctx's error and frees what it booked. Redis errors are
// returned wrapped.
func (g *Redis) Lease(ctx context.Context, host string, crawlDelay time.Duration) (*Lease, error) {
	if host == "" {
		return nil, ErrEmptyHost
	}
	keys := g.keys(host)
	iv := g.opts.Interval(crawlDelay)
	id := g.holder + strconv.FormatUint(g.seq.Add(1), 10)
	poll := minPoll
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := acquireScript.Run(ctx, g.c, keys, id, iv.Microseconds(), g.opts.Concurrency,
			g.opts.LeaseTTL.Microseconds()).Int64Slice()
		if err != nil {
			g.drop(ctx, keys, id) // the script may have run before the call failed
			return nil, fmt.Errorf("polite: lease of %s: %w", host, err)
		}
		if len(res) != 3 {
			return nil, fmt.Errorf("polite: lease of %s: unexpected reply %v", host, res)
		}
		if res[0] == 1 {
			return g.wait(ctx, host, keys, id, iv, res[1], res[2])
		}
		d := min(poll, time.Duration(res[1])*time.Microsecond)
		if err := sleep(ctx, jitter(max(d, minPoll))); err != nil {
			return nil, fmt.Errorf("polite: lease of %s: %w", host, err)
		}
		poll = min(2*poll, maxPoll)
	}
}

// wait sleeps until the booked slot and returns the lease; if ctx ends
// first it gives the lease and its slot back.
func (g *Redis) wait(ctx context.Context, host string, keys []string, id string, iv time.Duration, waitUS, slotUS int64) (*Lease, error) {
	l := &Lease{Host: host, Slot: time.UnixMicro(slotUS), Interval: iv}
	l.release = func() { g.drop(context.Background(), keys, id) }
	if err := sleep(ctx, time.Duration(waitUS)*time.Microsecond); err != nil {
		l.once.Do(func() {})
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = cancelScript.Run(cctx, g.c, keys, id, slotUS, iv.Microseconds()).Err() // else it expires
		return nil, fmt.Errorf("polite: lease of %s: %w", host, err)
	}
	return l, nil
}

// drop removes lease id. A failure is not reported: the lease then
// expires by itself after LeaseTTL.
func (g *Redis) drop(ctx context.Context, keys []string, id string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = g.c.ZRem(cctx, keys[1], id).Err()
}

// jitter spreads d by ±25 % so that waiters do not poll in step.
func jitter(d time.Duration) time.Duration {
	return d*3/4 + rand.N(d/2+1)
}
