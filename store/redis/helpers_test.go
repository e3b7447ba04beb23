package redis_test

import (
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store/redis"
)

// openStore opens a store on c in namespace ns, closed at cleanup.
func openStore(t testing.TB, c goredis.UniversalClient, ns string, opts ...redis.Option) *redis.Store {
	t.Helper()
	s, err := redis.Open(t.Context(), c, ns, opts...)
	if err != nil {
		t.Fatalf("Open(%q): %v", ns, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}
