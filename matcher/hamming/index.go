package hamming

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
)

// DefaultRadius is the radius bound of New: imagefp.DefaultMaxDistance
// (12 of 64 bits), the distance the matcher queries by default.
const DefaultRadius = 12

// Hit is one stored hash within the queried distance.
type Hit struct {
	ID       string
	Hash     uint64
	Distance int
}

// Index holds (id, hash) pairs for radius queries. Search may run
// concurrently with Add and with other Searches.
//
// The 64 bits are split into m contiguous blocks, each with a table from
// block value to entries. If two hashes differ in at most d bits, then by
// the pigeonhole principle some block differs in at most d/m bits, so a
// query probes, in every block, the values within d/m bits of its own and
// checks the full distance of what it finds. m is chosen at construction
// for the radius bound.
type Index struct {
	radius int
	blocks []block // fixed at construction
	// alwaysProbe disables the cost model's scans within the radius
	// bound; tests set it to exercise probing on small corpora.
	alwaysProbe bool

	mu     sync.RWMutex // guards the fields below
	ids    []string     // entry number -> id
	hashes []uint64     // entry number -> hash
	tables []table      // per block: block value -> entries
}

// table maps the value of one block to the slots holding it: a slice
// indexed by the value for blocks of up to denseBits bits, a map above.
type table struct {
	b      block
	dense  [][]slot
	sparse map[uint64][]slot
}

// denseBits is the widest block with a slice table: 4096 buckets, 96 KB
// of slice headers even when empty.
const denseBits = 12

// newTable returns an empty table for block b.
func newTable(b block) table {
	if b.width <= denseBits {
		return table{b: b, dense: make([][]slot, 1<<b.width)}
	}
	return table{b: b, sparse: make(map[uint64][]slot)}
}

// get returns the slots whose block value equals that of h.
func (t *table) get(h uint64) []slot {
	k := (h & t.b.mask) >> t.b.shift
	if t.dense != nil {
		return t.dense[k]
	}
	return t.sparse[k]
}

// add files s under its block value.
func (t *table) add(s slot) {
	k := (s.hash & t.b.mask) >> t.b.shift
	if t.dense != nil {
		t.dense[k] = append(t.dense[k], s)
	} else {
		t.sparse[k] = append(t.sparse[k], s)
	}
}

// block is one contiguous run of bits of the hash.
type block struct {
	shift, width uint
	mask         uint64 // mask of the block in place (not shifted down)
}

// slot is an entry in a block table; it repeats the hash so that
// candidates are checked without another memory access.
type slot struct {
	hash  uint64
	entry uint32
}

// New returns an empty index with radius bound DefaultRadius.
func New() *Index { return NewWithRadius(DefaultRadius) }

// NewWithRadius returns an empty index that answers queries of up to r
// bits with multi-index hashing and larger ones with a linear scan. A
// negative r makes every query a scan.
func NewWithRadius(r int) *Index {
	ix := &Index{radius: r}
	if r < 0 {
		return ix
	}
	ix.blocks = split(blockCount(r))
	ix.tables = make([]table, len(ix.blocks))
	for i, b := range ix.blocks {
		ix.tables[i] = newTable(b)
	}
	return ix
}

// Radius returns the radius bound fixed at construction.
func (ix *Index) Radius() int { return ix.radius }

// Len returns the number of stored entries.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.ids)
}

// Add stores h under id. Adding the same (id, h) again does nothing; an
// id may hold several hashes.
func (ix *Index) Add(id string, h uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.contains(id, h) {
		return
	}
	n := uint32(len(ix.ids))
	ix.ids = append(ix.ids, id)
	ix.hashes = append(ix.hashes, h)
	for i := range ix.tables {
		ix.tables[i].add(slot{hash: h, entry: n})
	}
}

// contains reports whether (id, h) is stored. ix.mu must be held.
func (ix *Index) contains(id string, h uint64) bool {
	if len(ix.blocks) == 0 {
		for n, x := range ix.hashes {
			if x == h && ix.ids[n] == id {
				return true
			}
		}
		return false
	}
	for _, s := range ix.tables[0].get(h) {
		if s.hash == h && ix.ids[s.entry] == id {
			return true
		}
	}
	return false
}

// Search returns the stored entries within maxDist bits of h, sorted by
// distance, then ID, then hash. A negative maxDist finds nothing.
func (ix *Index) Search(h uint64, maxDist int) []Hit {
	if maxDist < 0 {
		return nil
	}
	ix.mu.RLock()
	var hits []Hit
	if ix.useScan(maxDist) {
		hits = ix.scan(h, maxDist)
	} else {
		hits = ix.probe(h, maxDist)
	}
	ix.mu.RUnlock()
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Hash, b.Hash))
	})
	return hits
}

// scan checks every entry. ix.mu must be held.
func (ix *Index) scan(h uint64, maxDist int) []Hit {
	var hits []Hit
	for n, x := range ix.hashes {
		if d := bits.OnesCount64(h ^ x); d <= maxDist {
			hits = append(hits, Hit{ID: ix.ids[n], Hash: x, Distance: d})
		}
	}
	return hits
}

// probe looks up, in every block, the values within maxDist/m bits of the
// query's. An entry is reported from the first block that finds it: later
// blocks skip entries an earlier block was close enough to find. ix.mu must
// be held.
func (ix *Index) probe(h uint64, maxDist int) []Hit {
	sub := maxDist / len(ix.blocks)
	var hits []Hit
	for i, b := range ix.blocks {
		t := &ix.tables[i]
		b.neighbours(h&b.mask, sub, func(k uint64) {
			for _, s := range t.get(k) {
				d := bits.OnesCount64(h ^ s.hash)
				if d <= maxDist && !ix.foundEarlier(h^s.hash, i, sub) {
					hits = append(hits, Hit{ID: ix.ids[s.entry], Hash: s.hash, Distance: d})
				}
			}
		})
	}
	return hits
}

// foundEarlier reports whether a block before block i differs in at most
// sub bits, given the XOR of query and entry.
func (ix *Index) foundEarlier(diff uint64, i, sub int) bool {
	for _, b := range ix.blocks[:i] {
		if bits.OnesCount64(diff&b.mask) <= sub {
			return true
		}
	}
	return false
}
