package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/store"
)

// scheduleFields are the fields of a schedule's hash, in parseSchedule
// order. "created" is written once, by createScheduleScript.
var scheduleFields = []string{"id", "name", "cron", "kind", "targets", "options", "enabled", "last", "created"}

// createScheduleScript stores a new schedule and its index entry, unless
// the ID is taken (returns 0). The index is scored by creation ms; members
// of one score sort by ID, as ListSchedules promises.
//
// KEYS: schedule, index. ARGV: id, name, cron, kind, targets, options,
// enabled, last scan, created.
var createScheduleScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'name', ARGV[2], 'cron', ARGV[3], 'kind', ARGV[4],
	'targets', ARGV[5], 'options', ARGV[6], 'enabled', ARGV[7], 'last', ARGV[8], 'created', ARGV[9])
redis.call('ZADD', KEYS[2], ARGV[9], ARGV[1])
return 1
`)

// replaceScheduleScript overwrites an existing schedule but its creation
// time, which it returns; false when there is none.
//
// KEYS: schedule. ARGV: name, cron, kind, targets, options, enabled, last scan.
var replaceScheduleScript = goredis.NewScript(`
local created = redis.call('HGET', KEYS[1], 'created')
if not created then return false end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'cron', ARGV[2], 'kind', ARGV[3],
	'targets', ARGV[4], 'options', ARGV[5], 'enabled', ARGV[6], 'last', ARGV[7])
return created
`)

// deleteScheduleScript removes a schedule and its index entry; 0 when
// there is none.
//
// KEYS: schedule, index. ARGV: id.
var deleteScheduleScript = goredis.NewScript(`
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`)

// PutSchedule implements store.Schedules. A new schedule keeps a CreatedAt
// the caller set and otherwise gets the current time.
func (s *Store) PutSchedule(ctx context.Context, sc store.Schedule) (store.Schedule, error) {
	const op = "put schedule"
	if err := s.check(ctx); err != nil {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
	}
	switch {
	case strings.TrimSpace(sc.Cron) == "":
		return store.Schedule{}, fmt.Errorf("%s: %w: schedule has no cron expression", op, store.ErrInvalid)
	case strings.TrimSpace(sc.Kind) == "":
		return store.Schedule{}, fmt.Errorf("%s: %w: schedule has no kind", op, store.ErrInvalid)
	}
	if len(sc.Targets) == 0 {
		sc.Targets = nil
	}
	if len(sc.Options) == 0 {
		sc.Options = nil
	}
	targets, err := json.Marshal(append([]string{}, sc.Targets...)) // "[]", never "null"
	if err != nil {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
	}
	enabled := "0"
	if sc.Enabled {
		enabled = "1"
	}
	if sc.ID != "" {
		created, err := replaceScheduleScript.Run(ctx, s.c, []string{s.k.schedule(sc.ID)},
			sc.Name, sc.Cron, sc.Kind, targets, sc.Options, enabled, sc.LastScan).Text()
		if errors.Is(err, goredis.Nil) {
			return store.Schedule{}, fmt.Errorf("%s %s: %w", op, sc.ID, store.ErrNotFound)
		}
		if err != nil {
			return store.Schedule{}, s.fail(ctx, op, err)
		}
		if sc.CreatedAt, err = timeOf(created); err != nil {
			return store.Schedule{}, fmt.Errorf("%s %s: %w: %w", op, sc.ID, errCorrupt, err)
		}
		return sc, nil
	}
	if sc.CreatedAt.IsZero() {
		sc.CreatedAt = s.now()
	}
	sc.CreatedAt = stamp(sc.CreatedAt)
	for try := 0; ; try++ {
		id, err := newScheduleID(sc.CreatedAt)
		if err != nil {
			return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
		}
		ok, err := createScheduleScript.Run(ctx, s.c, []string{s.k.schedule(id), s.k.schedules()},
			id, sc.Name, sc.Cron, sc.Kind, targets, sc.Options, enabled, sc.LastScan, timeArg(sc.CreatedAt)).Int()
		switch {
		case err != nil:
			return store.Schedule{}, s.fail(ctx, op, err)
		case ok == 1:
			sc.ID = id
			return sc, nil
		case try == 10:
			return store.Schedule{}, fmt.Errorf("%s: no free schedule id after %d tries", op, try)
		}
	}
}

// Schedule implements store.Schedules.
func (s *Store) Schedule(ctx context.Context, id string) (store.Schedule, error) {
	op := "schedule " + id
	if err := s.check(ctx); err != nil {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
	}
	vals, err := s.c.HMGet(ctx, s.k.schedule(id), scheduleFields...).Result()
	if err != nil {
		return store.Schedule{}, s.fail(ctx, op, err)
	}
	sc, err := parseSchedule(vals)
	if err != nil {
		return store.Schedule{}, fmt.Errorf("%s: %w", op, err)
	}
	return sc, nil
}

// parseSchedule decodes scheduleFields; all nil is store.ErrNotFound.
func parseSchedule(vals []any) (store.Schedule, error) {
	if len(vals) != len(scheduleFields) {
		return store.Schedule{}, fmt.Errorf("schedule: %d fields, want %d", len(vals), len(scheduleFields))
	}
	if vals[0] == nil {
		return store.Schedule{}, store.ErrNotFound
	}
	f := make([]string, len(vals))
	for i, v := range vals {
		f[i], _ = v.(string)
	}
	sc := store.Schedule{ID: f[0], Name: f[1], Cron: f[2], Kind: f[3], Enabled: f[6] == "1", LastScan: f[7]}
	if f[5] != "" {
		sc.Options = []byte(f[5])
	}
	var errs [2]error
	errs[0] = json.Unmarshal([]byte(f[4]), &sc.Targets)
	sc.CreatedAt, errs[1] = timeOf(f[8])
	if err := errors.Join(errs[:]...); err != nil {
		return store.Schedule{}, fmt.Errorf("schedule %s: %w: %w", sc.ID, errCorrupt, err)
	}
	if len(sc.Targets) == 0 {
		sc.Targets = nil
	}
	return sc, nil
}

// ListSchedules implements store.Schedules: the index in order (creation
// ms, then ID), the hashes read in pipelined batches.
func (s *Store) ListSchedules(ctx context.Context) ([]store.Schedule, error) {
	const op = "list schedules"
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ids, err := s.c.ZRange(ctx, s.k.schedules(), 0, -1).Result()
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	var ss []store.Schedule
	for chunk := range slices.Chunk(ids, batch) {
		cmds := make([]*goredis.SliceCmd, len(chunk))
		err := s.pipe(ctx, func(p goredis.Pipeliner) {
			for i, id := range chunk {
				cmds[i] = p.HMGet(ctx, s.k.schedule(id), scheduleFields...)
			}
		})
		if err != nil {
			return nil, s.fail(ctx, op, err)
		}
		for _, c := range cmds {
			sc, err := parseSchedule(c.Val())
			if errors.Is(err, store.ErrNotFound) { // deleted since ZRANGE
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", op, err)
			}
			ss = append(ss, sc)
		}
	}
	return ss, nil
}

// DeleteSchedule implements store.Schedules.
func (s *Store) DeleteSchedule(ctx context.Context, id string) error {
	op := "delete schedule " + id
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	ok, err := deleteScheduleScript.Run(ctx, s.c, []string{s.k.schedule(id), s.k.schedules()}, id).Int()
	if err != nil {
		return s.fail(ctx, op, err)
	}
	if ok == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}
