package redis_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/redis"
	"github.com/attrib/attrib/store/redistest"
)

// work returns an unsaved text work of creator with the given content.
func work(creator, content string) store.Work {
	return store.Work{Creator: creator, Title: content, Kind: store.KindText,
		SHA256: hexSHA(content), Size: int64(len(content)), Text: content}
}

func hexSHA(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sharedStore opens a store on the shared server in a fresh namespace.
func sharedStore(t testing.TB, opts ...redis.Option) *redis.Store {
	t.Helper()
	c, prefix := redistest.Client(t)
	return openStore(t, c, prefix+"attrib", opts...)
}

func TestIDFormats(t *testing.T) {
	clock := time.Date(2026, 11, 27, 2, 53, 17, 999_999_999, time.UTC)
	s := sharedStore(t, redis.WithClock(func() time.Time { return clock }))
	w, _, err := s.PutWork(t.Context(), work("alice", "same"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same derivation as store/sqlite: one work has one ID everywhere.
	sum := sha256.Sum256([]byte("alice\x00" + hexSHA("same")))
	if want := "w_" + hex.EncodeToString(sum[:8]); w.ID != want {
		t.Errorf("work ID = %q, want %q", w.ID, want)
	}
	if want := time.Date(2026, 11, 27, 2, 53, 17, 999_000_000, time.UTC); w.CreatedAt != want {
		t.Errorf("CreatedAt = %v, want %v (truncated to the millisecond, UTC)", w.CreatedAt, want)
	}
	cs, err := s.Creators(t.Context())
	if err != nil || len(cs) != 1 || !regexp.MustCompile(`^c_[0-9a-f]{16}$`).MatchString(cs[0].ID) {
		t.Errorf("Creators = %+v, %v; want one c_ + 16 hex digits", cs, err)
	}
	sc, err := s.CreateScan(t.Context(), store.Scan{Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^s_20261127T025317Z-[0-9a-f]{6}$`).MatchString(sc.ID) {
		t.Errorf("scan ID = %q, want s_20261127T025317Z-xxxxxx", sc.ID)
	}
}

func TestCreateScanDefaults(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 6_789_000, time.FixedZone("X", -7200))
	s := sharedStore(t, redis.WithClock(func() time.Time { return clock }))
	sc, err := s.CreateScan(t.Context(), store.Scan{Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Scan(t.Context(), sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 1, 2, 5, 4, 5, 6_000_000, time.UTC)
	if got.State != store.ScanQueued || got.StartedAt != want || sc.StartedAt != want {
		t.Errorf("scan = %+v (returned %v), want state queued, started %v", got, sc.StartedAt, want)
	}
	if _, err := s.CreateScan(t.Context(), store.Scan{Kind: "crawl", State: "paused"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CreateScan with an unknown state = %v, want ErrInvalid", err)
	}
}

// TestScanNames stores scans named by users, including names that cannot
// appear raw in a key, and reads each back with its matches.
func TestScanNames(t *testing.T) {
	s := sharedStore(t)
	ctx := t.Context()
	w, _, err := s.PutWork(ctx, work("alice", "x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"nightly-2026-11-27", "a", "~61", "{a}", "a}:m:b", "with space", "ünï", "~7b617d"}
	for _, name := range names {
		if _, err := s.CreateScan(ctx, store.Scan{ID: name, Kind: "crawl"}); err != nil {
			t.Fatalf("CreateScan(%q): %v", name, err)
		}
		m := store.Match{WorkID: w.ID, FoundURL: "http://site.test/" + name, Method: "exact", Score: 1}
		if err := s.PutMatches(ctx, name, []store.Match{m}); err != nil {
			t.Fatalf("PutMatches(%q): %v", name, err)
		}
	}
	for _, name := range names {
		sc, err := s.Scan(ctx, name)
		if err != nil || sc.ID != name {
			t.Errorf("Scan(%q) = %q, %v", name, sc.ID, err)
		}
		ms, err := s.Matches(ctx, name, store.MatchFilter{})
		if err != nil || len(ms) != 1 || ms[0].FoundURL != "http://site.test/"+name {
			t.Errorf("Matches(%q) = %+v, %v; want only its own match", name, ms, err)
		}
	}
	ss, err := s.ListScans(ctx)
	if err != nil || len(ss) != len(names) {
		t.Errorf("ListScans = %d scans, %v; want %d", len(ss), err, len(names))
	}
}

// TestPutWorkTwoStores registers the same content from two stores with
// their own connections, as two processes would.
func TestPutWorkTwoStores(t *testing.T) {
	c, prefix := redistest.Client(t)
	other := goredis.NewClient(&goredis.Options{Addr: redistest.Addr()})
	t.Cleanup(func() { other.Close() })
	testPutWorkTwoStores(t, c, other, prefix+"attrib")
}

func testPutWorkTwoStores(t *testing.T, c1, c2 goredis.UniversalClient, ns string) {
	stores := []*redis.Store{openStore(t, c1, ns), openStore(t, c2, ns)}
	const perStore, rounds = 8, 20
	for round := range rounds {
		w := work("alice", fmt.Sprint("registered everywhere at once ", round))
		fps := []store.Fingerprint{{Algorithm: "sha256", Version: 1, Data: []byte{byte(round)}}}
		var wg sync.WaitGroup
		var mu sync.Mutex // guards ids, created, errs
		ids := map[string]int{}
		created := 0
		var errs []error
		for i := range 2 * perStore {
			wg.Go(func() {
				got, isNew, err := stores[i%2].PutWork(t.Context(), w, fps)
				mu.Lock()
				defer mu.Unlock()
				ids[got.ID]++
				if isNew {
					created++
				}
				errs = append(errs, err)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if created != 1 || len(ids) != 1 {
			t.Fatalf("round %d: %d calls created the work, IDs %v; want exactly one creation of one ID", round, created, ids)
		}
	}
	ws, err := stores[1].Works(t.Context(), store.WorkFilter{})
	if err != nil || len(ws) != rounds {
		t.Errorf("Works = %d, %v; want %d", len(ws), err, rounds)
	}
	n := 0
	err = stores[0].Fingerprints(t.Context(), "", func(store.Fingerprint) error { n++; return nil })
	if err != nil || n != rounds {
		t.Errorf("Fingerprints = %d, %v; want %d (one set per work)", n, err, rounds)
	}
}

// TestNamespaces shows that two namespaces on one server share nothing.
func TestNamespaces(t *testing.T) {
	c, prefix := redistest.Client(t)
	a, b := openStore(t, c, prefix+"a"), openStore(t, c, prefix+"b")
	ctx := t.Context()
	wa, created, err := a.PutWork(ctx, work("alice", "in a"), []store.Fingerprint{{Algorithm: "x"}})
	if err != nil || !created {
		t.Fatalf("PutWork in a = %v, %v", created, err)
	}
	if _, err := a.CreateScan(ctx, store.Scan{ID: "nightly", Kind: "crawl"}); err != nil {
		t.Fatal(err)
	}
	if ws, err := b.Works(ctx, store.WorkFilter{}); err != nil || len(ws) != 0 {
		t.Errorf("b lists %d works of a (%v)", len(ws), err)
	}
	if _, err := b.Work(ctx, wa.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("b.Work(a's work) = %v, want ErrNotFound", err)
	}
	if _, err := b.LatestScan(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("b.LatestScan = %v, want ErrNotFound", err)
	}
	if _, err := b.CreateScan(ctx, store.Scan{ID: "nightly", Kind: "crawl"}); err != nil {
		t.Errorf("b cannot use a scan name a uses: %v", err)
	}
	if _, created, err := b.PutWork(ctx, work("alice", "in a"), nil); err != nil || !created {
		t.Errorf("the same content in b = created %v, %v; want a new work", created, err)
	}
	// Every key is under its namespace.
	for _, ns := range []string{prefix + "a:", prefix + "b:"} {
		keys, _, err := c.Scan(ctx, 0, ns+"*", 10000).Result()
		if err != nil || len(keys) == 0 {
			t.Errorf("no keys under %s (%v)", ns, err)
		}
	}
	all, _, err := c.Scan(ctx, 0, prefix+"*", 10000).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range all {
		if !regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `[ab]:`).MatchString(k) {
			t.Errorf("key %q is outside both namespaces", k)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	c, prefix := redistest.Client(t)
	ctx := t.Context()
	for _, ns := range []string{prefix + "{x}", prefix + "a b", prefix + "}"} {
		if _, err := redis.Open(ctx, c, ns); err == nil {
			t.Errorf("Open(%q) succeeded, want an error", ns)
		}
	}
	ns := prefix + "future"
	if err := c.Set(ctx, ns+":format", "99", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := redis.Open(ctx, c, ns); !errors.Is(err, redis.ErrFormat) {
		t.Errorf("Open of a namespace in format 99 = %v, want ErrFormat", err)
	}
	dead := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer dead.Close()
	if _, err := redis.Open(ctx, dead, prefix+"x"); err == nil {
		t.Error("Open on a server that does not answer succeeded")
	}
}

// TestCloseLeavesClient shows that a store opened on a caller's client does
// not close it.
func TestCloseLeavesClient(t *testing.T) {
	c, prefix := redistest.Client(t)
	s := openStore(t, c, prefix+"attrib")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Works(t.Context(), store.WorkFilter{}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Works after Close = %v, want ErrClosed", err)
	}
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Errorf("the caller's client is closed: %v", err)
	}
}

// TestBigScan covers the paths a conformance-sized scan does not reach.
func TestBigScan(t *testing.T) {
	testBigScan(t, sharedStore(t))
}

// testBigScan stores more matched works than one batch and one work with
// more matches than one HSCAN returns, and reads them back in order.
func testBigScan(t *testing.T, s *redis.Store) {
	ctx := t.Context()
	sc, err := s.CreateScan(ctx, store.Scan{Kind: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	const works, bigMatches = 300, 2500
	var want []store.Match
	var ws []store.Work
	for i := range works {
		w, _, err := s.PutWork(ctx, work([]string{"alice", "bob"}[i%2], fmt.Sprint("work ", i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
		want = append(want, store.Match{WorkID: w.ID, FoundURL: fmt.Sprintf("http://site.test/%d", i),
			Method: "text", Score: 0.5, Evidence: store.Evidence{Passages: []store.Passage{{WorkEnd: 9, FoundEnd: 9, Text: "some text that makes the value long enough for a big hash encoding"}}}})
	}
	for i := range bigMatches {
		want = append(want, store.Match{WorkID: ws[0].ID, FoundURL: fmt.Sprintf("http://big.test/%05d", i), Method: "exact", Score: 1})
	}
	for chunk := range slices.Chunk(want, 700) {
		if err := s.PutMatches(ctx, sc.ID, chunk); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(want, func(a, b store.Match) int {
		if a.WorkID != b.WorkID {
			return strings.Compare(a.WorkID, b.WorkID)
		}
		return strings.Compare(a.FoundURL, b.FoundURL)
	})
	got, err := s.Matches(ctx, sc.ID, store.MatchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Matches = %d, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].WorkID != want[i].WorkID || got[i].FoundURL != want[i].FoundURL || got[i].PageURL != want[i].PageURL {
			t.Fatalf("match %d = %s %s (page %q), want %s %s", i, got[i].WorkID, got[i].FoundURL, got[i].PageURL, want[i].WorkID, want[i].FoundURL)
		}
	}
	bob, err := s.Matches(ctx, sc.ID, store.MatchFilter{Creator: "bob"})
	if err != nil || len(bob) != works/2 {
		t.Errorf("bob's matches = %d, %v; want %d", len(bob), err, works/2)
	}
	big, err := s.Matches(ctx, sc.ID, store.MatchFilter{Creator: "alice", WorkID: ws[0].ID})
	if err != nil || len(big) != bigMatches+1 {
		t.Errorf("matches of the big work = %d, %v; want %d", len(big), err, bigMatches+1)
	}
}

// TestFingerprintsCallbackUsesStore shows that fn may call the store, reads
// and writes, while the stream is open.
func TestFingerprintsCallbackUsesStore(t *testing.T) {
	s := sharedStore(t)
	ctx := t.Context()
	for i := range 40 {
		_, _, err := s.PutWork(ctx, work("alice", fmt.Sprint(i)), []store.Fingerprint{{Algorithm: "a", Data: []byte{byte(i)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	err := s.Fingerprints(ctx, "a", func(fp store.Fingerprint) error {
		n++
		if _, err := s.Work(ctx, fp.WorkID); err != nil {
			return err
		}
		_, _, err := s.PutWork(ctx, work("bob", fmt.Sprint("new ", n)), []store.Fingerprint{{Algorithm: "b"}})
		return err
	})
	if err != nil || n != 40 {
		t.Errorf("Fingerprints = %v after %d calls; want nil after 40", err, n)
	}
}

func TestOpenURL(t *testing.T) {
	_, prefix := redistest.Client(t) // cleans up the keys below
	ctx := t.Context()
	s, err := redis.OpenURL(ctx, "redis://"+redistest.Addr()+"/0?dial_timeout=2s", prefix+"attrib")
	if err != nil {
		t.Fatalf("OpenURL: %v", err)
	}
	if _, created, err := s.PutWork(ctx, work("alice", "by url"), nil); err != nil || !created {
		t.Errorf("PutWork through OpenURL = %v, %v", created, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := s.Works(ctx, store.WorkFilter{}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Works after Close = %v, want ErrClosed", err)
	}
	for _, u := range []string{
		"http://" + redistest.Addr(),
		"redis://u:hunter2@127.0.0.1:1/0?max_retries=-1&dial_timeout=1s",
	} {
		_, err := redis.OpenURL(ctx, u, prefix+"attrib")
		if err == nil {
			t.Errorf("OpenURL(%s) succeeded", u)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("OpenURL's error shows the password: %v", err)
		}
	}
}

// TestListScansTies lists scans started in the same millisecond newest
// created first (not by name), past the point where a creation number gains
// a digit.
func TestListScansTies(t *testing.T) {
	s := sharedStore(t)
	started := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := range 20 {
		sc, err := s.CreateScan(t.Context(), store.Scan{ID: fmt.Sprintf("scan-%02d", i*7%20), Kind: "crawl", StartedAt: started})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, sc.ID)
	}
	slices.Reverse(want)
	ss, err := s.ListScans(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sc := range ss {
		got = append(got, sc.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListScans = %v, want %v", got, want)
	}
	if latest, err := s.LatestScan(t.Context()); err != nil || latest.ID != want[0] {
		t.Errorf("LatestScan = %s, %v; want %s", latest.ID, err, want[0])
	}
}
