package textmatch

import (
	"math/bits"
	"slices"
)

// builder appends the runs of hashes of one chunk, in increasing hash
// order, to a new chunk.
type builder struct {
	c        *chunk
	ci       int   // chunk number
	dir16    []int // start of each 16-bit bucket of the chunk
	maxWorks int
	bucket   int    // next 16-bit bucket whose start is not yet set
	run      int    // start of the current run in c.ents
	works    int    // distinct works in the current run
	last     int32  // last work of the current run
	dead     bool   // the current run holds a tombstone
	key      uint32 // key of the current run
}

func newBuilder(n, maxWorks, ci int) *builder {
	return &builder{
		c: &chunk{ents: make([]sentry, 0, n)}, ci: ci,
		dir16: make([]int, chunkSpan+1), maxWorks: maxWorks, bucket: ci * chunkSpan,
	}
}

// start begins the run of hash h.
func (bd *builder) start(h uint64) {
	for b := int(h >> 48); bd.bucket <= b; bd.bucket++ {
		bd.dir16[bd.bucket&(chunkSpan-1)] = len(bd.c.ents)
	}
	bd.run, bd.works, bd.last, bd.dead, bd.key = len(bd.c.ents), 0, -2, false, keyOf(h)
}

func (bd *builder) add(e sentry) {
	if e.work != bd.last {
		bd.works, bd.last = bd.works+1, e.work
		bd.dead = bd.dead || e.work == tombstone
	}
	if !bd.dead {
		bd.c.ents = append(bd.c.ents, e)
	}
}

// end closes the current run, replacing it with a tombstone when it is
// boilerplate.
func (bd *builder) end() {
	if bd.dead || bd.works > bd.maxWorks {
		bd.c.ents = append(bd.c.ents[:bd.run], sentry{key: bd.key, work: tombstone})
	}
	bd.c.hashes++
}

// finish trims the postings and builds the lookup directory.
func (bd *builder) finish() *chunk {
	c := bd.c
	for end := (bd.ci + 1) * chunkSpan; bd.bucket < end; bd.bucket++ {
		bd.dir16[bd.bucket&(chunkSpan-1)] = len(c.ents)
	}
	bd.dir16[chunkSpan] = len(c.ents)
	if cap(c.ents) > len(c.ents)+len(c.ents)/8 {
		c.ents = slices.Clip(slices.Clone(c.ents))
	}
	c.bits = uint(min(max(bits.Len(uint(len(c.ents)))-dirSpread+chunkBits, minDirBits), maxDirBits))
	c.dir = make([]uint32, 1<<(c.bits-chunkBits)+1)
	sh := c.bits - bucketBits
	next := 0 // next directory entry to set
	for lb := range chunkSpan {
		for i := bd.dir16[lb]; i < bd.dir16[lb+1]; i++ {
			for b := lb<<sh | int(uint64(c.ents[i].key)>>(32-sh)); next <= b; next++ {
				c.dir[next] = uint32(i)
			}
		}
	}
	for ; next < len(c.dir); next++ {
		c.dir[next] = uint32(len(c.ents))
	}
	return c
}

// forEachHash calls fn with every hash of the chunk and the number of works
// holding it (maxWorks+1 for a tombstone).
func (c *chunk) forEachHash(ci int, fn func(h uint64, works int), maxWorks int) {
	for b := ci * chunkSpan; b < (ci+1)*chunkSpan; b++ {
		lo, hi := c.span16(b)
		for i := lo; i < hi; {
			k, works, last := c.ents[i].key, 0, int32(-2)
			for ; i < hi && c.ents[i].key == k; i++ {
				if w := c.ents[i].work; w != last {
					works, last = works+1, w
				}
				if c.ents[i].work == tombstone {
					works = maxWorks + 1
				}
			}
			fn(hashOf(b, k), works)
		}
	}
}
