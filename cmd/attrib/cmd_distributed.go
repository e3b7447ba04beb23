package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/periodic"
	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/crawler/worker"
	"github.com/attrib/attrib/matcher/service"
)

// drainGrace bounds how long a stopping worker or matcher finishes what it
// holds before it leaves the rest to others.
const drainGrace = 2 * time.Minute

func newEnqueueCommand(g *globalOptions) *cobra.Command {
	var o crawlOptions
	var name string
	cmd := &cobra.Command{
		Use:   "enqueue --scan NAME [--depth N] [--max-pages N] [--scope host|domain|prefix|any] [--rate R] [--ignore-robots] [--json] URL...",
		Short: "Start a distributed crawl scan: store its options and queue its seeds (with --redis)",
		Long: `Create the scan NAME in the Redis deployment, store its crawl options with it
and queue its seed URLs. Workers (attrib worker) on any machine crawl it;
matchers (attrib matcher) attribute its pages; attrib status follows it and
attrib report --scan NAME renders it.`,
		Example: `  attrib --redis redis://10.0.0.5:6379/0 enqueue --scan nightly-2026-11-27 https://example.org/
  attrib --redis redis://10.0.0.5:6379/0 status --scan nightly-2026-11-27`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			copts, err := crawlerOptions(o, g, cmd.Flags(), args)
			if err != nil {
				return err
			}
			return runEnqueue(cmd.Context(), g, name, copts, o.json)
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "scan", "", "name of the new scan (letters, digits, '.', '_', '-'); also its report ID")
	d := g.defaults().Crawl
	f.IntVar(&o.depth, "depth", d.Depth, "link depth to follow from the seeds")
	f.IntVar(&o.maxPages, "max-pages", d.MaxPages, "stop after this many pages (0: no limit)")
	f.StringVar(&o.scope, "scope", d.Scope, "links to follow: host, domain, prefix or any")
	f.Float64Var(&o.rate, "rate", d.Rate, "requests per second per host, shared by all workers (0: no limit)")
	f.BoolVar(&o.ignoreRobots, "ignore-robots", d.IgnoreRobots, "do not obey robots.txt (only for sites you own)")
	f.BoolVar(&o.skipImages, "skip-images", d.SkipImages, "do not fetch or match images")
	f.BoolVar(&o.json, "json", false, `print {"scan","seeds"} as JSON`)
	_ = cmd.MarkFlagRequired("scan")
	return cmd
}

func runEnqueue(ctx context.Context, g *globalOptions, name string, o crawler.Options, asJSON bool) error {
	if err := scanreg.ValidName(name); err != nil {
		return usageError{err}
	}
	d, err := g.openDist(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	spec := scanreg.Spec{Name: name, Seeds: o.Seeds, Scope: o.Scope.String(), Depth: o.MaxDepth, MaxPages: o.MaxPages,
		Rate: o.Rate, IgnoreRobots: o.IgnoreRobots, SkipImages: o.SkipImages}
	e := &scanreg.Enqueuer{Registry: d.scans, Store: d.st, Frontier: d.openFrontier}
	added, err := e.Enqueue(ctx, spec)
	if errors.Is(err, scanreg.ErrExists) {
		return fmt.Errorf("scan %s already exists; pick a new name for a new scan", name)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(g.stdout).Encode(map[string]any{"scan": name, "seeds": added})
	}
	fmt.Fprintf(g.stdout, "scan %s queued with %d seed URL(s); run `attrib worker` and `attrib matcher` to process it\n", name, added)
	return nil
}

func newWorkerCommand(g *globalOptions) *cobra.Command {
	var workers, maxScans int
	cmd := &cobra.Command{
		Use:   "worker [--workers N] [--max-scans N]",
		Short: "Crawl the queued scans of a Redis deployment (run any number, anywhere)",
		Long: `Fetch URLs of the active scans from the shared Redis queue, extract and
fingerprint pages and images, and hand them to the matchers. Politeness
(per-host rate and concurrency, robots.txt and its Crawl-delay) is shared by
every worker. SIGTERM or Ctrl-C: finish the pages in hand and exit; a second
signal exits at once (what was in hand is crawled again by another worker).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWorker(cmd.Context(), g, cmd, workers, maxScans)
		},
	}
	cmd.Flags().IntVar(&workers, "workers", g.defaults().Crawl.Workers, "concurrent fetchers per scan")
	cmd.Flags().IntVar(&maxScans, "max-scans", g.defaults().Dist.MaxScans, "scans crawled at once")
	return cmd
}

func runWorker(ctx context.Context, g *globalOptions, cmd *cobra.Command, workers, maxScans int) error {
	c := g.cfg.Crawl
	if cmd.Flags().Changed("workers") {
		c.Workers = workers
	}
	if !cmd.Flags().Changed("max-scans") {
		maxScans = g.cfg.Dist.MaxScans
	}
	if c.Workers < 1 || maxScans < 1 {
		return usageError{errors.New("--workers and --max-scans must be at least 1")}
	}
	d, err := g.openDist(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	// The worker's own flags share names with crawl's only for --workers.
	base, err := crawlerOptions(crawlOptions{workers: c.Workers}, g, cmd.Flags(), nil)
	if err != nil {
		return err
	}
	base.Workers = c.Workers
	gate, err := d.politeness(g, &base)
	if err != nil {
		return err
	}
	w := &worker.Worker{Scans: d.scans, Intake: d.intake, Frontier: d.openFrontier, Gate: gate, Base: base, MaxScans: maxScans, Logger: g.logger}
	runCtx, drain, stop := drainOnSignal(ctx, drainGrace)
	defer stop()
	g.logger.Info("worker started", "namespace", d.ns, "fetchers_per_scan", base.Workers, "max_scans", maxScans)
	progress := periodic.Every(10*time.Second, func() { g.logger.Info("worker", "pages_sent", w.Pages()) })
	err = w.Run(runCtx, drain)
	progress()
	g.logger.Info("worker stopped", "pages_sent", w.Pages())
	if errors.Is(err, context.Canceled) {
		return nil // a second signal: the frontier re-delivers what was in hand
	}
	return err
}

func newMatcherCommand(g *globalOptions) *cobra.Command {
	var workers int
	cmd := &cobra.Command{
		Use:   "matcher [--workers N]",
		Short: "Match crawled pages against the registry in a Redis deployment (run any number)",
		Long: `Read the pages workers crawled, attribute them to registered works, store the
matches, and close each scan when its crawl and its matching are done. Several
matchers share the pages. The registry is loaded at start and again when a new
scan appears, so works registered before a scan is enqueued are matched in it.
SIGTERM or Ctrl-C: finish the pages in hand and exit.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("workers") {
				workers = g.cfg.Dist.MatcherWorkers
			}
			return runMatcher(cmd.Context(), g, workers)
		},
	}
	cmd.Flags().IntVar(&workers, "workers", g.defaults().Dist.MatcherWorkers, "matching goroutines (0: one per core)")
	return cmd
}

