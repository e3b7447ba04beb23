package hamming

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"
)

// DefaultRadius256 is PDQ's match threshold: 31 of 256 bits.
const DefaultRadius256 = 31

// Hash256 is a 256-bit hash such as PDQ, in the byte order of its hex form.
type Hash256 [32]byte

// words returns h as four 64-bit words (the bit order is irrelevant to
// Hamming distance as long as it is the same for every hash).
func (h *Hash256) words() [4]uint64 {
	var w [4]uint64
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(h[8*i:])
	}
	return w
}

// unwords is the inverse of words.
func unwords(w *[4]uint64) Hash256 {
	var h Hash256
	for i := range w {
		binary.LittleEndian.PutUint64(h[8*i:], w[i])
	}
	return h
}

// dist256 is the Hamming distance of two hashes as words.
func dist256(a, b *[4]uint64) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// Hit256 is one stored 256-bit hash within the queried distance.
type Hit256 struct {
	ID       string
	Hash     Hash256
	Distance int
}

// Index256 holds (id, hash) pairs of 256-bit hashes for radius queries.
// Search may run concurrently with Add and with other Searches.
//
// It is a multi-index hash: the 256 bits are cut into m blocks and the
// first k bits of each block key a table of chains of entries. If two
// hashes differ in at most d bits, their keys (disjoint bit sets) differ in
// at most d bits in total, so for block radii s_i whose s_i+1 sum to more
// than d, some block's key differs in at most s_i bits: a query probes the
// keys within s_i bits of its own in every block and checks the full
// distance of the entries on those chains. m and k are chosen by a cost
// model for the radius bound and the number of entries, and the tables are
// rebuilt whenever the number of entries doubles (Searches wait for the
// rebuild: a few seconds at 10M entries; Reserve avoids it).
//
// Memory is flat: per entry 32 bytes of hash, 4 bytes of interned ID
// number and 4 bytes of chain link per block, plus at most headsPerEntry
// 4-byte chain heads per entry and block.
type Index256 struct {
	radius int
	// alwaysProbe disables the cost model's scans within the radius
	// bound; tests set it to exercise probing on small corpora.
	alwaysProbe bool

	mu       sync.RWMutex // guards the fields below
	idNums   map[string]uint32
	idNames  []string    // ID number -> ID
	ids      []uint32    // entry -> ID number
	hashes   [][4]uint64 // entry -> hash
	layout   layout256   // block structure for up to capacity entries
	capacity int         // entries at which the tables are rebuilt
	heads    [][]uint32  // per block: key -> first entry+1 (0: none)
	next     [][]uint32  // per block: entry -> next entry+1 (0: none)
}

// minCapacity is the size the tables are first built for.
const minCapacity = 1024

// NewIndex256 returns an empty index that answers queries of up to radius
// bits by multi-index hashing and larger ones, or any query when radius is
// negative, with a linear scan.
func NewIndex256(radius int) *Index256 {
	ix := &Index256{radius: radius, idNums: map[string]uint32{}}
	ix.rebuild(minCapacity)
	return ix
}

// Radius returns the radius bound fixed at construction.
func (ix *Index256) Radius() int { return ix.radius }

// Len returns the number of stored entries.
func (ix *Index256) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.ids)
}

// Add stores h under id. Adding the same (id, h) again does nothing; an
// id may hold several hashes.
func (ix *Index256) Add(id string, h Hash256) {
	w := h.words()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	num, known := ix.idNums[id]
	if known && ix.contains(num, &w) {
		return
	}
	if !known {
		num = uint32(len(ix.idNames))
		ix.idNums[id] = num
		ix.idNames = append(ix.idNames, id)
	}
	ix.ids = append(ix.ids, num)
	ix.hashes = append(ix.hashes, w)
	if len(ix.ids) > ix.capacity {
		ix.rebuild(2 * ix.capacity)
		return
	}
	ix.link(uint32(len(ix.ids) - 1))
}

// Reserve lays the tables out for at least n entries at once, so that
// loading a registry of known size (from the store) relinks no entry and
// Searches meanwhile are not blocked by rebuilds. It may be called at any
// time; n at or below the current layout's capacity does nothing.
func (ix *Index256) Reserve(n int) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if n <= ix.capacity {
		return
	}
	c := ix.capacity
	for c < n {
		c *= 2
	}
	ix.hashes = slices.Grow(ix.hashes, n-len(ix.hashes))
	ix.ids = slices.Grow(ix.ids, n-len(ix.ids))
	ix.rebuild(c)
}

// contains reports whether (ID number, hash) is stored. ix.mu must be held.
func (ix *Index256) contains(num uint32, w *[4]uint64) bool {
	if ix.radius < 0 {
		for e, x := range ix.hashes {
			if x == *w && ix.ids[e] == num {
				return true
			}
		}
		return false
	}
	b := &ix.layout.blocks[0]
	for e := ix.heads[0][b.key(w)]; e != 0; e = ix.next[0][e-1] {
		if ix.hashes[e-1] == *w && ix.ids[e-1] == num {
			return true
		}
	}
	return false
}

