package redis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

const (
	// hsetPairs caps the fields of one HSET, so that no single command
	// carries a whole big batch.
	hsetPairs = 512
	// scanCount is the COUNT hint of HSCAN when reading a work's matches.
	scanCount = 1000
)

// PutMatches implements store.Scans. Each work's matches go into that work's
// hash of the scan (HSET upserts on the rest of the key), then the work is
// added to the scan's indexes; a crash in between leaves matches that the
// next delivery of the same results makes visible. It fails with
// store.ErrNotFound for an unknown scan and with store.ErrInvalid for a
// match without a work ID, of an unknown work, or with a NaN or infinite
// score; then nothing of the batch is stored.
func (s *Store) PutMatches(ctx context.Context, scanID string, ms []store.Match) error {
	op := "put matches of scan " + scanID
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	for i := range ms {
		if err := validMatch(&ms[i]); err != nil {
			return fmt.Errorf("%s: match %d: %w", op, i, err)
		}
	}
	if err := s.scanExists(ctx, scanID); err != nil {
		return s.fail(ctx, op, err)
	}
	creators, err := s.workCreators(ctx, ms)
	if err != nil {
		return s.fail(ctx, op, err)
	}
	byWork := map[string][]any{}
	for _, m := range ms {
		byWork[m.WorkID] = append(byWork[m.WorkID], matchField(m), encodeMatch(m))
	}
	if err := s.writeMatches(ctx, scanID, byWork); err != nil {
		return s.fail(ctx, op, err)
	}
	if err := s.indexMatches(ctx, scanID, creators); err != nil {
		return s.fail(ctx, op, err)
	}
	return nil
}

func validMatch(m *store.Match) error {
	if m.WorkID == "" {
		return fmt.Errorf("%w: empty work id", store.ErrInvalid)
	}
	for _, f := range []float64{m.Score, m.WorkCoverage, m.FoundCoverage} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: score or coverage %v", store.ErrInvalid, f)
		}
	}
	return nil
}

// scanExists returns store.ErrNotFound when scan id does not exist.
func (s *Store) scanExists(ctx context.Context, id string) error {
	n, err := s.c.Exists(ctx, s.k.scan(id)).Result()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// workCreators returns the creator ID of every distinct work of ms, or
// store.ErrInvalid naming an unknown work.
func (s *Store) workCreators(ctx context.Context, ms []store.Match) (map[string]string, error) {
	ids := map[string]*goredis.StringCmd{}
	for _, m := range ms {
		if !isWorkID(m.WorkID) {
			return nil, fmt.Errorf("%w: unknown work %s", store.ErrInvalid, m.WorkID)
		}
		ids[m.WorkID] = nil
	}
	err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for id := range ids {
			ids[id] = p.HGet(ctx, s.k.work(id), "creator")
		}
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ids))
	for id, c := range ids {
		if errors.Is(c.Err(), goredis.Nil) {
			return nil, fmt.Errorf("%w: unknown work %s", store.ErrInvalid, id)
		}
		out[id] = creatorID(c.Val())
	}
	return out, nil
}

