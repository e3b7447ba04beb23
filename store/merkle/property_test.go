package merkle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
)

// maxPropertySize is the largest tree the property tests build; every size
// up to it, every leaf index and every old size is checked.
const maxPropertySize = 300

func testLeaves(n int) []Hash {
	hs := make([]Hash, n)
	for i := range hs {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		hs[i] = LeafHash(b[:])
	}
	return hs
}

// flip returns h with bit b (0..255) inverted.
func flip(h Hash, b int) Hash {
	h[b/8] ^= 1 << (b % 8)
	return h
}

// flipChecked reports whether the flip checks run for this case: always,
// except under the race detector, where every 4th case is enough (the
// proofs themselves are still checked for every size and index).
func flipChecked(i int) bool { return !raceEnabled || i%4 == 0 }

// bitFor picks the bit to flip for one element, varying with the
// position so that over all sizes every byte and bit of a hash is hit.
func bitFor(n, i, j int) int { return (n*31 + i*7 + j*13) % (8 * Size) }

// prefixRoots returns the root of every prefix of leaves, by the O(n)
// definition (Root), independent of Tree.
func prefixRoots(leaves []Hash) []Hash {
	roots := make([]Hash, len(leaves)+1)
	roots[0] = EmptyRoot()
	for n := 1; n <= len(leaves); n++ {
		roots[n] = Root(leaves[:n])
	}
	return roots
}

// TestTreeMatchesDefinitions checks Tree's cached computations against the
// recursive definitions of RFC 9162 for every size, index and old size.
func TestTreeMatchesDefinitions(t *testing.T) {
	const maxSize = 100
	leaves := testLeaves(maxSize)
	tree := NewTree()
	for n := 1; n <= maxSize; n++ {
		tree.Append(leaves[n-1])
		size := uint64(n)
		if got, _ := tree.RootAt(size); got != Root(leaves[:n]) {
			t.Fatalf("size %d: tree root %s, definition %s", n, got, Root(leaves[:n]))
		}
		for i := range n {
			got, err := tree.InclusionProof(uint64(i), size)
			want, _ := InclusionProof(leaves[:n], uint64(i))
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("size %d index %d: tree proof %v (%v), definition %v", n, i, got, err, want)
			}
		}
		for m := 1; m <= n; m++ {
			got, err := tree.ConsistencyProof(uint64(m), size)
			want, _ := ConsistencyProof(leaves[:n], uint64(m))
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%d -> %d: tree proof %v (%v), definition %v", m, n, got, err, want)
			}
		}
	}
	if _, err := tree.RootAt(maxSize + 1); !errors.Is(err, ErrRange) {
		t.Errorf("RootAt beyond size: %v", err)
	}
	if _, err := tree.InclusionProof(0, maxSize+1); !errors.Is(err, ErrRange) {
		t.Errorf("InclusionProof beyond size: %v", err)
	}
	if _, err := tree.ConsistencyProof(3, 2); !errors.Is(err, ErrRange) {
		t.Errorf("ConsistencyProof old > new: %v", err)
	}
}

func TestInclusionEverySize(t *testing.T) {
	leaves := testLeaves(maxPropertySize)
	roots := prefixRoots(leaves)
	tree := NewTree(leaves...)
	for n := 1; n <= maxPropertySize; n++ {
		size := uint64(n)
		for i := range n {
			index := uint64(i)
			proof, err := tree.InclusionProof(index, size)
			if err != nil {
				t.Fatalf("size %d index %d: %v", n, i, err)
			}
			if err := VerifyInclusion(index, size, leaves[i], proof, roots[n]); err != nil {
				t.Fatalf("size %d index %d: %v", n, i, err)
			}
			if !flipChecked(i) {
				continue
			}
			if VerifyInclusion(index, size, flip(leaves[i], bitFor(n, i, 0)), proof, roots[n]) == nil {
				t.Fatalf("size %d index %d: a flipped leaf verifies", n, i)
			}
			if VerifyInclusion(index, size, leaves[i], proof, flip(roots[n], bitFor(n, i, 1))) == nil {
				t.Fatalf("size %d index %d: a flipped root verifies", n, i)
			}
			for j := range proof {
				bad := append([]Hash(nil), proof...)
				bad[j] = flip(bad[j], bitFor(n, i, j))
				if VerifyInclusion(index, size, leaves[i], bad, roots[n]) == nil {
					t.Fatalf("size %d index %d: proof with hash %d flipped verifies", n, i, j)
				}
			}
		}
	}
}

