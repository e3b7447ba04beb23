package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/optout"
	"github.com/attrib/attrib/crawler/periodic"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/boilerplate"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/store"
)

// Store is what an audit needs of the store.
type Store interface {
	CreateScan(ctx context.Context, s store.Scan) (store.Scan, error)
	UpdateScan(ctx context.Context, s store.Scan) error
	Scan(ctx context.Context, id string) (store.Scan, error)
	PutMatches(ctx context.Context, scanID string, ms []store.Match) error
}

// File is one dataset file to audit.
type File struct {
	Path string
	// Open opens the file's reader positioned after its first skip
	// records (0: from the start). Readers that can seek do; others read
	// and drop them.
	Open  func(ctx context.Context, skip int64) (dataset.Reader, error)
	Clean dataset.CleanFunc // nil: the format cannot write a clean copy
	Size  int64             // bytes on disk, for the ETA
}

// Flag chooses which records a clean copy drops.
type Flag int

// Flags.
const (
	FlagMatched  Flag = 1 << iota // records attributed to a registered work
	FlagReserved                  // records whose source reserved AI use
)

// Options configure an audit.
type Options struct {
	Workers     int    // records processed at once (default 4)
	CleanOut    string // folder for clean copies and the manifest; "" = none
	Drop        Flag   // what a clean copy drops (default FlagMatched|FlagReserved)
	ImageLimits imagefp.Limits
	// Checkpoints, when set, persists progress so that Resume continues an
	// interrupted audit.
	Checkpoints *Checkpoints
	// Images fetches image records that carry only a URL (LAION-style
	// Parquet); nil skips them. See NewImageFetcher.
	Images ImageFetcher
	// Policies, when set, reads the robots.txt, ai.txt and tdmrep.json of
	// each record's site for opt-out signals (once per site); nil reports
	// only what the dataset itself recorded.
	Policies optout.Fetcher
	// Scan, when set, is the ID of a scan created beforehand (queued, so
	// that a service could hand its ID out at once): the audit runs as that
	// scan instead of creating one. Not with resume.
	Scan string
}

// ImageFetcher fetches an image a dataset names by URL.
type ImageFetcher interface {
	FetchImage(ctx context.Context, rawURL string) (data []byte, header http.Header, err error)
}

// Progress is a snapshot of a running audit.
type Progress struct {
	Records, Bytes, Matches, Errors int64
	FilesDone, Files                int
	BytesDone, BytesTotal           int64 // on-disk bytes of finished files
	Elapsed                         time.Duration
}

// ETA estimates the time left from the share of on-disk bytes done.
func (p Progress) ETA() time.Duration {
	if p.BytesDone <= 0 || p.BytesTotal <= p.BytesDone {
		return 0
	}
	return time.Duration(float64(p.Elapsed) * float64(p.BytesTotal-p.BytesDone) / float64(p.BytesDone))
}

// Runner audits datasets against a matcher.
type Runner struct {
	Store         Store
	Matcher       *matcher.Matcher
	Logger        *slog.Logger
	OnProgress    func(Progress)
	ProgressEvery time.Duration
}

// counters are an audit's live counts.
type counters struct {
	records, bytes, matches, errors, skipped, images atomic.Int64
	filesDone, matchedRecs, reserved                 atomic.Int64
	bytesDone                                        atomic.Int64
}

