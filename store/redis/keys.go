package redis

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Shards is how many registry shards the works are spread over: a work's
// shard is the first two hex digits of its ID. It is part of the key format.
const Shards = 256

// scanIDLayout is the time part of generated scan IDs.
const scanIDLayout = "20060102T150405Z"

// keys builds every key of one namespace. See doc.go for the layout.
type keys struct {
	ns string // namespace, without the trailing ":"
}

// shardTag is the hash tag of registry shard i: "{r3f}".
func shardTag(i int) string { return fmt.Sprintf("{r%02x}", i) }

// shardOf returns the shard of a well-formed work ID.
func shardOf(workID string) int {
	var b [1]byte
	_, _ = hex.Decode(b[:], []byte(workID[2:4]))
	return int(b[0])
}

func (k keys) format() string         { return k.ns + ":format" }
func (k keys) works(shard int) string { return k.ns + ":" + shardTag(shard) + ":works" }
func (k keys) creators(shard int) string {
	return k.ns + ":" + shardTag(shard) + ":creators"
}
func (k keys) creatorWorks(shard int, creatorID string) string {
	return k.ns + ":" + shardTag(shard) + ":cw:" + creatorID
}
func (k keys) work(id string) string { return k.ns + ":" + shardTag(shardOf(id)) + ":work:" + id }
func (k keys) text(id string) string { return k.ns + ":" + shardTag(shardOf(id)) + ":text:" + id }
func (k keys) fps(id string) string  { return k.ns + ":" + shardTag(shardOf(id)) + ":fp:" + id }

func (k keys) scan(id string) string { return k.ns + ":{s}:scan:" + keyPart(id) }
func (k keys) scans() string         { return k.ns + ":{s}:scans" }
func (k keys) scanSeq() string       { return k.ns + ":{s}:seq" }

// scanTag is the hash tag of a scan's match indexes.
func scanTag(scanID string) string { return "{m:" + keyPart(scanID) + "}" }

func (k keys) scanWorks(scanID string) string { return k.ns + ":" + scanTag(scanID) + ":works" }
func (k keys) scanCreatorWorks(scanID, creatorID string) string {
	return k.ns + ":" + scanTag(scanID) + ":cw:" + creatorID
}

// matches is the hash of one work's matches in one scan. It has a slot of
// its own (no hash tag shared with other keys), so a big scan spreads over
// the whole cluster.
func (k keys) matches(scanID, workID string) string {
	return k.ns + ":m:" + keyPart(scanID) + ":" + workID
}

// keyPart returns id as it appears in keys: unchanged when it is made of
// printable ASCII without braces (which would break hash tags) and does not
// start with "~"; otherwise "~" + hex, so that distinct IDs never share keys.
func keyPart(id string) string {
	if id != "" && id[0] != '~' && !strings.ContainsFunc(id, func(r rune) bool {
		return r <= ' ' || r > '~' || r == '{' || r == '}'
	}) {
		return id
	}
	return "~" + hex.EncodeToString([]byte(id))
}

// resolveNamespace returns ns, or DefaultNamespace when it is empty, and rejects
// namespaces that would break the key layout.
func resolveNamespace(ns string) (string, error) {
	if ns == "" {
		return DefaultNamespace, nil
	}
	if strings.ContainsAny(ns, "{}") {
		return "", fmt.Errorf("namespace %q contains a brace (reserved for hash tags)", ns)
	}
	if strings.ContainsFunc(ns, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", fmt.Errorf("namespace %q contains a space or control character", ns)
	}
	return ns, nil
}

// creatorID derives a creator's ID from its name (as store/sqlite does).
func creatorID(name string) string { return "c_" + shortHash(name) }

// workID derives a work's ID from its identity (as store/sqlite does), so
// the same content of the same creator has the same ID in every backend.
func workID(creator, sha string) string { return "w_" + shortHash(creator+"\x00"+sha) }

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// isWorkID reports whether id has the form of workID's result.
func isWorkID(id string) bool {
	return len(id) == 18 && strings.HasPrefix(id, "w_") && isLowerHex(id[2:])
}

func isLowerHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// packID is the 8-byte binary form of a well-formed work ID, as the
// registry indexes hold it.
func packID(id string) string {
	b, _ := hex.DecodeString(id[2:])
	return string(b)
}

// unpackIDs appends the work IDs packed in s to ids.
func unpackIDs(ids []string, s string) ([]string, error) {
	if len(s)%8 != 0 {
		return nil, fmt.Errorf("packed ids of %d bytes: %w", len(s), errCorrupt)
	}
	for ; len(s) > 0; s = s[8:] {
		ids = append(ids, "w_"+hex.EncodeToString([]byte(s[:8])))
	}
	return ids, nil
}

// newScanID returns "s_" + the start second + "-" + 6 random hex digits.
func newScanID(started time.Time) (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("scan id: %w", err)
	}
	return "s_" + started.UTC().Format(scanIDLayout) + "-" + hex.EncodeToString(b[:]), nil
}

// thumb is an image work's thumbnail, beside its text.
func (k keys) thumb(id string) string { return k.ns + ":" + shardTag(shardOf(id)) + ":thumb:" + id }

// tokens is the one hash of API tokens: hash -> encoded token.
func (k keys) tokens() string { return k.ns + ":tokens" }

// Schedules share the slot {sch}: a schedule's hash and the index appear
// and disappear together.
func (k keys) schedule(id string) string { return k.ns + ":{sch}:schedule:" + keyPart(id) }
func (k keys) schedules() string         { return k.ns + ":{sch}:schedules" }

// pageShards is how many hashes page states spread over.
const pageShards = 256

// pages is the hash of page states of one shard: URL -> encoded state. The
// shard is the first byte of SHA-256(URL); the key has no hash tag, so the
// shards spread over a cluster.
func (k keys) pages(url string) string {
	sum := sha256.Sum256([]byte(url))
	return fmt.Sprintf("%s:pages:%02x", k.ns, sum[0])
}

// lease is one lease's key, in a slot of its own.
func (k keys) lease(name string) string { return k.ns + ":lease:" + keyPart(name) }

// The transparency log lives in the slot {log}: its leaves, heads and the
// latest head's size change together.
func (k keys) leaves() string     { return k.ns + ":{log}:leaves" }
func (k keys) heads() string      { return k.ns + ":{log}:heads" }
func (k keys) latestHead() string { return k.ns + ":{log}:latest" }

// newScheduleID returns "sch_" + the creation second + "-" + 6 random hex
// digits, as store/sqlite does.
func newScheduleID(created time.Time) (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("schedule id: %w", err)
	}
	return "sch_" + created.UTC().Format(scanIDLayout) + "-" + hex.EncodeToString(b[:]), nil
}
