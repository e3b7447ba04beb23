package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func acquire(t testing.TB, s store.Store, name, owner string, ttl time.Duration) bool {
	t.Helper()
	ok, err := s.AcquireLease(t.Context(), name, owner, ttl)
	if err != nil {
		t.Fatalf("AcquireLease(%s, %s): %v", name, owner, err)
	}
	return ok
}

func release(t testing.TB, s store.Store, name, owner string) {
	t.Helper()
	if err := s.ReleaseLease(t.Context(), name, owner); err != nil {
		t.Fatalf("ReleaseLease(%s, %s): %v", name, owner, err)
	}
}

func testLeaseExclusive(t *testing.T, s store.Store) {
	const name = "schedule:sch_1"
	if !acquire(t, s, name, "host-a", time.Hour) {
		t.Fatal("AcquireLease of a free lease = false")
	}
	if acquire(t, s, name, "host-b", time.Hour) {
		t.Error("AcquireLease of a held lease by another owner = true")
	}
	if !acquire(t, s, name, "host-a", time.Hour) {
		t.Error("AcquireLease by the holder again = false, want true (extends)")
	}
	if !acquire(t, s, "schedule:sch_2", "host-b", time.Hour) {
		t.Error("AcquireLease of another name = false; leases of different names are independent")
	}
	// Extending a short lease with a long ttl makes it long: after the short
	// ttl has certainly passed, the lease is still held.
	if !acquire(t, s, "short", "host-a", 50*time.Millisecond) || !acquire(t, s, "short", "host-a", time.Hour) {
		t.Fatal("AcquireLease(short) = false")
	}
	time.Sleep(100 * time.Millisecond)
	if acquire(t, s, "short", "host-b", time.Hour) {
		t.Error("a lease extended to an hour was taken by another owner after its first ttl")
	}
}

func testLeaseExpires(t *testing.T, s store.Store) {
	const name = "expiring"
	if !acquire(t, s, name, "host-a", 20*time.Millisecond) {
		t.Fatal("AcquireLease = false")
	}
	// Wait for the condition, not for a time: the lease must become free
	// eventually, long before the deadline.
	deadline := time.Now().Add(10 * time.Second)
	for !acquire(t, s, name, "host-b", time.Hour) {
		if time.Now().After(deadline) {
			t.Fatal("a 20ms lease was still held after 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if acquire(t, s, name, "host-a", time.Hour) {
		t.Error("the former holder took the lease back from its new owner")
	}
}

func testLeaseRelease(t *testing.T, s store.Store) {
	const name = "release"
	release(t, s, name, "host-a") // releasing a lease nobody holds is a no-op
	if !acquire(t, s, name, "host-a", time.Hour) {
		t.Fatal("AcquireLease = false")
	}
	release(t, s, name, "host-b") // not the holder: nothing happens
	if acquire(t, s, name, "host-b", time.Hour) {
		t.Fatal("another owner's ReleaseLease freed the lease")
	}
	release(t, s, name, "host-a")
	if !acquire(t, s, name, "host-b", time.Hour) {
		t.Fatal("AcquireLease after the holder released = false")
	}
	release(t, s, name, "host-a")
	if acquire(t, s, name, "host-a", time.Hour) {
		t.Error("the former holder's second ReleaseLease freed the new owner's lease")
	}
}

func testLeaseConcurrent(t *testing.T, s store.Store) {
	const n = 8
	var wg sync.WaitGroup
	won := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			won[i], errs[i] = s.AcquireLease(t.Context(), "race", fmt.Sprint("host-", i), time.Hour)
		})
	}
	wg.Wait()
	winners := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("AcquireLease by host-%d: %v", i, errs[i])
		}
		if won[i] {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d concurrent owners acquired one lease, want exactly 1", winners, n)
	}
}

func testLeaseInvalid(t *testing.T, s store.Store) {
	for _, tc := range []struct {
		name, lease, owner string
		ttl                time.Duration
	}{
		{"empty name", "", "host-a", time.Hour},
		{"empty owner", "lease", "", time.Hour},
		{"zero ttl", "lease", "host-a", 0},
		{"negative ttl", "lease", "host-a", -time.Second},
	} {
		if ok, err := s.AcquireLease(t.Context(), tc.lease, tc.owner, tc.ttl); ok || !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AcquireLease(%s) = %v, %v; want false, ErrInvalid", tc.name, ok, err)
		}
	}
	if !acquire(t, s, "lease", "host-b", time.Hour) {
		t.Error("a rejected AcquireLease took the lease")
	}
}
