package launch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/frontier/redisfrontier"
	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/store"
	redisstore "github.com/attrib/attrib/store/redis"
	"github.com/attrib/attrib/store/redistest"
)

// In Redis mode a crawl is queued for the workers the way `attrib enqueue`
// does it, and OnFinished fires once the matchers close the scan.
func TestStartQueuesForWorkersInRedisMode(t *testing.T) {
	c, prefix := redistest.Client(t)
	ns := strings.TrimSuffix(prefix, ":")
	ctx := context.Background()
	st, err := redisstore.Open(ctx, c, ns)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := scanreg.New(c, ns)
	fcfg := redisfrontier.Config{Client: c, Namespace: ns}
	open := func(ctx context.Context, scan string, o frontier.Options) (frontier.Frontier, error) {
		return redisfrontier.Open(ctx, fcfg, scan, o)
	}
	var rec recorder
	cfg := rec.config()
	cfg.Dist = &Dist{Enqueuer: &scanreg.Enqueuer{Registry: reg, Store: st, Frontier: open}, PollEvery: 10 * time.Millisecond}
	l := newLauncher(t, st, cfg)

	sc, err := l.Start(ctx, Spec{Kind: KindCrawl, Targets: []string{"https://a.example/docs/", "https://b.example/"},
		Options: Options{Depth: 2, Scope: "prefix", MaxPages: 50}})
	if err != nil {
		t.Fatal(err)
	}
	if sc.State != store.ScanQueued {
		t.Fatalf("Start returned %+v", sc)
	}
	waitFor(t, "the scan to be active", func() bool { ok, _ := reg.IsActive(ctx, sc.ID); return ok })
	spec, err := reg.Spec(ctx, sc.ID)
	if err != nil || spec.Depth != 2 || spec.Scope != "prefix" || spec.MaxPages != 50 || len(spec.Seeds) != 2 {
		t.Fatalf("registry spec %+v, %v", spec, err)
	}
	if depth, err := reg.QueueDepth(ctx, sc.ID); err != nil || depth != 2 {
		t.Errorf("queue depth %d, %v; want the 2 seeds", depth, err)
	}
	if got, _ := st.Scan(ctx, sc.ID); got.State != store.ScanRunning {
		t.Errorf("scan %s while queued for workers, want running", got.State)
	}
	if len(rec.ended()) != 0 {
		t.Fatal("OnFinished before the matchers closed the scan")
	}
	// What a matcher does when the scan's queues are drained.
	got, _ := st.Scan(ctx, sc.ID)
	got.State, got.FinishedAt = store.ScanFinished, time.Now().UTC()
	if err := st.UpdateScan(ctx, got); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	if ended := rec.ended(); len(ended) != 1 || ended[0].ID != sc.ID || ended[0].State != store.ScanFinished {
		t.Errorf("OnFinished saw %+v", ended)
	}
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
