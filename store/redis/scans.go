package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// createScanScript stores a new scan and its index entry in the scans slot,
// unless the ID is taken (returns 0). The index member is a 16-hex-digit
// creation sequence number, ":" and the ID, so that scans started in the
// same millisecond list in creation order.
//
// KEYS: scan, scans index, sequence. ARGV: id, started, kind, targets,
// state, error, finished, stats.
var createScanScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'started', ARGV[2], 'kind', ARGV[3], 'targets', ARGV[4],
	'state', ARGV[5], 'error', ARGV[6], 'finished', ARGV[7], 'stats', ARGV[8])
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[2], ARGV[2], string.format('%016x', seq) .. ':' .. ARGV[1])
return 1
`)

// updateScanScript replaces a scan's mutable fields; 0 if it does not exist.
//
// KEYS: scan. ARGV: state, error, finished, stats.
var updateScanScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'error', ARGV[2], 'finished', ARGV[3], 'stats', ARGV[4])
return 1
`)

// scanFields are the fields of a scan's hash, in parseScan order.
var scanFields = []string{"id", "kind", "targets", "state", "error", "started", "finished", "stats"}

// seqLen is the length of the sequence prefix of scans index members.
const seqLen = 16

// CreateScan implements store.Scans. An empty State becomes store.ScanQueued
// and a zero StartedAt the current time; an unknown State is
// store.ErrInvalid, and so is an ID already in use.
func (s *Store) CreateScan(ctx context.Context, sc store.Scan) (store.Scan, error) {
	const op = "create scan"
	if err := s.check(ctx); err != nil {
		return store.Scan{}, fmt.Errorf("%s: %w", op, err)
	}
	if sc.State == "" {
		sc.State = store.ScanQueued
	}
	if err := validState(sc.State); err != nil {
		return store.Scan{}, fmt.Errorf("%s: %w", op, err)
	}
	if sc.StartedAt.IsZero() {
		sc.StartedAt = s.now()
	}
	sc.StartedAt, sc.FinishedAt = stamp(sc.StartedAt), stamp(sc.FinishedAt)
	if len(sc.Targets) == 0 {
		sc.Targets = nil
	}
	id, err := s.insertScan(ctx, sc)
	if err != nil {
		return store.Scan{}, s.fail(ctx, op, err)
	}
	sc.ID = id
	return sc, nil
}

// insertScan stores sc under sc.ID, or under a new ID when it is empty, and
// returns the ID.
func (s *Store) insertScan(ctx context.Context, sc store.Scan) (string, error) {
	targets, err := json.Marshal(append([]string{}, sc.Targets...)) // "[]", never "null"
	if err != nil {
		return "", err
	}
	stats, err := json.Marshal(sc.Stats)
	if err != nil {
		return "", err
	}
	for try := 0; ; try++ {
		id := sc.ID
		if id == "" {
			if id, err = newScanID(sc.StartedAt); err != nil {
				return "", err
			}
		}
		ok, err := createScanScript.Run(ctx, s.c, []string{s.k.scan(id), s.k.scans(), s.k.scanSeq()},
			id, timeArg(sc.StartedAt), sc.Kind, targets, string(sc.State), sc.Error, timeArg(sc.FinishedAt), stats).Int()
		switch {
		case err != nil:
			return "", err
		case ok == 1:
			return id, nil
		case sc.ID != "":
			return "", fmt.Errorf("%w: scan id %q is already in use", store.ErrInvalid, id)
		case try == 10:
			return "", fmt.Errorf("no free scan id after %d tries", try)
		}
	}
}

func validState(st store.ScanState) error {
	switch st {
	case store.ScanQueued, store.ScanRunning, store.ScanFinished, store.ScanFailed:
		return nil
	}
	return fmt.Errorf("%w: unknown scan state %q", store.ErrInvalid, st)
}

