package storetest

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func logSize(t testing.TB, s store.Store) uint64 {
	t.Helper()
	n, err := s.LogSize(t.Context())
	if err != nil {
		t.Fatalf("LogSize: %v", err)
	}
	return n
}

func appendLeaves(t testing.TB, s store.Store, data ...[]byte) uint64 {
	t.Helper()
	first, err := s.AppendLeaves(t.Context(), data)
	if err != nil {
		t.Fatalf("AppendLeaves(%d leaves): %v", len(data), err)
	}
	return first
}

// checkLeaves reads [start, end) and compares it with want[start:end].
func checkLeaves(t testing.TB, s store.Store, start, end uint64, want [][]byte) {
	t.Helper()
	got, err := s.LogLeaves(t.Context(), start, end)
	if err != nil {
		t.Fatalf("LogLeaves(%d, %d): %v", start, end, err)
	}
	if uint64(len(got)) != end-start {
		t.Fatalf("LogLeaves(%d, %d) = %d leaves, want %d", start, end, len(got), end-start)
	}
	for i, l := range got {
		idx := start + uint64(i)
		if l.Index != idx || !bytes.Equal(l.Data, want[idx]) {
			t.Errorf("LogLeaves(%d, %d)[%d] = index %d, %.20q; want index %d, %.20q", start, end, i, l.Index, l.Data, idx, want[idx])
		}
	}
}

func testLogAppendAndRead(t *testing.T, s store.Store) {
	if n := logSize(t, s); n != 0 {
		t.Fatalf("LogSize of an empty log = %d", n)
	}
	checkLeaves(t, s, 0, 0, nil)
	leaves := [][]byte{
		[]byte("leaf 0"), {0}, bytes.Repeat([]byte{0xff, 0, '\n'}, 40000), // binary, 120 KB
		[]byte("leaf 3"), []byte("leaf 4"),
	}
	if first := appendLeaves(t, s, leaves[:3]...); first != 0 {
		t.Errorf("first AppendLeaves = %d, want 0", first)
	}
	if first := appendLeaves(t, s, leaves[3:]...); first != 3 {
		t.Errorf("second AppendLeaves = %d, want 3", first)
	}
	if n := logSize(t, s); n != 5 {
		t.Errorf("LogSize = %d, want 5", n)
	}
	checkLeaves(t, s, 0, 5, leaves)
	checkLeaves(t, s, 1, 4, leaves)
	checkLeaves(t, s, 4, 5, leaves)
	checkLeaves(t, s, 5, 5, leaves)
}

func testLogInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.LogLeaves(ctx, 0, 1); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("LogLeaves(0, 1) of an empty log = %v, want ErrInvalid", err)
	}
	appendLeaves(t, s, []byte("a"), []byte("b"))
	for _, tc := range []struct {
		name string
		data [][]byte
	}{
		{"nil batch", nil},
		{"empty batch", [][]byte{}},
		{"empty leaf", [][]byte{[]byte("c"), {}}},
		{"nil leaf", [][]byte{nil, []byte("c")}},
	} {
		if _, err := s.AppendLeaves(ctx, tc.data); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AppendLeaves(%s) = %v, want ErrInvalid", tc.name, err)
		}
	}
	if n := logSize(t, s); n != 2 {
		t.Errorf("LogSize after rejected appends = %d, want 2", n)
	}
	for _, r := range [][2]uint64{{0, 3}, {2, 3}, {2, 1}, {5, 9}, {0, 1 << 63}} {
		if _, err := s.LogLeaves(ctx, r[0], r[1]); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("LogLeaves(%d, %d) of a 2-leaf log = %v, want ErrInvalid", r[0], r[1], err)
		}
	}
}

func testLogConcurrentAppends(t *testing.T, s store.Store) {
	const writers, batches, per = 6, 5, 3
	var wg sync.WaitGroup
	var mu sync.Mutex // guards firsts
	firsts := map[uint64][]byte{}
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				tag := fmt.Sprintf("%d/%d", w, b)
				var data [][]byte
				for i := range per {
					data = append(data, fmt.Appendf(nil, "%s/%d", tag, i))
				}
				first, err := s.AppendLeaves(t.Context(), data)
				if err != nil {
					t.Errorf("AppendLeaves(%s): %v", tag, err)
					return
				}
				mu.Lock()
				firsts[first] = []byte(tag)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	const total = writers * batches * per
	if n := logSize(t, s); n != total {
		t.Fatalf("LogSize = %d, want %d", n, total)
	}
	leaves, err := s.LogLeaves(t.Context(), 0, total)
	if err != nil {
		t.Fatalf("LogLeaves: %v", err)
	}
	if len(firsts) != writers*batches {
		t.Errorf("%d distinct first indexes for %d batches", len(firsts), writers*batches)
	}
	// Every batch is contiguous, in order, from the index it was given.
	for first, tag := range firsts {
		for i := range uint64(per) {
			want := fmt.Appendf(nil, "%s/%d", tag, i)
			if first+i >= total || !bytes.Equal(leaves[first+i].Data, want) {
				t.Errorf("leaf %d = %q, want %q (batch %s from %d)", first+i, leaves[min(first+i, total-1)].Data, want, tag, first)
			}
		}
	}
}

