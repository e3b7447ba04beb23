package textfp

// shingleBase is the multiplier of the polynomial over token hashes (odd, so
// multiplication is a bijection modulo 2^64). Changing it changes every
// fingerprint: bump Version.
const shingleBase = 0x9e3779b97f4a7c15

// Shingles appends to dst the hash of every run of k consecutive tokens: one
// per token position i in [0, len(toks)-k], in order. Fewer than k tokens
// give no shingles. The hash is a rolling polynomial over the token hashes,
// finished with a 64-bit mixer so that minima are evenly spread.
func Shingles(dst []uint64, toks []Token, k int) []uint64 {
	if k < 1 || len(toks) < k {
		return dst
	}
	var top uint64 = 1 // shingleBase^(k-1)
	for range k - 1 {
		top *= shingleBase
	}
	var h uint64
	for _, t := range toks[:k] {
		h = h*shingleBase + t.Hash
	}
	dst = append(dst, mix(h))
	for i := k; i < len(toks); i++ {
		h = (h-toks[i-k].Hash*top)*shingleBase + toks[i].Hash
		dst = append(dst, mix(h))
	}
	return dst
}

// mix is the MurmurHash3 64-bit finaliser.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// Print is one selected fingerprint: a shingle hash and the position of the
// shingle's first token.
type Print struct {
	Pos  int32
	Hash uint64
}

// Winnow appends to dst the fingerprints robust winnowing (Schleimer, Wilkerson
// and Aiken, 2003) selects from hashes with window w: in every window of w
// consecutive hashes the minimum is selected, keeping the previous selection
// on ties and otherwise taking the rightmost minimum. Each selection is
// recorded once, so positions are strictly increasing. Any run of w
// consecutive hashes contains a selected one, so two texts sharing w+k-1
// tokens share a selected shingle. Fewer than w hashes select their minimum.
func Winnow(dst []Print, hashes []uint64, w int) []Print {
	n := len(hashes)
	if n == 0 || w < 1 {
		return dst
	}
	if n < w {
		w = n
	}
	sel := -1
	for r := w - 1; r < n; r++ {
		l := r - w + 1
		switch {
		case sel < l:
			sel = rightmostMin(hashes, l, r)
		case hashes[r] < hashes[sel]:
			sel = r
		default:
			continue
		}
		dst = append(dst, Print{Pos: int32(sel), Hash: hashes[sel]})
	}
	return dst
}

// rightmostMin returns the index of the rightmost minimum of hashes[l..r].
func rightmostMin(hashes []uint64, l, r int) int {
	m := r
	for i := r - 1; i >= l; i-- {
		if hashes[i] < hashes[m] {
			m = i
		}
	}
	return m
}
