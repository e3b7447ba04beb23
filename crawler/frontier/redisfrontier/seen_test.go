package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/attrib/attrib/crawler/frontier"
)

// TestLocate pins where a URL's dedupe state lives in each layout: a
// change would make running scans admit their URLs again. The layout 1
// values are what layout 1 scans were written with; layout 2 takes the
// same first hash, its low 32 bits as the member and its top 32 bits
// scaled to the bucket count as the bucket.
func TestLocate(t *testing.T) {
	const u1, u2 = "http://example.com/", "https://site1.example.org/articles/7/a-typical-article-slug-1"
	tests := []struct {
		name   string
		layout int
		u      string
		want   slot
	}{
		{"v1 root", 1, u1, slot{part: 2, bucket: 927, hash: "-3883662413196808840"}},
		{"v1 article", 1, u2, slot{part: 1, bucket: 1696, hash: "-6183761662781399690"}},
		{"v2 root", 2, u1, slot{part: 2, bucket: 1973, hash: "-1713492616"}},
		{"v2 article", 2, u2, slot{part: 1, bucket: 1661, hash: "-633578122"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hasher{seed: 0x0123456789abcdef, partitions: 3, buckets: 2500, layout: tt.layout}
			if got := h.locate(tt.u); got != tt.want {
				t.Errorf("locate = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSeenMembersAre32Bit checks that a new scan keeps 32-bit members in
// compact buckets, the point of layout 2 (4 bytes per URL in an intset).
func TestSeenMembersAre32Bit(t *testing.T) {
	for _, recrawl := range []time.Duration{0, time.Hour} {
		t.Run(fmt.Sprintf("recrawl=%v", recrawl), func(t *testing.T) {
			e := singleEnv(t, 1)
			ctx := context.Background()
			f := e.open(t, scanName(t), Config{RecrawlAfter: recrawl}, frontier.Options{MaxDepth: 1, MaxSeen: 2000})
			if v := e.c.HGet(ctx, f.keys.meta, "v").Val(); v != "2" {
				t.Errorf("new scan has layout %q, want 2", v)
			}
			var jobs []frontier.Job
			for i := range 1000 {
				jobs = append(jobs, frontier.Job{URL: fmt.Sprintf("http://example.com/%d", i)})
			}
			if n := push(t, f, jobs...); n != len(jobs) {
				t.Fatalf("admitted %d of %d", n, len(jobs))
			}
			members, wantEnc := 0, "intset"
			if recrawl > 0 {
				wantEnc = "listpack"
			}
			for b := range f.p.buckets {
				key := f.keys.parts[0].bucket(uint64(b))
				var got []string
				if recrawl > 0 {
					got = e.c.HKeys(ctx, key).Val()
				} else {
					got = e.c.SMembers(ctx, key).Val()
				}
				if enc := e.c.ObjectEncoding(ctx, key).Val(); len(got) > 0 && enc != wantEnc {
					t.Errorf("bucket %d encoded as %s, want %s", b, enc, wantEnc)
				}
				for _, m := range got {
					if n, err := strconv.ParseInt(m, 10, 64); err != nil || n < math.MinInt32 || n > math.MaxInt32 {
						t.Fatalf("member %q of bucket %d is not a 32-bit integer", m, b)
					}
				}
				members += len(got)
			}
			if members != len(jobs) {
				t.Errorf("%d members in the seen buckets, want %d", members, len(jobs))
			}
		})
	}
}

// TestFalsePositive shows what a false positive is: a new URL whose
// bucket and 32-bit member equal another's is taken for a duplicate and
// not crawled. With one bucket (MaxSeen ≤ 400) only the 32 bits count;
// with many, the bucket number adds its bits and the same pair is told
// apart.
func TestFalsePositive(t *testing.T) {
	tests := []struct {
		name      string
		maxSeen   int
		wantAdded int
	}{
		{"one bucket", 400, 1},
		{"many buckets", 1 << 24, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := singleEnv(t, 1)
			f := e.open(t, scanName(t), Config{}, frontier.Options{MaxDepth: 1, MaxSeen: tt.maxSeen})
			a, b := memberCollision(t, f.hash)
			if f.p.buckets > 1 && a.at.bucket == b.at.bucket {
				t.Skip("the colliding pair shares its bucket too (odds 1 in 42k)")
			}
			if n := push(t, f, frontier.Job{URL: a.url}, frontier.Job{URL: b.url}); n != tt.wantAdded {
				t.Errorf("admitted %d of the pair, want %d", n, tt.wantAdded)
			}
		})
	}
}

type located struct {
	url string
	at  slot
}

// memberCollision finds two URLs of one host with the same 32-bit member
// under h's seed (a birthday search: ~80k hashes).
func memberCollision(t *testing.T, h hasher) (located, located) {
	t.Helper()
	byMember := map[string]located{}
	for i := range 10_000_000 {
		u := fmt.Sprintf("http://example.com/p%d", i)
		at := h.locate(u)
		if prev, ok := byMember[at.hash]; ok {
			return prev, located{u, at}
		}
		byMember[at.hash] = located{u, at}
	}
	t.Fatal("no collision of 32-bit members in 10M URLs")
	return located{}, located{}
}

// TestLayout1ScanStillWorks opens a scan created by a version that kept
// whole 64-bit hashes (layout 1): it is crawled in its own layout, so the
// URLs it admitted stay duplicates.
func TestLayout1ScanStillWorks(t *testing.T) {
	e := singleEnv(t, 1)
	ctx := context.Background()
	scan := scanName(t)
	opts := frontier.Options{MaxDepth: 1, MaxSeen: 4000}
	meta := metaKey(e.ns, scan)
	err := e.c.HSet(ctx, meta, "v", 1, "created", time.Now().Unix(), "partitions", 1, "buckets", 10,
		"recrawl", 0, "max_pages", 0, "max_queued", DefaultMaxQueued, "max_seen", opts.MaxSeen, "seed", 42).Err()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Delete(context.Background(), e.c, e.ns, scan) })
	f := e.open(t, scan, Config{}, opts)
	var jobs []frontier.Job
	for i := range 50 {
		jobs = append(jobs, frontier.Job{URL: fmt.Sprintf("http://example.com/%d", i)})
	}
	if n := push(t, f, jobs...); n != len(jobs) {
		t.Fatalf("admitted %d of %d", n, len(jobs))
	}
	want := hasher{seed: 42, partitions: 1, buckets: 10, layout: 1}.locate(jobs[7].URL)
	if !e.c.SIsMember(ctx, f.keys.parts[0].bucket(want.bucket), want.hash).Val() {
		t.Errorf("%s is not in bucket %d as its 64-bit hash %s", jobs[7].URL, want.bucket, want.hash)
	}
	g := e.open(t, scan, Config{}, opts)
	if n := push(t, g, jobs...); n != 0 {
		t.Errorf("another process admitted %d URLs again", n)
	}
	if got := len(drain(t, g)); got != len(jobs) {
		t.Errorf("drained %d jobs, want %d", got, len(jobs))
	}
}

// TestUnknownLayoutRefused: a scan written by a newer version is refused
// with ErrLayout, not read in a layout it was not written in.
func TestUnknownLayoutRefused(t *testing.T) {
	e := singleEnv(t, 1)
	ctx := context.Background()
	scan := scanName(t)
	meta := metaKey(e.ns, scan)
	if err := e.c.HSet(ctx, meta, "v", 3, "partitions", 1, "buckets", 10).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.c.Unlink(context.Background(), meta) })
	cfg := e.config()
	if _, err := Open(ctx, cfg, scan, frontier.Options{Seeds: []string{"http://example.com/"}}); !errors.Is(err, ErrLayout) {
		t.Errorf("Open: %v, want ErrLayout", err)
	}
	if _, err := Counts(ctx, e.c, e.ns, scan); !errors.Is(err, ErrLayout) {
		t.Errorf("Counts: %v, want ErrLayout", err)
	}
}
