package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/attrib/attrib/crawler/frontier"
)

// maxBatch bounds the jobs one admission script handles, so one script
// holds Redis for well under a millisecond per call.
const maxBatch = 256

// admitCode is admitScript's verdict on one job.
type admitCode int64

const (
	admitted   admitCode = 1
	duplicate  admitCode = 2
	overBudget admitCode = 3
	queueFull  admitCode = 4
	seenFull   admitCode = 5
)

// candidate is a job the policy admitted, placed in its partition.
type candidate struct {
	job frontier.Job
	at  slot
}

// Push implements frontier.Frontier. Admission of each job (dedupe,
// enqueue, counters, page budget) is one atomic step in Redis, so a crash
// loses nothing: a job is either admitted and queued or not seen at all.
// With MaxPages and several partitions the budget is reserved first (see
// the package documentation).
func (f *Frontier) Push(ctx context.Context, jobs ...frontier.Job) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	parts := f.place(jobs)
	if f.p.maxPages > 0 && f.p.partitions > 1 {
		return f.pushBudgeted(ctx, parts)
	}
	// Partitions live on different nodes of a cluster: admit in parallel.
	var added atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for p, cands := range parts {
		g.Go(func() error {
			for chunk := range chunks(cands) {
				n, err := f.admit(gctx, p, chunk, -1)
				added.Add(int64(n))
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	err := g.Wait()
	return int(added.Load()), err
}

// place applies the policy and groups the admitted jobs by partition,
// counting the refused ones.
func (f *Frontier) place(jobs []frontier.Job) map[int][]candidate {
	parts := map[int][]candidate{}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, j := range jobs {
		j, err := f.policy.Admit(j)
		if err != nil {
			switch {
			case errors.Is(err, frontier.ErrTooDeep):
				f.stats.TooDeep++
			case errors.Is(err, frontier.ErrOutOfScope):
				f.stats.OutOfScope++
			default:
				f.stats.Invalid++
			}
			continue
		}
		j.Lease = ""
		at := f.hash.locate(j.URL)
		parts[at.part] = append(parts[at.part], candidate{job: j, at: at})
	}
	return parts
}

// chunks yields cands in slices of at most maxBatch.
func chunks(cands []candidate) func(func([]candidate) bool) {
	return func(yield func([]candidate) bool) {
		for len(cands) > 0 {
			n := min(len(cands), maxBatch)
			if !yield(cands[:n]) {
				return
			}
			cands = cands[n:]
		}
	}
}

// admit runs the admission script for jobs of partition p, admitting at
// most allow of them (-1: no limit but the scan's budget when it lives in
// the same partition), and counts the verdicts.
func (f *Frontier) admit(ctx context.Context, p int, cands []candidate, allow int) (int, error) {
	pk := f.keys.parts[p]
	maxPages, budget := 0, pk.c
	if f.p.partitions == 1 {
		maxPages, budget = f.p.maxPages, f.keys.budget
	}
	keys := make([]string, 0, 4+len(cands))
	keys = append(keys, pk.q, pk.c, pk.delay, budget)
	args := make([]any, 0, 6+4*len(cands))
	args = append(args, f.recrawl, f.p.maxQueued, f.p.maxSeen, maxPages, allow, f.p.epoch)
	for _, c := range cands {
		keys = append(keys, pk.bucket(c.at.bucket))
		args = append(args, c.at.hash, c.job.URL, c.job.Depth, c.job.Referrer)
	}
	codes, err := admitScript.Run(ctx, f.c, keys, args...).Int64Slice()
	if err != nil {
		return 0, fmt.Errorf("redis frontier: admit: %w", err)
	}
	return f.count(codes), nil
}

// count adds admission verdicts to the stats and returns how many jobs
// were admitted.
func (f *Frontier) count(codes []int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range codes {
		switch admitCode(c) {
		case admitted:
			n++
			f.stats.Admitted++
		case duplicate:
			f.stats.Duplicates++
		case overBudget:
			f.stats.OverBudget++
		default:
			f.stats.Dropped++
		}
	}
	return n
}

// pushBudgeted admits jobs spread over several partitions under the
// scan's page budget, which lives under another hash tag than the
// partitions: it counts the jobs that are new, reserves that many pages of
// the budget, admits at most the reserved number and gives back what it
// did not use. A process that dies between reserving and giving back
// leaves the budget short by at most one Push's new URLs; the budget is
// never exceeded.
func (f *Frontier) pushBudgeted(ctx context.Context, parts map[int][]candidate) (int, error) {
	fresh := map[int][]candidate{}
	want := 0
	for p, cands := range parts {
		for chunk := range chunks(cands) {
			kept, err := f.fresh(ctx, p, chunk)
			if err != nil {
				return 0, err
			}
			fresh[p] = append(fresh[p], kept...)
			want += len(kept)
		}
	}
	if want == 0 {
		return 0, nil
	}
	granted, err := reserveScript.Run(ctx, f.c, []string{f.keys.budget}, want, f.p.maxPages).Int()
	if err != nil {
		return 0, fmt.Errorf("redis frontier: reserve page budget: %w", err)
	}
	added := 0
	for p, cands := range fresh {
		for chunk := range chunks(cands) {
			n, err := f.admit(ctx, p, chunk, granted-added)
			added += n
			if err != nil {
				return added, errors.Join(err, f.refund(ctx, granted-added))
			}
		}
	}
	return added, f.refund(ctx, granted-added)
}

// fresh returns the candidates whose URLs are new to the scan, counting
// the others as duplicates.
func (f *Frontier) fresh(ctx context.Context, p int, cands []candidate) ([]candidate, error) {
	pk := f.keys.parts[p]
	keys := make([]string, len(cands))
	args := make([]any, 0, 2+len(cands))
	args = append(args, f.recrawl, f.p.epoch)
	for i, c := range cands {
		keys[i] = pk.bucket(c.at.bucket)
		args = append(args, c.at.hash)
	}
	isNew, err := freshScript.Run(ctx, f.c, keys, args...).Int64Slice()
	if err != nil {
		return nil, fmt.Errorf("redis frontier: check seen: %w", err)
	}
	var kept []candidate
	dups := int64(0)
	for i, c := range cands {
		if isNew[i] == 1 {
			kept = append(kept, c)
		} else {
			dups++
		}
	}
	f.mu.Lock()
	f.stats.Duplicates += dups
	f.mu.Unlock()
	return kept, nil
}

// refund gives n unused pages back to the budget.
func (f *Frontier) refund(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	if err := f.c.DecrBy(ctx, f.keys.budget, int64(n)).Err(); err != nil {
		return fmt.Errorf("redis frontier: give back %d pages of the budget: %w", n, err)
	}
	return nil
}

// Claim implements frontier.Frontier: it marks the URL seen in its
// partition. URLs that do not canonicalise, and new URLs once the
// partition's seen set is full, are never new.
func (f *Frontier) Claim(ctx context.Context, rawURL string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	u, err := frontier.Canonical(rawURL)
	if err != nil {
		return false, nil
	}
	at := f.hash.locate(u)
	pk := f.keys.parts[at.part]
	keys := []string{pk.c, pk.bucket(at.bucket)}
	code, err := claimScript.Run(ctx, f.c, keys, f.recrawl, f.p.maxSeen, at.hash, f.p.epoch).Int64()
	if err != nil {
		return false, fmt.Errorf("redis frontier: claim %s: %w", u, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch code {
	case 1:
		return true, nil
	case 2:
		f.stats.Dropped++
	default:
		f.stats.Duplicates++
	}
	return false, nil
}
