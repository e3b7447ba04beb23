package polite

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/fetch"
)

// DefaultRobotsLockTTL is how long one worker's robots.txt fetch keeps the
// others waiting: above the crawler's default 20 s request timeout (a fetch
// that takes longer than the lock lets a second worker fetch too), and the
// longest a worker killed mid-fetch delays the others.
const DefaultRobotsLockTTL = 30 * time.Second

// robotsPoll bounds the backoff of a worker waiting for another's fetch.
const (
	minRobotsPoll = 10 * time.Millisecond
	maxRobotsPoll = 250 * time.Millisecond
)

// unlockScript deletes the lock only if this fetcher still holds it.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// RedisRobots is a fetch.RobotsCache shared through Redis: each host's
// robots.txt is fetched by one worker and stored once, under
// "<namespace>robots:{o:<origin>}" with the TTL the fetcher gives it (24 h,
// or a minute for an unavailable one). A short lock key, "…:lock", makes
// the other workers wait for that fetch instead of fetching too; it
// expires after LockTTL, so a worker killed mid-fetch delays the others
// by at most that. A record takes the body (at most 500 KiB) plus a few
// bytes. It is safe for concurrent use.
type RedisRobots struct {
	c       redis.UniversalClient
	ns      string
	lockTTL time.Duration
}

var _ fetch.RobotsCache = (*RedisRobots)(nil)

// NewRedisRobots returns a robots.txt cache on c whose keys start with
// namespace. lockTTL 0 means DefaultRobotsLockTTL.
func NewRedisRobots(c redis.UniversalClient, namespace string, lockTTL time.Duration) (*RedisRobots, error) {
	if c == nil {
		return nil, errors.New("polite: nil redis client")
	}
	if lockTTL < 0 {
		return nil, errors.New("polite: negative robots lock TTL")
	}
	if lockTTL == 0 {
		lockTTL = DefaultRobotsLockTTL
	}
	return &RedisRobots{c: c, ns: namespace, lockTTL: lockTTL}, nil
}

// keys returns origin's record and lock keys, in one cluster slot.
func (r *RedisRobots) keys(origin string) (rec, lock string) {
	rec = r.ns + "robots:{o:" + origin + "}"
	return rec, rec + ":lock"
}

// Robots implements fetch.RobotsCache: the stored record, or else the one
// fetched by whichever worker takes the lock first.
func (r *RedisRobots) Robots(ctx context.Context, origin string, fetchFn fetch.RobotsFetch) (fetch.RobotsRecord, error) {
	recKey, lockKey := r.keys(origin)
	poll := minRobotsPoll
	for {
		rec, ok, err := r.get(ctx, recKey)
		if err != nil || ok {
			return rec, err
		}
		token, err := randomToken()
		if err != nil {
			return rec, err
		}
		got, err := r.c.SetNX(ctx, lockKey, token, r.lockTTL).Result()
		if err != nil {
			return rec, fmt.Errorf("polite: robots.txt lock of %s: %w", origin, err)
		}
		if got {
			return r.fetchLocked(ctx, origin, recKey, lockKey, token, fetchFn)
		}
		if err := sleep(ctx, jitter(poll)); err != nil {
			return rec, err
		}
		poll = min(2*poll, maxRobotsPoll)
	}
}

// get reads a stored record; ok is false when there is none (or it does
// not decode, which counts as none).
func (r *RedisRobots) get(ctx context.Context, key string) (fetch.RobotsRecord, bool, error) {
	b, err := r.c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return fetch.RobotsRecord{}, false, nil
	}
	if err != nil {
		return fetch.RobotsRecord{}, false, fmt.Errorf("polite: read robots.txt %s: %w", key, err)
	}
	rec, err := decodeRobots(b)
	return rec, err == nil, nil
}

// fetchLocked fetches under the lock, stores the record and unlocks. A
// failure to store is not returned: the record is good, and the next
// worker to miss it fetches it again.
func (r *RedisRobots) fetchLocked(ctx context.Context, origin, recKey, lockKey, token string, fetchFn fetch.RobotsFetch) (fetch.RobotsRecord, error) {
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = unlockScript.Run(cctx, r.c, []string{lockKey}, token).Err() // else it expires
	}()
	// Another worker may have stored the record between our miss and our
	// lock (it fetched, stored and unlocked in that gap): look again.
	if rec, ok, err := r.get(ctx, recKey); err != nil || ok {
		return rec, err
	}
	rec, ttl, err := fetchFn(ctx)
	if err != nil {
		return rec, fmt.Errorf("polite: fetch robots.txt of %s: %w", origin, err)
	}
	if ttl > 0 {
		_ = r.c.Set(ctx, recKey, encodeRobots(rec), ttl).Err()
	}
	return rec, nil
}

// encodeRobots stores a record as "<status>\n<body>".
func encodeRobots(rec fetch.RobotsRecord) []byte {
	b := strconv.AppendInt(nil, int64(rec.Status), 10)
	b = append(b, '\n')
	return append(b, rec.Body...)
}

func decodeRobots(b []byte) (fetch.RobotsRecord, error) {
	head, body, ok := bytes.Cut(b, []byte{'\n'})
	status, err := strconv.Atoi(string(head))
	if !ok || err != nil {
		return fetch.RobotsRecord{}, errors.New("polite: malformed robots.txt record")
	}
	return fetch.RobotsRecord{Status: status, Body: body}, nil
}

func randomToken() (string, error) {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return "", fmt.Errorf("polite: lock token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
