package redis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// metaFields are the fields of a work's hash, in parseMeta order.
var metaFields = []string{"creator", "title", "license", "kind", "sha256", "size", "created"}

// batch is how many works one pipelined round trip reads.
const batch = 256

// putWorkScript creates a work atomically in its shard's slot: its hash,
// text, fingerprints and the shard's index entries, unless the work exists,
// in which case it returns the existing work's metaFields and writes
// nothing. A new work returns 1. The indexes are packed strings that grow
// by the work's 8-byte binary ID (APPEND), at most once per work.
//
// KEYS: work, text, fingerprints, shard works, shard creator works, shard
// creators, thumbnail. ARGV: id, creator, title, license, kind, sha256,
// size, created, text, binary id, thumbnail, then algorithm, encoded
// fingerprints pairs.
var putWorkScript = goredis.NewScript(`
local old = redis.call('HMGET', KEYS[1], 'creator', 'title', 'license', 'kind', 'sha256', 'size', 'created')
if old[1] then return old end
redis.call('HSET', KEYS[1], 'creator', ARGV[2], 'title', ARGV[3], 'license', ARGV[4], 'kind', ARGV[5],
	'sha256', ARGV[6], 'size', ARGV[7], 'created', ARGV[8])
if ARGV[9] ~= '' then redis.call('SET', KEYS[2], ARGV[9]) end
if ARGV[11] ~= '' then redis.call('SET', KEYS[7], ARGV[11]) end
for i = 12, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i+1]) end
redis.call('APPEND', KEYS[4], ARGV[10])
redis.call('APPEND', KEYS[5], ARGV[10])
redis.call('HSETNX', KEYS[6], ARGV[2], ARGV[8])
return 1
`)

// PutWork implements store.Registry. One Lua script in the work's shard slot
// decides creation, so concurrent registrations of the same content, from
// any number of processes, create exactly one work. Re-registering reads
// the existing work first and sends no text or fingerprints; the existing
// work is returned without its Text and Thumb (Work reads them).
func (s *Store) PutWork(ctx context.Context, w store.Work, fps []store.Fingerprint) (store.Work, bool, error) {
	const op = "put work"
	if err := s.check(ctx); err != nil {
		return store.Work{}, false, fmt.Errorf("%s: %w", op, err)
	}
	if err := validWork(w, fps); err != nil {
		return store.Work{}, false, fmt.Errorf("%s: %w", op, err)
	}
	w.ID = workID(w.Creator, w.SHA256)
	old, err := s.loadMeta(ctx, w.ID)
	if err == nil {
		return sameIdentity(old, w)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Work{}, false, s.fail(ctx, op, err)
	}
	w.CreatedAt = stamp(s.now())
	res, err := putWorkScript.Run(ctx, s.c, s.putWorkKeys(w), putWorkArgs(w, fps)...).Result()
	if err != nil {
		return store.Work{}, false, s.fail(ctx, op, err)
	}
	if vals, ok := res.([]any); ok { // another process created it first
		old, err := parseMeta(w.ID, vals)
		if err != nil {
			return store.Work{}, false, fmt.Errorf("%s: %w", op, err)
		}
		return sameIdentity(old, w)
	}
	return w, true, nil
}

// sameIdentity returns the existing work old for a registration of w, or an
// error in the astronomically unlikely case that their IDs collide.
func sameIdentity(old, w store.Work) (store.Work, bool, error) {
	if old.Creator != w.Creator || old.SHA256 != w.SHA256 {
		return store.Work{}, false, fmt.Errorf("put work: id %s of (%q, %s) is taken by (%q, %s)",
			w.ID, w.Creator, w.SHA256, old.Creator, old.SHA256)
	}
	return old, false, nil
}

func (s *Store) putWorkKeys(w store.Work) []string {
	shard := shardOf(w.ID)
	return []string{s.k.work(w.ID), s.k.text(w.ID), s.k.fps(w.ID),
		s.k.works(shard), s.k.creatorWorks(shard, creatorID(w.Creator)), s.k.creators(shard), s.k.thumb(w.ID)}
}

func putWorkArgs(w store.Work, fps []store.Fingerprint) []any {
	args := []any{w.ID, w.Creator, w.Title, w.License, string(w.Kind), w.SHA256,
		strconv.FormatInt(w.Size, 10), timeArg(w.CreatedAt), w.Text, packID(w.ID), w.Thumb}
	enc := encodeFingerprints(fps)
	for _, alg := range slices.Sorted(maps.Keys(enc)) {
		args = append(args, alg, enc[alg])
	}
	return args
}

