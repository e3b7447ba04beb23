package textmatch

import (
	"cmp"
	"slices"

	"github.com/attrib/attrib/matcher/textfp"
)

// bucketBits is the number of top hash bits that select a bucket while
// chunks are built and merged; a chunk's lookup directory may use more.
const bucketBits = 16

// chunkBits top hash bits select the chunk of a shard. Shards are merged
// one chunk at a time, so a merge holds at most 1/16 of its output twice.
const (
	chunkBits = 4
	numChunks = 1 << chunkBits
	chunkSpan = 1 << (bucketBits - chunkBits) // 16-bit buckets per chunk
)

// Directory sizes: a chunk's directory has one entry per about 2^dirSpread
// postings, using minDirBits to maxDirBits top hash bits.
const (
	minDirBits = bucketBits
	maxDirBits = 32
	dirSpread  = 3
)

// shard is an immutable sorted run of postings, split by the top bits of
// the hash into chunks. A chunk is nil once a merge moved it to a newer
// shard; the emptied shard leaves the index when the merge ends.
type shard struct {
	chunks [numChunks]*chunk
}

// chunk holds the postings of one hash range ordered by the 48-bit hash
// prefix, then work and position. Directory entry b (hash bits below the
// chunk bits, down to bit 64-bits) starts ents[dir[b]:dir[b+1]]. About
// 12.5 bytes a posting.
type chunk struct {
	bits   uint     // top hash bits resolved by the directory
	dir    []uint32 // chunks hold fewer than 2^32 postings
	ents   []sentry
	hashes int // distinct hashes
}

// sentry is one posting of a chunk.
type sentry struct {
	key  uint32 // bits 16..47 of the hash
	work int32
	pos  int32
}

func keyOf(h uint64) uint32 { return uint32(h >> 16) }

// hashOf rebuilds the 48-bit hash prefix of key in 16-bit bucket b.
func hashOf(b int, key uint32) uint64 { return uint64(b)<<48 | uint64(key)<<16 }

// len returns the postings of the shard's present chunks.
func (sg *shard) len() int {
	n := 0
	for _, c := range sg.chunks {
		if c != nil {
			n += len(c.ents)
		}
	}
	return n
}

// hashes returns the distinct hashes of the shard's present chunks.
func (sg *shard) hashes() int {
	n := 0
	for _, c := range sg.chunks {
		if c != nil {
			n += c.hashes
		}
	}
	return n
}

// span16 returns the postings of 16-bit bucket bk, which must be in the
// chunk's range.
func (c *chunk) span16(bk int) (int, int) {
	sh := c.bits - bucketBits
	lb := bk & (chunkSpan - 1)
	return int(c.dir[lb<<sh]), int(c.dir[(lb+1)<<sh])
}

// slot returns the directory entry of h.
func (c *chunk) slot(h uint64) uint64 {
	return h >> (64 - c.bits) & (1<<(c.bits-chunkBits) - 1)
}

// guess interpolates the position of h between lo and hi: hashes are
// uniform, so it lands within a few entries of the run.
func (c *chunk) guess(h uint64, lo, hi uint32) int {
	return int(lo) + int((h<<c.bits>>32)*uint64(hi-lo)>>32)
}

// find returns the range of ents holding hash h.
func (c *chunk) find(h uint64) (lo, hi int) {
	b, k := c.slot(h), keyOf(h)
	if c.dir[b] == c.dir[b+1] {
		return 0, 0
	}
	lo, hi = int(c.dir[b]), int(c.dir[b+1])
	i := c.guess(h, c.dir[b], c.dir[b+1])
	for i > lo && c.ents[i-1].key >= k {
		i--
	}
	for i < hi && c.ents[i].key < k {
		i++
	}
	j := i
	for j < hi && c.ents[j].key == k {
		j++
	}
	return i, j
}

// warm loads the directory entries and then the first guessed postings of
// the hashes of qs, one independent load per hash, so that the processor
// overlaps the cache misses that lookup would otherwise take one by one.
// It returns a value only to keep the loads.
func (sg *shard) warm(qs []textfp.Print) uint32 {
	var sink uint32
	for _, q := range qs {
		if c := sg.chunks[q.Hash>>(64-chunkBits)]; c != nil {
			sink += c.dir[c.slot(q.Hash)]
		}
	}
	for _, q := range qs {
		if c := sg.chunks[q.Hash>>(64-chunkBits)]; c != nil {
			b := c.slot(q.Hash)
			if lo, hi := c.dir[b], c.dir[b+1]; lo < hi {
				sink += c.ents[c.guess(q.Hash, lo, hi)].key
			}
		}
	}
	return sink
}

