package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/intake"
	"github.com/attrib/attrib/store"
)

// Intake is the page stream a matcher consumes.
type Intake interface {
	Receive(ctx context.Context, scans []string, max int) ([]intake.Delivery, error)
	Ack(ctx context.Context, scan string, ids ...string) error
	Backlog(ctx context.Context, scan string) (int64, error)
}

// Scans is the registry of distributed scans.
type Scans interface {
	Active(ctx context.Context) ([]string, error)
	Deactivate(ctx context.Context, name string) error
	Stats(ctx context.Context, name string) (store.Stats, error)
}

// Service matches the pages of the active scans. Set the fields, then Run.
type Service struct {
	Store  store.Store
	Intake Intake
	Scans  Scans
	// CrawlDone reports whether a scan's crawl frontier is empty with
	// nothing in flight (no worker will send more pages).
	CrawlDone func(ctx context.Context, scan string) (bool, error)
	Options   matcher.Options
	Workers   int           // concurrent matching goroutines (default GOMAXPROCS)
	Batch     int           // pages leased per read (default 4×Workers)
	PollEvery time.Duration // how often active scans are listed and checked for completion (default 1s)
	Logger    *slog.Logger
	// OnFinished, if set, is called for every scan this service closes,
	// before the scan leaves the active list (e.g. to record its report in
	// the transparency log). Several matchers may call it for one scan, and
	// again after an error: it must be idempotent.
	OnFinished func(ctx context.Context, scan string) error

	matched atomic.Int64
	m       atomic.Pointer[matcher.Matcher]
	attrMu  sync.Mutex
	attr    map[string]*scan.Attributor // per scan: boilerplate is learnt per crawl
}

// Matched returns how many pages this service matched and stored.
func (s *Service) Matched() int64 { return s.matched.Load() }

// storeTimeout bounds storing one page's matches once draining.
const storeTimeout = 30 * time.Second

// Run serves until ctx is done or drain is closed. After drain closes it
// stops leasing pages, finishes the ones it holds and returns nil; when ctx
// ends, pages in hand stay unacknowledged and another matcher takes them
// after the intake's visibility timeout.
func (s *Service) Run(ctx context.Context, drain <-chan struct{}) error {
	if s.Store == nil || s.Intake == nil || s.Scans == nil || s.CrawlDone == nil {
		return errors.New("matcher service: Store, Intake, Scans and CrawlDone are required")
	}
	workers := max(1, s.Workers)
	if s.Workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	batch := s.Batch
	if batch <= 0 {
		batch = 4 * workers
	}
	every := s.PollEvery
	if every <= 0 {
		every = time.Second
	}
	s.attr = map[string]*scan.Attributor{}
	jobs := make(chan intake.Delivery, batch)
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error { return s.work(gctx, jobs) })
	}
	g.Go(func() error {
		defer close(jobs)
		return s.lease(gctx, drain, jobs, batch, every)
	})
	err := g.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// lease reads pages of the active scans into jobs, and every poll interval
