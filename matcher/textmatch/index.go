package textmatch

import (
	"math"

	"github.com/attrib/attrib/matcher/textfp"
)

// posting is one occurrence of a fingerprint: an interned work and the token
// position of the shingle in it. Work -1 marks a hash dropped as boilerplate.
type posting struct {
	work int32
	pos  int32
}

// tombstone is the work of the posting that replaces every posting of a hash
// indexed for more than MaxHashWorks works.
const tombstone = -1

// index is a positional inverted index from 48-bit hash prefixes to
// postings, built like a log-structured merge tree: new works go to a small
// mutable tail; a full tail is sorted into an immutable shard of flat
// arrays (no per-posting heap objects, 12 bytes a posting), and shards of
// similar size are merged (see Engine.compact) so that a lookup reads a few
// shards. Postings of one hash are in the order the works were added.
//
// The index is guarded by Engine.mu. Chunks are immutable; a shard's chunk
// pointers change only in Engine.merge, under the lock.
type index struct {
	maxWorks int // hashes in more works are boilerplate
	tailMax  int // postings that make the tail full
	maxShard int // shards are not merged past this many postings

	slots    []tailSlot // open addressing, len a power of two >= 2*tailMax
	used     int        // slots in use
	tail     []tailEntry
	segs     []*shard // oldest first
	postings int      // stored, tombstones included
}

// tailSlot maps a hash to the newest tail entry holding it.
type tailSlot struct {
	h    uint64
	head int32 // 1 + index into tail; 0: empty slot
}

// tailEntry is a tail posting and the previous entry of its hash's chain.
type tailEntry struct {
	posting
	next int32 // 1 + index of the previous entry of the hash; 0 ends the chain
}

// defaultTailPostings is the tail size at which it becomes a shard: small
// enough to sort in milliseconds, large enough that shards are few.
const defaultTailPostings = 1 << 18

// defaultMaxShard caps merged shards at 2^31-1 postings (24 GiB), so
// that a chunk's offsets fit in 32 bits.
const defaultMaxShard = math.MaxInt32

func newIndex(maxWorks int) *index {
	return &index{maxWorks: maxWorks, tailMax: defaultTailPostings, maxShard: defaultMaxShard}
}

// prefix is the part of a hash the index keeps: its top 48 bits.
func prefix(h uint64) uint64 { return h &^ 0xffff }

// slot returns the slot of h: its own or the empty one where it belongs.
func (ix *index) slot(h uint64) *tailSlot {
	mask := uint64(len(ix.slots) - 1)
	for i := (h >> 20) & mask; ; i = (i + 1) & mask {
		if sl := &ix.slots[i]; sl.head == 0 || sl.h == h {
			return sl
		}
	}
}

// add indexes the fingerprints of work in the tail and reports whether the
// tail is full (call flush).
func (ix *index) add(work int32, prints []textfp.Print) bool {
	if need := 2 * max(ix.tailMax, len(ix.tail)+len(prints)); len(ix.slots) < need {
		ix.grow(need)
	}
	for _, p := range prints {
		h := prefix(p.Hash)
		sl := ix.slot(h)
		if sl.head == 0 {
			sl.h = h
			ix.used++
		}
		ix.tail = append(ix.tail, tailEntry{posting{work, p.Pos}, sl.head})
		sl.head = int32(len(ix.tail))
	}
	ix.postings += len(prints)
	return len(ix.tail) >= ix.tailMax
}

// grow rehashes the tail slots into a table of at least n slots.
func (ix *index) grow(n int) {
	old := ix.slots
	size := 1024
	for size < n {
		size *= 2
	}
	ix.slots = make([]tailSlot, size)
	for _, sl := range old {
		if sl.head != 0 {
			*ix.slot(sl.h) = sl
		}
	}
}

// chain calls fn with the tail postings of the slot, newest first.
func (ix *index) chain(sl tailSlot, fn func(p posting)) {
	for i := sl.head; i != 0; i = ix.tail[i-1].next {
		fn(ix.tail[i-1].posting)
	}
}

// flush turns the tail into a new shard.
func (ix *index) flush() {
	if len(ix.tail) == 0 {
		return
	}
	sg := buildShard(ix, ix.maxWorks)
	ix.postings += sg.len() - len(ix.tail)
	ix.segs = append(ix.segs, sg)
	ix.tail = ix.tail[:0]
	clear(ix.slots)
	ix.used = 0
}

// replace returns a new shard list where the run of shards from first to
// last (last nil: first alone) is replaced with with.
func (ix *index) replace(first, last *shard, with ...*shard) []*shard {
	out := make([]*shard, 0, len(ix.segs)+len(with))
	for i := 0; i < len(ix.segs); i++ {
		if ix.segs[i] != first {
			out = append(out, ix.segs[i])
			continue
		}
		out = append(out, with...)
		if last != nil {
			for ix.segs[i] != last {
				i++
			}
		}
	}
	return out
}

// warm prefetches the shard entries of a batch of lookups (see shard.warm).
func (ix *index) warm(qs []textfp.Print) uint32 {
	var sink uint32
	for _, sg := range ix.segs {
		sink += sg.warm(qs)
	}
	if ix.used > 0 {
		mask := uint64(len(ix.slots) - 1)
		for _, q := range qs {
			sink += uint32(ix.slots[(prefix(q.Hash)>>20)&mask].head)
		}
	}
	return sink
}

// lookup appends to dst at most limit postings of h, or none when h occurs in
// more than maxWorks works (summed over shards and tail).
func (ix *index) lookup(dst []posting, h uint64, limit int) []posting {
	h = prefix(h)
	n0, works := len(dst), 0
	for _, sg := range ix.segs {
		var ok bool
		if dst, works, ok = sg.lookup(dst, h, works, n0+limit, ix.maxWorks); !ok {
			return dst[:n0]
		}
	}
	last := int32(-2)
	start := len(dst)
	if ix.used == 0 {
		return dst
	}
	for i := ix.slot(h).head; i != 0; i = ix.tail[i-1].next {
		p := ix.tail[i-1].posting
		if p.work != last {
			if works++; works > ix.maxWorks {
				return dst[:n0]
			}
			last = p.work
		}
		dst = append(dst, p)
	}
	// Chains run newest first: keep the oldest postings, like the shards.
	keep := max(0, min(len(dst)-start, n0+limit-start))
	tail := dst[len(dst)-keep:]
	reverse(tail)
	return append(dst[:start], tail...)
}

func reverse(ps []posting) {
	for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
		ps[i], ps[j] = ps[j], ps[i]
	}
}

// hashes returns the number of distinct hashes, counting a hash once per
// shard holding it (an upper bound).
func (ix *index) hashes() int {
	n := ix.used
	for _, sg := range ix.segs {
		n += sg.hashes()
	}
	return n
}

// forEachHash calls fn with every hash prefix and the number of works
// holding it (maxWorks+1 for boilerplate). It merges a copy of the whole
// index first: for experiments, not for serving.
func (ix *index) forEachHash(fn func(h uint64, works int)) {
	all := buildShard(ix, ix.maxWorks)
	for i := len(ix.segs) - 1; i >= 0; i-- {
		all = mergeShards(ix.segs[i], all, ix.maxWorks)
	}
	for ci, c := range all.chunks {
		c.forEachHash(ci, fn, ix.maxWorks)
	}
}
