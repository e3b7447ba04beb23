package redis_test

import (
	"context"
	"testing"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redistest"
	"github.com/attrib/attrib/store/storetest"
)

// TestStore runs the conformance suite on the shared server, each subtest
// in a namespace of its own.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		c, prefix := redistest.Client(t)
		return openStore(t, c, prefix+"attrib")
	})
}

// TestCluster starts one 3-node Redis Cluster and runs the conformance suite
// and the multi-process tests on it: any script or transaction touching keys
// of two slots would fail with CROSSSLOT.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node Redis Cluster")
	}
	c, _ := redistest.Cluster(t)
	namespace := func(t *testing.T) string {
		prefix := redistest.Prefix(t)
		t.Cleanup(func() {
			if err := redistest.DeleteKeys(context.Background(), c, prefix); err != nil {
				t.Errorf("delete keys: %v", err)
			}
		})
		return prefix + "attrib"
	}
	t.Run("storetest", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			return openStore(t, c, namespace(t))
		})
	})
	t.Run("PutWorkTwoProcesses", func(t *testing.T) {
		other := clusterClient(t, c)
		testPutWorkTwoStores(t, c, other, namespace(t))
	})
	t.Run("BigScan", func(t *testing.T) {
		testBigScan(t, openStore(t, c, namespace(t)))
	})
	t.Run("OpenURL", func(t *testing.T) {
		testOpenURLCluster(t, c, namespace(t))
	})
	t.Run("SlotsSpread", func(t *testing.T) {
		testSlotsSpread(t, c, namespace(t))
	})
}