// writeMatches upserts each work's field/value pairs into its hash, in
// pipelines of at most batch commands.
func (s *Store) writeMatches(ctx context.Context, scanID string, byWork map[string][]any) error {
	type hset struct {
		key   string
		pairs []any
	}
	var cmds []hset
	for _, id := range slices.Sorted(maps.Keys(byWork)) {
		for pairs := range slices.Chunk(byWork[id], 2*hsetPairs) {
			cmds = append(cmds, hset{s.k.matches(scanID, id), pairs})
		}
	}
	for chunk := range slices.Chunk(cmds, batch) {
		err := s.pipe(ctx, func(p goredis.Pipeliner) {
			for _, c := range chunk {
				p.HSet(ctx, c.key, c.pairs...)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// indexMatches adds the works (work ID → creator ID) to the scan's index of
// matched works and to its per-creator indexes.
func (s *Store) indexMatches(ctx context.Context, scanID string, creators map[string]string) error {
	if len(creators) == 0 {
		return nil
	}
	all := make([]goredis.Z, 0, len(creators))
	byCreator := map[string][]goredis.Z{}
	for id, cid := range creators {
		all = append(all, goredis.Z{Member: id})
		byCreator[cid] = append(byCreator[cid], goredis.Z{Member: id})
	}
	return s.pipe(ctx, func(p goredis.Pipeliner) {
		p.ZAdd(ctx, s.k.scanWorks(scanID), all...)
		for cid, zs := range byCreator {
			p.ZAdd(ctx, s.k.scanCreatorWorks(scanID, cid), zs...)
		}
	})
}

// Matches implements store.Scans, ordered by work ID, found URL, dataset and
// record. It reads only the scan's index of matched works (filtered by
// creator through the scan's per-creator index) and those works' hashes,
// batch works per round trip. An unknown scan is store.ErrNotFound; an
// unknown creator or work in f yields no matches.
func (s *Store) Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error) {
	op := "matches of scan " + scanID
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := s.scanExists(ctx, scanID); err != nil {
		return nil, s.fail(ctx, op, err)
	}
	var out []store.Match
	err := s.eachMatchedWork(ctx, scanID, f, func(ids []string) error {
		ms, err := s.loadMatches(ctx, scanID, ids)
		out = append(out, ms...)
		return err
	})
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return out, nil
}

// eachMatchedWork calls fn with the IDs of the scan's matched works that f
// selects, in ID order, at most batch at a time.
func (s *Store) eachMatchedWork(ctx context.Context, scanID string, f store.MatchFilter, fn func([]string) error) error {
	index := s.k.scanWorks(scanID)
	if f.Creator != "" {
		index = s.k.scanCreatorWorks(scanID, creatorID(f.Creator))
	}
	if f.WorkID != "" {
		_, err := s.c.ZScore(ctx, index, f.WorkID).Result()
		if errors.Is(err, goredis.Nil) {
			return nil
		}
		if err != nil {
			return err
		}
		return fn([]string{f.WorkID})
	}
	from := "-"
	for {
		ids, err := s.c.ZRangeByLex(ctx, index, &goredis.ZRangeBy{Min: from, Max: "+", Count: batch}).Result()
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := fn(ids); err != nil {
			return err
		}
		if len(ids) < batch {
			return nil
		}
		from = "(" + ids[len(ids)-1]
	}
}

// loadMatches reads the matches of the works ids in the scan, ordered.
// Small hashes come whole in one pipelined HSCAN each; the cursors of big
// ones are followed one work at a time, so no reply holds a whole big work.
func (s *Store) loadMatches(ctx context.Context, scanID string, ids []string) ([]store.Match, error) {
	cmds := make([]*goredis.ScanCmd, len(ids))
	err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for i, id := range ids {
			cmds[i] = p.HScan(ctx, s.k.matches(scanID, id), 0, "", scanCount)
		}
	})
	if err != nil {
		return nil, err
	}
	var out []store.Match
	for i, id := range ids {
		kv, cursor := cmds[i].Val()
		fields := pairs(kv, nil)
		if cursor != 0 {
			if fields, err = s.scanRest(ctx, s.k.matches(scanID, id), cursor, fields); err != nil {
				return nil, err
			}
		}
		ms, err := decodeMatches(id, fields)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// scanRest follows an HSCAN cursor to its end. HSCAN may return a field
// twice, so fields is a map.
func (s *Store) scanRest(ctx context.Context, key string, cursor uint64, fields map[string]string) (map[string]string, error) {
	for cursor != 0 {
		kv, next, err := s.c.HScan(ctx, key, cursor, "", scanCount).Result()
		if err != nil {
			return nil, err
		}
		fields, cursor = pairs(kv, fields), next
	}
	return fields, nil
}

// pairs adds HSCAN's field, value list to m (new when nil).
func pairs(kv []string, m map[string]string) map[string]string {
	if m == nil {
		m = make(map[string]string, len(kv)/2)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// decodeMatches decodes one work's hash, ordered by found URL, dataset and
// record.
func decodeMatches(workID string, fields map[string]string) ([]store.Match, error) {
	ms := make([]store.Match, 0, len(fields))
	for f, v := range fields {
		m := store.Match{WorkID: workID}
		if err := parseMatchField(f, &m); err != nil {
			return nil, fmt.Errorf("work %s: %w", workID, err)
		}
		if err := decodeMatch(v, &m); err != nil {
			return nil, fmt.Errorf("work %s, %s: %w", workID, m.FoundURL, err)
		}
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b store.Match) int {
		return cmp.Or(cmp.Compare(a.FoundURL, b.FoundURL), cmp.Compare(a.Dataset, b.Dataset), cmp.Compare(a.Record, b.Record))
	})
	return ms, nil
}