// link puts entry e at the head of its chain in every block. ix.mu must be
// held for writing.
func (ix *Index256) link(e uint32) {
	for i := range ix.layout.blocks {
		k := ix.layout.blocks[i].key(&ix.hashes[e])
		ix.next[i] = append(ix.next[i], ix.heads[i][k])
		ix.heads[i][k] = e + 1
	}
}

// rebuild lays the tables out for capacity entries and relinks every
// entry. ix.mu must be held for writing (or ix not yet shared).
func (ix *Index256) rebuild(capacity int) {
	ix.capacity = capacity
	if ix.radius < 0 {
		return
	}
	ix.relink(chooseLayout256(ix.radius, capacity))
}

// relink builds the tables of layout l and links every entry into them.
// ix.mu must be held for writing (or ix not yet shared).
func (ix *Index256) relink(l layout256) {
	ix.layout = l
	ix.heads = make([][]uint32, len(ix.layout.blocks))
	ix.next = make([][]uint32, len(ix.layout.blocks))
	for i, b := range ix.layout.blocks {
		ix.heads[i] = make([]uint32, 1<<b.keyBits)
		ix.next[i] = make([]uint32, 0, cap(ix.hashes)) // as hashes grows
	}
	for e := range ix.hashes {
		ix.link(uint32(e))
	}
}

// Search returns the stored entries within maxDist bits of h, sorted by
// distance, then ID, then hash. A negative maxDist finds nothing.
func (ix *Index256) Search(h Hash256, maxDist int) []Hit256 {
	if maxDist < 0 {
		return nil
	}
	w := h.words()
	ix.mu.RLock()
	var hits []Hit256
	if s := ix.probeRadii(maxDist); s == nil {
		hits = ix.scan(&w, maxDist)
	} else {
		hits = ix.probe(&w, maxDist, s)
	}
	ix.mu.RUnlock()
	slices.SortFunc(hits, func(a, b Hit256) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID), bytes.Compare(a.Hash[:], b.Hash[:]))
	})
	return hits
}

// probeRadii returns the block radii of a query of radius d, or nil when
// it should scan every entry: beyond the radius bound, or when probing
// would cost more than scanning. ix.mu must be held.
func (ix *Index256) probeRadii(d int) []int {
	if ix.radius < 0 || d > ix.radius {
		return nil
	}
	n := len(ix.ids)
	s := ix.layout.radii(d, n)
	if !ix.alwaysProbe && ix.layout.cost(s, n) > float64(n)*cost256Scan {
		return nil
	}
	return s
}

// scan checks every entry. ix.mu must be held.
func (ix *Index256) scan(w *[4]uint64, maxDist int) []Hit256 {
	var hits []Hit256
	for e := range ix.hashes {
		if d := dist256(w, &ix.hashes[e]); d <= maxDist {
			hits = append(hits, ix.hit(uint32(e), d))
		}
	}
	return hits
}

// hit builds the result for entry e at distance d. ix.mu must be held.
func (ix *Index256) hit(e uint32, d int) Hit256 {
	return Hit256{ID: ix.idNames[ix.ids[e]], Hash: unwords(&ix.hashes[e]), Distance: d}
}

// probe walks, in every block i with s[i] >= 0, the chains of the keys
// within s[i] bits of the query's. An entry is reported from the first
// block that finds it: later blocks skip entries whose key in an earlier
// block is within that block's radius. ix.mu must be held.
func (ix *Index256) probe(w *[4]uint64, maxDist int, s []int) []Hit256 {
	var hits []Hit256
	blocks := ix.layout.blocks
	for i := range blocks {
		if s[i] < 0 {
			continue
		}
		b := &blocks[i]
		heads, next := ix.heads[i], ix.next[i]
		neighbours32(b.key(w), b.keyBits, s[i], func(k uint32) {
			for e := heads[k]; e != 0; e = next[e-1] {
				x := &ix.hashes[e-1]
				d := dist256(w, x)
				if d > maxDist {
					continue
				}
				diff := [4]uint64{w[0] ^ x[0], w[1] ^ x[1], w[2] ^ x[2], w[3] ^ x[3]}
				if !foundEarlier256(blocks[:i], s, &diff) {
					hits = append(hits, ix.hit(e-1, d))
				}
			}
		})
	}
	return hits
}

// foundEarlier256 reports whether one of blocks (those before the current
// one) was probed within a radius reaching diff.
func foundEarlier256(blocks []block256, s []int, diff *[4]uint64) bool {
	for j := range blocks {
		if s[j] >= 0 && blocks[j].keyDist(diff) <= s[j] {
			return true
		}
	}
	return false
}
