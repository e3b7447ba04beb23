package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultAddr is the shared test server unless $ATTRIB_TEST_REDIS names another.
const DefaultAddr = "127.0.0.1:6379"

// Addr returns the address of the shared test server.
func Addr() string {
	if a := os.Getenv("ATTRIB_TEST_REDIS"); a != "" {
		return a
	}
	return DefaultAddr
}

// unavailable skips t, or fails it when Redis is required.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("ATTRIB_REQUIRE_REDIS") != "" {
		t.Fatalf(format+" (ATTRIB_REQUIRE_REDIS is set)", args...)
	}
	t.Skipf(format+" (set ATTRIB_REQUIRE_REDIS to make this a failure)", args...)
}

// Prefix returns a key prefix no other test run uses, ending in ":".
func Prefix(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random prefix: %v", err)
	}
	return "attribtest:" + hex.EncodeToString(b[:]) + ":"
}

// Client returns a client of the shared test server and a fresh key prefix.
// Every key under the prefix is deleted when the test ends, and the client
// is closed.
func Client(t testing.TB) (*redis.Client, string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: Addr()})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		unavailable(t, "no Redis at %s: %v", Addr(), err)
	}
	prefix := Prefix(t)
	t.Cleanup(func() {
		defer c.Close()
		if err := DeleteKeys(context.Background(), c, prefix); err != nil {
			t.Errorf("redistest: delete keys %s*: %v", prefix, err)
		}
	})
	return c, prefix
}

// DeleteKeys deletes every key that starts with prefix, with SCAN (never
// KEYS). On a cluster client it scans every master.
func DeleteKeys(ctx context.Context, c redis.UniversalClient, prefix string) error {
	if cc, ok := c.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			return deleteKeys(ctx, n, prefix)
		})
	}
	return deleteKeys(ctx, c, prefix)
}

func deleteKeys(ctx context.Context, c redis.Cmdable, prefix string) error {
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, escapeGlob(prefix)+"*", 500).Result()
		if err != nil {
			return err
		}
		for _, k := range keys {
			// One key at a time: keys of one batch may live in different
			// cluster slots.
			if err := c.Unlink(ctx, k).Err(); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// escapeGlob escapes the glob metacharacters of SCAN MATCH.
func escapeGlob(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
