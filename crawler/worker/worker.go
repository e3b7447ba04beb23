package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/periodic"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/intake"
	"github.com/attrib/attrib/store"
)

// Scans is what a worker needs of the scan registry.
type Scans interface {
	Active(ctx context.Context) ([]string, error)
	Spec(ctx context.Context, name string) (scanreg.Spec, error)
	AddStats(ctx context.Context, name string, d store.Stats) error
}

// Sender delivers pages to the matchers.
type Sender interface {
	Send(ctx context.Context, p intake.Page) error
}

// FrontierFunc opens the shared frontier of a scan.
type FrontierFunc func(ctx context.Context, scan string, opts frontier.Options) (frontier.Frontier, error)

// Worker crawls the active scans. Set the fields, then Run.
type Worker struct {
	Scans    Scans
	Intake   Sender
	Frontier FrontierFunc
	// Base holds the options a scan's spec does not set: workers per scan,
	// timeouts, byte caps, user agent, politeness backends.
	Base crawler.Options
	// Gate returns the per-host politeness gate for a scan crawled at rate
	// requests per second per host; give every worker gates on one shared
	// backend (polite.NewRedis) so that they are polite together. nil: the
	// crawler's in-memory gate, polite per worker only.
	Gate       func(rate float64) (crawler.Gate, error)
	MaxScans   int           // scans crawled at once (default 4)
	PollEvery  time.Duration // how often the active scans are listed (default 1s)
	StatsEvery time.Duration // how often counters are added to the scan's (default 1s)
	Logger     *slog.Logger

	mu      sync.Mutex
	running map[string]bool
	pages   int64
}

// Pages returns how many pages this worker sent to the matchers.
func (w *Worker) Pages() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pages
}

// Run serves until ctx ends or drain closes. After drain closes it takes
// no new URL, finishes the pages it is fetching (sending and acknowledging
// them) and returns nil. When ctx ends, leased URLs stay unacknowledged and
// the frontier hands them to another worker after its visibility timeout.
func (w *Worker) Run(ctx context.Context, drain <-chan struct{}) error {
	if w.Scans == nil || w.Intake == nil || w.Frontier == nil {
		return errors.New("worker: Scans, Intake and Frontier are required")
	}
	w.mu.Lock()
	w.running = map[string]bool{}
	w.mu.Unlock()
	var wg sync.WaitGroup
	defer wg.Wait()
	every := orDefault(w.PollEvery, time.Second)
	for {
		if err := w.startScans(ctx, drain, &wg); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			w.log().Warn("worker: listing active scans failed; retrying", "err", err)
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-drain:
			t.Stop()
			return nil // wg.Wait lets the running crawls finish their pages
		case <-t.C:
		}
	}
}

// startScans starts a crawl for each active scan not crawled yet.
func (w *Worker) startScans(ctx context.Context, drain <-chan struct{}, wg *sync.WaitGroup) error {
	active, err := w.Scans.Active(ctx)
	if err != nil {
		return err
	}
	maxScans := w.MaxScans
	if maxScans <= 0 {
		maxScans = 4
	}
	for _, name := range active {
		w.mu.Lock()
		busy := w.running[name] || len(w.running) >= maxScans
		if !busy {
			w.running[name] = true
		}
		w.mu.Unlock()
		if busy {
			continue
		}
		wg.Go(func() {
			defer func() {
				w.mu.Lock()
				delete(w.running, name)
				w.mu.Unlock()
			}()
			if err := w.crawl(ctx, drain, name); err != nil && ctx.Err() == nil {
				w.log().Warn("worker: crawl stopped", "scan", name, "err", err)
			}
		})
	}
	return nil
}

// crawl runs the crawler over one scan's frontier until it is drained.
func (w *Worker) crawl(ctx context.Context, drain <-chan struct{}, name string) error {
	spec, err := w.Scans.Spec(ctx, name)
	if err != nil {
		return err
	}
	opts, err := w.options(spec)
	if err != nil {
		return fmt.Errorf("scan %s: %w", name, err)
	}
	f, err := w.Frontier(ctx, name, frontier.Options{Scope: opts.Scope, Seeds: opts.Seeds, MaxDepth: opts.MaxDepth, MaxPages: opts.MaxPages})
	if err != nil {
		return fmt.Errorf("open frontier of %s: %w", name, err)
	}
	c, err := crawler.New(opts, w.log().With("scan", name))
	if err != nil {
		return fmt.Errorf("scan %s: %w", name, err)
	}
	flush := w.flusher(name, c)
	stop := periodic.Every(w.StatsEvery, flush)
	_, err = c.Run(ctx, draining{Frontier: f, drain: drain}, crawler.HandlerFunc(func(ctx context.Context, p *crawler.Page) error {
		return w.send(ctx, name, p)
	}))
	stop()
	flush()
	return err
}

