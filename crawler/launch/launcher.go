package launch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/audit"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

// Errors of Start and Await.
var (
	// ErrClosed is returned by Start after Close.
	ErrClosed = errors.New("launcher closed")
	// ErrNotRunning: Await was asked for a scan this launcher does not run
	// and which has not ended (another process runs it).
	ErrNotRunning = errors.New("scan not run by this launcher")
)

// Store is what running scans needs of the store.
type Store interface {
	matcher.Registry
	CreateScan(ctx context.Context, s store.Scan) (store.Scan, error)
	UpdateScan(ctx context.Context, s store.Scan) error
	Scan(ctx context.Context, id string) (store.Scan, error)
	PutMatches(ctx context.Context, scanID string, ms []store.Match) error
	Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error)
	PageState(ctx context.Context, url string) (store.PageState, error)
	PutPageStates(ctx context.Context, states []store.PageState) error
}

// Config configures a Launcher. Zero fields take the defaults noted.
type Config struct {
	// Crawl holds the base options of crawls: a Spec sets the seeds, and
	// its non-zero depth, max pages, scope and rate override these.
	Crawl crawler.Options
	// Audit holds the base options of audits (Scan is set per scan), and
	// AuditFormat how dataset files are read (a Spec's format overrides
	// Format).
	Audit       audit.Options
	AuditFormat audit.FormatOptions
	// AuditRoots, when set, are the folders audits may read: other paths
	// are refused. Empty: any path the process can read (the API lets
	// only the admin start audits).
	AuditRoots []string
	Matcher    matcher.Options
	// Dist, when set, queues crawls for remote workers and matchers
	// (Redis mode). Audits always run in this process.
	Dist *Dist
	// MaxConcurrent bounds the scans running in this process at once
	// (default 1); later ones wait, queued.
	MaxConcurrent int
	// NoRevisit fetches every page in full. By default crawls in this
	// process are recrawls: conditional requests, with unchanged pages'
	// matches carried forward (see crawler.Revisiter). Redis mode does
	// not revisit.
	NoRevisit bool
	// OnProgress, when set, is called about every ProgressEvery (default
	// 10s) while a scan runs, and once at its end.
	OnProgress    func(scanID string, p scan.Progress)
	ProgressEvery time.Duration
	// OnFinished, when set, is called once for every scan this launcher
	// started, after it was stored as finished or failed (in Redis mode:
	// when the matchers closed it). ctx is not the launcher's: it outlives
	// Close for a few seconds.
	OnFinished func(ctx context.Context, sc store.Scan)
	Logger     *slog.Logger
}

// Dist is a Redis deployment that crawls are queued on.
type Dist struct {
	Enqueuer *scanreg.Enqueuer
	// PollEvery is how often a queued crawl's record is read to learn
	// that the matchers closed it (default 2s).
	PollEvery time.Duration
}

// Launcher starts scans in the background. It is safe for concurrent use.
type Launcher struct {
	st     Store
	cfg    Config
	log    *slog.Logger
	base   context.Context // cancelled by Close: every running scan stops
	cancel context.CancelFunc
	slots  chan struct{} // one token per scan running in this process
	wg     sync.WaitGroup

	mu      sync.Mutex // guards closed, running, and wg.Add against Close
	closed  bool
	running map[string]chan store.Scan // scans in progress -> where their end is announced
}

// New returns a Launcher over st.
func New(st Store, cfg Config) (*Launcher, error) {
	if st == nil {
		return nil, errors.New("launch: nil store")
	}
	if cfg.Dist != nil && (cfg.Dist.Enqueuer == nil || cfg.Dist.Enqueuer.Registry == nil) {
		return nil, errors.New("launch: Dist needs an Enqueuer with a Registry")
	}
	cfg.MaxConcurrent = max(cfg.MaxConcurrent, 1)
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 10 * time.Second
	}
	if cfg.Dist != nil && cfg.Dist.PollEvery <= 0 {
		cfg.Dist.PollEvery = 2 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base, cancel := context.WithCancel(context.Background())
	return &Launcher{st: st, cfg: cfg, log: log, base: base, cancel: cancel,
		slots: make(chan struct{}, cfg.MaxConcurrent), running: map[string]chan store.Scan{}}, nil
}

