package redis_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redis"
	"github.com/attrib/attrib/store/redistest"
)

// memoryUsage sums MEMORY USAGE (all samples) of the keys matching pattern.
func memoryUsage(t testing.TB, c *goredis.Client, pattern string) (bytes, keys int64) {
	t.Helper()
	ctx := context.Background()
	var cursor uint64
	for {
		ks, next, err := c.Scan(ctx, cursor, pattern, 1000).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range ks {
			n, err := c.MemoryUsage(ctx, k, 0).Result()
			if err != nil {
				t.Fatalf("MEMORY USAGE %s: %v", k, err)
			}
			bytes += n
			keys++
		}
		if next == 0 {
			return bytes, keys
		}
		cursor = next
	}
}

// bound is a measured cost and the most doc.go says it is.
type bound struct {
	what       string
	got, limit int64
}

func checkBounds(t *testing.T, bs []bound) {
	t.Helper()
	for _, b := range bs {
		if b.got > b.limit {
			t.Errorf("%s costs %d B, doc.go says at most %d", b.what, b.got, b.limit)
		}
	}
}

// TestMemoryPerRecord measures what a work, a match and an index entry cost
// in Redis and checks the bounds doc.go states.
func TestMemoryPerRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("measures memory of thousands of records")
	}
	c, prefix := redistest.Client(t)
	ns := prefix + "attrib"
	s := openStore(t, c, ns)
	ws := make([]store.Work, 1000)
	for i := range ws {
		w, fps := benchWork(int64(i))
		var err error
		if ws[i], _, err = s.PutWork(t.Context(), w, fps); err != nil {
			t.Fatal(err)
		}
	}
	checkBounds(t, measureWorks(t, c, ns, ws))
	checkBounds(t, measureIndexAtScale(t, c, ns))
	checkBounds(t, measureMatches(t, c, s, ns, ws))
	checkBounds(t, measureService(t, c, s, ns))
}

