package polite

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/store/redistest"
)

// counted returns a RobotsFetch that counts its calls and returns rec
// with ttl after a pause, so that concurrent callers pile up.
func counted(calls *atomic.Int64, rec fetch.RobotsRecord, ttl time.Duration) fetch.RobotsFetch {
	return func(ctx context.Context) (fetch.RobotsRecord, time.Duration, error) {
		calls.Add(1)
		time.Sleep(30 * time.Millisecond)
		return rec, ttl, nil
	}
}

// testRobotsFetchedOnce: many callers on several caches sharing one
// namespace get one fetch's record.
func testRobotsFetchedOnce(t *testing.T, caches []*RedisRobots) {
	want := fetch.RobotsRecord{Status: 200, Body: []byte("User-agent: *\nDisallow: /private\n")}
	var calls atomic.Int64
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			rec, err := caches[i%len(caches)].Robots(context.Background(), "https://a.test", counted(&calls, want, time.Hour))
			if err != nil || rec.Status != want.Status || string(rec.Body) != string(want.Body) {
				t.Errorf("Robots: %+v, %v", rec, err)
			}
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times, want 1", n)
	}
}

func TestRedisRobotsFetchedOnce(t *testing.T) {
	c, ns := redistest.Client(t)
	other := redis.NewClient(&redis.Options{Addr: redistest.Addr()})
	defer other.Close()
	testRobotsFetchedOnce(t, []*RedisRobots{newRobots(t, c, ns, 0), newRobots(t, other, ns, 0)})
}

func TestRedisRobotsClusterFetchedOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster")
	}
	c, ns := redistest.Cluster(t)
	testRobotsFetchedOnce(t, []*RedisRobots{newRobots(t, c, ns, 0), newRobots(t, c, ns, 0)})
}

// TestRedisRobotsRecord: what is stored, for how long, and what is not.
func TestRedisRobotsRecord(t *testing.T) {
	c, ns := redistest.Client(t)
	r := newRobots(t, c, ns, 0)
	ctx := context.Background()
	var calls atomic.Int64
	down := fetch.RobotsRecord{Status: 503}
	if _, err := r.Robots(ctx, "http://down.test", counted(&calls, down, time.Minute)); err != nil {
		t.Fatal(err)
	}
	key, lock := r.keys("http://down.test")
	if ttl := c.PTTL(ctx, key).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("record TTL %v, want ≤ 1m", ttl)
	}
	if c.Exists(ctx, lock).Val() != 0 {
		t.Error("lock left after the fetch")
	}
	rec, err := r.Robots(ctx, "http://down.test", counted(&calls, fetch.RobotsRecord{Status: 200}, time.Minute))
	if err != nil || rec.Status != 503 || calls.Load() != 1 {
		t.Errorf("second read: %+v, %v after %d fetches; want the stored 503 after 1", rec, err, calls.Load())
	}

	// A failed fetch stores nothing and releases the lock at once.
	failing := func(context.Context) (fetch.RobotsRecord, time.Duration, error) {
		return fetch.RobotsRecord{}, 0, context.Canceled
	}
	if _, err := r.Robots(ctx, "http://fail.test", failing); !errors.Is(err, context.Canceled) {
		t.Errorf("failed fetch: %v", err)
	}
	key, lock = r.keys("http://fail.test")
	if n := c.Exists(ctx, key, lock).Val(); n != 0 {
		t.Errorf("%d keys left by a failed fetch", n)
	}
}

// TestRedisRobotsDeadLockHolder: a worker killed while fetching leaves its
// lock, which delays the others until it expires, not forever.
func TestRedisRobotsDeadLockHolder(t *testing.T) {
	c, ns := redistest.Client(t)
	const lockTTL = 200 * time.Millisecond
	r := newRobots(t, c, ns, lockTTL)
	ctx := context.Background()
	_, lock := r.keys("http://dead.test")
	if err := c.Set(ctx, lock, "dead-worker", lockTTL).Err(); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	wctx, cancel := context.WithTimeout(ctx, 20*lockTTL)
	defer cancel()
	rec, err := r.Robots(wctx, "http://dead.test", counted(&calls, fetch.RobotsRecord{Status: 404}, time.Hour))
	if err != nil || rec.Status != 404 || calls.Load() != 1 {
		t.Errorf("after a dead holder's lock: %+v, %v, %d fetches", rec, err, calls.Load())
	}
}

// TestFetcherOnRedisRobots: two fetchers (two workers) sharing a
// RedisRobots fetch a site's robots.txt once; a cache that fails makes
// CheckRobots fail with ErrRobotsCache.
func TestFetcherOnRedisRobots(t *testing.T) {
	c, ns := redistest.Client(t)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			hits.Add(1)
			w.Write([]byte("User-agent: *\nDisallow: /private\nCrawl-delay: 3\n"))
		}
	}))
	defer srv.Close()
	var wg sync.WaitGroup
	for range 2 {
		f, err := fetch.New(context.Background(), fetch.Options{Robots: newRobots(t, c, ns, 0)})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for range 8 {
			wg.Go(func() {
				if delay, err := f.CheckRobots(context.Background(), srv.URL+"/page"); err != nil || delay != 3*time.Second {
					t.Errorf("CheckRobots: %v, %v", delay, err)
				}
				if _, err := f.CheckRobots(context.Background(), srv.URL+"/private/x"); !errors.Is(err, fetch.ErrRobots) {
					t.Errorf("CheckRobots of a disallowed page: %v", err)
				}
			})
		}
	}
	wg.Wait()
	if n := hits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times by two fetchers, want 1", n)
	}

	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer dead.Close()
	f, err := fetch.New(context.Background(), fetch.Options{Robots: newRobots(t, dead, ns, 0)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.CheckRobots(context.Background(), srv.URL+"/page"); !errors.Is(err, fetch.ErrRobotsCache) {
		t.Errorf("CheckRobots with Redis down: %v, want ErrRobotsCache", err)
	}
}

func newRobots(t *testing.T, c redis.UniversalClient, ns string, lockTTL time.Duration) *RedisRobots {
	t.Helper()
	r, err := NewRedisRobots(c, ns, lockTTL)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