// lookup appends the postings of h to dst while len(dst) < max, adding the
// works holding h to works. It reports false when h is boilerplate: a
// tombstone, or more than maxWorks works in total.
func (sg *shard) lookup(dst []posting, h uint64, works, max, maxWorks int) ([]posting, int, bool) {
	c := sg.chunks[h>>(64-chunkBits)]
	if c == nil {
		return dst, works, true
	}
	lo, hi := c.find(h)
	last := int32(-2)
	for _, e := range c.ents[lo:hi] {
		if e.work != last {
			if e.work == tombstone {
				return dst, works, false
			}
			if works++; works > maxWorks {
				return dst, works, false
			}
			last = e.work
		}
		if len(dst) < max {
			dst = append(dst, posting{e.work, e.pos})
		}
	}
	return dst, works, true
}

// mergeShards merges every chunk of a and b (see mergeChunks).
func mergeShards(a, b *shard, maxWorks int) *shard {
	m := &shard{}
	for i := range m.chunks {
		m.chunks[i] = mergeChunks(a.chunks[i], b.chunks[i], i, maxWorks)
	}
	return m
}

// mergeChunks merges chunk number ci of two shards, whose works in a were
// all added before b's. Runs of hashes found on one side only are copied
// as they are (each side already replaced its boilerplate); hashes on both
// sides are combined and checked again.
func mergeChunks(a, b *chunk, ci, maxWorks int) *chunk {
	bd := newBuilder(len(a.ents)+len(b.ents), maxWorks, ci)
	shared := 0
	for bk := ci * chunkSpan; bk < (ci+1)*chunkSpan; bk++ {
		bd.dir16[bk&(chunkSpan-1)], bd.bucket = len(bd.c.ents), bk+1
		i, ie := a.span16(bk)
		j, je := b.span16(bk)
		for i < ie && j < je {
			ka, kb := a.ents[i].key, b.ents[j].key
			switch {
			case ka < kb:
				n := i + 1
				for n < ie && a.ents[n].key < kb {
					n++
				}
				bd.c.ents = append(bd.c.ents, a.ents[i:n]...)
				i = n
			case kb < ka:
				n := j + 1
				for n < je && b.ents[n].key < ka {
					n++
				}
				bd.c.ents = append(bd.c.ents, b.ents[j:n]...)
				j = n
			default:
				bd.start(hashOf(bk, ka))
				for ; i < ie && a.ents[i].key == ka; i++ {
					bd.add(a.ents[i])
				}
				for ; j < je && b.ents[j].key == ka; j++ {
					bd.add(b.ents[j])
				}
				bd.end()
				shared++
			}
		}
		bd.c.ents = append(bd.c.ents, a.ents[i:ie]...)
		bd.c.ents = append(bd.c.ents, b.ents[j:je]...)
	}
	c := bd.finish()
	c.hashes = a.hashes + b.hashes - shared
	return c
}

// buildShard sorts the tail of ix by hash, work and position (a counting
// sort on the bucket, then small sorts within buckets) and stores it,
// replacing the postings of hashes held by more than maxWorks works with a
// tombstone.
func buildShard(ix *index, maxWorks int) *shard {
	dir := make([]int, 1<<bucketBits+1)
	for _, sl := range ix.slots {
		if sl.head != 0 {
			ix.chain(sl, func(posting) { dir[sl.h>>48+1]++ })
		}
	}
	for b := 1; b < len(dir); b++ {
		dir[b] += dir[b-1]
	}
	sorted := make([]sentry, len(ix.tail))
	next := slices.Clone(dir[:1<<bucketBits])
	for _, sl := range ix.slots {
		if sl.head == 0 {
			continue
		}
		b, k := sl.h>>48, keyOf(sl.h)
		ix.chain(sl, func(p posting) {
			sorted[next[b]] = sentry{k, p.work, p.pos}
			next[b]++
		})
	}
	sg := &shard{}
	for ci := range sg.chunks {
		lo, hi := ci*chunkSpan, (ci+1)*chunkSpan
		bd := newBuilder(dir[hi]-dir[lo], maxWorks, ci)
		for b := lo; b < hi; b++ {
			run := sorted[dir[b]:dir[b+1]]
			slices.SortFunc(run, compareSentry)
			for i := 0; i < len(run); {
				k := run[i].key
				bd.start(hashOf(b, k))
				for ; i < len(run) && run[i].key == k; i++ {
					bd.add(run[i])
				}
				bd.end()
			}
		}
		sg.chunks[ci] = bd.finish()
	}
	return sg
}

func compareSentry(a, b sentry) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	if c := cmp.Compare(a.work, b.work); c != 0 {
		return c
	}
	return cmp.Compare(a.pos, b.pos)
}