// measureService stores tokens, schedules, page states, log leaves and
// tree heads in the numbers a deployment would and measures one of each.
func measureService(t *testing.T, c *goredis.Client, s *redis.Store, ns string) []bound {
	ctx := t.Context()
	const tokens, schedules, pages, leaves, leafSize = 1000, 100, 20000, 20000, 200
	for i := range tokens {
		if err := s.PutToken(ctx, store.Token{Hash: hexSHA(fmt.Sprint("token ", i)), Creator: fmt.Sprint("creator ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for range schedules {
		_, err := s.PutSchedule(ctx, store.Schedule{Name: "nightly crawl", Cron: "0 3 * * *", Kind: "crawl",
			Targets: []string{"https://blog.example.org/"}, Options: []byte(`{"max_pages":1000,"depth":3}`), Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
	}
	var states []store.PageState
	for i := range pages {
		states = append(states, store.PageState{URL: fmt.Sprintf("https://blog.example.org/2026/11/post-%06d.html", i),
			ETag: `W/"5f2a-1a2b3c4d"`, LastModified: "Wed, 25 Nov 2026 07:28:00 GMT",
			ScanID: "s_20261127T025317Z-3fa9c1", CheckedAt: time.Now()})
	}
	for chunk := range slices.Chunk(states, 1000) {
		if err := s.PutPageStates(ctx, chunk); err != nil {
			t.Fatal(err)
		}
	}
	for range leaves / 1000 {
		var data [][]byte
		for range 1000 {
			data = append(data, make([]byte, leafSize))
		}
		if _, err := s.AppendLeaves(ctx, data); err != nil {
			t.Fatal(err)
		}
	}
	for i := range uint64(1000) {
		root := make([]byte, 32)
		if err := s.PutTreeHead(ctx, store.TreeHead{Size: i*20 + 1, RootHash: root, Timestamp: time.Now(), Signature: make([]byte, 64)}); err != nil {
			t.Fatal(err)
		}
	}
	tok, _ := memoryUsage(t, c, ns+":tokens")
	sch, n := memoryUsage(t, c, ns+":{sch}:schedule:*")
	schIdx, _ := memoryUsage(t, c, ns+":{sch}:schedules")
	pg, _ := memoryUsage(t, c, ns+":pages:*")
	lv, _ := memoryUsage(t, c, ns+":{log}:leaves")
	hd, _ := memoryUsage(t, c, ns+":{log}:heads")
	t.Logf("a token: %d B; a schedule: %d B hash + %d B index; a page state: %d B; a %d-byte leaf: %d B; a tree head: %d B",
		tok/tokens, sch/n, schIdx/n, pg/pages, leafSize, lv/leaves, hd/1000)
	return []bound{
		{"a token", tok / tokens, 192},
		{"a schedule", (sch + schIdx) / n, 512},
		{"a page state with a 50-byte URL", pg / pages, 256},
		{"a 200-byte log leaf", lv / leaves, leafSize + 32},
		{"a tree head", hd / 1000, 192},
	}
}

func measureWorks(t *testing.T, c *goredis.Client, ns string, ws []store.Work) []bound {
	text, fpData := int64(len(ws[0].Text)), int64(4096+64)
	meta, n := memoryUsage(t, c, ns+":{r*}:work:*")
	texts, _ := memoryUsage(t, c, ns+":{r*}:text:*")
	fps, _ := memoryUsage(t, c, ns+":{r*}:fp:*")
	index, _ := memoryUsage(t, c, ns+":{r*}:works")
	cworks, _ := memoryUsage(t, c, ns+":{r*}:cw:*")
	creators, _ := memoryUsage(t, c, ns+":{r*}:creators")
	t.Logf("per work (%d works): %d B hash, %d B text of %d, %d B fingerprints of %d, %d B + %d B indexes, %d B creators",
		n, meta/n, texts/n, text, fps/n, fpData, index/n, cworks/n, creators/n)
	return []bound{
		{"a work's hash", meta / n, 384},
		{"a work's text", texts / n, text + text/4 + 160},
		{"a work's fingerprints", fps / n, fpData + fpData/4 + 320},
	}
}

// measureIndexAtScale builds a shard's index as 1M works would (~3,900 per
// shard), with APPEND as PutWork does.
func measureIndexAtScale(t *testing.T, c *goredis.Client, ns string) []bound {
	const n = 4000
	key := ns + ":{r00}:works-sample"
	for i := range n {
		if err := c.Append(t.Context(), key, fmt.Sprintf("%08d", i)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := memoryUsage(t, c, key)
	t.Logf("registry index entry in a %d-work shard: %.2f B", n, float64(b)/n)
	return []bound{{"a registry index entry at scale", b / n, 16}}
}

// measureMatches stores one exact match for each of ws in one scan, and
// 1,000 text matches of one work in another.
func measureMatches(t *testing.T, c *goredis.Client, s *redis.Store, ns string, ws []store.Work) []bound {
	ctx := t.Context()
	sc, err := s.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: []string{"https://blog.example.org/", "https://example.org/docs/"}})
	if err != nil {
		t.Fatal(err)
	}
	var small []store.Match
	for _, w := range ws {
		small = append(small, store.Match{WorkID: w.ID, FoundURL: "http://site.test/" + w.ID, Method: "exact", Score: 1,
			Evidence: store.Evidence{Algorithm: "sha256"}})
	}
	if err := s.PutMatches(ctx, sc.ID, small); err != nil {
		t.Fatal(err)
	}
	n := int64(len(ws))
	b, _ := memoryUsage(t, c, ns+":m:"+sc.ID+":*")
	payload := hashPayload(t, c, ns+":m:"+sc.ID+":"+ws[0].ID)
	t.Logf("exact match, alone in its work's hash: %d B (field and value %d B)", b/n, payload)
	scanMeta, _ := memoryUsage(t, c, ns+":{s}:scan:"+sc.ID)
	scanList, _ := memoryUsage(t, c, ns+":{s}:scans")
	t.Logf("a scan (2 targets): %d B hash, %d B index", scanMeta, scanList)
	scanIdx, _ := memoryUsage(t, c, ns+":{m:"+sc.ID+"}:*")
	t.Logf("scan indexes: %d B per matched work", scanIdx/n)

	big, err := s.CreateScan(ctx, store.Scan{Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutMatches(ctx, big.ID, benchMatches(ws[0], "a", 1000)); err != nil {
		t.Fatal(err)
	}
	bigKey := ns + ":m:" + big.ID + ":" + ws[0].ID
	bb, _ := memoryUsage(t, c, bigKey)
	bigPayload := hashPayload(t, c, bigKey)
	t.Logf("text match, one of 1000 in its work's hash: %d B (field and value %d B)", bb/1000, bigPayload/1000)
	return []bound{
		{"an exact match alone in its hash", b / n, 320},
		{"a match in a big hash beyond its field and value", (bb - bigPayload) / 1000, 160},
		{"a matched work in the scan's indexes", scanIdx / n, 256},
		{"a scan's hash", scanMeta, 1024},
	}
}

// hashPayload sums the lengths of a hash's fields and values.
func hashPayload(t testing.TB, c *goredis.Client, key string) int64 {
	t.Helper()
	kv, err := c.HGetAll(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for f, v := range kv {
		n += int64(len(f) + len(v))
	}
	return n
}
