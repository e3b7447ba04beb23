package redis

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// rootHashSize is the length of a tree head's root hash (SHA-256).
const rootHashSize = 32

// leafChunk is how many leaves one LRANGE reads.
const leafChunk = 1024

// putHeadScript stores a head unless its size exceeds the log (returns -1)
// and moves the latest size forward, never back. HSETNX keeps the first
// head of a size. Sizes are compared as Lua numbers (doubles): exact up to
// 2^53 leaves.
//
// KEYS: leaves, heads, latest. ARGV: size, encoded head.
var putHeadScript = goredis.NewScript(`
local size = tonumber(ARGV[1])
if size > redis.call('LLEN', KEYS[1]) then return -1 end
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
local latest = redis.call('GET', KEYS[3])
if not latest or tonumber(latest) < size then redis.call('SET', KEYS[3], ARGV[1]) end
return 1
`)

// latestHeadScript returns {size, encoded head} of the latest head, or nil.
//
// KEYS: latest, heads.
var latestHeadScript = goredis.NewScript(`
local latest = redis.call('GET', KEYS[1])
if not latest then return false end
return {latest, redis.call('HGET', KEYS[2], latest)}
`)

// AppendLeaves implements store.Log with one RPUSH of the whole batch: Redis
// runs it atomically, so the batch gets consecutive indexes ending at the
// list's new length.
func (s *Store) AppendLeaves(ctx context.Context, data [][]byte) (uint64, error) {
	const op = "append log leaves"
	if err := s.check(ctx); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if len(data) == 0 {
		return 0, fmt.Errorf("%s: %w: empty batch", op, store.ErrInvalid)
	}
	args := make([]any, len(data))
	for i, d := range data {
		if len(d) == 0 {
			return 0, fmt.Errorf("%s: %w: leaf %d of the batch is empty", op, store.ErrInvalid, i)
		}
		args[i] = d
	}
	n, err := s.c.RPush(ctx, s.k.leaves(), args...).Result()
	if err != nil {
		return 0, s.fail(ctx, op, err)
	}
	return uint64(n) - uint64(len(data)), nil
}

// LogLeaves implements store.Log, reading leafChunk leaves per round trip.
// start > end is store.ErrInvalid too.
func (s *Store) LogLeaves(ctx context.Context, start, end uint64) ([]store.LogLeaf, error) {
	op := fmt.Sprintf("log leaves [%d, %d)", start, end)
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if start > end {
		return nil, fmt.Errorf("%s: %w: start after end", op, store.ErrInvalid)
	}
	size, err := s.c.LLen(ctx, s.k.leaves()).Uint64()
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	if end > size {
		return nil, fmt.Errorf("%s: %w: the log has %d leaves", op, store.ErrInvalid, size)
	}
	// Leaves are never removed: once the size covers end, so does the list.
	leaves := make([]store.LogLeaf, 0, end-start)
	for from := start; from < end; from += leafChunk {
		to := min(from+leafChunk, end)
		vals, err := s.c.LRange(ctx, s.k.leaves(), int64(from), int64(to)-1).Result()
		if err != nil {
			return nil, s.fail(ctx, op, err)
		}
		if uint64(len(vals)) != to-from {
			return nil, fmt.Errorf("%s: read %d leaves from %d, want %d: %w", op, len(vals), from, to-from, errCorrupt)
		}
		for i, v := range vals {
			leaves = append(leaves, store.LogLeaf{Index: from + uint64(i), Data: []byte(v)})
		}
	}
	return leaves, nil
}

// LogSize implements store.Log.
func (s *Store) LogSize(ctx context.Context) (uint64, error) {
	const op = "log size"
	if err := s.check(ctx); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	n, err := s.c.LLen(ctx, s.k.leaves()).Uint64()
	if err != nil {
		return 0, s.fail(ctx, op, err)
	}
	return n, nil
}

