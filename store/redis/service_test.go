package redis_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redis"
	"github.com/attrib/attrib/store/redistest"
)

func TestScheduleIDFormat(t *testing.T) {
	clock := time.Date(2026, 11, 27, 2, 53, 17, 999_999_999, time.UTC)
	s := sharedStore(t, redis.WithClock(func() time.Time { return clock }))
	sc, err := s.PutSchedule(t.Context(), store.Schedule{Cron: "@daily", Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^sch_20261127T025317Z-[0-9a-f]{6}$`).MatchString(sc.ID) {
		t.Errorf("schedule ID = %q, want sch_20261127T025317Z-xxxxxx", sc.ID)
	}
	if want := clock.Truncate(time.Millisecond); !sc.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt = %v, want the clock's %v to the millisecond", sc.CreatedAt, want)
	}
}

// TestServiceKeys checks the keys doc.go documents for tokens, schedules,
// page states, leases, the log and thumbnails.
func TestServiceKeys(t *testing.T) {
	c, prefix := redistest.Client(t)
	ns := prefix + "attrib"
	s := openStore(t, c, ns)
	ctx := t.Context()
	tok := store.Token{Hash: hexSHA("secret"), Creator: "alice"}
	if err := s.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	sc, err := s.PutSchedule(ctx, store.Schedule{Cron: "@daily", Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	const url = "http://site.test/"
	if err := s.PutPageStates(ctx, []store.PageState{{URL: url, ETag: `"1"`}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.AcquireLease(ctx, "sched:{x}", "host-a", time.Hour); err != nil || !ok {
		t.Fatalf("AcquireLease = %v, %v", ok, err)
	}
	if _, err := s.AppendLeaves(ctx, [][]byte{[]byte("leaf")}); err != nil {
		t.Fatal(err)
	}
	root := sha256.Sum256(nil)
	if err := s.PutTreeHead(ctx, store.TreeHead{Size: 1, RootHash: root[:], Timestamp: time.Unix(1, 5)}); err != nil {
		t.Fatal(err)
	}
	img := store.Work{Creator: "alice", Kind: store.KindImage, SHA256: hexSHA("img"), Thumb: []byte{0xff, 0xd8}}
	w, _, err := s.PutWork(ctx, img, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(url))
	for key, typ := range map[string]string{
		ns + ":tokens":                                   "hash",
		ns + ":{sch}:schedule:" + sc.ID:                  "hash",
		ns + ":{sch}:schedules":                          "zset",
		fmt.Sprintf("%s:pages:%02x", ns, sum[0]):         "hash",
		ns + ":lease:~" + fmt.Sprintf("%x", "sched:{x}"): "string",
		ns + ":{log}:leaves":                             "list",
		ns + ":{log}:heads":                              "hash",
		ns + ":{log}:latest":                             "string",
		ns + ":{r" + w.ID[2:4] + "}:thumb:" + w.ID:       "string",
	} {
		if got, err := c.Type(ctx, key).Result(); err != nil || got != typ {
			t.Errorf("TYPE %s = %q, %v; want %s", key, got, err, typ)
		}
	}
	if ttl, err := c.PTTL(ctx, ns+":lease:~"+fmt.Sprintf("%x", "sched:{x}")).Result(); err != nil || ttl <= 0 || ttl > time.Hour {
		t.Errorf("lease PTTL = %v, %v; want up to an hour", ttl, err)
	}
}

// TestLogTwoClients appends through two stores on two connections, as two
// processes would, and checks every batch got consecutive indexes.
func TestLogTwoClients(t *testing.T) {
	c1, prefix := redistest.Client(t)
	c2 := goredis.NewClient(&goredis.Options{Addr: c1.Options().Addr})
	t.Cleanup(func() { c2.Close() })
	ns := prefix + "attrib"
	stores := []*redis.Store{openStore(t, c1, ns), openStore(t, c2, ns)}
	const batches = 50
	var wg sync.WaitGroup
	errs := make([]error, len(stores))
	firsts := make([][]uint64, len(stores))
	for i, s := range stores {
		wg.Go(func() {
			for j := range batches {
				first, err := s.AppendLeaves(t.Context(), [][]byte{fmt.Appendf(nil, "%d/%d/0", i, j), fmt.Appendf(nil, "%d/%d/1", i, j)})
				if err != nil {
					errs[i] = err
					return
				}
				firsts[i] = append(firsts[i], first)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent appends: %v", err)
	}
	leaves, err := stores[0].LogLeaves(t.Context(), 0, 2*batches*uint64(len(stores)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range stores {
		for j, first := range firsts[i] {
			for k := range uint64(2) {
				if want := fmt.Appendf(nil, "%d/%d/%d", i, j, k); !bytes.Equal(leaves[first+k].Data, want) {
					t.Errorf("leaf %d = %q, want %q", first+k, leaves[first+k].Data, want)
				}
			}
		}
	}
}

// TestLogLeavesChunks reads ranges that cross the store's LRANGE chunks.
func TestLogLeavesChunks(t *testing.T) {
	s := sharedStore(t)
	var data [][]byte
	for i := range 2500 {
		data = append(data, fmt.Appendf(nil, "leaf %d", i))
	}
	if _, err := s.AppendLeaves(t.Context(), data); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]uint64{{0, 2500}, {1000, 2049}, {1023, 1025}, {2499, 2500}} {
		got, err := s.LogLeaves(t.Context(), r[0], r[1])
		if err != nil {
			t.Fatalf("LogLeaves(%d, %d): %v", r[0], r[1], err)
		}
		if uint64(len(got)) != r[1]-r[0] {
			t.Fatalf("LogLeaves(%d, %d) = %d leaves", r[0], r[1], len(got))
		}
		for i, l := range got {
			if idx := r[0] + uint64(i); l.Index != idx || !bytes.Equal(l.Data, data[idx]) {
				t.Errorf("LogLeaves(%d, %d)[%d] = %d %q, want %d %q", r[0], r[1], i, l.Index, l.Data, idx, data[idx])
			}
		}
	}
}
