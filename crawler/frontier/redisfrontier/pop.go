package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/attrib/attrib/crawler/frontier"
)

// Pop implements frontier.Frontier. It leases one job: a retry that is
// due, a job whose lease expired, or a new one, trying the partitions in
// turn. When there is none it returns frontier.ErrDrained if the scan holds
// no job at all (queued, leased by any process, or waiting for a retry);
// otherwise it blocks on a partition's stream for up to PollInterval and
// tries again. A job read as ctx is cancelled is released at once.
func (f *Frontier) Pop(ctx context.Context) (frontier.Job, error) {
	jobs, err := f.PopN(ctx, 1)
	if err != nil {
		return frontier.Job{}, err
	}
	return jobs[0], nil
}

// PopN is Pop for up to n jobs at once (at least one), for consumers that
// process jobs in batches: one round trip leases them all. Jobs leased
// together come from one partition.
func (f *Frontier) PopN(ctx context.Context, n int) ([]frontier.Job, error) {
	n = max(n, 1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		jobs, snap, err := f.sweep(ctx, n)
		if err != nil || len(jobs) > 0 {
			return jobs, err
		}
		drained, err := f.drained(ctx, snap)
		if err != nil {
			return nil, err
		}
		if drained {
			return nil, frontier.ErrDrained
		}
		if jobs, err := f.block(ctx, n); err != nil || len(jobs) > 0 {
			return jobs, err
		}
	}
}

// sweep runs the lease script on every partition, starting at a rotating
// one, until one hands out jobs. Without a job it returns what each
// partition holds, read atomically with its version.
func (f *Frontier) sweep(ctx context.Context, n int) ([]frontier.Job, []partState, error) {
	parts := f.p.partitions
	start := int(f.next.Add(1) % uint64(parts))
	snap := make([]partState, parts)
	pause := min(f.cfg.Visibility/4, time.Second).Milliseconds()
	for i := range parts {
		p := (start + i) % parts
		pk := f.keys.parts[p]
		res, err := leaseScript.Run(ctx, f.c, []string{pk.q, pk.c, pk.delay, pk.dead},
			f.cfg.Consumer, f.cfg.Visibility.Milliseconds(), f.cfg.MaxAttempts, f.cfg.MaxDeadLetters, n, pause).Slice()
		if err != nil {
			return nil, nil, fmt.Errorf("redis frontier: lease: %w", ctxErr(ctx, err))
		}
		if len(res) == 2 && res[0] == int64(1) {
			entries, _ := res[1].([]any)
			jobs, err := f.leased(ctx, p, entries)
			return jobs, nil, err
		}
		if len(res) != 3 {
			return nil, nil, fmt.Errorf("redis frontier: lease: unexpected reply %v", res)
		}
		snap[p] = partState{outstanding: toInt(res[1]), ver: toInt(res[2])}
	}
	return nil, snap, nil
}

// block waits up to PollInterval for new jobs on one partition, taking
// the partitions in turn.
func (f *Frontier) block(ctx context.Context, n int) ([]frontier.Job, error) {
	p := int(f.wait.Add(1) % uint64(f.p.partitions))
	streams, err := f.c.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: f.cfg.Consumer, Streams: []string{f.keys.parts[p].q, ">"},
		Count: int64(n), Block: f.cfg.PollInterval,
	}).Result()
	if errors.Is(err, redis.Nil) || (err == nil && len(streams) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("redis frontier: wait for jobs: %w", ctxErr(ctx, err))
	}
	entries := make([]any, 0, len(streams[0].Messages))
	for _, m := range streams[0].Messages {
		flat := make([]any, 0, 2*len(m.Values))
		for k, v := range m.Values {
			flat = append(flat, k, v)
		}
		a, _ := m.Values["a"].(string)
		att, _ := strconv.Atoi(a)
		entries = append(entries, []any{m.ID, flat, int64(att + 1)})
	}
	return f.leased(ctx, p, entries)
}

