package redisfrontier

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// group is the consumer group every partition stream has.
const group = "w"

// scanKeys names the keys of one scan (see doc.go for the layout).
type scanKeys struct {
	meta   string // hash: the scan's parameters
	budget string // string: pages of MaxPages taken
	parts  []partKeys
}

// partKeys names the keys of one partition; they share one hash tag.
type partKeys struct {
	q, c, delay, dead string
	seen              string // bucket keys are seen + bucket number
}

// scanTag is the hash tag of a scan's own keys, and of its only
// partition when it has one.
func scanTag(ns, scan string) string { return "{" + ns + "|" + scan + "}" }

// newScanKeys returns the names of a scan's keys for p partitions.
func newScanKeys(ns, scan string, p int) scanKeys {
	base := ns + ":f:" + scanTag(ns, scan) + ":"
	k := scanKeys{meta: base + "meta", budget: base + "budget", parts: make([]partKeys, p)}
	for i := range k.parts {
		pb := base
		if p > 1 {
			pb = ns + ":f:{" + ns + "|" + scan + "|" + strconv.Itoa(i) + "}:"
		}
		k.parts[i] = partKeys{q: pb + "q", c: pb + "c", delay: pb + "delay", dead: pb + "dead", seen: pb + "s:"}
	}
	return k
}

// metaKey names a scan's parameter hash.
func metaKey(ns, scan string) string { return ns + ":f:" + scanTag(ns, scan) + ":meta" }

// bucket names seen bucket b of a partition.
func (p partKeys) bucket(b uint64) string { return p.seen + strconv.FormatUint(b, 10) }

// checkName rejects names that would break the key layout's hash tags.
func checkName(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("redis frontier: empty %s", what)
	case len(s) > 200:
		return fmt.Errorf("redis frontier: %s longer than 200 bytes", what)
	case strings.ContainsAny(s, "{}|"):
		return fmt.Errorf("redis frontier: %s %q contains '{', '}' or '|'", what, s)
	}
	return nil
}

// hasher maps canonical URLs to their partition, seen bucket and dedupe
// hash. The hashes are seeded per scan, so two scans do not share their
// (rare) collisions.
type hasher struct {
	seed       uint64
	partitions uint64
	buckets    uint64 // at most maxBuckets
	layout     int    // the scan's layout version
}

// maxBuckets bounds the seen buckets of a partition, so that a layout 2
// bucket number takes only the hash's top 32 bits.
const maxBuckets = 1 << 32

// slot is where one URL's dedupe state lives.
type slot struct {
	part   int
	bucket uint64
	hash   string // decimal integer: the bucket member
}

// locate returns the slot of canonical URL u.
func (h hasher) locate(u string) slot {
	if h.layout == 1 {
		return h.locateV1(u)
	}
	// Layout 2: one 64-bit hash; its top 32 bits choose the bucket, its
	// low 32 bits are the member, a 32-bit integer (4 bytes in an intset).
	// A URL is taken for another only if both agree: 32 + log2(B) bits.
	var d xxhash.Digest
	d.ResetWithSeed(h.seed)
	d.WriteString(u)
	sum := d.Sum64()
	return slot{
		part:   h.partition(u),
		bucket: (sum >> 32) * h.buckets >> 32,
		hash:   strconv.FormatInt(int64(int32(uint32(sum))), 10),
	}
}

// locateV1 is layout 1: the member is a whole 64-bit hash (8 bytes in an
// intset) and the bucket comes from a second hash.
func (h hasher) locateV1(u string) slot {
	var d xxhash.Digest
	d.ResetWithSeed(h.seed)
	d.WriteString(u)
	sum := d.Sum64()
	d.ResetWithSeed(h.seed ^ 0x9e3779b97f4a7c15)
	d.WriteString(u)
	return slot{
		part:   h.partition(u),
		bucket: d.Sum64() % h.buckets,
		hash:   strconv.FormatInt(int64(sum), 10),
	}
}

// partition returns the partition of canonical URL u: by host, so a
// host's URLs stay together.
func (h hasher) partition(u string) int {
	if h.partitions == 1 {
		return 0
	}
	return int(xxhash.Sum64String(hostOf(u)) % h.partitions)
}

// hostOf returns the host[:port] of a canonical URL ("scheme://host/...").
func hostOf(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		return rest[:i]
	}
	return rest
}