// Audit audits files as a new scan, or continues the scan resume names (its
// checkpoint says where each file stopped). It returns the finished scan;
// an interrupted audit is stored as failed with what it found, and can be
// resumed.
func (r *Runner) Audit(ctx context.Context, files []File, opts Options, resume string) (Result, error) {
	if len(files) == 0 {
		return Result{}, errors.New("audit: no dataset files")
	}
	opts = withDefaults(opts)
	sc, cp, err := r.begin(ctx, files, opts, resume)
	if err != nil {
		return Result{Scan: sc}, err
	}
	a := &run{Runner: r, opts: opts, scanID: sc.ID, attr: scan.NewAttributorWith(auditBoilerplate()), cp: cp, flagged: map[string]map[string][]string{},
		domains: map[string]*Tally{}, optout: optout.NewResolver(opts.Policies, optout.Options{FetchPolicies: opts.Policies != nil})}
	a.n.records.Store(sc.Stats.Records)
	a.n.bytes.Store(sc.Stats.Bytes)
	a.n.errors.Store(sc.Stats.Errors)
	a.n.skipped.Store(sc.Stats.Skipped)
	var total int64
	for _, f := range files {
		total += f.Size
	}
	stop := a.reportProgress(len(files), total)
	runErr := a.auditAll(ctx, files)
	stop()
	sc.Stats = store.Stats{Records: a.n.records.Load(), Bytes: a.n.bytes.Load(), Errors: a.n.errors.Load(),
		Skipped: a.n.skipped.Load(), Images: a.n.images.Load()}
	sc.FinishedAt, sc.State = time.Now().UTC(), store.ScanFinished
	if runErr != nil {
		sc.State, sc.Error = store.ScanFailed, runErr.Error()
		cp.save()
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	res := a.result(sc)
	if err := r.Store.UpdateScan(uctx, sc); err != nil {
		return res, errors.Join(runErr, fmt.Errorf("close scan %s: %w", sc.ID, err))
	}
	if runErr == nil && cp != nil {
		if err := cp.remove(); err != nil {
			r.log().Warn("audit: checkpoint not removed", "err", err)
		}
	}
	return res, runErr
}

// auditBoilerplate bounds the per-site boilerplate memory of an audit: a
// corpus has many more sites than a crawl, and the crawl's bounds (2,048
// hosts × 8,192 lines, ~0.9 GB) made peak memory grow with the input.
func auditBoilerplate() boilerplate.Options {
	o := boilerplate.DefaultOptions()
	o.MaxHosts, o.MaxLinesPerHost = 512, 2048
	return o
}

func withDefaults(o Options) Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Drop == 0 {
		o.Drop = FlagMatched | FlagReserved
	}
	if o.ImageLimits == (imagefp.Limits{}) {
		o.ImageLimits = imagefp.DefaultLimits()
	}
	return o
}

// begin creates the scan, or reopens the one being resumed.
func (r *Runner) begin(ctx context.Context, files []File, opts Options, resume string) (store.Scan, *checkpoint, error) {
	targets := make([]string, len(files))
	for i, f := range files {
		targets[i] = f.Path
	}
	if resume == "" {
		sc, err := r.create(ctx, targets, opts.Scan)
		if err != nil {
			return sc, nil, err
		}
		var cp *checkpoint
		if opts.Checkpoints != nil {
			cp = opts.Checkpoints.create(sc.ID, targets)
		}
		return sc, cp, nil
	}
	if opts.Checkpoints == nil {
		return store.Scan{}, nil, errors.New("audit: resuming needs checkpoints")
	}
	sc, err := r.Store.Scan(ctx, resume)
	if err != nil {
		return sc, nil, fmt.Errorf("resume scan %s: %w", resume, err)
	}
	if sc.Kind != "audit" || sc.State == store.ScanFinished {
		return sc, nil, fmt.Errorf("scan %s is not an interrupted audit (%s, %s)", resume, sc.Kind, sc.State)
	}
	cp, err := opts.Checkpoints.load(resume)
	if err != nil {
		return sc, nil, err
	}
	if strings.Join(cp.Targets, "\x00") != strings.Join(targets, "\x00") {
		return sc, nil, fmt.Errorf("scan %s audited %v; resume it with the same files", resume, cp.Targets)
	}
	sc.State, sc.Error, sc.FinishedAt = store.ScanRunning, "", time.Time{}
	if err := r.Store.UpdateScan(ctx, sc); err != nil {
		return sc, nil, fmt.Errorf("reopen scan %s: %w", resume, err)
	}
	return sc, cp, nil
}

