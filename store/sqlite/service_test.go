package sqlite_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

func TestScheduleIDFormat(t *testing.T) {
	clock := time.Date(2026, 11, 27, 2, 53, 17, 999_999_999, time.UTC)
	db := openTemp(t, sqlite.WithClock(func() time.Time { return clock }))
	sc, err := db.PutSchedule(t.Context(), store.Schedule{Cron: "@daily", Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^sch_20261127T025317Z-[0-9a-f]{6}$`).MatchString(sc.ID) {
		t.Errorf("schedule ID = %q, want sch_20261127T025317Z-xxxxxx", sc.ID)
	}
	if want := clock.Truncate(time.Microsecond); !sc.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt = %v, want the clock's %v to the microsecond", sc.CreatedAt, want)
	}
}

// TestLeaseClock drives lease expiry with the store's clock: expiry is
// decided by time, not by waiting.
func TestLeaseClock(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC).UnixNano())
	db := openTemp(t, sqlite.WithClock(func() time.Time { return time.Unix(0, now.Load()) }))
	advance := func(d time.Duration) { now.Add(int64(d)) }
	acquire := func(owner string, ttl time.Duration) bool {
		t.Helper()
		ok, err := db.AcquireLease(t.Context(), "run", owner, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	steps := []struct {
		advance time.Duration
		owner   string
		ttl     time.Duration
		want    bool
	}{
		{0, "a", time.Minute, true},
		{59 * time.Second, "b", time.Minute, false},                   // 1s left
		{0, "a", time.Minute, true},                                   // extended: expires at 1m59s
		{59 * time.Second, "b", time.Minute, false},                   // 1m58s: 1s left
		{time.Second - time.Millisecond, "b", time.Minute, false},     // 1ms left
		{time.Millisecond, "b", time.Minute, true},                    // expired exactly now
		{0, "a", time.Minute, false},                                  // b holds it
		{time.Minute, "a", time.Nanosecond, true},                     // a sub-millisecond ttl counts as 1ms
		{time.Millisecond - time.Nanosecond, "b", time.Minute, false}, // within that 1ms
		{time.Nanosecond, "b", time.Minute, true},                     // and gone after it
	}
	for i, st := range steps {
		advance(st.advance)
		if got := acquire(st.owner, st.ttl); got != st.want {
			t.Fatalf("step %d: AcquireLease(%s, %v) = %v, want %v", i, st.owner, st.ttl, got, st.want)
		}
	}
}

// TestUpgradeFromVersion1 opens a file written by the first schema: its
// data survives and the new tables work.
func TestUpgradeFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attrib.db")
	v1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	rawExec(t, path, string(v1))
	rawExec(t, path, `INSERT INTO creators VALUES ('c_1', 'alice', 1);
		INSERT INTO works VALUES ('w_0123456789abcdef', 'c_1', 'old', 'MIT', 'image', '`+
		fmt.Sprintf("%064x", 1)+`', 3, 2);
		PRAGMA user_version = 1;`)
	db := openAt(t, path)
	ctx := t.Context()
	w, err := db.Work(ctx, "w_0123456789abcdef")
	if err != nil || w.Title != "old" || w.Thumb != nil {
		t.Errorf("Work from version 1 = %+v, %v; want title old, no thumb", w, err)
	}
	if _, err := db.AppendLeaves(ctx, [][]byte{[]byte("a")}); err != nil {
		t.Errorf("AppendLeaves after upgrade: %v", err)
	}
	if err := db.PutToken(ctx, store.Token{Hash: fmt.Sprintf("%064x", 2), Admin: true}); err != nil {
		t.Errorf("PutToken after upgrade: %v", err)
	}
	var version int
	rawQuery(t, path, "PRAGMA user_version", &version)
	if version != 3 {
		t.Errorf("user_version = %d, want 3", version)
	}
}

// TestUpgradeFromVersion2 opens a file written by the second schema: its
// page states read back with Links nil (not recorded), which a recrawl
// treats differently from a page without links, and links can be added.
func TestUpgradeFromVersion2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attrib.db")
	for _, f := range []string{"migrations/0001_init.sql", "migrations/0002_service_log.sql"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rawExec(t, path, string(b))
	}
	rawExec(t, path, `INSERT INTO page_states VALUES ('http://site.test/', '"e"', '', 's_1', NULL);
		PRAGMA user_version = 2;`)
	db := openAt(t, path)
	ctx := t.Context()
	st, err := db.PageState(ctx, "http://site.test/")
	if err != nil || st.ETag != `"e"` || st.ScanID != "s_1" || st.Links != nil {
		t.Errorf("PageState from version 2 = %+v, %v; want ETag \"e\", scan s_1, Links nil", st, err)
	}
	st.Links = []string{"http://site.test/a"}
	if err := db.PutPageStates(ctx, []store.PageState{st}); err != nil {
		t.Fatalf("PutPageStates after upgrade: %v", err)
	}
	if got, err := db.PageState(ctx, st.URL); err != nil || len(got.Links) != 1 || got.Links[0] != st.Links[0] {
		t.Errorf("PageState after storing links = %+v, %v; want links %q", got, err, st.Links)
	}
}

// TestLogTwoHandles appends through two DBs on one file, as two processes
// would: every batch gets consecutive indexes.
func TestLogTwoHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attrib.db")
	dbs := []*sqlite.DB{openAt(t, path), openAt(t, path)}
	const batches = 30
	var wg sync.WaitGroup
	errs := make([]error, len(dbs))
	firsts := make([][]uint64, len(dbs))
	for i, db := range dbs {
		wg.Go(func() {
			for j := range batches {
				first, err := db.AppendLeaves(t.Context(), [][]byte{fmt.Appendf(nil, "%d/%d/0", i, j), fmt.Appendf(nil, "%d/%d/1", i, j)})
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
	leaves, err := dbs[1].LogLeaves(t.Context(), 0, 2*batches*uint64(len(dbs)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range dbs {
		for j, first := range firsts[i] {
			for k := range uint64(2) {
				if want := fmt.Appendf(nil, "%d/%d/%d", i, j, k); !bytes.Equal(leaves[first+k].Data, want) {
					t.Errorf("leaf %d = %q, want %q", first+k, leaves[first+k].Data, want)
				}
			}
		}
	}
}
