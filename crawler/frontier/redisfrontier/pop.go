package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

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

// maxSettle bounds the entry IDs one settling script call takes.
const maxSettle = 1000

// settle runs doneScript or releaseScript on the jobs' deliveries, one
// call per partition and maxSettle jobs.
func (f *Frontier) settle(ctx context.Context, s *redis.Script, jobs []frontier.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	var errs []error
	byPart := map[int][]any{}
	ok := make([]frontier.Job, 0, len(jobs))
	for _, j := range jobs {
		l, err := f.parseLease(j)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		byPart[l.part] = append(byPart[l.part], l.id)
		ok = append(ok, j)
	}
	settled := map[int][]int64{}
	for p, ids := range byPart {
		pk := f.keys.parts[p]
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), maxSettle)]
			ids = ids[len(chunk):]
			res, err := s.Run(ctx, f.c, []string{pk.q, pk.c}, chunk...).Int64Slice()
			if err != nil {
				errs = append(errs, fmt.Errorf("redis frontier: settle %d jobs: %w", len(chunk), err))
				res = slices.Repeat([]int64{-1}, len(chunk)) // unknown: the lease stays
			}
			settled[p] = append(settled[p], res...)
		}
	}
	next := map[int]int{}
	for _, j := range ok {
		l, _ := f.parseLease(j)
		i := next[l.part]
		next[l.part]++
		res := settled[l.part]
		if i < len(res) && res[i] == -1 {
			continue
		}
		f.forget(j.Lease)
		if i >= len(res) || res[i] != 1 {
			errs = append(errs, fmt.Errorf("%w: %s", frontier.ErrUnknownJob, j.URL))
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