// PutTreeHead implements store.Log. A root hash of other than 32 bytes is
// store.ErrInvalid. The timestamp is kept to the nanosecond, because the
// signature covers it.
func (s *Store) PutTreeHead(ctx context.Context, h store.TreeHead) error {
	op := fmt.Sprintf("put tree head %d", h.Size)
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch {
	case h.Size == 0:
		return fmt.Errorf("%s: %w: tree head of size 0", op, store.ErrInvalid)
	case h.Size > 1<<53:
		return fmt.Errorf("%s: %w: tree head size beyond any log", op, store.ErrInvalid)
	case len(h.RootHash) != rootHashSize:
		return fmt.Errorf("%s: %w: root hash of %d bytes, want %d", op, store.ErrInvalid, len(h.RootHash), rootHashSize)
	}
	ok, err := putHeadScript.Run(ctx, s.c, []string{s.k.leaves(), s.k.heads(), s.k.latestHead()},
		strconv.FormatUint(h.Size, 10), encodeHead(h)).Int()
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if ok != 1 {
		return fmt.Errorf("%s: %w: beyond the log's size", op, store.ErrInvalid)
	}
	return nil
}

// encodeHead is a flags byte (1: has a timestamp), the 32-byte root hash,
// the timestamp as 8 bytes of big-endian Unix nanoseconds when present, and
// the signature. The size is the field name.
func encodeHead(h store.TreeHead) []byte {
	b := make([]byte, 0, 1+rootHashSize+8+len(h.Signature))
	if h.Timestamp.IsZero() {
		b = append(b, 0)
		b = append(b, h.RootHash...)
	} else {
		b = append(b, 1)
		b = append(b, h.RootHash...)
		b = binary.BigEndian.AppendUint64(b, uint64(h.Timestamp.UnixNano()))
	}
	return append(b, h.Signature...)
}

func decodeHead(size uint64, b []byte) (store.TreeHead, error) {
	if len(b) < 1+rootHashSize || b[0] > 1 || (b[0] == 1 && len(b) < 1+rootHashSize+8) {
		return store.TreeHead{}, fmt.Errorf("tree head %d: %w", size, errCorrupt)
	}
	hasTime := b[0] == 1
	h := store.TreeHead{Size: size, RootHash: b[1 : 1+rootHashSize : 1+rootHashSize]}
	b = b[1+rootHashSize:]
	if hasTime {
		h.Timestamp = time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC()
		b = b[8:]
	}
	if len(b) > 0 {
		h.Signature = b
	}
	return h, nil
}

// TreeHead implements store.Log.
func (s *Store) TreeHead(ctx context.Context, size uint64) (store.TreeHead, error) {
	op := fmt.Sprintf("tree head %d", size)
	if err := s.check(ctx); err != nil {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, err)
	}
	b, err := s.c.HGet(ctx, s.k.heads(), strconv.FormatUint(size, 10)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.TreeHead{}, s.fail(ctx, op, err)
	}
	h, err := decodeHead(size, b)
	if err != nil {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, err)
	}
	return h, nil
}

// LatestTreeHead implements store.Log.
func (s *Store) LatestTreeHead(ctx context.Context) (store.TreeHead, error) {
	const op = "latest tree head"
	if err := s.check(ctx); err != nil {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, err)
	}
	vals, err := latestHeadScript.Run(ctx, s.c, []string{s.k.latestHead(), s.k.heads()}).StringSlice()
	if errors.Is(err, goredis.Nil) {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.TreeHead{}, s.fail(ctx, op, err)
	}
	if len(vals) != 2 {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, errCorrupt)
	}
	size, err := strconv.ParseUint(vals[0], 10, 64)
	if err != nil {
		return store.TreeHead{}, fmt.Errorf("%s: size %q: %w", op, vals[0], errCorrupt)
	}
	h, err := decodeHead(size, []byte(vals[1]))
	if err != nil {
		return store.TreeHead{}, fmt.Errorf("%s: %w", op, err)
	}
	return h, nil
}
