package frontier

import (
	"errors"
	"hash/maphash"
	"sync"
)

// ErrSeenFull is returned by SeenSet.Add for a new key when the set is full.
var ErrSeenFull = errors.New("seen set full")

// SeenSet is a bounded set of strings for dedupe. It stores a 64-bit seeded
// hash per key (about 40 bytes each), not the key: two distinct keys
// collide with probability about n²/2⁶⁵ (1e-7 for a million keys), and the
// later one is then taken for a duplicate. It is safe for concurrent use.
type SeenSet struct {
	seed maphash.Seed
	max  int

	mu sync.Mutex // guards m
	m  map[uint64]struct{}
}

// NewSeenSet returns an empty set that holds at most max keys (max ≤ 0
// means DefaultMaxSeen).
func NewSeenSet(max int) *SeenSet {
	if max <= 0 {
		max = DefaultMaxSeen
	}
	return &SeenSet{seed: maphash.MakeSeed(), max: max, m: map[uint64]struct{}{}}
}

// Add records key. It reports true if the key is new; false if it was
// already there; and false with ErrSeenFull if it is new but the set is
// full, in which case the key is not recorded.
func (s *SeenSet) Add(key string) (bool, error) {
	h := maphash.String(s.seed, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[h]; ok {
		return false, nil
	}
	if len(s.m) >= s.max {
		return false, ErrSeenFull
	}
	s.m[h] = struct{}{}
	return true, nil
}

// Len returns the number of keys recorded.
func (s *SeenSet) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
