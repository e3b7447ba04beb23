package merkle

import (
	"fmt"
	"math/bits"
)

// Tree is an append-only Merkle tree that keeps the root of every complete
// (power-of-two, aligned) subtree, so that the root of any prefix and every
// proof against it costs O(log n) hashes instead of the O(n) of the
// definitions in merkle.go. It costs two hashes of memory per leaf. A Tree
// is not safe for concurrent use.
type Tree struct {
	// levels[k][i] is the root of the complete subtree of leaves
	// [i·2^k, (i+1)·2^k); levels[0] are the leaf hashes.
	levels [][]Hash
}

// NewTree returns a tree of the given leaf hashes.
func NewTree(leaves ...Hash) *Tree {
	t := &Tree{}
	t.Append(leaves...)
	return t
}

// Append adds leaf hashes at the end.
func (t *Tree) Append(leaves ...Hash) {
	for _, h := range leaves {
		t.push(0, h)
	}
}

// push adds h at level k and completes the parents it finishes.
func (t *Tree) push(k int, h Hash) {
	if k == len(t.levels) {
		t.levels = append(t.levels, nil)
	}
	t.levels[k] = append(t.levels[k], h)
	if n := len(t.levels[k]); n%2 == 0 {
		t.push(k+1, NodeHash(t.levels[k][n-2], t.levels[k][n-1]))
	}
}

// Size returns the number of leaves.
func (t *Tree) Size() uint64 {
	if len(t.levels) == 0 {
		return 0
	}
	return uint64(len(t.levels[0]))
}

// Leaf returns leaf hash i (i < Size).
func (t *Tree) Leaf(i uint64) Hash { return t.levels[0][i] }

// RootAt returns the root of the tree of the first size leaves.
func (t *Tree) RootAt(size uint64) (Hash, error) {
	if size > t.Size() {
		return Hash{}, fmt.Errorf("%w: root of size %d, tree has %d leaves", ErrRange, size, t.Size())
	}
	if size == 0 {
		return EmptyRoot(), nil
	}
	return t.rangeRoot(0, size), nil
}

// rangeRoot returns the root of leaves [start, end), where start is a
// multiple of the largest power of two not above end-start, as every
// subtree in RFC 9162's recursive definitions is.
func (t *Tree) rangeRoot(start, end uint64) Hash {
	n := end - start
	if n&(n-1) == 0 {
		k := bits.TrailingZeros64(n)
		return t.levels[k][start>>k]
	}
	k := split(n)
	return NodeHash(t.rangeRoot(start, start+k), t.rangeRoot(start+k, end))
}

// InclusionProof returns the audit path of leaf index in the tree of the
// first size leaves.
func (t *Tree) InclusionProof(index, size uint64) ([]Hash, error) {
	if size > t.Size() || index >= size {
		return nil, fmt.Errorf("%w: leaf %d of size %d, tree has %d leaves", ErrRange, index, size, t.Size())
	}
	var proof []Hash
	start, end := uint64(0), size
	// Walk down from the root, collecting the sibling of each subtree that
	// holds the leaf; the path is ordered from the leaf up.
	for end-start > 1 {
		k := split(end - start)
		if index < start+k {
			proof = append(proof, t.rangeRoot(start+k, end))
			end = start + k
		} else {
			proof = append(proof, t.rangeRoot(start, start+k))
			start += k
		}
	}
	reverse(proof)
	return proof, nil
}

// ConsistencyProof returns the proof that the tree of the first oldSize
// leaves is a prefix of the tree of the first size leaves.
func (t *Tree) ConsistencyProof(oldSize, size uint64) ([]Hash, error) {
	if size > t.Size() || oldSize == 0 || oldSize > size {
		return nil, fmt.Errorf("%w: old size %d, new size %d, tree has %d leaves", ErrRange, oldSize, size, t.Size())
	}
	var proof []Hash
	start, end, m, complete := uint64(0), size, oldSize, true
	for m != end-start {
		k := split(end - start)
		if m <= k {
			proof = append(proof, t.rangeRoot(start+k, end))
			end = start + k
		} else {
			proof = append(proof, t.rangeRoot(start, start+k))
			start, m, complete = start+k, m-k, false
		}
	}
	if !complete {
		proof = append(proof, t.rangeRoot(start, end))
	}
	reverse(proof)
	return proof, nil
}

func reverse(hs []Hash) {
	for i, j := 0, len(hs)-1; i < j; i, j = i+1, j-1 {
		hs[i], hs[j] = hs[j], hs[i]
	}
}