func runMatcher(ctx context.Context, g *globalOptions, workers int) error {
	if workers < 0 {
		return usageError{errors.New("--workers must not be negative")}
	}
	d, err := g.openDist(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	recordScan, err := g.scanRecorder(d.st)
	if err != nil {
		return err
	}
	svc := &service.Service{Store: d.st, Intake: d.intake, Scans: d.scans, CrawlDone: d.crawlDone,
		Options: matcherOptions(g), Workers: workers, Logger: g.logger, OnFinished: recordScan}
	runCtx, drain, stop := drainOnSignal(ctx, drainGrace)
	defer stop()
	g.logger.Info("matcher started", "namespace", d.ns)
	progress := periodic.Every(10*time.Second, func() { g.logger.Info("matcher", "pages_matched", svc.Matched()) })
	err = svc.Run(runCtx, drain)
	progress()
	g.logger.Info("matcher stopped", "pages_matched", svc.Matched())
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func newStatusCommand(g *globalOptions) *cobra.Command {
	var name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--scan NAME] [--json]",
		Short: "Show the progress of distributed scans: queued, in flight, done, dead letters, pages/s",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd.Context(), g, name, asJSON)
		},
	}
	cmd.Flags().StringVar(&name, "scan", "", "only this scan")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"scans":[{"scan","queued","in_flight","done","dead","finished"}]}`)
	return cmd
}

func runStatus(ctx context.Context, g *globalOptions, name string, asJSON bool) error {
	d, err := g.openDist(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	names := []string{name}
	if name == "" {
		if names, err = d.scans.Names(ctx); err != nil {
			return err
		}
	} else if _, err := d.scans.Spec(ctx, name); err != nil {
		return fmt.Errorf("no distributed scan %s (attrib enqueue creates one)", name)
	}
	rows := make([]scanStatus, 0, len(names))
	for _, n := range names {
		s, err := d.status(ctx, n)
		if err != nil {
			return fmt.Errorf("status of %s: %w", n, err)
		}
		rows = append(rows, s)
	}
	if asJSON {
		return json.NewEncoder(g.stdout).Encode(map[string]any{"scans": rows})
	}
	if len(rows) == 0 {
		fmt.Fprintln(g.stdout, "no distributed scans (attrib enqueue --scan NAME URL... starts one)")
		return nil
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCAN\tQUEUED\tIN FLIGHT\tDONE\tDEAD\tTO MATCH\tPAGES\tPAGES/S\tFINISHED")
	for _, s := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%s\n", s.Scan, s.Queued, s.InFlight, s.Done, s.Dead, s.Backlog,
			s.Stats.Pages, s.Rate, yesNo(s.Finished))
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
