package polite

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store/redistest"
)

// redisGates returns gates on the shared test server, each with a client
// of its own (as separate workers have), under one fresh namespace.
func redisGates(t *testing.T, opts Options, n int) []gate {
	c, ns := redistest.Client(t)
	gs := make([]gate, n)
	for i := range gs {
		var cl redis.UniversalClient = c
		if i > 0 {
			own := redis.NewClient(&redis.Options{Addr: redistest.Addr()})
			t.Cleanup(func() { own.Close() })
			cl = own
		}
		g, err := NewRedis(cl, ns, opts)
		if err != nil {
			t.Fatal(err)
		}
		gs[i] = g
	}
	return gs
}

func TestRedis(t *testing.T) {
	runSuite(t, redisGates)
}

// TestRedisCluster runs the suite on a 3-node cluster: the scripts touch
// two keys, which must share a slot.
func TestRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster")
	}
	c, prefix := redistest.Cluster(t)
	runSuite(t, func(t *testing.T, opts Options, n int) []gate {
		ns := prefix + t.Name() + ":" // the cluster is thrown away after the test
		gs := make([]gate, n)
		for i := range gs {
			g, err := NewRedis(c, ns, opts)
			if err != nil {
				t.Fatal(err)
			}
			gs[i] = g
		}
		return gs
	})
}

// TestRedisIdleHostsExpire: a host's keys carry TTLs no longer than its
// next slot and its leases need, so an idle host costs nothing.
func TestRedisIdleHostsExpire(t *testing.T) {
	c, ns := redistest.Client(t)
	const ttl = 200 * time.Millisecond
	g, err := NewRedis(c, ns, Options{Rate: 10, LeaseTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := g.Lease(ctx, "idle.test", 0)
	if err != nil {
		t.Fatal(err)
	}
	keys := g.keys("idle.test")
	next, lease := c.PTTL(ctx, keys[0]).Val(), c.PTTL(ctx, keys[1]).Val()
	if next <= 0 || next > l.Interval+time.Millisecond || lease <= 0 || lease > ttl+time.Millisecond {
		t.Errorf("TTLs: next %v (interval %v), lease set %v (lease TTL %v)", next, l.Interval, lease, ttl)
	}
	l.Release()
	if n := c.ZCard(ctx, keys[1]).Val(); n != 0 {
		t.Errorf("%d leases left after Release", n)
	}
	time.Sleep(ttl + 50*time.Millisecond)
	if n := c.Exists(ctx, keys...).Val(); n != 0 {
		t.Errorf("%d keys of an idle host left after their TTL", n)
	}
}

// TestRedisDown: a gate whose Redis does not answer fails, it does not
// block or allow requests.
func TestRedisDown(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	g, err := NewRedis(c, "attribtest:down:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Acquire(context.Background(), "x.test", 0); err == nil {
		t.Error("Acquire without Redis: no error")
	}
}