// validWork checks what PutWork requires, wrapping store.ErrInvalid.
func validWork(w store.Work, fps []store.Fingerprint) error {
	switch {
	case strings.TrimSpace(w.Creator) == "":
		return fmt.Errorf("%w: empty creator", store.ErrInvalid)
	case !w.Kind.Valid():
		return fmt.Errorf("%w: unknown kind %q", store.ErrInvalid, w.Kind)
	case len(w.SHA256) != 64 || !isLowerHex(w.SHA256):
		return fmt.Errorf("%w: sha256 %q is not 64 lowercase hex digits", store.ErrInvalid, w.SHA256)
	case w.Size < 0:
		return fmt.Errorf("%w: negative size %d", store.ErrInvalid, w.Size)
	}
	for i, fp := range fps {
		if fp.Algorithm == "" {
			return fmt.Errorf("%w: fingerprint %d has no algorithm", store.ErrInvalid, i)
		}
	}
	return nil
}

// loadMeta reads a work without its text, or store.ErrNotFound.
func (s *Store) loadMeta(ctx context.Context, id string) (store.Work, error) {
	vals, err := s.c.HMGet(ctx, s.k.work(id), metaFields...).Result()
	if err != nil {
		return store.Work{}, err
	}
	return parseMeta(id, vals)
}

// parseMeta decodes the metaFields of work id; all nil is store.ErrNotFound.
func parseMeta(id string, vals []any) (store.Work, error) {
	if len(vals) != len(metaFields) {
		return store.Work{}, fmt.Errorf("work %s: %d fields, want %d", id, len(vals), len(metaFields))
	}
	if vals[0] == nil {
		return store.Work{}, store.ErrNotFound
	}
	f := make([]string, len(vals))
	for i, v := range vals {
		f[i], _ = v.(string)
	}
	w := store.Work{ID: id, Creator: f[0], Title: f[1], License: f[2], Kind: store.WorkKind(f[3]), SHA256: f[4]}
	var err error
	if w.Size, err = strconv.ParseInt(f[5], 10, 64); err != nil {
		return store.Work{}, fmt.Errorf("work %s: size %q: %w", id, f[5], errCorrupt)
	}
	if w.CreatedAt, err = timeOf(f[6]); err != nil {
		return store.Work{}, fmt.Errorf("work %s: %w", id, err)
	}
	return w, nil
}

