package scanreg

import (
	"context"
	"fmt"
	"time"

	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/frontier/redisfrontier"
	"github.com/attrib/attrib/store"
)

// ScanStore is what enqueueing needs of the store: the scan's record.
type ScanStore interface {
	CreateScan(ctx context.Context, s store.Scan) (store.Scan, error)
	UpdateScan(ctx context.Context, s store.Scan) error
}

// FrontierFunc opens the shared frontier of a scan.
type FrontierFunc func(ctx context.Context, scan string, o frontier.Options) (frontier.Frontier, error)

// Enqueuer starts distributed scans for remote workers and matchers, as
// `attrib enqueue` and the service's launcher do.
type Enqueuer struct {
	Registry *Registry
	Store    ScanStore
	Frontier FrontierFunc
}

// Enqueue starts the scan spec.Name: it stores the spec (ErrExists for a
// name already used), creates the scan's record in the store as running,
// queues the seeds and activates the scan. It returns how many seeds were
// queued (duplicates count once).
func (e *Enqueuer) Enqueue(ctx context.Context, spec Spec) (int, error) {
	if err := e.Registry.Create(ctx, spec); err != nil {
		return 0, err
	}
	sc := store.Scan{ID: spec.Name, Kind: "crawl", Targets: spec.Seeds, State: store.ScanRunning, StartedAt: time.Now().UTC()}
	if _, err := e.Store.CreateScan(ctx, sc); err != nil {
		return 0, fmt.Errorf("create scan %s: %w", spec.Name, err)
	}
	return e.queue(ctx, spec)
}

// EnqueueAs is Enqueue for a scan whose record exists already (created
// queued, so that its ID could be handed out before the queues were
// written): spec.Name must be sc.ID. The record is marked running.
func (e *Enqueuer) EnqueueAs(ctx context.Context, sc store.Scan, spec Spec) (int, error) {
	if spec.Name != sc.ID {
		return 0, fmt.Errorf("%w: spec %q for scan %q", store.ErrInvalid, spec.Name, sc.ID)
	}
	if err := e.Registry.Create(ctx, spec); err != nil {
		return 0, err
	}
	sc.State = store.ScanRunning
	if err := e.Store.UpdateScan(ctx, sc); err != nil {
		return 0, fmt.Errorf("start scan %s: %w", sc.ID, err)
	}
	return e.queue(ctx, spec)
}

// queue pushes the seeds to the scan's frontier and activates it. The
// matchers close a scan only once it is active and drained, so activating
// last keeps an empty frontier from closing it early.
func (e *Enqueuer) queue(ctx context.Context, spec Spec) (int, error) {
	scope := frontier.ScopeHost // the workers' default too
	var err error
	if spec.Scope != "" {
		scope, err = frontier.ParseScope(spec.Scope)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: scan %s: %w", store.ErrInvalid, spec.Name, err)
	}
	f, err := e.Frontier(ctx, spec.Name, frontier.Options{Scope: scope, Seeds: spec.Seeds, MaxDepth: spec.Depth, MaxPages: spec.MaxPages})
	if err != nil {
		return 0, fmt.Errorf("open frontier of %s: %w", spec.Name, err)
	}
	jobs := make([]frontier.Job, len(spec.Seeds))
	for i, s := range spec.Seeds {
		jobs[i] = frontier.Job{URL: s}
	}
	added, err := f.Push(ctx, jobs...)
	if err != nil {
		return 0, fmt.Errorf("queue seeds of %s: %w", spec.Name, err)
	}
	if err := e.Registry.Activate(ctx, spec.Name); err != nil {
		return added, err
	}
	return added, nil
}

// QueueDepth returns the URLs of a scan waiting in its frontier (queued
// and delayed for retry), for progress and metrics.
func (r *Registry) QueueDepth(ctx context.Context, name string) (int64, error) {
	c, err := redisfrontier.Counts(ctx, r.c, r.ns, name)
	if err != nil {
		return 0, fmt.Errorf("queue depth of %s: %w", name, err)
	}
	return c.Queued + c.Delayed, nil
}
