package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/frontier"
)

// behaviours run against every deployment: one partition and three on the
// shared server (TestBehaviours), and a 3-node cluster (TestCluster).
var behaviours = []struct {
	name string
	run  func(t *testing.T, e env)
}{
	{"Dedupe", testDedupe},
	{"Bounds", testBounds},
	{"PopWaitsForInFlight", testPopWaitsForInFlight},
	{"PopCancelled", testPopCancelled},
	{"ConcurrentPushAdmitsOnce", testConcurrentPushAdmitsOnce},
	{"Claim", testClaim},
	{"TwoConsumersShareWork", testTwoConsumersShareWork},
	{"DeadConsumerReclaimed", testDeadConsumerReclaimed},
	{"FailRetriesThenDeadLetters", testFailRetriesThenDeadLetters},
	{"KillerJobDeadLettered", testKillerJobDeadLettered},
	{"BudgetAcrossFrontiers", testBudgetAcrossFrontiers},
	{"NoEarlyDrain", testNoEarlyDrain},
	{"RecrawlAfter", testRecrawlAfter},
	{"Release", testRelease},
	{"ReleaseKeepsAttempts", testReleaseKeepsAttempts},
	{"Batches", testBatches},
	{"PopNMixesReclaimedAndNew", testPopNMixesReclaimedAndNew},
	{"Delete", testDelete},
}

func TestBehaviours(t *testing.T) {
	for _, p := range []int{1, 3} {
		for _, b := range behaviours {
			t.Run(fmt.Sprintf("partitions=%d/%s", p, b.name), func(t *testing.T) {
				t.Parallel()
				b.run(t, singleEnv(t, p))
			})
		}
	}
}

func testDedupe(t *testing.T, e env) {
	scan := scanName(t)
	f := e.open(t, scan, Config{}, frontier.Options{MaxDepth: 5})
	n := push(t, f,
		frontier.Job{URL: "http://example.com/b"},
		frontier.Job{URL: "http://example.com/b#frag"},
		frontier.Job{URL: "http://example.com/a/../b"},
		frontier.Job{URL: "http://EXAMPLE.com:80/b"},
		frontier.Job{URL: "http://example.com/q?x=1&y=2"},
		frontier.Job{URL: "http://example.com/q?y=2&x=1"},
		frontier.Job{URL: "http://example.org/out"},
		frontier.Job{URL: "javascript:alert(1)"},
		frontier.Job{URL: "http://example.com/deep", Depth: 6},
	)
	if n != 2 {
		t.Errorf("added %d, want 2", n)
	}
	got := drain(t, f)
	want := []string{"http://example.com/b", "http://example.com/q?x=1&y=2"}
	if !slices.Equal(got, want) {
		t.Errorf("popped %v, want %v", got, want)
	}
	s := f.Stats()
	if s.Admitted != 2 || s.Duplicates != 4 || s.OutOfScope != 1 || s.Invalid != 1 || s.TooDeep != 1 {
		t.Errorf("stats %+v", s)
	}
	// Another process of the same scan sees the URLs as done.
	g := e.open(t, scan, Config{}, frontier.Options{MaxDepth: 5})
	if push(t, g, frontier.Job{URL: "http://example.com/b"}) != 0 {
		t.Error("a URL done before was admitted again")
	}
	if c := e.counts(t, scan); c.Admitted != 2 || c.Done != 2 || !c.Finished() || c.Seen != 2 {
		t.Errorf("counts %+v", c)
	}
}

func testBounds(t *testing.T, e env) {
	tests := []struct {
		name                   string
		opts                   frontier.Options
		wantAdded              int
		wantOverBudget, wantDr int64
	}{
		{"max pages", frontier.Options{MaxPages: 3}, 3, 7, 0},
		{"max queued", frontier.Options{MaxQueued: 4}, 4, 0, 6},
		{"max seen", frontier.Options{MaxSeen: 5}, 5, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.MaxDepth = 1
			scan := scanName(t)
			f := e.open(t, scan, Config{}, tt.opts)
			var jobs []frontier.Job
			for i := range 10 {
				jobs = append(jobs, frontier.Job{URL: fmt.Sprintf("http://example.com/%d", i)})
			}
			if n := push(t, f, jobs...); n != tt.wantAdded {
				t.Errorf("added %d, want %d", n, tt.wantAdded)
			}
			s := f.Stats()
			if s.OverBudget != tt.wantOverBudget || s.Dropped != tt.wantDr {
				t.Errorf("stats %+v", s)
			}
			if c := e.counts(t, scan); c.Queued != int64(tt.wantAdded) {
				t.Errorf("counts %+v, want %d queued", c, tt.wantAdded)
			}
			if got := len(drain(t, f)); got != tt.wantAdded {
				t.Errorf("popped %d jobs, want %d", got, tt.wantAdded)
			}
		})
	}
}

