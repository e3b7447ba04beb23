package redisfrontier

import (
	"context"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"
)

// partState is what one partition holds (stream entries, queued or
// leased, plus jobs waiting for a retry) and its version, which every
// change of what it holds increments.
type partState struct {
	outstanding, ver int64
}

// drained reports whether the scan holds no job in any partition, given a
// first collection of the partitions' states (snap, read in turn).
//
// One partition is read atomically, so with one partition snap decides.
// With several, reading them in turn is not a snapshot: a job leased in
// partition B may push a link into partition A, already read as empty,
// and be acknowledged before B is read. So the partitions are read a
// second time: if every partition shows the same version both times,
// nothing changed in any partition between the two reads, so at the
// instant between the two collections every partition held what was read
// — a consistent snapshot (the double collect). A leased job counts as
// held until it is acknowledged, and a job pushes its links before its
// Done, so no process can see the scan empty while a job may still add
// work.
func (f *Frontier) drained(ctx context.Context, snap []partState) (bool, error) {
	total := int64(0)
	for _, s := range snap {
		total += s.outstanding
	}
	f.mu.Lock()
	f.stats.Queued = int(total)
	f.mu.Unlock()
	if total > 0 {
		return false, nil
	}
	if len(snap) == 1 {
		return true, nil
	}
	again, err := readStates(ctx, f.c, f.keys.parts)
	if err != nil {
		return false, err
	}
	return slices.Equal(snap, again), nil
}

// readStates reads every partition's state in turn.
func readStates(ctx context.Context, c redis.UniversalClient, parts []partKeys) ([]partState, error) {
	out := make([]partState, len(parts))
	for i, pk := range parts {
		v, err := stateScript.Run(ctx, c, []string{pk.q, pk.c, pk.delay}).Int64Slice()
		if err != nil || len(v) != 2 {
			return nil, fmt.Errorf("redis frontier: read partition state: %w", ctxErr(ctx, err))
		}
		out[i] = partState{outstanding: v[0], ver: v[1]}
	}
	return out, nil
}

// Drained reports whether a scan holds no job (queued, leased by any
// process, or waiting for a retry) as Pop's end-of-scan check decides it:
// from a consistent snapshot of its partitions, which summing Counts is
// not. It returns an error wrapping ErrNoScan for a scan that does not
// exist.
func Drained(ctx context.Context, c redis.UniversalClient, namespace, scan string) (bool, error) {
	p, err := scanParams(ctx, c, namespace, scan)
	if err != nil {
		return false, err
	}
	parts := newScanKeys(or(namespace, DefaultNamespace), scan, p.partitions).parts
	first, err := readStates(ctx, c, parts)
	if err != nil {
		return false, err
	}
	for _, s := range first {
		if s.outstanding > 0 {
			return false, nil
		}
	}
	if len(parts) == 1 {
		return true, nil
	}
	again, err := readStates(ctx, c, parts)
	if err != nil {
		return false, err
	}
	return slices.Equal(first, again), nil
}
