package redis_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redis"
)

// clusterClient returns a second client of the cluster c talks to, as
// another process would have.
func clusterClient(t testing.TB, c *goredis.ClusterClient) *goredis.ClusterClient {
	t.Helper()
	other := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: c.Options().Addrs})
	t.Cleanup(func() { other.Close() })
	return other
}

// testOpenURLCluster opens the cluster by URL, from every seed and from one.
func testOpenURLCluster(t *testing.T, c *goredis.ClusterClient, ns string) {
	addrs := c.Options().Addrs
	urls := []string{
		"redis://" + addrs[0] + "?addr=" + strings.Join(addrs[1:], "&addr="),
		"redis://" + addrs[1] + "/0?cluster=true",
	}
	for i, u := range urls {
		s, err := redis.OpenURL(t.Context(), u, ns)
		if err != nil {
			t.Fatalf("OpenURL(%s): %v", u, err)
		}
		// Works of every shard: the client must reach every master.
		for j := range 32 {
			if _, _, err := s.PutWork(t.Context(), work("alice", fmt.Sprint(i, "/", j)), nil); err != nil {
				t.Fatalf("PutWork through %s: %v", u, err)
			}
		}
		ws, err := s.Works(t.Context(), store.WorkFilter{})
		if err != nil || len(ws) != 32*(i+1) {
			t.Errorf("Works through %s = %d, %v; want %d", u, len(ws), err, 32*(i+1))
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

// testSlotsSpread checks the cluster layout: a work's keys share one slot,
// and the works of one namespace spread over every master.
func testSlotsSpread(t *testing.T, c *goredis.ClusterClient, ns string) {
	s := openStore(t, c, ns)
	ctx := t.Context()
	for i := range 64 {
		w, _, err := s.PutWork(ctx, work("alice", fmt.Sprint(i)), []store.Fingerprint{{Algorithm: "x"}})
		if err != nil {
			t.Fatal(err)
		}
		shard := fmt.Sprintf("{r%s}", w.ID[2:4])
		keys := []string{ns + ":" + shard + ":work:" + w.ID, ns + ":" + shard + ":text:" + w.ID,
			ns + ":" + shard + ":fp:" + w.ID, ns + ":" + shard + ":works"}
		slot := map[int64]bool{}
		for _, k := range keys {
			if n, err := c.Exists(ctx, k).Result(); err != nil || n != 1 {
				t.Fatalf("key %s: exists %d, %v", k, n, err)
			}
			sl, err := c.ClusterKeySlot(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			slot[sl] = true
		}
		if len(slot) != 1 {
			t.Errorf("keys of work %s span slots %v", w.ID, slot)
		}
	}
	var mu sync.Mutex // guards perMaster: ForEachMaster calls fn concurrently
	perMaster := map[string]int{}
	err := c.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
		keys, _, err := n.Scan(ctx, 0, ns+":*", 100000).Result()
		mu.Lock()
		defer mu.Unlock()
		perMaster[n.Options().Addr] = len(keys)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for addr, n := range perMaster {
		if n == 0 {
			t.Errorf("master %s holds none of 64 works' keys: %v", addr, perMaster)
		}
	}
}
