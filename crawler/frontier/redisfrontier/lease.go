package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/frontier"
)

// sweep leases jobs from every partition, starting at a rotating one,
// until one hands out jobs. Without a job it returns what each partition
// holds, read atomically with its version.
func (f *Frontier) sweep(ctx context.Context, n int) ([]frontier.Job, []partState, error) {
	parts := f.p.partitions
	start := int(f.next.Add(1) % uint64(parts))
	snap := make([]partState, parts)
	for i := range parts {
		p := (start + i) % parts
		jobs, st, err := f.lease(ctx, p, n)
		if err != nil || len(jobs) > 0 {
			return jobs, nil, err
		}
		snap[p] = st
	}
	return nil, snap, nil
}

// maintainEvery is how often a process runs a partition's lease script
// (due retries, expired leases) while it finds new jobs to read: retries
// wait seconds and leases expire after minutes, so sooner gains nothing.
const maintainEvery = 100 * time.Millisecond

// lease leases up to n jobs of partition p: new ones with a plain
// XREADGROUP, which needs no script (new entries carry their attempt
// count), and, at most every maintainEvery or when there is nothing new,
// the lease script (due retries, expired leases) pipelined before it in
// the same round trip. Without a job it returns the partition's state as
// the script read it.
func (f *Frontier) lease(ctx context.Context, p, n int) ([]frontier.Job, partState, error) {
	if now := time.Now().UnixNano(); now < f.maintainAt[p].Load() {
		fresh, err := newEntries(f.c.XReadGroup(ctx, f.readArgs(p, n, -1)))
		if err != nil {
			return nil, partState{}, fmt.Errorf("redis frontier: lease: %w", ctxErr(ctx, err))
		}
		if len(fresh) > 0 {
			return f.leased(ctx, p, fresh)
		}
	}
	f.maintainAt[p].Store(time.Now().Add(maintainEvery).UnixNano())
	pk := f.keys.parts[p]
	keys := []string{pk.q, pk.c, pk.delay, pk.dead}
	pause := min(f.cfg.Visibility/4, time.Second).Milliseconds()
	for loaded := false; ; loaded = true {
		pipe := f.c.Pipeline()
		script := leaseScript.EvalSha(ctx, pipe, keys,
			f.cfg.Consumer, f.cfg.Visibility.Milliseconds(), f.cfg.MaxAttempts, f.cfg.MaxDeadLetters, n, pause)
		read := pipe.XReadGroup(ctx, f.readArgs(p, n, -1))
		_, _ = pipe.Exec(ctx) // errors are read per command
		fresh, err := newEntries(read)
		if err != nil {
			return nil, partState{}, fmt.Errorf("redis frontier: lease: %w", ctxErr(ctx, err))
		}
		res, err := script.Slice()
		if redis.HasErrorPrefix(err, "NOSCRIPT") && !loaded {
			// First use on this server: load the script and lease again,
			// keeping what the read leased meanwhile.
			if err := leaseScript.Load(ctx, f.c).Err(); err != nil {
				return nil, partState{}, errors.Join(fmt.Errorf("redis frontier: load lease script: %w", err),
					f.releaseEntries(ctx, p, fresh))
			}
			if len(fresh) == 0 {
				continue
			}
			return f.leased(ctx, p, fresh)
		}
		if err != nil {
			return nil, partState{}, errors.Join(fmt.Errorf("redis frontier: lease: %w", ctxErr(ctx, err)),
				f.releaseEntries(ctx, p, fresh))
		}
		return f.collect(ctx, p, n, res, fresh)
	}
}

// collect joins the jobs the lease script reclaimed (res) and the new
// ones read after it, releasing new ones beyond n, or returns the
// partition's state when there are none.
func (f *Frontier) collect(ctx context.Context, p, n int, res []any, fresh []entry) ([]frontier.Job, partState, error) {
	if len(res) == 3 && res[0] == int64(0) {
		if len(fresh) == 0 {
			return nil, partState{outstanding: toInt(res[1]), ver: toInt(res[2])}, nil
		}
		return f.leased(ctx, p, fresh)
	}
	if len(res) != 2 || res[0] != int64(1) {
		return nil, partState{}, errors.Join(fmt.Errorf("redis frontier: lease: unexpected reply %v", res),
			f.releaseEntries(ctx, p, fresh))
	}
	raw, _ := res[1].([]any)
	got := make([]entry, 0, len(raw)+len(fresh))
	for _, r := range raw {
		e, ok := scriptEntry(r)
		if !ok {
			return nil, partState{}, errors.Join(fmt.Errorf("redis frontier: malformed lease %v", r),
				f.releaseEntries(ctx, p, fresh))
		}
		got = append(got, e)
	}
	// Reclaims are rare (a worker died); the new jobs read with them that
	// do not fit in n go back at once.
	extra := min(max(0, len(got)+len(fresh)-n), len(fresh))
	got = append(got, fresh[:len(fresh)-extra]...)
	if err := f.releaseEntries(ctx, p, fresh[len(fresh)-extra:]); err != nil {
		return nil, partState{}, errors.Join(err, f.releaseEntries(ctx, p, got))
	}
	return f.leased(ctx, p, got)
}

