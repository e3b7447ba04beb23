package frontier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func newMemory(t testing.TB, opts Options) *Memory {
	t.Helper()
	if opts.Seeds == nil {
		opts.Seeds = []string{"http://example.com/"}
	}
	m, err := NewMemory(opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func push(t testing.TB, f Frontier, jobs ...Job) int {
	t.Helper()
	n, err := f.Push(context.Background(), jobs...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// drain pops and acknowledges every job and returns their URLs in order.
func drain(t testing.TB, f Frontier) []string {
	t.Helper()
	var urls []string
	for {
		j, err := f.Pop(context.Background())
		if errors.Is(err, ErrDrained) {
			return urls
		}
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, j.URL)
		if err := f.Done(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMemoryDedupe(t *testing.T) {
	m := newMemory(t, Options{MaxDepth: 5})
	n := push(t, m,
		Job{URL: "http://example.com/b"},
		Job{URL: "http://example.com/b#frag"},
		Job{URL: "http://example.com/a/../b"},
		Job{URL: "http://EXAMPLE.com:80/b"},
		Job{URL: "http://example.com/q?x=1&y=2"},
		Job{URL: "http://example.com/q?y=2&x=1"},
		Job{URL: "http://example.org/out"},
		Job{URL: "javascript:alert(1)"},
		Job{URL: "http://example.com/deep", Depth: 6},
	)
	if n != 2 {
		t.Errorf("added %d, want 2", n)
	}
	got := drain(t, m)
	want := []string{"http://example.com/b", "http://example.com/q?x=1&y=2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("popped %v, want %v", got, want)
	}
	s := m.Stats()
	if s.Admitted != 2 || s.Duplicates != 4 || s.OutOfScope != 1 || s.Invalid != 1 || s.TooDeep != 1 {
		t.Errorf("stats %+v", s)
	}
	if push(t, m, Job{URL: "http://example.com/b"}) != 0 {
		t.Error("a URL done before was admitted again")
	}
}

func TestMemoryBounds(t *testing.T) {
	tests := []struct {
		name                   string
		opts                   Options
		wantAdded              int
		wantOverBudget, wantDr int64
	}{
		{"max pages", Options{MaxPages: 3}, 3, 7, 0},
		{"max queued", Options{MaxQueued: 4}, 4, 0, 6},
		{"max seen", Options{MaxSeen: 5}, 5, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.MaxDepth = 1
			m := newMemory(t, tt.opts)
			var jobs []Job
			for i := range 10 {
				jobs = append(jobs, Job{URL: fmt.Sprintf("http://example.com/%d", i)})
			}
			if n := push(t, m, jobs...); n != tt.wantAdded {
				t.Errorf("added %d, want %d", n, tt.wantAdded)
			}
			s := m.Stats()
			if s.Queued != tt.wantAdded || s.OverBudget != tt.wantOverBudget || s.Dropped != tt.wantDr {
				t.Errorf("stats %+v", s)
			}
			if got := len(drain(t, m)); got != tt.wantAdded {
				t.Errorf("popped %d jobs, want %d", got, tt.wantAdded)
			}
		})
	}
}

func TestMemoryPopWaitsForInFlight(t *testing.T) {
	m := newMemory(t, Options{MaxDepth: 2})
	push(t, m, Job{URL: "http://example.com/"})
	ctx := context.Background()
	seed, err := m.Pop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan Job, 1)
	go func() {
		j, err := m.Pop(ctx) // blocks: queue empty, seed in flight
		if err != nil {
			t.Error(err)
		}
		got <- j
	}()
	push(t, m, Job{URL: "http://example.com/child", Depth: 1})
	child := <-got
	if child.URL != "http://example.com/child" {
		t.Fatalf("popped %+v", child)
	}
	done := make(chan error, 1)
	go func() { _, err := m.Pop(ctx); done <- err }()
	if err := m.Done(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if err := m.Done(ctx, child); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrDrained) {
		t.Errorf("Pop after the last Done: %v, want ErrDrained", err)
	}
	if err := m.Done(ctx, child); !errors.Is(err, ErrUnknownJob) {
		t.Errorf("second Done: %v, want ErrUnknownJob", err)
	}
}

func TestMemoryPopCancelled(t *testing.T) {
	m := newMemory(t, Options{})
	push(t, m, Job{URL: "http://example.com/"})
	if _, err := m.Pop(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := m.Pop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Pop: %v, want the context's error", err)
	}
}

func TestMemoryConcurrentPushAdmitsOnce(t *testing.T) {
	m := newMemory(t, Options{MaxDepth: 1})
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for w := range 8 {
		wg.Go(func() {
			for i := range 200 {
				n := push(t, m, Job{URL: fmt.Sprintf("http://example.com/%d#%d", i, w), Depth: 1})
				mu.Lock()
				total += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if total != 200 {
		t.Errorf("admitted %d, want 200", total)
	}
	if got := len(drain(t, m)); got != 200 {
		t.Errorf("popped %d, want 200", got)
	}
}

func TestSeenSet(t *testing.T) {
	s := NewSeenSet(2)
	for _, step := range []struct {
		key     string
		added   bool
		wantErr error
	}{{"a", true, nil}, {"a", false, nil}, {"b", true, nil}, {"c", false, ErrSeenFull}, {"b", false, nil}} {
		added, err := s.Add(step.key)
		if added != step.added || !errors.Is(err, step.wantErr) {
			t.Errorf("Add(%q) = %v, %v; want %v, %v", step.key, added, err, step.added, step.wantErr)
		}
	}
	if s.Len() != 2 {
		t.Errorf("Len = %d", s.Len())
	}
}
