package redisfrontier

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/store/redistest"
)

// TestCluster runs every behaviour on a 3-node Redis Cluster, with the
// default partition count (4 per master), so scripts, blocking reads and
// the drain check all cross nodes.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three redis-server processes")
	}
	c, prefix := redistest.Cluster(t)
	e := env{c: c, ns: strings.TrimSuffix(prefix, ":")}
	f := e.open(t, scanName(t), Config{}, frontier.Options{})
	if want := 4 * redistest.ClusterNodes; f.Partitions() != want {
		t.Fatalf("default partitions on the cluster: %d, want %d", f.Partitions(), want)
	}
	// Placement by hash tag is random: all 12 on one node has odds 6e-6.
	if nodes := partitionNodes(t, c, f); nodes < 2 {
		t.Errorf("partitions live on %d node, want several", nodes)
	}
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			b.run(t, e)
		})
	}
}

// partitionNodes counts the cluster nodes that own a partition's stream.
func partitionNodes(t *testing.T, c *redis.ClusterClient, f *Frontier) int {
	t.Helper()
	nodes := map[string]bool{}
	for _, pk := range f.keys.parts {
		n, err := c.MasterForKey(t.Context(), pk.q)
		if err != nil {
			t.Fatal(err)
		}
		nodes[n.Options().Addr] = true
	}
	return len(nodes)
}