// head returns a tree head of size whose fields all depend on tag.
func head(size uint64, tag string) store.TreeHead {
	root := sha256.Sum256([]byte(tag))
	sig := sha512.Sum512([]byte(tag))
	return store.TreeHead{
		Size:     size,
		RootHash: root[:],
		// Nanoseconds and a zone: the signature covers the timestamp, so it
		// must come back exactly.
		Timestamp: baseTime().Add(time.Duration(size)*time.Minute + 987),
		Signature: sig[:],
	}
}

func checkHead(t testing.TB, got, want store.TreeHead) {
	t.Helper()
	if got.Size != want.Size || !bytes.Equal(got.RootHash, want.RootHash) ||
		!got.Timestamp.Equal(want.Timestamp) || !bytes.Equal(got.Signature, want.Signature) {
		t.Errorf("tree head = %+v\nwant %+v", got, want)
	}
}

func testTreeHeads(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.LatestTreeHead(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestTreeHead of an empty log = %v, want ErrNotFound", err)
	}
	appendLeaves(t, s, []byte("1"), []byte("2"), []byte("3"), []byte("4"))
	heads := map[uint64]store.TreeHead{2: head(2, "two"), 4: head(4, "four"), 3: head(3, "three")}
	for _, size := range []uint64{2, 4, 3} { // the smaller 3 after 4
		if err := s.PutTreeHead(ctx, heads[size]); err != nil {
			t.Fatalf("PutTreeHead(%d): %v", size, err)
		}
	}
	// A second head for a stored size is accepted and ignored.
	if err := s.PutTreeHead(ctx, head(2, "rewritten")); err != nil {
		t.Errorf("PutTreeHead(2 again) = %v, want nil (keeps the first)", err)
	}
	for _, size := range slices.Sorted(maps.Keys(heads)) {
		got, err := s.TreeHead(ctx, size)
		if err != nil {
			t.Fatalf("TreeHead(%d): %v", size, err)
		}
		checkHead(t, got, heads[size])
	}
	latest, err := s.LatestTreeHead(ctx)
	if err != nil {
		t.Fatalf("LatestTreeHead: %v", err)
	}
	checkHead(t, latest, heads[4])
	for _, size := range []uint64{0, 1, 5, 1 << 63} {
		if _, err := s.TreeHead(ctx, size); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("TreeHead(%d) = %v, want ErrNotFound", size, err)
		}
	}
	// A larger head after growth becomes the latest.
	appendLeaves(t, s, []byte("5"))
	if err := s.PutTreeHead(ctx, head(5, "five")); err != nil {
		t.Fatalf("PutTreeHead(5): %v", err)
	}
	if latest, err := s.LatestTreeHead(ctx); err != nil || latest.Size != 5 {
		t.Errorf("LatestTreeHead = size %d, %v; want 5", latest.Size, err)
	}
}

func testTreeHeadsInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.PutTreeHead(ctx, head(1, "empty log")); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("PutTreeHead(1) of an empty log = %v, want ErrInvalid", err)
	}
	appendLeaves(t, s, []byte("1"), []byte("2"))
	short := head(2, "short root")
	short.RootHash = short.RootHash[:31]
	for _, tc := range []struct {
		name string
		h    store.TreeHead
	}{
		{"size 0", head(0, "zero")},
		{"beyond the log", head(3, "three")},
		{"huge size", head(1<<63, "huge")},
		{"31-byte root", short},
		{"no root", store.TreeHead{Size: 1, Timestamp: baseTime()}},
	} {
		if err := s.PutTreeHead(ctx, tc.h); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutTreeHead(%s) = %v, want ErrInvalid", tc.name, err)
		}
	}
	if _, err := s.LatestTreeHead(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestTreeHead after rejected heads = %v, want ErrNotFound", err)
	}
}
