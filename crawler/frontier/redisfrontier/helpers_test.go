package redisfrontier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/store/redistest"
)

// env is a Redis deployment the behaviour tests run against.
type env struct {
	c          redis.UniversalClient
	ns         string
	partitions int // 0: the default for the client
}

// singleEnv returns the shared test server with a namespace of its own.
func singleEnv(t testing.TB, partitions int) env {
	t.Helper()
	c, prefix := redistest.Client(t)
	return env{c: c, ns: strings.TrimSuffix(prefix, ":"), partitions: partitions}
}

// scanName returns a fresh scan name.
func scanName(t testing.TB) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "scan-" + hex.EncodeToString(b[:])
}

// testConfig is a config with short timeouts for tests.
func (e env) config() Config {
	return Config{
		Client: e.c, Namespace: e.ns, Partitions: e.partitions,
		Visibility: time.Minute, RetryBackoff: 20 * time.Millisecond, PollInterval: 50 * time.Millisecond,
	}
}

// open opens scan with cfg (Client, Namespace and Partitions from e when
// unset); example.com is the default seed.
func (e env) open(t testing.TB, scan string, cfg Config, opts frontier.Options) *Frontier {
	t.Helper()
	def := e.config()
	if cfg.Client == nil {
		cfg.Client = def.Client
	}
	cfg.Namespace = or(cfg.Namespace, def.Namespace)
	cfg.Partitions = or(cfg.Partitions, def.Partitions)
	cfg.Visibility = or(cfg.Visibility, def.Visibility)
	cfg.RetryBackoff = or(cfg.RetryBackoff, def.RetryBackoff)
	cfg.PollInterval = or(cfg.PollInterval, def.PollInterval)
	if opts.Seeds == nil {
		opts.Seeds = []string{"http://example.com/"}
	}
	f, err := Open(context.Background(), cfg, scan, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// counts returns the scan's counts.
func (e env) counts(t testing.TB, scan string) ScanCounts {
	t.Helper()
	s, err := Counts(context.Background(), e.c, e.ns, scan)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func push(t testing.TB, f frontier.Frontier, jobs ...frontier.Job) int {
	t.Helper()
	n, err := f.Push(context.Background(), jobs...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pop(t testing.TB, f frontier.Frontier) frontier.Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	j, err := f.Pop(ctx)
	if err != nil {
		t.Fatalf("Pop: %v", err)
	}
	return j
}

func done(t testing.TB, f frontier.Frontier, j frontier.Job) {
	t.Helper()
	if err := f.Done(context.Background(), j); err != nil {
		t.Fatalf("Done(%s): %v", j.URL, err)
	}
}

// drain pops and acknowledges every job and returns their URLs in order.
func drain(t testing.TB, f frontier.Frontier) []string {
	t.Helper()
	var urls []string
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		j, err := f.Pop(ctx)
		cancel()
		if errors.Is(err, frontier.ErrDrained) {
			return urls
		}
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, j.URL)
		done(t, f, j)
	}
}

// eventually polls cond every 10ms until it holds or 20s passed.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// countKeys counts the keys matching a SCAN pattern, on every master of a
// cluster.
func countKeys(t testing.TB, e env, pattern string) int {
	t.Helper()
	ctx := context.Background()
	var n atomic.Int64
	count := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			n.Add(1)
		}
		return iter.Err()
	}
	var err error
	if cc, ok := e.c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return count(ctx, c) })
	} else {
		err = count(ctx, e.c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return int(n.Load())
}