func TestConsistencyEverySize(t *testing.T) {
	leaves := testLeaves(maxPropertySize)
	roots := prefixRoots(leaves)
	tree := NewTree(leaves...)
	for n := 1; n <= maxPropertySize; n++ {
		for m := 1; m <= n; m++ {
			oldSize, size := uint64(m), uint64(n)
			proof, err := tree.ConsistencyProof(oldSize, size)
			if err != nil {
				t.Fatalf("%d -> %d: %v", m, n, err)
			}
			if err := VerifyConsistency(oldSize, size, roots[m], roots[n], proof); err != nil {
				t.Fatalf("%d -> %d: %v", m, n, err)
			}
			if !flipChecked(m) {
				continue
			}
			if VerifyConsistency(oldSize, size, flip(roots[m], bitFor(n, m, 0)), roots[n], proof) == nil {
				t.Fatalf("%d -> %d: a flipped old root verifies", m, n)
			}
			if VerifyConsistency(oldSize, size, roots[m], flip(roots[n], bitFor(n, m, 1)), proof) == nil {
				t.Fatalf("%d -> %d: a flipped new root verifies", m, n)
			}
			for j := range proof {
				bad := append([]Hash(nil), proof...)
				bad[j] = flip(bad[j], bitFor(n, m, j))
				if VerifyConsistency(oldSize, size, roots[m], roots[n], bad) == nil {
					t.Fatalf("%d -> %d: proof with hash %d flipped verifies", m, n, j)
				}
			}
		}
	}
}

// TestEveryBitSmallTrees flips each of the 256 bits of every proof hash,
// leaf and root for all proofs of trees up to 17 leaves: no bit is ignored.
func TestEveryBitSmallTrees(t *testing.T) {
	maxSize := 17
	if raceEnabled {
		maxSize = 9
	}
	leaves := testLeaves(maxSize)
	roots := prefixRoots(leaves)
	for n := 1; n <= maxSize; n++ {
		for i := range n {
			proof, _ := InclusionProof(leaves[:n], uint64(i))
			for b := range 8 * Size {
				check := func(what string, leaf, root Hash, p []Hash) {
					if VerifyInclusion(uint64(i), uint64(n), leaf, p, root) == nil {
						t.Fatalf("size %d index %d: %s with bit %d flipped verifies", n, i, what, b)
					}
				}
				check("leaf", flip(leaves[i], b), roots[n], proof)
				check("root", leaves[i], flip(roots[n], b), proof)
				for j := range proof {
					bad := append([]Hash(nil), proof...)
					bad[j] = flip(bad[j], b)
					check("proof hash", leaves[i], roots[n], bad)
				}
			}
		}
		for m := 1; m < n; m++ {
			proof, _ := ConsistencyProof(leaves[:n], uint64(m))
			for b := range 8 * Size {
				for j := range proof {
					bad := append([]Hash(nil), proof...)
					bad[j] = flip(bad[j], b)
					if VerifyConsistency(uint64(m), uint64(n), roots[m], roots[n], bad) == nil {
						t.Fatalf("%d -> %d: proof hash %d with bit %d flipped verifies", m, n, j, b)
					}
				}
			}
		}
	}
}

func BenchmarkRoot1M(b *testing.B) {
	leaves := testLeaves(1 << 20)
	b.ResetTimer()
	for b.Loop() {
		Root(leaves)
	}
}

func BenchmarkTreeInclusionProof1M(b *testing.B) {
	tree := NewTree(testLeaves(1 << 20)...)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := tree.InclusionProof(uint64(i*7919%(1<<20)), 1<<20-3); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTreeAppend(b *testing.B) {
	leaves := testLeaves(1 << 16)
	tree := NewTree()
	for i := 0; b.Loop(); i++ {
		tree.Append(leaves[i%len(leaves)])
	}
}

func BenchmarkVerifyInclusion100k(b *testing.B) {
	leaves := testLeaves(100_000)
	root := Root(leaves)
	proof, _ := InclusionProof(leaves, 4242)
	b.ResetTimer()
	for b.Loop() {
		if err := VerifyInclusion(4242, uint64(len(leaves)), leaves[4242], proof, root); err != nil {
			b.Fatal(err)
		}
	}
}
