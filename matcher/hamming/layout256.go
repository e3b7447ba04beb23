package hamming

import (
	"math"
	"math/bits"
)

// Relative costs of the 256-bit index's query steps, in units of one
// random memory access. Probing one key reads a chain head (one miss);
// each candidate costs a chain step and a hash read (two misses); a scan
// reads 32 bytes sequentially per entry. They decide the layout and when a
// scan is cheaper than probing.
const (
	cost256Lookup    = 1.0
	cost256Candidate = 2.0
	cost256Scan      = 0.05
	// maxKeyBits bounds a block key: 2^32 chain heads would be 16 GB.
	maxKeyBits = 32
	// maxBlocks256 bounds the number of blocks (8-bit blocks).
	maxBlocks256 = 32
	// headsPerEntry bounds the chain-head table of one block at this many
	// heads per expected entry, so memory stays linear in the entries.
	headsPerEntry = 1
)

// block256 is one run of the 256 bits, of which only the first keyBits
// serve as the table key: a match whose key differs in at most s bits is
// found by probing the keys within s bits of the query's.
type block256 struct {
	start, keyBits uint
	mask           [4]uint64 // the key's bits in place
}

// layout256 is the block structure of the index for an expected size.
type layout256 struct {
	blocks []block256
}

// key extracts block b's key from h.
func (b *block256) key(h *[4]uint64) uint32 {
	w, off := b.start/64, b.start%64
	v := h[w] >> off
	if off+b.keyBits > 64 && w < 3 {
		v |= h[w+1] << (64 - off)
	}
	return uint32(v & (uint64(1)<<b.keyBits - 1))
}

// keyDist is the number of differing key bits of block b in diff.
func (b *block256) keyDist(diff *[4]uint64) int {
	return bits.OnesCount64(diff[0]&b.mask[0]) + bits.OnesCount64(diff[1]&b.mask[1]) +
		bits.OnesCount64(diff[2]&b.mask[2]) + bits.OnesCount64(diff[3]&b.mask[3])
}

// newLayout256 splits 256 bits into m blocks whose widths differ by at most
// one bit, each keyed by its first min(width, k) bits.
func newLayout256(m int, k uint) layout256 {
	l := layout256{blocks: make([]block256, m)}
	var start uint
	for i := range l.blocks {
		w := uint(256 / m)
		if i < 256%m {
			w++
		}
		b := block256{start: start, keyBits: min(w, k, maxKeyBits)}
		for bit := b.start; bit < b.start+b.keyBits; bit++ {
			b.mask[bit/64] |= 1 << (bit % 64)
		}
		l.blocks[i] = b
		start += w
	}
	return l
}

// chooseLayout256 returns the layout with the lowest estimated cost of a
// query at radius r over n entries, among 1 to maxBlocks256 blocks and key
// widths whose head tables stay within headsPerEntry heads per entry.
func chooseLayout256(r, n int) layout256 {
	kmax := uint(bits.Len(uint(max(n, 1)*headsPerEntry))) - 1
	kmax = max(min(kmax, maxKeyBits), 1)
	best, bestCost := newLayout256(1, kmax), math.Inf(1)
	for m := 1; m <= maxBlocks256; m++ {
		for k := uint(1); k <= kmax; k++ {
			l := newLayout256(m, k)
			if l.blocks[0].keyBits < k { // wider keys than the blocks: seen
				break
			}
			if c := l.cost(l.radii(max(r, 0), n), n); c < bestCost {
				best, bestCost = l, c
			}
		}
	}
	return best
}

// blockCost is the estimated cost of probing block b within s bits over n
// entries.
func (b *block256) blockCost(s, n int) float64 {
	if s < 0 {
		return 0
	}
	p := ballSize(b.keyBits, s)
	return p * (cost256Lookup + float64(n)/math.Exp2(float64(b.keyBits))*cost256Candidate)
}

// radii assigns each block a probe radius (-1: not probed) so that a hash
// within d bits of the query is found in at least one block: by the
// pigeonhole principle it suffices that the radii plus one sum to more
// than d. Increments go greedily to the block where they cost least; the
// marginal cost grows with the radius, so the greedy choice is optimal.
func (l *layout256) radii(d, n int) []int {
	s := make([]int, len(l.blocks))
	for i := range s {
		s[i] = -1
	}
	for range d + 1 {
		bi, bc := -1, math.Inf(1)
		for i := range l.blocks {
			b := &l.blocks[i]
			if s[i] >= int(b.keyBits) {
				continue
			}
			if c := b.blockCost(s[i]+1, n) - b.blockCost(s[i], n); c < bc {
				bi, bc = i, c
			}
		}
		if bi < 0 { // every key fully enumerated: all entries are found
			break
		}
		s[bi]++
	}
	return s
}

// cost is the estimated cost of a query with probe radii s over n entries.
func (l *layout256) cost(s []int, n int) float64 {
	var c float64
	for i := range l.blocks {
		c += l.blocks[i].blockCost(s[i], n)
	}
	return c
}

// neighbours32 calls visit with every k-bit value within r bits of v.
func neighbours32(v uint32, k uint, r int, visit func(uint32)) {
	var flip func(v uint32, from uint, left int)
	flip = func(v uint32, from uint, left int) {
		visit(v)
		if left == 0 {
			return
		}
		for bit := from; bit < k; bit++ {
			flip(v^1<<bit, bit+1, left-1)
		}
	}
	flip(v, 0, r)
}