// refreshes the active list, reloads the registry for new scans and closes
// finished ones.
func (s *Service) lease(ctx context.Context, drain <-chan struct{}, jobs chan<- intake.Delivery, batch int, every time.Duration) error {
	var (
		active  []string
		known   = map[string]bool{}
		pending = map[string]bool{} // scans found complete once; closed when found complete again
		next    time.Time
	)
	for {
		select {
		case <-drain:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if time.Now().After(next) {
			var err error
			if active, err = s.refresh(ctx, known, pending); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s.log().Warn("matcher: refreshing active scans failed; retrying", "err", err)
			}
			next = time.Now().Add(every)
		}
		if s.m.Load() == nil {
			if err := sleep(ctx, drain, every); err != nil {
				return err
			}
			continue
		}
		ds, err := s.Intake.Receive(ctx, active, batch)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log().Warn("matcher: reading the intake failed; retrying", "err", err)
			if err := sleep(ctx, drain, every); err != nil {
				return err
			}
			continue
		}
		for _, d := range ds {
			select {
			case jobs <- d:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// refresh lists the active scans, reloads the registry when a scan appears
// that this service has not matched before (works registered for it are
// then indexed), and closes scans that were complete on two consecutive
// checks — the second look lets workers flush their last counters.
func (s *Service) refresh(ctx context.Context, known, pending map[string]bool) ([]string, error) {
	active, err := s.Scans.Active(ctx)
	if err != nil {
		return nil, err
	}
	fresh := s.m.Load() == nil
	for _, name := range active {
		if !known[name] {
			known[name], fresh = true, true
		}
	}
	if fresh {
		if err := s.reload(ctx); err != nil {
			return active, err
		}
	}
	isActive := map[string]bool{}
	for _, name := range active {
		isActive[name] = true
		done, err := s.complete(ctx, name)
		if err != nil {
			return active, err
		}
		switch {
		case !done:
			delete(pending, name)
		case pending[name]:
			if err := s.finish(ctx, name); err != nil {
				return active, err
			}
			delete(pending, name)
		default:
			pending[name] = true
		}
	}
	for name := range known {
		if !isActive[name] {
			delete(known, name)
			s.attrMu.Lock()
			delete(s.attr, name)
			s.attrMu.Unlock()
		}
	}
	return active, nil
}

// reload builds a matcher over the current registry and swaps it in.
func (s *Service) reload(ctx context.Context) error {
	start := time.Now()
	m, err := matcher.New(s.Store, s.Options)
	if err != nil {
		return fmt.Errorf("matcher: %w", err)
	}
	skipped, err := m.Load(ctx)
	if err != nil {
		return fmt.Errorf("load registry: %w", err)
	}
	s.m.Store(m)
	s.log().Info("registry loaded", "works", m.Len(), "skipped_fingerprints", skipped, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// complete reports whether no page of the scan is left to crawl or match.
func (s *Service) complete(ctx context.Context, name string) (bool, error) {
	done, err := s.CrawlDone(ctx, name)
	if err != nil || !done {
		return false, err
	}
	n, err := s.Intake.Backlog(ctx, name)
	return n == 0, err
}

// finish closes a complete scan in the store with its counters and takes
// it off the active list. Several matchers may do it at once: the update is
// idempotent.
func (s *Service) finish(ctx context.Context, name string) error {
	sc, err := s.Store.Scan(ctx, name)
	if err != nil {
		return fmt.Errorf("close scan %s: %w", name, err)
	}
	if sc.State != store.ScanFinished && sc.State != store.ScanFailed {
		if sc.Stats, err = s.Scans.Stats(ctx, name); err != nil {
			return err
		}
		sc.State, sc.FinishedAt = store.ScanFinished, time.Now().UTC()
		if err := s.Store.UpdateScan(ctx, sc); err != nil {
			return fmt.Errorf("close scan %s: %w", name, err)
		}
		s.log().Info("scan finished", "scan", name, "pages", sc.Stats.Pages, "images", sc.Stats.Images, "errors", sc.Stats.Errors)
	}
	if s.OnFinished != nil && sc.State != store.ScanFailed {
		if err := s.OnFinished(ctx, name); err != nil {
			return fmt.Errorf("scan %s finished: %w", name, err)
		}
	}
	return s.Scans.Deactivate(ctx, name)
}

// work matches leased pages until jobs is closed.
func (s *Service) work(ctx context.Context, jobs <-chan intake.Delivery) error {
	for d := range jobs {
		if err := s.handle(ctx, d); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// Left unacknowledged: retried after the visibility timeout,
			// dead-lettered after too many deliveries.
			s.log().Warn("matcher: page not matched", "scan", d.Page.Scan, "url", d.Page.URL, "delivery", d.Deliveries, "err", err)
		}
	}
	return nil
}

// handle attributes one page, stores its matches and acknowledges it.
func (s *Service) handle(ctx context.Context, d intake.Delivery) error {
	// A leased page is finished even while draining.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	doc := s.docOf(d.Page)
	ms, err := s.attributor(d.Page.Scan).Attribute(ctx, s.m.Load(), doc)
	if err != nil {
		return err
	}
	if len(ms) > 0 {
		if err := s.Store.PutMatches(ctx, d.Page.Scan, ms); err != nil {
			return fmt.Errorf("store matches of %s: %w", d.Page.URL, err)
		}
	}
	if err := s.Intake.Ack(ctx, d.Page.Scan, d.ID); err != nil {
		return err
	}
	s.matched.Add(1)
	return nil
}

func (s *Service) attributor(scanName string) *scan.Attributor {
	s.attrMu.Lock()
	defer s.attrMu.Unlock()
	a, ok := s.attr[scanName]
	if !ok {
		a = scan.NewAttributor()
		s.attr[scanName] = a
	}
	return a
}

// docOf decodes an intake page. An image whose fingerprint does not decode
// (written by an incompatible worker version) is skipped with a warning:
// retrying would not fix it.
func (s *Service) docOf(p intake.Page) scan.Doc {
	d := scan.Doc{URL: p.URL, SHA256: p.SHA256, Text: p.Text, Signals: p.Signals}
	for _, img := range p.Images {
		h, err := imagefp.Decode(img.Hashes)
		if err != nil {
			s.log().Warn("matcher: image fingerprint skipped", "scan", p.Scan, "image", img.URL, "page", p.URL, "err", err)
			continue
		}
		d.Images = append(d.Images, scan.DocImage{URL: img.URL, Hashes: h, Signals: img.Signals})
	}
	return d
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// sleep waits d, or until ctx ends (its error) or drain closes (nil).
func sleep(ctx context.Context, drain <-chan struct{}, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-drain:
	case <-t.C:
	}
	return nil
}