// create stores a new running scan, or marks the pre-created scan id
// running.
func (r *Runner) create(ctx context.Context, targets []string, id string) (store.Scan, error) {
	if id == "" {
		sc, err := r.Store.CreateScan(ctx, store.Scan{Kind: "audit", Targets: targets, State: store.ScanRunning, StartedAt: time.Now().UTC()})
		if err != nil {
			return sc, fmt.Errorf("create scan: %w", err)
		}
		return sc, nil
	}
	sc, err := r.Store.Scan(ctx, id)
	if err != nil {
		return sc, fmt.Errorf("scan %s: %w", id, err)
	}
	if sc.Kind != "audit" || sc.State != store.ScanQueued {
		return sc, fmt.Errorf("scan %s is not a queued audit (%s, %s)", id, sc.Kind, sc.State)
	}
	sc.State = store.ScanRunning
	if err := r.Store.UpdateScan(ctx, sc); err != nil {
		return sc, fmt.Errorf("start scan %s: %w", id, err)
	}
	return sc, nil
}

func (r *Runner) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// run is one audit in progress.
type run struct {
	*Runner
	opts   Options
	scanID string
	attr   *scan.Attributor
	cp     *checkpoint
	n      counters

	mu      sync.Mutex
	flagged map[string]map[string][]string // file -> locator -> reasons
	outputs map[string]string              // file -> its clean copy
	domains map[string]*Tally
	optout  *optout.Resolver
}

// fileParallelism bounds files read at once; records of all files share
// the record workers.
const fileParallelism = 2

func (a *run) auditAll(ctx context.Context, files []File) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fileParallelism)
	for _, f := range files {
		g.Go(func() error {
			if err := a.auditFile(gctx, f); err != nil {
				return fmt.Errorf("%s: %w", f.Path, err)
			}
			a.n.filesDone.Add(1)
			a.n.bytesDone.Add(f.Size)
			return nil
		})
	}
	return g.Wait()
}

// item is one record with its position in its file.
type item struct {
	seq int64
	rec dataset.Record
}

// auditFile streams one file's records through the record workers, then
// writes its clean copy.
func (a *run) auditFile(ctx context.Context, f File) error {
	skip := a.cp.done(f.Path)
	if skip < 0 { // finished before the interruption
		return nil
	}
	rd, err := f.Open(ctx, skip)
	if err != nil {
		return err
	}
	defer rd.Close()
	items := make(chan item, 2*a.opts.Workers)
	wm := newWatermark(skip)
	g, gctx := errgroup.WithContext(ctx)
	for range a.opts.Workers {
		g.Go(func() error {
			for it := range items {
				if err := a.record(gctx, f.Path, it.rec); err != nil {
					return err
				}
				if w, ok := wm.done(it.seq); ok {
					a.cp.advance(f.Path, w)
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(items)
		for seq := skip; ; seq++ {
			rec, err := rd.Next(gctx)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if isRecordErr(err) {
				a.n.errors.Add(1)
				a.log().Warn("audit: record skipped", "file", f.Path, "err", err)
				if w, ok := wm.done(seq); ok {
					a.cp.advance(f.Path, w)
				}
				continue
			}
			if err != nil {
				return err
			}
			select {
			case items <- item{seq: seq, rec: rec}:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
	})
	if err := g.Wait(); err != nil {
		return err
	}
	if err := a.clean(ctx, f); err != nil {
		return err
	}
	a.cp.finish(f.Path)
	return nil
}

func (a *run) reportProgress(files int, total int64) (stop func()) {
	if a.OnProgress == nil {
		return func() {}
	}
	start := time.Now()
	snap := func() Progress {
		return Progress{Records: a.n.records.Load(), Bytes: a.n.bytes.Load(), Matches: a.n.matches.Load(), Errors: a.n.errors.Load(),
			FilesDone: int(a.n.filesDone.Load()), Files: files, BytesDone: a.n.bytesDone.Load(), BytesTotal: total, Elapsed: time.Since(start)}
	}
	halt := periodic.Every(a.ProgressEvery, func() { a.OnProgress(snap()) })
	return func() { halt(); a.OnProgress(snap()) }
}
