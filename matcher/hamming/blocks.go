package hamming

// Costs of the block-count model, in rough nanoseconds on one core: a map
// lookup of a probed block value, and checking one candidate slot.
const (
	costLookup    = 30
	costCandidate = 2
	costScan      = 1 // per entry of a linear scan
	// modelSize is the number of entries the block count is tuned for.
	modelSize = 1 << 20
	maxBlocks = 16
)

// blockCount picks the number of blocks m that makes a query of radius r
// cheapest on modelSize uniformly spread hashes: more blocks mean fewer
// bits to flip per block (fewer probes) but narrower, fuller buckets (more
// candidates). For r = 12 it picks 5 blocks of 12-13 bits, each probed
// within 2 bits.
func blockCount(r int) int {
	best, bestCost := 1, -1.0
	for m := 1; m <= maxBlocks && m <= r+1; m++ {
		c := probeCost(split(m), r/m, modelSize)
		if bestCost < 0 || c < bestCost {
			best, bestCost = m, c
		}
	}
	return best
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
	return !ix.alwaysProbe && probeCost(ix.blocks, d/len(ix.blocks), len(ix.ids)) > float64(len(ix.ids)*costScan)
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
