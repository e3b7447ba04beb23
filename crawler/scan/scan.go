package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/extract"
	"github.com/attrib/attrib/crawler/periodic"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

// Store is what a scan run needs of the store.
type Store interface {
	CreateScan(ctx context.Context, s store.Scan) (store.Scan, error)
	UpdateScan(ctx context.Context, s store.Scan) error
	PutMatches(ctx context.Context, scanID string, ms []store.Match) error
}

// Progress is a snapshot of a running scan.
type Progress struct {
	Stats   crawler.Stats // Stats.Queued is the frontier's queue depth
	Records int64         // audits: dataset records read (Stats is zero)
	Matches int64
	Elapsed time.Duration
}

// Runner runs crawl scans.
type Runner struct {
	Store   Store
	Matcher *matcher.Matcher
	Logger  *slog.Logger
	// OnProgress, when set, is called about every ProgressEvery while a
	// crawl runs, and once at the end.
	OnProgress    func(Progress)
	ProgressEvery time.Duration
	// Pages, when set, makes crawls recrawls: pages are asked for
	// conditionally with the validators an earlier scan kept, an
	// unchanged page's links (kept too) are followed and its matches
	// carried into the new scan (see revisit; pages whose links were not
	// kept are asked conditionally only at the maximum depth). nil: every
	// page is fetched in full.
	Pages PageStore
	// RegistryAt is when Matcher's registry was read (zero: the scan's
	// start). Pages matched against an older registry than the newest
	// work are fetched in full, so that new works are looked for on them.
	RegistryAt time.Time
}

// Crawl crawls from opts.Seeds as a new scan and returns the finished scan.
// An interrupted or failed crawl is stored as failed with what it found so
// far, and the error is returned with the scan.
func (r *Runner) Crawl(ctx context.Context, opts crawler.Options) (store.Scan, error) {
	c, err := crawler.New(opts, r.logger())
	if err != nil {
		return store.Scan{}, err
	}
	sc, err := r.Store.CreateScan(ctx, store.Scan{
		Kind: "crawl", Targets: opts.Seeds, State: store.ScanRunning, StartedAt: time.Now().UTC(),
	})
	if err != nil {
		return store.Scan{}, fmt.Errorf("create scan: %w", err)
	}
	return r.run(ctx, c, sc)
}

// Run crawls as the scan sc, created beforehand (queued, so that a service
// could hand out its ID at once): it marks sc running, crawls and closes
// it. Invalid options close sc as failed too.
func (r *Runner) Run(ctx context.Context, sc store.Scan, opts crawler.Options) (store.Scan, error) {
	c, err := crawler.New(opts, r.logger())
	if err != nil {
		return r.close(ctx, sc, crawler.Stats{}, err)
	}
	sc.State = store.ScanRunning
	if err := r.Store.UpdateScan(ctx, sc); err != nil {
		return sc, fmt.Errorf("start scan %s: %w", sc.ID, err)
	}
	return r.run(ctx, c, sc)
}

// run crawls as the stored scan sc and closes it.
func (r *Runner) run(ctx context.Context, c *crawler.Crawler, sc store.Scan) (store.Scan, error) {
	base := &handler{r: r, scanID: sc.ID, attr: NewAttributor()}
	var h crawler.Handler = base
	if r.Pages != nil {
		rv, err := newRevisit(ctx, base, r.Pages, r.registryAt(sc))
		if err != nil {
			return r.close(ctx, sc, crawler.Stats{}, err)
		}
		h = rv
	}
	stop := r.reportProgress(c, base)
	stats, runErr := c.Run(ctx, nil, h)
	stop()
	return r.close(ctx, sc, stats, runErr)
}

func (r *Runner) registryAt(sc store.Scan) time.Time {
	if r.RegistryAt.IsZero() || sc.StartedAt.Before(r.RegistryAt) {
		return sc.StartedAt
	}
	return r.RegistryAt
}

// close stores sc as finished, or as failed with runErr, with the crawl's
// stats, and returns it with runErr.
func (r *Runner) close(ctx context.Context, sc store.Scan, stats crawler.Stats, runErr error) (store.Scan, error) {
	sc.Stats = toStoreStats(stats)
	sc.FinishedAt = time.Now().UTC()
	sc.State = store.ScanFinished
	if runErr != nil {
		sc.State, sc.Error = store.ScanFailed, runErr.Error()
	}
	// The scan is closed even when ctx was cancelled: use a fresh context.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.Store.UpdateScan(uctx, sc); err != nil {
		return sc, errors.Join(runErr, fmt.Errorf("close scan %s: %w", sc.ID, err))
	}
	return sc, runErr
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

func (r *Runner) reportProgress(c *crawler.Crawler, h *handler) (stop func()) {
	if r.OnProgress == nil {
		return func() {}
	}
	start := time.Now()
	snapshot := func() Progress {
		return Progress{Stats: c.Stats(), Matches: h.matches.Load(), Elapsed: time.Since(start)}
	}
	halt := periodic.Every(r.ProgressEvery, func() { r.OnProgress(snapshot()) })
	return func() { halt(); r.OnProgress(snapshot()) }
}

func toStoreStats(s crawler.Stats) store.Stats {
	return store.Stats{Pages: s.Pages, Images: s.Images, Bytes: s.Bytes, Errors: s.Errors, Skipped: s.Skipped}
}

// handler matches each crawled page and stores its matches.
type handler struct {
	r       *Runner
	scanID  string
	attr    *Attributor
	matches atomic.Int64
}

// storeTimeout bounds matching and storing one fetched page after the crawl
// was cancelled.
const storeTimeout = 30 * time.Second

func (h *handler) HandlePage(ctx context.Context, p *crawler.Page) error {
	// A fetched page is matched and stored even if the crawl is being
	// interrupted: it costs milliseconds, and losing it would lose a result.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	ms, err := h.attr.Attribute(ctx, h.r.Matcher, DocOf(p))
	if err != nil || len(ms) == 0 {
		return err
	}
	if err := h.r.Store.PutMatches(ctx, h.scanID, ms); err != nil {
		return fmt.Errorf("store matches of %s: %w", p.URL, err)
	}
	h.matches.Add(int64(len(ms)))
	return nil
}

// DocOf returns the attribution view of a crawled page.
func DocOf(p *crawler.Page) Doc {
	d := Doc{URL: p.URL, SHA256: p.SHA256, Text: p.Text, Signals: Signals(p.Signals)}
	for _, img := range p.Images {
		d.Images = append(d.Images, DocImage{URL: img.URL, Hashes: img.Hashes, Signals: Signals(img.Signals)})
	}
	return d
}

// Signals converts extracted opt-out signals to the store's records.
func Signals(sigs []extract.Signal) []store.OptOutSignal {
	if len(sigs) == 0 {
		return nil
	}
	out := make([]store.OptOutSignal, len(sigs))
	for i, s := range sigs {
		out[i] = store.OptOutSignal{Kind: s.Kind, Value: s.Value, Source: s.Source}
	}
	return out
}