func testPopWaitsForInFlight(t *testing.T, e env) {
	f := e.open(t, scanName(t), Config{}, frontier.Options{MaxDepth: 2})
	push(t, f, frontier.Job{URL: "http://example.com/"})
	ctx := context.Background()
	seed := pop(t, f)
	got := make(chan frontier.Job, 1)
	go func() {
		j, err := f.Pop(ctx) // blocks: queue empty, seed in flight
		if err != nil {
			t.Error(err)
		}
		got <- j
	}()
	push(t, f, frontier.Job{URL: "http://example.com/child", Depth: 1})
	child := <-got
	if child.URL != "http://example.com/child" || child.Depth != 1 {
		t.Fatalf("popped %+v", child)
	}
	if Attempt(child) != 1 {
		t.Errorf("attempt %d, want 1", Attempt(child))
	}
	drained := make(chan error, 1)
	go func() { _, err := f.Pop(ctx); drained <- err }()
	done(t, f, seed)
	done(t, f, child)
	if err := <-drained; !errors.Is(err, frontier.ErrDrained) {
		t.Errorf("Pop after the last Done: %v, want ErrDrained", err)
	}
	if err := f.Done(ctx, child); !errors.Is(err, frontier.ErrUnknownJob) {
		t.Errorf("second Done: %v, want ErrUnknownJob", err)
	}
	if err := f.Done(ctx, frontier.Job{URL: child.URL}); !errors.Is(err, frontier.ErrUnknownJob) {
		t.Errorf("Done without a lease: %v, want ErrUnknownJob", err)
	}
}

func testPopCancelled(t *testing.T, e env) {
	f := e.open(t, scanName(t), Config{}, frontier.Options{})
	push(t, f, frontier.Job{URL: "http://example.com/"})
	pop(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := f.Pop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Pop: %v, want the context's error", err)
	}
}

func testConcurrentPushAdmitsOnce(t *testing.T, e env) {
	scan := scanName(t)
	var wg sync.WaitGroup
	var total atomic.Int64
	for w := range 8 {
		// Each goroutine is its own process.
		f := e.open(t, scan, Config{}, frontier.Options{MaxDepth: 1, Scope: frontier.ScopeAny})
		wg.Go(func() {
			for i := range 200 {
				n := push(t, f, frontier.Job{URL: fmt.Sprintf("http://h%d.example.com/%d#%d", i%7, i, w), Depth: 1})
				total.Add(int64(n))
			}
		})
	}
	wg.Wait()
	if total.Load() != 200 {
		t.Errorf("admitted %d, want 200", total.Load())
	}
	f := e.open(t, scan, Config{}, frontier.Options{MaxDepth: 1, Scope: frontier.ScopeAny})
	if got := len(drain(t, f)); got != 200 {
		t.Errorf("popped %d, want 200", got)
	}
}

func testClaim(t *testing.T, e env) {
	f := e.open(t, scanName(t), Config{}, frontier.Options{MaxDepth: 1})
	ctx := context.Background()
	push(t, f, frontier.Job{URL: "http://example.com/pushed"})
	for _, step := range []struct {
		url  string
		want bool
	}{
		{"http://example.com/target", true},
		{"http://example.com/target#x", false},
		{"http://example.com/pushed", false},
		{"mailto:x@example.com", false},
	} {
		if got, err := f.Claim(ctx, step.url); err != nil || got != step.want {
			t.Errorf("Claim(%s) = %v, %v; want %v", step.url, got, err, step.want)
		}
	}
	if push(t, f, frontier.Job{URL: "http://example.com/target", Depth: 1}) != 0 {
		t.Error("a claimed URL was admitted")
	}
}

func testBudgetAcrossFrontiers(t *testing.T, e env) {
	scan := scanName(t)
	opts := frontier.Options{MaxDepth: 1, MaxPages: 25, Scope: frontier.ScopeAny}
	var wg sync.WaitGroup
	var added atomic.Int64
	var fs []*Frontier
	for w := range 2 {
		f := e.open(t, scan, Config{}, opts)
		fs = append(fs, f)
		wg.Go(func() {
			for i := range 100 { // half of them overlap with the other frontier's
				u := fmt.Sprintf("http://h%d.example.com/%d", i%10, i+50*w)
				added.Add(int64(push(t, f, frontier.Job{URL: u, Depth: 1})))
			}
		})
	}
	wg.Wait()
	if added.Load() != 25 {
		t.Errorf("admitted %d, want the budget of 25", added.Load())
	}
	if n := push(t, fs[0], frontier.Job{URL: "http://late.example.com/"}); n != 0 {
		t.Error("admitted a URL over the budget")
	}
	if c := e.counts(t, scan); c.Admitted != 25 || c.Queued != 25 {
		t.Errorf("counts %+v", c)
	}
	if got := len(drain(t, fs[1])); got != 25 {
		t.Errorf("popped %d, want 25", got)
	}
}