// options are the worker's base options with the scan's spec applied.
func (w *Worker) options(s scanreg.Spec) (crawler.Options, error) {
	o := w.Base
	scope, err := frontier.ParseScope(orDefault(s.Scope, "host"))
	if err != nil {
		return o, err
	}
	o.Seeds, o.Scope, o.MaxDepth, o.MaxPages, o.Rate = s.Seeds, scope, s.Depth, s.MaxPages, s.Rate
	o.IgnoreRobots, o.SkipImages = s.IgnoreRobots, s.SkipImages
	if w.Gate != nil {
		if o.Gate, err = w.Gate(s.Rate); err != nil {
			return o, err
		}
	}
	return o, nil
}

// sendTimeout bounds handing one page to the intake once draining.
const sendTimeout = 30 * time.Second

// send hands a crawled page to the matchers.
func (w *Worker) send(ctx context.Context, name string, p *crawler.Page) error {
	// A fetched page is sent even while the worker is being stopped.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	ip := intake.Page{Scan: name, URL: p.URL, SHA256: p.SHA256, Text: p.Text, Signals: scan.Signals(p.Signals)}
	for _, img := range p.Images {
		ip.Images = append(ip.Images, intake.Image{URL: img.URL, Hashes: imagefp.Encode(img.Hashes), Signals: scan.Signals(img.Signals)})
	}
	if err := w.Intake.Send(ctx, ip); err != nil {
		return err
	}
	// Pages are counted as they are handed over, before the frontier's
	// acknowledgement, so a killed worker's pages are all counted; a page
	// crawled again after a crash counts twice.
	d := store.Stats{Pages: 1, Images: int64(len(p.Images)), Bytes: p.Bytes}
	for _, img := range p.Images {
		d.Bytes += img.Bytes
	}
	if err := w.Scans.AddStats(ctx, name, d); err != nil {
		w.log().Warn("worker: page not counted", "scan", name, "url", p.URL, "err", err)
	}
	w.mu.Lock()
	w.pages++
	w.mu.Unlock()
	return nil
}

// flusher returns a function adding the crawl's error and skip counters
// since its last call to the scan's (pages, images and bytes are counted
// per page by send).
func (w *Worker) flusher(name string, c *crawler.Crawler) func() {
	var mu sync.Mutex
	var last store.Stats
	return func() {
		mu.Lock()
		defer mu.Unlock()
		s := c.Stats()
		now := store.Stats{Errors: s.Errors, Skipped: s.Skipped}
		d := store.Stats{Errors: now.Errors - last.Errors, Skipped: now.Skipped - last.Skipped}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := w.Scans.AddStats(ctx, name, d); err != nil {
			w.log().Warn("worker: counters not saved; retried at the next flush", "scan", name, "err", err)
			return
		}
		last = now
	}
}

// draining makes Pop report the frontier drained once drain is closed, so
// the crawler's fetchers finish their pages and stop.
type draining struct {
	frontier.Frontier
	drain <-chan struct{}
}

func (d draining) Pop(ctx context.Context) (frontier.Job, error) {
	select {
	case <-d.drain:
		return frontier.Job{}, frontier.ErrDrained
	default:
	}
	return d.Frontier.Pop(ctx)
}

// Fail passes a transient failure on to a frontier that retries (the
// Redis one); others just acknowledge the job, as the crawler would.
func (d draining) Fail(ctx context.Context, j frontier.Job, cause error) error {
	if f, ok := d.Frontier.(interface {
		Fail(context.Context, frontier.Job, error) error
	}); ok {
		return f.Fail(ctx, j, cause)
	}
	return d.Frontier.Done(ctx, j)
}

// Stats passes on the frontier's counters when it has them.
func (d draining) Stats() frontier.Stats {
	if f, ok := d.Frontier.(interface{ Stats() frontier.Stats }); ok {
		return f.Stats()
	}
	return frontier.Stats{}
}

func (w *Worker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func orDefault[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}
