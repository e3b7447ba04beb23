package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/frontier"
)

func testTwoConsumersShareWork(t *testing.T, e env) {
	scan := scanName(t)
	opts := frontier.Options{MaxDepth: 1, Scope: frontier.ScopeAny}
	a := e.open(t, scan, Config{Consumer: "a"}, opts)
	b := e.open(t, scan, Config{Consumer: "b"}, opts)
	var jobs []frontier.Job
	for i := range 300 {
		jobs = append(jobs, frontier.Job{URL: fmt.Sprintf("http://h%d.example.com/%d", i%11, i)})
	}
	push(t, a, jobs...)
	var mu sync.Mutex
	seen := map[string]int{}
	perConsumer := map[string]int{}
	var wg sync.WaitGroup
	for _, f := range []*Frontier{a, a, b, b} {
		wg.Go(func() {
			for {
				j, err := f.Pop(context.Background())
				if errors.Is(err, frontier.ErrDrained) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[j.URL]++
				perConsumer[f.Consumer()]++
				mu.Unlock()
				if err := f.Done(context.Background(), j); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != 300 {
		t.Errorf("%d distinct URLs processed, want 300", len(seen))
	}
	for u, n := range seen {
		if n != 1 {
			t.Errorf("%s processed %d times", u, n)
		}
	}
	if perConsumer["a"] == 0 || perConsumer["b"] == 0 {
		t.Errorf("work not shared: %v", perConsumer)
	}
	if c := e.counts(t, scan); c.Done != 300 || !c.Finished() {
		t.Errorf("counts %+v", c)
	}
}

func testDeadConsumerReclaimed(t *testing.T, e env) {
	scan := scanName(t)
	cfg := Config{Visibility: 200 * time.Millisecond}
	dead := e.open(t, scan, cfg, frontier.Options{})
	push(t, dead, frontier.Job{URL: "http://example.com/"})
	lost := pop(t, dead) // and the process dies: no Done
	if c := e.counts(t, scan); c.InFlight != 1 || c.Queued != 0 {
		t.Errorf("counts after the lease %+v", c)
	}
	if drained, err := Drained(context.Background(), e.c, e.ns, scan); err != nil || drained {
		t.Errorf("Drained with a job leased by a dead consumer: %v, %v", drained, err)
	}
	live := e.open(t, scan, cfg, frontier.Options{})
	j := pop(t, live) // blocks until the lease expires, then reclaims it
	if j.URL != lost.URL || Attempt(j) != 2 {
		t.Fatalf("reclaimed %+v (attempt %d), want %s attempt 2", j, Attempt(j), lost.URL)
	}
	done(t, live, j)
	if err := dead.Done(context.Background(), lost); !errors.Is(err, frontier.ErrUnknownJob) {
		t.Errorf("the dead consumer's late Done: %v, want ErrUnknownJob", err)
	}
	if got := drain(t, live); len(got) != 0 {
		t.Errorf("left over: %v", got)
	}
	if c := e.counts(t, scan); c.Done != 1 || c.Dead != 0 || !c.Finished() {
		t.Errorf("counts %+v", c)
	}
	if drained, err := Drained(context.Background(), e.c, e.ns, scan); err != nil || !drained {
		t.Errorf("Drained at the end: %v, %v", drained, err)
	}
	if _, err := Drained(context.Background(), e.c, e.ns, "no-such-scan"); !errors.Is(err, ErrNoScan) {
		t.Errorf("Drained of a missing scan: %v, want ErrNoScan", err)
	}
}

func testFailRetriesThenDeadLetters(t *testing.T, e env) {
	scan := scanName(t)
	backoff := 40 * time.Millisecond
	f := e.open(t, scan, Config{MaxAttempts: 3, RetryBackoff: backoff}, frontier.Options{})
	push(t, f, frontier.Job{URL: "http://example.com/flaky"})
	ctx := context.Background()
	var failedAt time.Time
	for attempt := 1; attempt <= 3; attempt++ {
		j := pop(t, f)
		if j.URL != "http://example.com/flaky" || Attempt(j) != attempt {
			t.Fatalf("popped %+v attempt %d, want attempt %d", j, Attempt(j), attempt)
		}
		// Retry n comes RetryBackoff·2^(n-1) ±25 % after failure n.
		if attempt > 1 {
			wait := time.Duration(float64(backoff) * 0.75 * float64(int(1)<<(attempt-2)))
			if since := time.Since(failedAt); since < wait {
				t.Errorf("attempt %d delivered %v after the failure, before its backoff %v", attempt, since, wait)
			}
		}
		failedAt = time.Now() // before Fail: the backoff starts inside it
		if err := f.Fail(ctx, j, fmt.Errorf("status 503 (try %d)", attempt)); err != nil {
			t.Fatal(err)
		}
		if c := e.counts(t, scan); attempt < 3 && (c.Delayed != 1 || c.InFlight != 0 || c.Finished()) {
			t.Errorf("after failure %d: counts %+v", attempt, c)
		}
	}
	if got := drain(t, f); len(got) != 0 {
		t.Errorf("dead job delivered again: %v", got)
	}
	c := e.counts(t, scan)
	if c.Dead != 1 || c.Delayed != 0 || c.Done != 0 || !c.Finished() {
		t.Errorf("counts %+v, want one dead letter", c)
	}
	dl, err := DeadLetters(ctx, e.c, e.ns, scan, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dl) != 1 || dl[0].URL != "http://example.com/flaky" || dl[0].Attempts != 3 || dl[0].Err != "status 503 (try 3)" ||
		time.Since(dl[0].Time) > time.Minute {
		t.Errorf("dead letters %+v", dl)
	}
}

func testKillerJobDeadLettered(t *testing.T, e env) {
	scan := scanName(t)
	cfg := Config{Visibility: 150 * time.Millisecond, MaxAttempts: 2}
	first := e.open(t, scan, cfg, frontier.Options{})
	push(t, first, frontier.Job{URL: "http://example.com/poison"})
	if j := pop(t, first); Attempt(j) != 1 { // its worker dies
		t.Fatalf("first delivery: attempt %d", Attempt(j))
	}
	second := e.open(t, scan, cfg, frontier.Options{})
	if j := pop(t, second); j.URL != "http://example.com/poison" || Attempt(j) != 2 { // and dies again
		t.Fatalf("second delivery %+v, attempt %d", j, Attempt(j))
	}
	third := e.open(t, scan, cfg, frontier.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if j, err := third.Pop(ctx); !errors.Is(err, frontier.ErrDrained) {
		t.Fatalf("third Pop: %+v, %v; want ErrDrained once the job is dead-lettered", j, err)
	}
	if c := e.counts(t, scan); c.Dead != 1 || !c.Finished() {
		t.Errorf("counts %+v", c)
	}
	dl, err := DeadLetters(ctx, e.c, e.ns, scan, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dl) != 1 || dl[0].Attempts != 2 || dl[0].Err != "not acknowledged within the visibility timeout" {
		t.Errorf("dead letters %+v", dl)
	}
}

func testRelease(t *testing.T, e env) {
	scan := scanName(t)
	a := e.open(t, scan, Config{}, frontier.Options{})
	b := e.open(t, scan, Config{}, frontier.Options{})
	push(t, a, frontier.Job{URL: "http://example.com/"})
	j := pop(t, a)
	if a.Stats().InFlight != 1 {
		t.Errorf("stats %+v, want 1 in flight", a.Stats())
	}
	if err := a.Release(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if a.Stats().InFlight != 0 {
		t.Errorf("stats %+v after Release", a.Stats())
	}
	// Visibility is a minute: only the release makes the job available.
	k := pop(t, b)
	if k.URL != j.URL || Attempt(k) != 1 {
		t.Errorf("popped %+v attempt %d, want %s attempt 1", k, Attempt(k), j.URL)
	}
	done(t, b, k)
	if err := a.Done(context.Background(), j); !errors.Is(err, frontier.ErrUnknownJob) {
		t.Errorf("Done of a released job: %v, want ErrUnknownJob", err)
	}
}

func testReleaseKeepsAttempts(t *testing.T, e env) {
	scan := scanName(t)
	cfg := Config{Visibility: 150 * time.Millisecond}
	a := e.open(t, scan, cfg, frontier.Options{})
	push(t, a, frontier.Job{URL: "http://example.com/"})
	pop(t, a) // and dies
	b := e.open(t, scan, cfg, frontier.Options{})
	j := pop(t, b)
	if Attempt(j) != 2 {
		t.Fatalf("reclaimed delivery: attempt %d, want 2", Attempt(j))
	}
	if err := b.Release(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	// The released delivery does not count; the one that expired does.
	if k := pop(t, e.open(t, scan, cfg, frontier.Options{})); Attempt(k) != 2 {
		t.Errorf("after Release: attempt %d, want 2", Attempt(k))
	}
}

func testBatches(t *testing.T, e env) {
	scan := scanName(t)
	f := e.open(t, scan, Config{}, frontier.Options{Scope: frontier.ScopeAny, MaxDepth: 1})
	for i := range 10 {
		push(t, f, frontier.Job{URL: fmt.Sprintf("http://h%d.example.com/%d", i%2, i)})
	}
	ctx := context.Background()
	var all []frontier.Job
	for {
		jobs, err := f.PopN(ctx, 4)
		if errors.Is(err, frontier.ErrDrained) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 0 || len(jobs) > 4 {
			t.Fatalf("PopN(4) returned %d jobs", len(jobs))
		}
		all = append(all, jobs...)
		if len(all) == 10 {
			if err := f.Ack(ctx, all...); err != nil {
				t.Fatal(err)
			}
		}
	}
	urls := map[string]bool{}
	for _, j := range all {
		urls[j.URL] = true
	}
	if len(all) != 10 || len(urls) != 10 {
		t.Errorf("popped %d jobs, %d distinct, want 10", len(all), len(urls))
	}
	if err := f.Ack(ctx, all[:3]...); !errors.Is(err, frontier.ErrUnknownJob) {
		t.Errorf("second Ack: %v, want ErrUnknownJob", err)
	}
	if c := e.counts(t, scan); c.Done != 10 || !c.Finished() {
		t.Errorf("counts %+v", c)
	}
}

// testPopNMixesReclaimedAndNew: a PopN that reclaims expired leases and
// reads new jobs in the same round trip hands out at most n, reclaimed
// jobs first, and gives the other new ones back without counting a
// delivery. An Ack naming a job twice acknowledges it once.
func testPopNMixesReclaimedAndNew(t *testing.T, e env) {
	scan := scanName(t)
	cfg := Config{Visibility: 200 * time.Millisecond}
	opts := frontier.Options{MaxDepth: 1}
	ctx := context.Background()
	var jobs []frontier.Job
	for i := range 6 {
		jobs = append(jobs, frontier.Job{URL: fmt.Sprintf("http://example.com/%d", i)})
	}
	dead := e.open(t, scan, cfg, opts)
	push(t, dead, jobs[:3]...)
	if lost, err := dead.PopN(ctx, 3); err != nil || len(lost) != 3 {
		t.Fatalf("PopN(3): %d jobs, %v", len(lost), err)
	} // and the process dies: no Ack
	push(t, dead, jobs[3:]...)
	q := dead.keys.parts[dead.hash.locate(jobs[0].URL).part].q
	eventually(t, "the dead consumer's leases expired", func() bool {
		p, err := e.c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: q, Group: group, Idle: cfg.Visibility, Start: "-", End: "+", Count: 10}).Result()
		return err == nil && len(p) == 3
	})
	live := e.open(t, scan, cfg, opts)
	got, err := live.PopN(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	var attempts []int
	for _, j := range got {
		attempts = append(attempts, Attempt(j))
	}
	if !slices.Equal(attempts, []int{2, 2, 2, 1}) {
		t.Errorf("PopN(4) after the leases expired: attempts %v, want 3 reclaimed (2) then 1 new (1)", attempts)
	}
	rest, err := live.PopN(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range rest {
		if Attempt(j) != 1 {
			t.Errorf("%s given back and leased again: attempt %d, want 1", j.URL, Attempt(j))
		}
	}
	all := append(got, rest...)
	urls := map[string]bool{}
	for _, j := range all {
		urls[j.URL] = true
	}
	if len(all) != 6 || len(urls) != 6 {
		t.Fatalf("leased %d jobs, %d distinct, want 6", len(all), len(urls))
	}
	if err := live.Ack(ctx, append(all, all[0])...); !errors.Is(err, frontier.ErrUnknownJob) {
		t.Errorf("Ack naming a job twice: %v, want ErrUnknownJob for the second", err)
	}
	if c := e.counts(t, scan); c.Done != 6 || !c.Finished() {
		t.Errorf("counts %+v, want 6 done and nothing left", c)
	}
}