// readArgs reads up to n new jobs of partition p, blocking for block (-1:
// not at all).
func (f *Frontier) readArgs(p, n int, block time.Duration) *redis.XReadGroupArgs {
	return &redis.XReadGroupArgs{
		Group: group, Consumer: f.cfg.Consumer, Streams: []string{f.keys.parts[p].q, ">"},
		Count: int64(n), Block: block,
	}
}

// block waits up to PollInterval for new jobs on one partition, taking
// the partitions in turn.
func (f *Frontier) block(ctx context.Context, n int) ([]frontier.Job, error) {
	p := int(f.wait.Add(1) % uint64(f.p.partitions))
	fresh, err := newEntries(f.c.XReadGroup(ctx, f.readArgs(p, n, f.cfg.PollInterval)))
	if err != nil {
		return nil, fmt.Errorf("redis frontier: wait for jobs: %w", ctxErr(ctx, err))
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	jobs, _, err := f.leased(ctx, p, fresh)
	return jobs, err
}

// entry is one delivery of a stream entry.
type entry struct {
	id      string
	fields  map[string]any
	attempt int // which delivery this is, 1 for the first
}

// newEntries returns the entries an XREADGROUP of one stream delivered
// for the first time: their attempt is one more than the stream's count
// of earlier deliveries (field a).
func newEntries(cmd *redis.XStreamSliceCmd) ([]entry, error) {
	streams, err := cmd.Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil || len(streams) == 0 {
		return nil, err
	}
	out := make([]entry, len(streams[0].Messages))
	for i, m := range streams[0].Messages {
		a, _ := m.Values["a"].(string)
		att, _ := strconv.Atoi(a)
		out[i] = entry{id: m.ID, fields: m.Values, attempt: att + 1}
	}
	return out, nil
}

// scriptEntry decodes an entry as the lease script returns it: {id,
// flat fields, attempt}.
func scriptEntry(raw any) (entry, bool) {
	e, _ := raw.([]any)
	if len(e) != 3 {
		return entry{}, false
	}
	id, _ := e[0].(string)
	flat, _ := e[1].([]any)
	fields := make(map[string]any, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		k, _ := flat[i].(string)
		fields[k] = flat[i+1]
	}
	return entry{id: id, fields: fields, attempt: int(toInt(e[2]))}, id != ""
}

// leased turns delivered entries into Jobs and records their leases. If
// ctx is done by now, it releases them instead. A malformed entry (only
// data corruption makes one) fails the call and stays leased, so that it
// is reclaimed and, after MaxAttempts deliveries, dead-lettered.
func (f *Frontier) leased(ctx context.Context, p int, entries []entry) ([]frontier.Job, partState, error) {
	jobs := make([]frontier.Job, 0, len(entries))
	var bad []error
	for _, e := range entries {
		j, err := entryJob(p, e)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		jobs = append(jobs, j)
	}
	if err := errors.Join(append(bad, ctx.Err())...); err != nil {
		return nil, partState{}, errors.Join(err, f.settle(ctx, releaseScript, jobs))
	}
	f.mu.Lock()
	for _, j := range jobs {
		f.leases[j.Lease] = struct{}{}
	}
	f.mu.Unlock()
	return jobs, partState{}, nil
}

// releaseEntries gives back deliveries that will not become Jobs.
func (f *Frontier) releaseEntries(ctx context.Context, p int, entries []entry) error {
	if len(entries) == 0 {
		return nil
	}
	jobs := make([]frontier.Job, len(entries))
	for i, e := range entries {
		jobs[i] = frontier.Job{URL: e.id, Lease: leaseOf(p, e)}
	}
	return f.settle(ctx, releaseScript, jobs)
}

// entryJob decodes one delivered entry of partition p.
func entryJob(p int, e entry) (frontier.Job, error) {
	str := func(k string) string { s, _ := e.fields[k].(string); return s }
	depth, err := strconv.Atoi(str("d"))
	j := frontier.Job{URL: str("u"), Depth: depth, Referrer: str("r"), Lease: leaseOf(p, e)}
	if j.URL == "" || err != nil {
		return j, fmt.Errorf("redis frontier: malformed job %s %v", e.id, e.fields)
	}
	return j, nil
}

// leaseOf writes the lease of a delivery: partition/entry ID/attempt.
func leaseOf(p int, e entry) string {
	return strconv.Itoa(p) + "/" + e.id + "/" + strconv.Itoa(e.attempt)
}