// Start checks spec, stores a new scan in state queued and returns it; the
// scan then runs in the background. Errors about the spec wrap ErrInvalid.
func (l *Launcher) Start(ctx context.Context, spec Spec) (store.Scan, error) {
	spec, err := spec.Normalize()
	if err != nil {
		return store.Scan{}, err
	}
	j, err := l.prepare(spec)
	if err != nil {
		return store.Scan{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return store.Scan{}, ErrClosed
	}
	sc, err := l.st.CreateScan(ctx, store.Scan{Kind: spec.Kind, Targets: spec.Targets, State: store.ScanQueued, StartedAt: time.Now().UTC()})
	if err != nil {
		return store.Scan{}, fmt.Errorf("create scan: %w", err)
	}
	l.log.Info("scan queued", "scan", sc.ID, "kind", sc.Kind, "targets", len(sc.Targets))
	end := make(chan store.Scan, 1)
	l.running[sc.ID] = end
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		final := l.run(sc, j)
		l.mu.Lock()
		delete(l.running, sc.ID)
		l.mu.Unlock()
		end <- final
		close(end)
	}()
	return sc, nil
}

// Await waits until scan id, started by this launcher, has ended and
// returns it as stored. For a scan that ended already it returns the
// stored record; for one this launcher is not running, and which is not
// over, it returns an error wrapping ErrNotRunning. ctx bounds the wait.
func (l *Launcher) Await(ctx context.Context, id string) (store.Scan, error) {
	l.mu.Lock()
	end, ok := l.running[id]
	l.mu.Unlock()
	if ok {
		select {
		case final, ok := <-end:
			if ok {
				return final, nil
			}
			// Another Await took the announcement: read the record.
		case <-ctx.Done():
			return store.Scan{}, ctx.Err()
		}
	}
	sc, err := l.st.Scan(ctx, id)
	if err != nil {
		return sc, err
	}
	if sc.State != store.ScanFinished && sc.State != store.ScanFailed {
		return sc, fmt.Errorf("scan %s: %w", id, ErrNotRunning)
	}
	return sc, nil
}

// Running returns how many scans this launcher started that have not
// ended (queued ones included).
func (l *Launcher) Running() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.running)
}

// Wait returns once no scan this launcher started is running.
func (l *Launcher) Wait() { l.wg.Wait() }

// Close refuses new scans, cancels the running ones (each is stored as
// failed with what it found) and waits for them. Crawls queued for remote
// workers go on there; the launcher only stops watching them.
func (l *Launcher) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cancel()
	l.wg.Wait()
	return nil
}

// job is a checked spec, ready to run.
type job struct {
	spec  Spec
	crawl crawler.Options // crawls
	files []audit.File    // audits
}

// prepare turns a normalised spec into a job, checking what can be checked
// before the scan is stored: crawl options, audit files.
func (l *Launcher) prepare(spec Spec) (job, error) {
	j := job{spec: spec}
	if spec.Kind == KindAudit {
		files, err := l.auditFiles(spec)
		j.files = files
		return j, err
	}
	o, err := l.crawlOptions(spec)
	if err != nil {
		return j, err
	}
	if _, err := crawler.New(o, nil); err != nil {
		return j, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	j.crawl = o
	return j, nil
}

// run runs one scan to its end, reports it and returns it as stored.
func (l *Launcher) run(sc store.Scan, j job) store.Scan {
	ctx := l.base
	var final store.Scan
	var err error
	switch {
	case j.spec.Kind == KindCrawl && l.cfg.Dist != nil:
		final, err = l.runDist(ctx, sc, j)
	default:
		final, err = l.runLocal(ctx, sc, j)
	}
	if errors.Is(err, errStopWatching) {
		return final // the scan goes on remotely; whoever restarts the service sees it
	}
	final = l.settle(sc, final, err)
	l.log.Info("scan ended", "scan", final.ID, "state", final.State, "pages", final.Stats.Pages,
		"records", final.Stats.Records, "errors", final.Stats.Errors, "skipped", final.Stats.Skipped, "err", final.Error)
	if l.cfg.OnFinished != nil {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		l.cfg.OnFinished(fctx, final)
	}
	return final
}

// settle makes sure the scan's stored record is closed: a runner that
// failed before it could close the scan (the store was down, a file could
// not be opened) leaves it queued or running.
func (l *Launcher) settle(sc, final store.Scan, runErr error) store.Scan {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(l.base), 10*time.Second)
	defer cancel()
	stored, err := l.st.Scan(ctx, sc.ID)
	if err == nil && (stored.State == store.ScanFinished || stored.State == store.ScanFailed) {
		return stored
	}
	if err == nil {
		sc = stored
	}
	sc.State, sc.FinishedAt = store.ScanFailed, time.Now().UTC()
	if final.ID == sc.ID {
		sc.Stats = final.Stats
	}
	sc.Error = "scan did not finish"
	if runErr != nil {
		sc.Error = runErr.Error()
	}
	if err := l.st.UpdateScan(ctx, sc); err != nil {
		l.log.Error("scan could not be closed", "scan", sc.ID, "err", err)
	}
	return sc
}

// acquire waits for a slot to run a scan in this process.
func (l *Launcher) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("cancelled before it started: %w", ctx.Err())
	}
}
