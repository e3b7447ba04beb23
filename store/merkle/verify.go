package merkle

import "fmt"

// RootFromInclusionProof computes the root that proof leads to from
// leafHash at index in a tree of size leaves (RFC 9162 §2.1.3.2). The
// result is only meaningful when compared with a trusted root.
func RootFromInclusionProof(index, size uint64, leafHash Hash, proof []Hash) (Hash, error) {
	if index >= size {
		return Hash{}, fmt.Errorf("%w: leaf %d of a tree of %d", ErrRange, index, size)
	}
	fn, sn := index, size-1
	r := leafHash
	for _, p := range proof {
		if sn == 0 {
			return Hash{}, fmt.Errorf("%w: inclusion proof has %d hashes, more than the tree's height needs", ErrVerify, len(proof))
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return Hash{}, fmt.Errorf("%w: inclusion proof has %d hashes, too few for leaf %d of a tree of %d", ErrVerify, len(proof), index, size)
	}
	return r, nil
}

// VerifyInclusion checks that leafHash is leaf index of the tree of size
// leaves with the given root.
func VerifyInclusion(index, size uint64, leafHash Hash, proof []Hash, root Hash) error {
	got, err := RootFromInclusionProof(index, size, leafHash, proof)
	if err != nil {
		return err
	}
	if got != root {
		return fmt.Errorf("%w: inclusion proof of leaf %d leads to root %s, not the tree head's %s", ErrVerify, index, got, root)
	}
	return nil
}

// VerifyConsistency checks that the tree of oldSize leaves with root
// oldRoot is a prefix of the tree of newSize leaves with root newRoot
// (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots.
func VerifyConsistency(oldSize, newSize uint64, oldRoot, newRoot Hash, proof []Hash) error {
	switch {
	case oldSize == 0 || oldSize > newSize:
		return fmt.Errorf("%w: old size %d, new size %d", ErrRange, oldSize, newSize)
	case oldSize == newSize:
		if len(proof) != 0 {
			return fmt.Errorf("%w: trees of equal size %d need an empty consistency proof, got %d hashes", ErrVerify, oldSize, len(proof))
		}
		if oldRoot != newRoot {
			return fmt.Errorf("%w: two trees of size %d with different roots %s and %s", ErrVerify, oldSize, oldRoot, newRoot)
		}
		return nil
	case len(proof) == 0:
		return fmt.Errorf("%w: empty consistency proof from size %d to %d", ErrVerify, oldSize, newSize)
	}
	if oldSize&(oldSize-1) == 0 {
		// The old tree is a complete subtree: its root starts the chain.
		proof = append([]Hash{oldRoot}, proof...)
	}
	fn, sn := oldSize-1, newSize-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := proof[0], proof[0]
	for _, c := range proof[1:] {
		if sn == 0 {
			return fmt.Errorf("%w: consistency proof from size %d to %d has too many hashes", ErrVerify, oldSize, newSize)
		}
		if fn&1 == 1 || fn == sn {
			fr = NodeHash(c, fr)
			sr = NodeHash(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = NodeHash(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	switch {
	case sn != 0:
		return fmt.Errorf("%w: consistency proof from size %d to %d has too few hashes", ErrVerify, oldSize, newSize)
	case fr != oldRoot:
		return fmt.Errorf("%w: consistency proof leads to old root %s, not %s", ErrVerify, fr, oldRoot)
	case sr != newRoot:
		return fmt.Errorf("%w: consistency proof leads to new root %s, not %s", ErrVerify, sr, newRoot)
	}
	return nil
}
