package redisfrontier

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/frontier"
)

var measure = flag.Bool("measure", false, "measure Redis memory per seen and queued URL at 1M URLs (TestMemoryPerURL)")

// benchURL returns a URL of typical length (~70 bytes) on one of 5,000 hosts.
func benchURL(i int) string {
	return fmt.Sprintf("https://site%d.example.org/articles/%d/a-typical-article-slug-%d", i%5000, i%97, i)
}

// fill pushes n distinct URLs in batches of 100 (the links of a page). A
// few may be taken for duplicates: the seen set's false positives, about
// n²/(2·B·2³²) (0.05 at 1M URLs in a scan sized for them); more than 5, or
// any URL refused for another reason, fails.
func fill(tb testing.TB, f *Frontier, from, n int) {
	tb.Helper()
	batch := make([]frontier.Job, 0, 100)
	added := 0
	for i := from; i < from+n; i++ {
		batch = append(batch, frontier.Job{URL: benchURL(i), Depth: 1, Referrer: benchURL(i + 1)})
		if len(batch) == cap(batch) || i == from+n-1 {
			added += push(tb, f, batch...)
			batch = batch[:0]
		}
	}
	if lost := n - added; lost > 0 {
		if s := f.Stats(); lost > 5 || s.Dropped+s.OverBudget > 0 {
			tb.Fatalf("admitted %d of %d URLs (stats %+v)", added, n, s)
		}
		tb.Logf("%d of %d new URLs taken for duplicates (false positives of the seen set)", lost, n)
	}
}

func benchFrontier(b *testing.B, partitions int, opts frontier.Options) *Frontier {
	b.Helper()
	e := singleEnv(b, partitions)
	opts.Scope, opts.MaxDepth = frontier.ScopeAny, 5
	opts.MaxQueued = max(opts.MaxQueued, 1<<24)
	return e.open(b, scanName(b), Config{PollInterval: 10 * time.Millisecond}, opts)
}

// BenchmarkPush admits new URLs, 100 per Push; URLs/s is the figure.
func BenchmarkPush(b *testing.B) {
	for _, p := range []int{1, 4} {
		b.Run("partitions="+strconv.Itoa(p), func(b *testing.B) {
			f := benchFrontier(b, p, frontier.Options{})
			b.ResetTimer()
			fill(b, f, 0, b.N)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "urls/s")
		})
	}
}

// BenchmarkPushDuplicates pushes URLs that were admitted already, the
// common case of a page's links.
func BenchmarkPushDuplicates(b *testing.B) {
	f := benchFrontier(b, 1, frontier.Options{})
	fill(b, f, 0, 10_000)
	jobs := make([]frontier.Job, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i += len(jobs) {
		for k := range jobs {
			jobs[k] = frontier.Job{URL: benchURL((i + k) % 10_000), Depth: 1}
		}
		if push(b, f, jobs...) != 0 {
			b.Fatal("admitted a duplicate")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "urls/s")
}

// BenchmarkPopDone leases and acknowledges jobs from 32 goroutines, as a
// worker pool would; jobs/s is the figure.
func BenchmarkPopDone(b *testing.B) {
	for _, p := range []int{1, 4} {
		b.Run("partitions="+strconv.Itoa(p), func(b *testing.B) {
			f := benchFrontier(b, p, frontier.Options{})
			fill(b, f, 0, b.N)
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					j, err := f.Pop(context.Background())
					if err != nil {
						b.Error(err)
						return
					}
					if err := f.Done(context.Background(), j); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}

// BenchmarkPopNAck leases and acknowledges jobs 100 at a time from 4
// goroutines (PopN, Ack); jobs/s is the figure.
func BenchmarkPopNAck(b *testing.B) {
	f := benchFrontier(b, 1, frontier.Options{})
	fill(b, f, 0, b.N)
	var left atomic.Int64
	left.Store(int64(b.N))
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for left.Load() > 0 {
				jobs, err := f.PopN(context.Background(), 100)
				if errors.Is(err, frontier.ErrDrained) {
					return
				}
				if err != nil {
					b.Error(err)
					return
				}
				left.Add(-int64(len(jobs)))
				if err := f.Ack(context.Background(), jobs...); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// TestMemoryPerURL admits 1M URLs (~70-byte URLs and referrers) into a
// scan sized for them and reports Redis's memory per seen URL (the seen
// buckets) and per queued URL (the stream), from MEMORY USAGE of every
// key. Run: go test ./crawler/frontier/redisfrontier -run MemoryPerURL -measure -v
func TestMemoryPerURL(t *testing.T) {
	if !*measure {
		t.Skip("pass -measure to measure memory per URL (takes a minute)")
	}
	const n = 1_000_000
	for _, tt := range []struct {
		name    string
		recrawl time.Duration
		maxSeen int
		limit   float64 // bytes per seen URL the layout must stay within
	}{
		{"once per scan", 0, n, 10},
		{"recrawl", time.Hour, n, 18},
		{"once per scan, seen set 16x oversized", 0, 16 * n, 24},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := singleEnv(t, 1)
			ctx := context.Background()
			before := usedMemory(t, e.c)
			f := e.open(t, scanName(t), Config{RecrawlAfter: tt.recrawl},
				frontier.Options{Scope: frontier.ScopeAny, MaxDepth: 5, MaxSeen: tt.maxSeen, MaxQueued: n})
			start := time.Now()
			fill(t, f, 0, n)
			elapsed := time.Since(start)
			pk := f.keys.parts[0]
			seen := int64(0)
			for b := range f.p.buckets {
				seen += memoryUsage(t, e.c, pk.bucket(uint64(b)))
			}
			queued := memoryUsage(t, e.c, pk.q)
			delta := usedMemory(t, e.c) - before
			enc, _ := e.c.ObjectEncoding(ctx, pk.bucket(0)).Result()
			t.Logf("%s: %d URLs in %v (%.0f/s); %d seen buckets (%s): %.2f B/seen URL; stream: %.1f B/queued URL; used_memory grew %.1f B/URL (shared server: indicative)",
				tt.name, n, elapsed.Round(time.Millisecond), n/elapsed.Seconds(), f.p.buckets, enc,
				float64(seen)/n, float64(queued)/n, float64(delta)/n)
			if per := float64(seen) / n; per > tt.limit {
				t.Errorf("%.2f B per seen URL, over %v", per, tt.limit)
			}
		})
	}
}

func memoryUsage(t testing.TB, c redis.UniversalClient, key string) int64 {
	t.Helper()
	n, err := c.MemoryUsage(context.Background(), key, 0).Result()
	if errors.Is(err, redis.Nil) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func usedMemory(t testing.TB, c redis.UniversalClient) int64 {
	t.Helper()
	info, err := c.Info(context.Background(), "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatal("no used_memory in INFO")
	return 0
}