// UpdateScan implements store.Scans.
func (s *Store) UpdateScan(ctx context.Context, sc store.Scan) error {
	op := "update scan " + sc.ID
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := validState(sc.State); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	stats, err := json.Marshal(sc.Stats)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	ok, err := updateScanScript.Run(ctx, s.c, []string{s.k.scan(sc.ID)},
		string(sc.State), sc.Error, timeArg(stamp(sc.FinishedAt)), stats).Int()
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if ok == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

// Scan implements store.Scans.
func (s *Store) Scan(ctx context.Context, id string) (store.Scan, error) {
	op := "scan " + id
	if err := s.check(ctx); err != nil {
		return store.Scan{}, fmt.Errorf("%s: %w", op, err)
	}
	sc, err := s.loadScan(ctx, id)
	if err != nil {
		return store.Scan{}, s.fail(ctx, op, err)
	}
	return sc, nil
}

// loadScan reads one scan, or store.ErrNotFound.
func (s *Store) loadScan(ctx context.Context, id string) (store.Scan, error) {
	vals, err := s.c.HMGet(ctx, s.k.scan(id), scanFields...).Result()
	if err != nil {
		return store.Scan{}, err
	}
	return parseScan(vals)
}

// parseScan decodes scanFields; all nil is store.ErrNotFound.
func parseScan(vals []any) (store.Scan, error) {
	if len(vals) != len(scanFields) {
		return store.Scan{}, fmt.Errorf("scan: %d fields, want %d", len(vals), len(scanFields))
	}
	if vals[0] == nil {
		return store.Scan{}, store.ErrNotFound
	}
	f := make([]string, len(vals))
	for i, v := range vals {
		f[i], _ = v.(string)
	}
	sc := store.Scan{ID: f[0], Kind: f[1], State: store.ScanState(f[3]), Error: f[4]}
	var errs [4]error
	errs[0] = json.Unmarshal([]byte(f[2]), &sc.Targets)
	sc.StartedAt, errs[1] = timeOf(f[5])
	sc.FinishedAt, errs[2] = timeOf(f[6])
	errs[3] = json.Unmarshal([]byte(f[7]), &sc.Stats)
	if err := errors.Join(errs[:]...); err != nil {
		return store.Scan{}, fmt.Errorf("scan %s: %w: %w", sc.ID, errCorrupt, err)
	}
	if len(sc.Targets) == 0 {
		sc.Targets = nil
	}
	return sc, nil
}

// LatestScan implements store.Scans. Of scans started in the same
// millisecond, the last created wins.
func (s *Store) LatestScan(ctx context.Context) (store.Scan, error) {
	const op = "latest scan"
	if err := s.check(ctx); err != nil {
		return store.Scan{}, fmt.Errorf("%s: %w", op, err)
	}
	ss, err := s.listScans(ctx, 0)
	if err != nil {
		return store.Scan{}, s.fail(ctx, op, err)
	}
	if len(ss) == 0 {
		return store.Scan{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return ss[0], nil
}

// ListScans implements store.Scans: newest start first, ties by creation.
func (s *Store) ListScans(ctx context.Context) ([]store.Scan, error) {
	const op = "list scans"
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ss, err := s.listScans(ctx, -1)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return ss, nil
}

// listScans reads the newest scans up to index last (-1 for all).
func (s *Store) listScans(ctx context.Context, last int64) ([]store.Scan, error) {
	members, err := s.c.ZRevRange(ctx, s.k.scans(), 0, last).Result()
	if err != nil {
		return nil, err
	}
	var ss []store.Scan
	for chunk := range slices.Chunk(members, batch) {
		cmds := make([]*goredis.SliceCmd, len(chunk))
		err := s.pipe(ctx, func(p goredis.Pipeliner) {
			for i, m := range chunk {
				cmds[i] = p.HMGet(ctx, s.k.scan(scanIDOfMember(m)), scanFields...)
			}
		})
		if err != nil {
			return nil, err
		}
		for _, c := range cmds {
			sc, err := parseScan(c.Val())
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			ss = append(ss, sc)
		}
	}
	return ss, nil
}

// scanIDOfMember strips the sequence number from a scans index member.
func scanIDOfMember(m string) string {
	if len(m) > seqLen && m[seqLen] == ':' {
		return m[seqLen+1:]
	}
	return m
}
