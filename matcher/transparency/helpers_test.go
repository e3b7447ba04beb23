package transparency

import (
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
	redisstore "github.com/attrib/attrib/store/redis"
	"github.com/attrib/attrib/store/redistest"
	"github.com/attrib/attrib/store/sqlite"
)

// testKey is a fixed key, so that failures reproduce.
func testKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	return ed25519.NewKeyFromSeed(seed)
}

// backends runs fn against a fresh SQLite store and a fresh Redis store.
func backends(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, openSQLite(t, filepath.Join(t.TempDir(), "attrib.db")))
	})
	t.Run("redis", func(t *testing.T) {
		c, prefix := redistest.Client(t)
		st, err := redisstore.Open(t.Context(), c, prefix+"attrib")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
}

func openSQLite(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newLog returns a log over st with the test key and a clock that ticks a
// second per call.
func newLog(st Store) *Log {
	l := New(st, testKey())
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	n := 0
	l.now = func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) }
	return l
}

// newMatcher returns a matcher over st that records into l.
func newMatcher(t testing.TB, st store.Store, l *Log) *matcher.Matcher {
	t.Helper()
	m, err := matcher.New(st, matcher.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if l != nil {
		m.SetRecorder(l)
	}
	return m
}

const poem = "The sea was wide and grey that morning, and the gulls went over the harbour wall " +
	"one by one, crying as if the tide had taken something of theirs out beyond the lighthouse."

func registerText(t testing.TB, m *matcher.Matcher, creator, text string) store.Work {
	t.Helper()
	w, _, err := m.Register(t.Context(), matcher.Input{
		Creator: creator, Title: "poem", Kind: store.KindText, Data: []byte(text), Text: text,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// flipEveryBit calls check with data with each single bit inverted in turn
// and fails the test for every variant check accepts. Under the race
// detector it flips one bit per byte (rotating), to stay fast.
func flipEveryBit(t *testing.T, data []byte, check func([]byte) error) {
	t.Helper()
	buf := make([]byte, len(data))
	accepted := 0
	for i := range data {
		for b := range 8 {
			if raceEnabled && b != i%8 {
				continue
			}
			copy(buf, data)
			buf[i] ^= 1 << b
			if check(buf) == nil {
				accepted++
				if accepted <= 5 {
					t.Errorf("flipping bit %d of byte %d (%q -> %q) still verifies", b, i, data[i], buf[i])
				}
			}
		}
	}
	if accepted > 0 {
		t.Errorf("%d of %d single-bit changes verify", accepted, 8*len(data))
	}
}