// leased turns delivered stream entries ({id, fields, attempt}) into Jobs
// and records their leases. If ctx is done by now, it releases them
// instead.
func (f *Frontier) leased(ctx context.Context, p int, entries []any) ([]frontier.Job, error) {
	jobs := make([]frontier.Job, 0, len(entries))
	for _, raw := range entries {
		e, _ := raw.([]any)
		if len(e) != 3 {
			return nil, fmt.Errorf("redis frontier: malformed lease %v", raw)
		}
		j, err := entryJob(p, e[0], e[1], e[2])
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	if ctx.Err() != nil {
		return nil, errors.Join(ctx.Err(), f.settle(ctx, releaseScript, jobs))
	}
	f.mu.Lock()
	for _, j := range jobs {
		f.leases[j.Lease] = struct{}{}
	}
	f.mu.Unlock()
	return jobs, nil
}

// entryJob decodes one stream entry of partition p.
func entryJob(p int, id, flat, attempt any) (frontier.Job, error) {
	sid, _ := id.(string)
	vals, _ := flat.([]any)
	fields := map[string]string{}
	for i := 0; i+1 < len(vals); i += 2 {
		k, _ := vals[i].(string)
		v, _ := vals[i+1].(string)
		fields[k] = v
	}
	depth, err := strconv.Atoi(fields["d"])
	if sid == "" || fields["u"] == "" || err != nil {
		return frontier.Job{}, fmt.Errorf("redis frontier: malformed job %v %v", id, vals)
	}
	return frontier.Job{
		URL: fields["u"], Depth: depth, Referrer: fields["r"],
		Lease: fmt.Sprintf("%d/%s/%d", p, sid, toInt(attempt)),
	}, nil
}

// lease is a parsed Job.Lease.
type lease struct {
	part    int
	id      string
	attempt int
}

// parseLease reads j.Lease as Pop wrote it.
func (f *Frontier) parseLease(j frontier.Job) (lease, error) {
	ps, rest, ok1 := strings.Cut(j.Lease, "/")
	id, as, ok2 := strings.Cut(rest, "/")
	p, err1 := strconv.Atoi(ps)
	a, err2 := strconv.Atoi(as)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || p < 0 || p >= f.p.partitions || id == "" {
		return lease{}, fmt.Errorf("%w: %s (no lease of this frontier: %q)", frontier.ErrUnknownJob, j.URL, j.Lease)
	}
	return lease{part: p, id: id, attempt: a}, nil
}

// Attempt returns which delivery of its job j is (1 for the first), or 0
// for a job this package did not lease.
func Attempt(j frontier.Job) int {
	parts := strings.Split(j.Lease, "/")
	if len(parts) != 3 {
		return 0
	}
	n, _ := strconv.Atoi(parts[2])
	return n
}

// Done implements frontier.Frontier: it acknowledges the delivery and
// forgets the job (its URL stays seen). It returns an error wrapping
// frontier.ErrUnknownJob when the delivery is not pending any more (it was
// acknowledged already, or its lease expired and another consumer
// finished it). Done is not cut short by ctx's cancellation: it gives up
// after a few seconds only.
func (f *Frontier) Done(ctx context.Context, j frontier.Job) error {
	return f.settle(ctx, doneScript, []frontier.Job{j})
}

// Ack is Done for many jobs, in one round trip per partition.
func (f *Frontier) Ack(ctx context.Context, jobs ...frontier.Job) error {
	return f.settle(ctx, doneScript, jobs)
}

// Release makes leased jobs available to any consumer at once, without
// counting a delivery: for a worker that stops before processing them.
// Like Done, it is not cut short by ctx's cancellation.
func (f *Frontier) Release(ctx context.Context, jobs ...frontier.Job) error {
	return f.settle(ctx, releaseScript, jobs)
}

// settle runs doneScript or releaseScript on the jobs' deliveries, one
// call per partition.
func (f *Frontier) settle(ctx context.Context, s *redis.Script, jobs []frontier.Job) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	var errs []error
	byPart := map[int][]frontier.Job{}
	for _, j := range jobs {
		l, err := f.parseLease(j)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		byPart[l.part] = append(byPart[l.part], j)
	}
	for p, js := range byPart {
		ids := make([]any, len(js))
		for i, j := range js {
			l, _ := f.parseLease(j)
			ids[i] = l.id
		}
		pk := f.keys.parts[p]
		ok, err := s.Run(ctx, f.c, []string{pk.q, pk.c}, ids...).Int64Slice()
		if err != nil {
			errs = append(errs, fmt.Errorf("redis frontier: settle %d jobs: %w", len(js), err))
			continue
		}
		for i, j := range js {
			f.forget(j.Lease)
			if i >= len(ok) || ok[i] != 1 {
				errs = append(errs, fmt.Errorf("%w: %s", frontier.ErrUnknownJob, j.URL))
			}
		}
	}
	return errors.Join(errs...)
}

// Fail reports a transient failure of j's delivery: it acknowledges the
// delivery and schedules the job again after an exponential backoff
// (RetryBackoff doubled per delivery, up to MaxBackoff), or after
// MaxAttempts deliveries moves it to the dead-letter stream with cause.
// Like Done, it is not cut short by ctx's cancellation.
func (f *Frontier) Fail(ctx context.Context, j frontier.Job, cause error) error {
	l, err := f.parseLease(j)
	if err != nil {
		return err
	}
	msg := "unknown error"
	if cause != nil {
		msg = cause.Error()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	pk := f.keys.parts[l.part]
	jitter := 0.75 + rand.Float64()/2
	res, err := failScript.Run(ctx, f.c, []string{pk.q, pk.c, pk.delay, pk.dead},
		l.id, msg, f.cfg.MaxAttempts, f.cfg.RetryBackoff.Milliseconds(), f.cfg.MaxBackoff.Milliseconds(),
		strconv.FormatFloat(jitter, 'f', 3, 64), f.cfg.MaxDeadLetters).Int64Slice()
	if err != nil {
		return fmt.Errorf("redis frontier: fail %s: %w", j.URL, err)
	}
	f.forget(j.Lease)
	if len(res) == 0 || res[0] < 0 {
		return fmt.Errorf("%w: %s", frontier.ErrUnknownJob, j.URL)
	}
	return nil
}

// ctxErr prefers ctx's error to the client's error it caused.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// toInt reads an integer script reply.
func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case string:
		i, _ := strconv.ParseInt(n, 10, 64)
		return i
	}
	return 0
}

// forget drops a settled lease.
func (f *Frontier) forget(lease string) {
	f.mu.Lock()
	delete(f.leases, lease)
	f.mu.Unlock()
}
