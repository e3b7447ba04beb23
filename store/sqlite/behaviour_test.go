package sqlite_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

// work returns an unsaved text work of creator with the given content.
func work(creator, content string) store.Work {
	sum := sha256.Sum256([]byte(content))
	return store.Work{Creator: creator, Title: content, Kind: store.KindText,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)), Text: content}
}

func TestIDFormats(t *testing.T) {
	clock := time.Date(2026, 11, 27, 2, 53, 17, 999_999_999, time.UTC)
	a := openTemp(t, sqlite.WithClock(func() time.Time { return clock }))
	b := openTemp(t)
	wa, _, err := a.PutWork(t.Context(), work("alice", "same"), nil)
	if err != nil {
		t.Fatal(err)
	}
	wb, _, err := b.PutWork(t.Context(), work("alice", "same"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^w_[0-9a-f]{16}$`).MatchString(wa.ID) || wa.ID != wb.ID {
		t.Errorf("work IDs %q and %q: want equal, w_ + 16 hex digits", wa.ID, wb.ID)
	}
	cs, err := a.Creators(t.Context())
	if err != nil || len(cs) != 1 || !regexp.MustCompile(`^c_[0-9a-f]{16}$`).MatchString(cs[0].ID) {
		t.Errorf("Creators = %+v, %v; want one c_ + 16 hex digits", cs, err)
	}
	sc, err := a.CreateScan(t.Context(), store.Scan{Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^s_20261127T025317Z-[0-9a-f]{6}$`).MatchString(sc.ID) {
		t.Errorf("scan ID = %q, want s_20261127T025317Z-xxxxxx", sc.ID)
	}
}

func TestCreateScanDefaults(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 6_789, time.FixedZone("X", -7200))
	db := openTemp(t, sqlite.WithClock(func() time.Time { return clock }))
	sc, err := db.CreateScan(t.Context(), store.Scan{Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	want := clock.UTC().Truncate(time.Microsecond)
	if sc.State != store.ScanQueued || sc.StartedAt != want {
		t.Errorf("CreateScan = state %q, started %v; want queued, exactly %v", sc.State, sc.StartedAt, want)
	}
	got, err := db.Scan(t.Context(), sc.ID)
	if err != nil || got.StartedAt != want || got.State != store.ScanQueued {
		t.Errorf("Scan = %+v, %v; want the values CreateScan returned", got, err)
	}
	for _, bad := range []store.Scan{{State: "paused"}, {ID: sc.ID}} {
		if _, err := db.CreateScan(t.Context(), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("CreateScan(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if err := db.UpdateScan(t.Context(), store.Scan{ID: sc.ID, State: "paused"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("UpdateScan with unknown state = %v, want ErrInvalid", err)
	}
}

func TestTimestampsKeepMicroseconds(t *testing.T) {
	db := openTemp(t)
	started := time.Date(2026, 5, 6, 7, 8, 9, 123_456_789, time.FixedZone("Y", 5*3600))
	sc, err := db.CreateScan(t.Context(), store.Scan{Kind: "crawl", StartedAt: started})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Scan(t.Context(), sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 5, 6, 2, 8, 9, 123_456_000, time.UTC)
	if got.StartedAt != want || sc.StartedAt != want {
		t.Errorf("StartedAt = %v (stored), %v (returned); want exactly %v", got.StartedAt, sc.StartedAt, want)
	}
}

// TestFingerprintsCallbackUsesStore shows that fn may call the store, reads
// and writes, while the stream is open.
func TestFingerprintsCallbackUsesStore(t *testing.T) {
	db := openTemp(t, sqlite.WithMaxReaders(2))
	ctx := t.Context()
	for i := range 3 {
		_, _, err := db.PutWork(ctx, work("alice", fmt.Sprint(i)), []store.Fingerprint{{Algorithm: "a", Data: []byte{byte(i)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	err := db.Fingerprints(ctx, "a", func(fp store.Fingerprint) error {
		n++
		if _, err := db.Work(ctx, fp.WorkID); err != nil {
			return err
		}
		_, _, err := db.PutWork(ctx, work("bob", fmt.Sprint("new ", n)), []store.Fingerprint{{Algorithm: "b"}})
		return err
	})
	if err != nil || n != 3 {
		t.Errorf("Fingerprints = %v after %d calls; want nil after 3", err, n)
	}
}

// TestTwoHandlesOneFile writes through two DBs on one file, as two attrib
// processes would: BEGIN IMMEDIATE and busy_timeout make them take turns.
func TestTwoHandlesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attrib.db")
	dbs := []*sqlite.DB{openAt(t, path), openAt(t, path)}
	const perHandle = 40
	var wg sync.WaitGroup
	errs := make([]error, len(dbs))
	for i, db := range dbs {
		wg.Go(func() {
			for j := range perHandle {
				_, _, err := db.PutWork(t.Context(), work("alice", fmt.Sprint(i, "/", j)), []store.Fingerprint{{Algorithm: "x"}})
				if err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent writers: %v", err)
	}
	ws, err := dbs[0].Works(t.Context(), store.WorkFilter{})
	if err != nil || len(ws) != len(dbs)*perHandle {
		t.Errorf("Works = %d, %v; want %d", len(ws), err, len(dbs)*perHandle)
	}
}
