package redisfrontier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ScanCounts are a scan's figures across every process and partition.
type ScanCounts struct {
	Queued   int64 // waiting to be leased
	InFlight int64 // leased, not yet acknowledged (including leases of dead workers not yet reclaimed)
	Delayed  int64 // failed, waiting for their retry
	Done     int64 // acknowledged
	Dead     int64 // moved to the dead-letter streams
	Admitted int64 // enqueued in total (a recrawled URL counts again)
	Seen     int64 // URLs remembered for dedupe
}

// Finished reports whether the scan holds no job: nothing queued, leased
// or waiting for a retry.
func (s ScanCounts) Finished() bool { return s.Queued+s.InFlight+s.Delayed == 0 }

// DeadLetter is a job that failed MaxAttempts times.
type DeadLetter struct {
	URL      string
	Depth    int
	Referrer string
	Attempts int       // deliveries it had
	Err      string    // the last failure's cause
	Time     time.Time // when it was dead-lettered
}

// scanParams reads a scan's stored parameters.
func scanParams(ctx context.Context, c redis.UniversalClient, ns, scan string) (params, error) {
	if err := errors.Join(checkName("namespace", or(ns, DefaultNamespace)), checkName("scan name", scan)); err != nil {
		return params{}, err
	}
	m, err := c.HGetAll(ctx, metaKey(or(ns, DefaultNamespace), scan)).Result()
	if err != nil {
		return params{}, fmt.Errorf("redis frontier: read scan %q: %w", scan, err)
	}
	if len(m) == 0 {
		return params{}, fmt.Errorf("%w: %q", ErrNoScan, scan)
	}
	return parseParams(m)
}

// Counts returns a scan's figures across every process, for `attrib
// status`. The partitions are read in turn, so the sum is not a snapshot
// while the scan runs. It returns an error wrapping ErrNoScan for a scan
// that does not exist.
func Counts(ctx context.Context, c redis.UniversalClient, namespace, scan string) (ScanCounts, error) {
	p, err := scanParams(ctx, c, namespace, scan)
	if err != nil {
		return ScanCounts{}, err
	}
	var s ScanCounts
	for _, pk := range newScanKeys(or(namespace, DefaultNamespace), scan, p.partitions).parts {
		v, err := countsScript.Run(ctx, c, []string{pk.q, pk.c, pk.delay}).Int64Slice()
		if err != nil || len(v) != 7 {
			return ScanCounts{}, fmt.Errorf("redis frontier: counts of %q: %w", scan, err)
		}
		s.Queued += v[0] - v[1]
		s.InFlight += v[1]
		s.Delayed += v[2]
		s.Admitted += v[3]
		s.Done += v[4]
		s.Dead += v[5]
		s.Seen += v[6]
	}
	return s, nil
}

// DeadLetters returns up to limit of a scan's dead letters, newest first.
// Each partition keeps its latest Config.MaxDeadLetters.
func DeadLetters(ctx context.Context, c redis.UniversalClient, namespace, scan string, limit int) ([]DeadLetter, error) {
	p, err := scanParams(ctx, c, namespace, scan)
	if err != nil || limit <= 0 {
		return nil, err
	}
	var out []DeadLetter
	for _, pk := range newScanKeys(or(namespace, DefaultNamespace), scan, p.partitions).parts {
		msgs, err := c.XRevRangeN(ctx, pk.dead, "+", "-", int64(limit)).Result()
		if err != nil {
			return nil, fmt.Errorf("redis frontier: dead letters of %q: %w", scan, err)
		}
		for _, m := range msgs {
			out = append(out, deadLetter(m))
		}
	}
	slices.SortStableFunc(out, func(a, b DeadLetter) int { return b.Time.Compare(a.Time) })
	return out[:min(limit, len(out))], nil
}

// deadLetter decodes a dead-letter stream entry; its ID holds the time.
func deadLetter(m redis.XMessage) DeadLetter {
	str := func(k string) string { s, _ := m.Values[k].(string); return s }
	ms, _, _ := strings.Cut(m.ID, "-")
	t, _ := strconv.ParseInt(ms, 10, 64)
	d, _ := strconv.Atoi(str("d"))
	a, _ := strconv.Atoi(str("a"))
	return DeadLetter{URL: str("u"), Depth: d, Referrer: str("r"), Attempts: a, Err: str("e"), Time: time.UnixMilli(t)}
}

// deleteBatch is how many keys one UNLINK removes.
const deleteBatch = 1000

// Delete removes every key of a scan (by name: it never scans the
// keyspace). Processes still using the scan get errors afterwards. A scan
// that does not exist is not an error.
func Delete(ctx context.Context, c redis.UniversalClient, namespace, scan string) error {
	p, err := scanParams(ctx, c, namespace, scan)
	if errors.Is(err, ErrNoScan) {
		return nil
	}
	if err != nil {
		return err
	}
	k := newScanKeys(or(namespace, DefaultNamespace), scan, p.partitions)
	for _, pk := range k.parts {
		// Keys of one partition share a hash tag, so one UNLINK may name many.
		batch := []string{pk.q, pk.c, pk.delay, pk.dead}
		for b := range p.buckets {
			batch = append(batch, pk.bucket(uint64(b)))
			if len(batch) == deleteBatch {
				if err := unlink(ctx, c, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if err := unlink(ctx, c, batch); err != nil {
			return err
		}
	}
	// The parameters go last, so an interrupted Delete can be run again.
	return unlink(ctx, c, []string{k.budget, k.meta})
}

func unlink(ctx context.Context, c redis.UniversalClient, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	if err := c.Unlink(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("redis frontier: delete scan keys: %w", err)
	}
	return nil
}