// testNoEarlyDrain crawls trees in which every job pushes its children
// (on other hosts, so other partitions) before its Done, with several
// workers in two processes: no worker may see ErrDrained before every job
// was processed. A chain (fanout 1) keeps the queue empty but for the job
// in flight, so idle workers check for the end all the time.
func testNoEarlyDrain(t *testing.T, e env) {
	for _, shape := range []struct{ fanout, depth int }{{1, 150}, {4, 4}} {
		testTreeCrawl(t, e, shape.fanout, shape.depth)
	}
}

// testTreeCrawl is testNoEarlyDrain with one tree shape.
func testTreeCrawl(t *testing.T, e env, fanout, depth int) {
	total := int64(0)
	for d, n := 0, int64(1); d <= depth; d, n = d+1, n*int64(fanout) {
		total += n
	}
	{
		scan := scanName(t)
		opts := frontier.Options{MaxDepth: depth, Scope: frontier.ScopeAny, Seeds: []string{"http://root.example/"}}
		var processed atomic.Int64
		var wg sync.WaitGroup
		for w := range 2 {
			// Short blocks: idle workers check for the end all the time.
			f := e.open(t, scan, Config{PollInterval: time.Millisecond}, opts)
			if w == 0 {
				push(t, f, frontier.Job{URL: "http://root.example/"})
			}
			for range 4 {
				wg.Go(func() { crawlTree(t, f, fanout, &processed, total) })
			}
		}
		wg.Wait()
		if processed.Load() != total {
			t.Errorf("fanout %d: processed %d jobs, want %d", fanout, processed.Load(), total)
		}
	}
}

// crawlTree is one worker of testNoEarlyDrain.
func crawlTree(t *testing.T, f *Frontier, fanout int, processed *atomic.Int64, total int64) {
	ctx := context.Background()
	for {
		j, err := f.Pop(ctx)
		if errors.Is(err, frontier.ErrDrained) {
			if n := processed.Load(); n != total {
				t.Errorf("ErrDrained after %d of %d jobs", n, total)
			}
			return
		}
		if err != nil {
			t.Error(err)
			return
		}
		if j.Depth < f.Policy().MaxDepth() {
			// Paths name the route from the root, so every node is new.
			u, _ := url.Parse(j.URL)
			var kids []frontier.Job
			for i := range fanout {
				kids = append(kids, frontier.Job{URL: fmt.Sprintf("http://k%d.example%s%d/", j.Depth%5+i, u.Path, i), Depth: j.Depth + 1})
			}
			if _, err := f.Push(ctx, kids...); err != nil {
				t.Error(err)
				return
			}
		}
		processed.Add(1)
		if err := f.Done(ctx, j); err != nil {
			t.Error(err)
			return
		}
	}
}

func testRecrawlAfter(t *testing.T, e env) {
	scan := scanName(t)
	f := e.open(t, scan, Config{RecrawlAfter: time.Second}, frontier.Options{})
	ctx := context.Background()
	job := frontier.Job{URL: "http://example.com/news"}
	first := time.Now()
	if push(t, f, job) != 1 {
		t.Fatal("not admitted the first time")
	}
	done(t, f, pop(t, f))
	if push(t, f, job) != 0 {
		t.Error("admitted again at once")
	}
	if fresh, err := f.Claim(ctx, job.URL); err != nil || fresh {
		t.Errorf("Claim at once: %v, %v; want not new", fresh, err)
	}
	eventually(t, "the URL is admitted again", func() bool { return push(t, f, job) == 1 })
	if since := time.Since(first); since < time.Second {
		t.Errorf("admitted again after %v, before RecrawlAfter", since)
	}
	if got := drain(t, f); !slices.Equal(got, []string{job.URL}) {
		t.Errorf("second crawl popped %v", got)
	}
	if c := e.counts(t, scan); c.Admitted != 2 || c.Seen != 1 || c.Done != 2 {
		t.Errorf("counts %+v", c)
	}
}

func testDelete(t *testing.T, e env) {
	scan := scanName(t)
	ctx := context.Background()
	f := e.open(t, scan, Config{MaxAttempts: 1}, frontier.Options{MaxPages: 10, Scope: frontier.ScopeAny, MaxDepth: 1})
	for i := range 5 {
		push(t, f, frontier.Job{URL: fmt.Sprintf("http://h%d.example.com/", i)})
	}
	done(t, f, pop(t, f))
	if err := f.Fail(ctx, pop(t, f), errors.New("gone")); err != nil {
		t.Fatal(err)
	}
	pop(t, f) // leased
	pattern := e.ns + ":f:{" + e.ns + "|" + scan + "*"
	if n := countKeys(t, e, pattern); n < 5 {
		t.Fatalf("%d keys before Delete", n)
	}
	if err := Delete(ctx, e.c, e.ns, scan); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, e, pattern); n != 0 {
		t.Errorf("%d keys left after Delete", n)
	}
	if _, err := Counts(ctx, e.c, e.ns, scan); !errors.Is(err, ErrNoScan) {
		t.Errorf("Counts after Delete: %v, want ErrNoScan", err)
	}
	if err := Delete(ctx, e.c, e.ns, scan); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}
