package merkle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
)

// Size is the length of every hash in the tree (SHA-256).
const Size = sha256.Size

// Hash is a SHA-256 value: a leaf hash, an interior node or a root.
type Hash [Size]byte

// String returns the lowercase hex form.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash reads a hash from 64 hex digits.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*Size {
		return h, fmt.Errorf("hash %q: want %d hex digits, got %d", s, 2*Size, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash %q: %w", s, err)
	}
	return h, nil
}

// Domain-separation prefixes of RFC 9162 §2.1.1: a leaf can never be
// mistaken for an interior node, which rules out second-preimage tricks.
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// LeafHash returns SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash returns SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*Size]byte
	buf[0] = nodePrefix
	copy(buf[1:], left[:])
	copy(buf[1+Size:], right[:])
	return sha256.Sum256(buf[:])
}

// EmptyRoot is the root of the empty tree, SHA-256 of no bytes.
func EmptyRoot() Hash { return sha256.Sum256(nil) }

// Errors of proof generation and verification. Verification failures wrap
// ErrVerify so callers can tell a bad proof from a bad request.
var (
	// ErrRange: an index or size outside the tree (a bad request).
	ErrRange = errors.New("index or size out of range")
	// ErrVerify: the proof does not prove what it claims.
	ErrVerify = errors.New("proof does not verify")
)

// split returns the largest power of two smaller than n (n >= 2), the size
// of the left subtree in RFC 9162's definition of the tree.
func split(n uint64) uint64 {
	return 1 << (bits.Len64(n-1) - 1)
}

// Root returns the Merkle tree hash of the leaves (RFC 9162 §2.1.1).
func Root(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return EmptyRoot()
	case 1:
		return leaves[0]
	}
	k := split(uint64(len(leaves)))
	return NodeHash(Root(leaves[:k]), Root(leaves[k:]))
}

// InclusionProof returns the audit path of leaf index in the tree of the
// given leaves (RFC 9162 §2.1.3.1), ordered from the leaf up.
func InclusionProof(leaves []Hash, index uint64) ([]Hash, error) {
	n := uint64(len(leaves))
	if index >= n {
		return nil, fmt.Errorf("%w: leaf %d of a tree of %d", ErrRange, index, n)
	}
	return path(index, leaves), nil
}

func path(m uint64, d []Hash) []Hash {
	if len(d) <= 1 {
		return nil
	}
	k := split(uint64(len(d)))
	if m < k {
		return append(path(m, d[:k]), Root(d[k:]))
	}
	return append(path(m-k, d[k:]), Root(d[:k]))
}

// ConsistencyProof returns the proof that the tree of the first oldSize
// leaves is a prefix of the tree of all leaves (RFC 9162 §2.1.4.1). It is
// empty when oldSize equals the tree size; oldSize 0 is out of range
// (every tree extends the empty one, there is nothing to prove).
func ConsistencyProof(leaves []Hash, oldSize uint64) ([]Hash, error) {
	n := uint64(len(leaves))
	if oldSize == 0 || oldSize > n {
		return nil, fmt.Errorf("%w: old size %d, new size %d", ErrRange, oldSize, n)
	}
	return subproof(oldSize, leaves, true), nil
}

func subproof(m uint64, d []Hash, complete bool) []Hash {
	n := uint64(len(d))
	if m == n {
		if complete {
			return nil
		}
		return []Hash{Root(d)}
	}
	k := split(n)
	if m <= k {
		return append(subproof(m, d[:k], complete), Root(d[k:]))
	}
	return append(subproof(m-k, d[k:], false), Root(d[:k]))
}
