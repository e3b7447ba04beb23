package frontier

import (
	"context"
	"errors"
)

// Job is one URL to crawl.
type Job struct {
	URL      string // canonical once admitted by a Frontier
	Depth    int    // links followed from a seed; seeds are 0
	Referrer string // the page the link was found on; empty for seeds
	// Lease is the backend's handle on one delivery of the job, set by Pop
	// and read by Done; opaque to consumers. The in-memory frontier leaves
	// it empty and ignores it.
	Lease string
}

// ErrDrained is returned by Pop when the queue is empty and no job is in
// flight: the crawl is complete.
var ErrDrained = errors.New("frontier drained")

// ErrUnknownJob is returned by Done for a job that is not in flight.
var ErrUnknownJob = errors.New("job not in flight")

// Frontier is the crawl queue consumed by the crawler's worker pool. All
// methods are safe for concurrent use.
//
// Delivery is at least once: Pop leases a job and Done acknowledges it. A
// job that is popped and never acknowledged counts as in flight (so Pop
// does not report ErrDrained while it is); implementations that outlive a
// worker may hand it out again. Consumers therefore make processing a job
// idempotent, push the links a job yields before acknowledging it, and do
// not acknowledge a job whose processing was cut short.
type Frontier interface {
	// Push admits jobs: it canonicalises each URL, drops duplicates of
	// URLs already admitted, URLs out of scope or beyond the max depth and
	// URLs over the page budget, and enqueues the rest. It returns how
	// many were enqueued. An error means the frontier itself failed.
	Push(ctx context.Context, jobs ...Job) (added int, err error)
	// Pop blocks until a job is available and leases it. It returns
	// ErrDrained when the queue is empty and no job is in flight, or the
	// context's error.
	Pop(ctx context.Context) (Job, error)
	// Done acknowledges a job returned by Pop.
	Done(ctx context.Context, j Job) error
	// Claim marks a URL as crawled without enqueueing it and reports
	// whether it was new. The crawler claims the final URL of a redirect,
	// so a page reached both directly and through a redirect is processed
	// once. URLs that do not canonicalise are never new.
	Claim(ctx context.Context, rawURL string) (bool, error)
}

// Options configure a frontier. Scope, Seeds and MaxDepth make its Policy.
type Options struct {
	Scope    Scope
	Seeds    []string // define the scope; Push them to crawl them
	MaxDepth int      // 0 admits only depth-0 jobs (the seeds)
	// MaxPages stops admitting new URLs once this many were admitted
	// (0 = no budget).
	MaxPages int
	// MaxQueued bounds the jobs waiting in the queue; jobs pushed beyond
	// it are dropped and counted in Stats.Dropped (0 = DefaultMaxQueued).
	MaxQueued int
	// MaxSeen bounds the set of admitted URLs kept for dedupe; once it is
	// full, new URLs are dropped and counted in Stats.Dropped
	// (0 = DefaultMaxSeen).
	MaxSeen int
}

// Defaults for Options. A queued job takes roughly 100-300 bytes and a
// seen URL about 40 bytes, so the defaults bound a frontier near 120 MB.
const (
	DefaultMaxQueued = 1 << 18
	DefaultMaxSeen   = 1 << 21
)

// Stats count what a frontier did with the jobs pushed to it.
type Stats struct {
	Queued     int   // waiting now
	InFlight   int   // popped, not yet done
	Admitted   int64 // enqueued in total
	Duplicates int64 // already admitted before
	OutOfScope int64
	TooDeep    int64
	OverBudget int64 // refused because MaxPages URLs were admitted
	Invalid    int64 // URL does not canonicalise (bad scheme, too long...)
	Dropped    int64 // refused because the queue or the seen set was full
}
