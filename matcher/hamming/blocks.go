package hamming

// Rough costs in nanoseconds, from BenchmarkSearch100k and a 1M-entry
// variant on this project's 2-core test machine: probing one block value
// (30 ns at 100k entries, a few hundred at 1M: cache misses), checking
// one candidate slot, and checking one entry of a linear scan. They only
// decide when a scan is cheaper than probing.
const (
	costLookup    = 100
	costCandidate = 1
	costScan      = 0.5
	maxBlocks     = 16
)

// blockCount picks the number of blocks m for radius bound r. More blocks
// mean fewer bits to flip per block (fewer probes, each a cache miss) but
// narrower, fuller buckets (more candidates). Up to r = 3, m = r+1 blocks
// of 16 bits or more are looked up exactly. Beyond, m = r/2+1 blocks are
// each probed within 1 bit: for r = 12, 7 blocks of 9-10 bits. Measured
// on 100k and 1M random hashes at radius 12 that beat 4, 5, 6, 9 and 13
// blocks (12.7 us and 211 us per query; linear scan 49 us and 529 us).
func blockCount(r int) int {
	if r <= 3 {
		return r + 1
	}
	return min(r/2+1, maxBlocks)
}

// probeCost estimates a multi-index query with per-block radius sub over
// n entries.
func probeCost(blocks []block, sub, n int) float64 {
	var cost float64
	for _, b := range blocks {
		p := ballSize(b.width, sub)
		cost += p*costLookup + p*float64(n)/float64(uint64(1)<<min(b.width, 63))*costCandidate
	}
	return cost
}

// useScan reports whether a query of radius d should scan every entry:
// when it exceeds the radius bound, or when probing would cost more than
// scanning the current entries. ix.mu must be held.
func (ix *Index) useScan(d int) bool {
	if len(ix.blocks) == 0 || d > ix.radius {
		return true
	}
	return !ix.alwaysProbe && probeCost(ix.blocks, d/len(ix.blocks), len(ix.ids)) > float64(len(ix.ids))*costScan
}

// split divides 64 bits into m contiguous blocks whose widths differ by at
// most one bit.
func split(m int) []block {
	blocks := make([]block, m)
	var shift uint
	for i := range blocks {
		w := uint(64 / m)
		if i < 64%m {
			w++
		}
		mask := ^uint64(0)
		if w < 64 {
			mask = (uint64(1)<<w - 1) << shift
		}
		blocks[i] = block{shift: shift, width: w, mask: mask}
		shift += w
	}
	return blocks
}

// ballSize is the number of w-bit values within r bits of a given one.
func ballSize(w uint, r int) float64 {
	total, c := 0.0, 1.0 // c = C(w, i)
	for i := 0; i <= r && i <= int(w); i++ {
		total += c
		c = c * float64(int(w)-i) / float64(i+1)
	}
	return total
}

// neighbours calls visit with every value that differs from v (a value of
// this block, in place) in at most r of the block's bits.
func (b block) neighbours(v uint64, r int, visit func(uint64)) {
	var flip func(v uint64, from uint, left int)
	flip = func(v uint64, from uint, left int) {
		visit(v)
		if left == 0 {
			return
		}
		for bit := from; bit < b.shift+b.width; bit++ {
			flip(v^uint64(1)<<bit, bit+1, left-1)
		}
	}
	flip(v, b.shift, r)
}
