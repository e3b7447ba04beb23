package redistest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestClientPrefixCleanup(t *testing.T) {
	ctx := context.Background()
	var prefix string
	t.Run("inner", func(t *testing.T) {
		c, p := Client(t)
		prefix = p
		for i := range 1200 { // more than one SCAN batch
			if err := c.Set(ctx, fmt.Sprintf("%sk%d", p, i), "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	c, _ := Client(t)
	keys, _, err := c.Scan(ctx, 0, escapeGlob(prefix)+"*", 10000).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("%d keys under %s survived the test's cleanup", len(keys), prefix)
	}
}

func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three redis-server processes")
	}
	c, p := Cluster(t)
	ctx := context.Background()
	// Keys spread over every master.
	for i := range 100 {
		if err := c.Set(ctx, fmt.Sprintf("%sk%d", p, i), i, 0).Err(); err != nil {
			t.Fatalf("set on cluster: %v", err)
		}
	}
	var masters atomic.Int32 // ForEachMaster calls fn concurrently
	if err := c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		masters.Add(1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if masters.Load() != ClusterNodes {
		t.Errorf("%d masters, want %d", masters.Load(), ClusterNodes)
	}
	if err := DeleteKeys(ctx, c, p); err != nil {
		t.Fatal(err)
	}
	if n, err := c.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Errorf("after DeleteKeys: dbsize %d, %v", n, err)
	}
}

func TestServerSurvivesKill(t *testing.T) {
	s := StartServer(t)
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("server answers after Kill")
	}
	s.Start()
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Errorf("after a crash and restart: %q, %v; want the acknowledged write", v, err)
	}
}