// Work implements store.Registry.
func (s *Store) Work(ctx context.Context, id string) (store.Work, error) {
	op := "work " + id
	if err := s.check(ctx); err != nil {
		return store.Work{}, fmt.Errorf("%s: %w", op, err)
	}
	if !isWorkID(id) {
		return store.Work{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	var meta *goredis.SliceCmd
	var text, thumb *goredis.StringCmd
	err := s.pipe(ctx, func(p goredis.Pipeliner) {
		meta = p.HMGet(ctx, s.k.work(id), metaFields...)
		text = p.Get(ctx, s.k.text(id))
		thumb = p.Get(ctx, s.k.thumb(id))
	})
	if err != nil {
		return store.Work{}, s.fail(ctx, op, err)
	}
	w, err := parseMeta(id, meta.Val())
	if err != nil {
		return store.Work{}, fmt.Errorf("%s: %w", op, err)
	}
	w.Text = text.Val()
	if b, _ := thumb.Bytes(); len(b) > 0 {
		w.Thumb = b
	}
	return w, nil
}

// Works implements store.Registry: the IDs of the shards' indexes, the
// works' hashes read in pipelined batches, sorted by (CreatedAt, ID).
func (s *Store) Works(ctx context.Context, f store.WorkFilter) ([]store.Work, error) {
	const op = "list works"
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	index := s.k.works
	if f.Creator != "" {
		cid := creatorID(f.Creator)
		index = func(shard int) string { return s.k.creatorWorks(shard, cid) }
	}
	ids, err := s.shardIDs(ctx, index)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	ws := make([]store.Work, 0, len(ids))
	for chunk := range slices.Chunk(ids, batch) {
		got, err := s.loadMetas(ctx, chunk)
		if err != nil {
			return nil, s.fail(ctx, op, err)
		}
		ws = append(ws, got...)
	}
	slices.SortFunc(ws, func(a, b store.Work) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return ws, nil
}

// shardIDs reads the work IDs packed in index(shard) of every shard.
func (s *Store) shardIDs(ctx context.Context, index func(shard int) string) ([]string, error) {
	cmds := make([]*goredis.StringCmd, Shards)
	err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for i := range cmds {
			cmds[i] = p.Get(ctx, index(i))
		}
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for i, c := range cmds {
		if ids, err = unpackIDs(ids, c.Val()); err != nil {
			return nil, fmt.Errorf("index %s: %w", index(i), err)
		}
	}
	return ids, nil
}

// loadMetas reads the works ids, in order. An ID whose hash is missing is
// skipped.
func (s *Store) loadMetas(ctx context.Context, ids []string) ([]store.Work, error) {
	cmds := make([]*goredis.SliceCmd, len(ids))
	err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for i, id := range ids {
			cmds[i] = p.HMGet(ctx, s.k.work(id), metaFields...)
		}
	})
	if err != nil {
		return nil, err
	}
	ws := make([]store.Work, 0, len(ids))
	for i, c := range cmds {
		w, err := parseMeta(ids[i], c.Val())
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// Creators implements store.Registry. A creator's CreatedAt is its first
// registration in any shard.
func (s *Store) Creators(ctx context.Context) ([]store.Creator, error) {
	const op = "list creators"
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	cmds := make([]*goredis.MapStringStringCmd, Shards)
	err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for i := range cmds {
			cmds[i] = p.HGetAll(ctx, s.k.creators(i))
		}
	})
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	first := map[string]int64{}
	for _, c := range cmds {
		for name, v := range c.Val() {
			ms, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: creator %q: %w", op, name, errCorrupt)
			}
			if old, ok := first[name]; !ok || ms < old {
				first[name] = ms
			}
		}
	}
	cs := make([]store.Creator, 0, len(first))
	for _, name := range slices.Sorted(maps.Keys(first)) {
		cs = append(cs, store.Creator{ID: creatorID(name), Name: name, CreatedAt: time.UnixMilli(first[name]).UTC()})
	}
	return cs, nil
}

// fpBatch is how many works' fingerprints one round trip reads: text
// fingerprints can be large, so fewer than batch.
const fpBatch = 64

// Fingerprints implements store.Registry, reading fpBatch works per round
// trip. fn may call the store. An error from fn is returned unwrapped.
func (s *Store) Fingerprints(ctx context.Context, algorithm string, fn func(store.Fingerprint) error) error {
	const op = "list fingerprints"
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	ids, err := s.shardIDs(ctx, s.k.works)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	guarded := func(fp store.Fingerprint) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return fn(fp)
	}
	for chunk := range slices.Chunk(ids, fpBatch) {
		byWork, err := s.loadFingerprints(ctx, chunk, algorithm)
		if err != nil {
			return s.fail(ctx, op, err)
		}
		for i, algs := range byWork {
			id := chunk[i]
			for _, alg := range slices.Sorted(maps.Keys(algs)) {
				if err := decodeFingerprints(id, alg, []byte(algs[alg]), guarded); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// loadFingerprints returns, for each work of ids, its encoded fingerprints
// by algorithm (only algorithm's, unless it is empty).
func (s *Store) loadFingerprints(ctx context.Context, ids []string, algorithm string) ([]map[string]string, error) {
	all := make([]*goredis.MapStringStringCmd, len(ids))
	one := make([]*goredis.StringCmd, len(ids))
	err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for i, id := range ids {
			key := s.k.fps(id)
			if algorithm == "" {
				all[i] = p.HGetAll(ctx, key)
			} else {
				one[i] = p.HGet(ctx, key, algorithm)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(ids))
	for i := range ids {
		switch {
		case algorithm == "":
			out[i] = all[i].Val()
		case one[i].Err() == nil:
			out[i] = map[string]string{algorithm: one[i].Val()}
		}
	}
	return out, nil
}

// pipe runs the commands fill queues in one pipeline and returns the first
// error other than a missing key (redis.Nil), which callers read as absent.
func (s *Store) pipe(ctx context.Context, fill func(p goredis.Pipeliner)) error {
	p := s.c.Pipeline()
	fill(p)
	if p.Len() == 0 {
		return nil
	}
	cmds, err := p.Exec(ctx)
	if err != nil && !errors.Is(err, goredis.Nil) {
		return err
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, goredis.Nil) {
			return err
		}
	}
	return nil
}
