package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

type crawlOptions struct {
	depth        int
	maxPages     int
	scope        string
	rate         float64
	workers      int
	hostConc     int
	ignoreRobots bool
	skipImages   bool
	json         bool
	output       string
}

func newCrawlCommand(g *globalOptions) *cobra.Command {
	var o crawlOptions
	cmd := &cobra.Command{
		Use:   "crawl [--depth N] [--max-pages N] [--scope host|domain|prefix|any] [--rate R] [--ignore-robots] [--json] [-o FILE] URL...",
		Short: "Crawl sites and attribute their texts and images to registered works",
		Long: `Crawl from the seed URLs, fingerprint every page's main text and every image
it embeds, match them against the registry, store the scan and print a summary.

robots.txt is obeyed unless --ignore-robots. --rate limits requests per second
per host (0: no limit, only for sites you own). Progress goes to stderr.`,
		Example: `  attrib crawl https://example.org/blog/
  attrib crawl --scope prefix --depth 5 --json -o report.json https://example.org/docs/`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCrawl(cmd.Context(), o, g, cmd.Flags(), args)
		},
	}
	f := cmd.Flags()
	d := g.defaults().Crawl
	f.IntVar(&o.depth, "depth", d.Depth, "link depth to follow from the seeds")
	f.IntVar(&o.maxPages, "max-pages", d.MaxPages, "stop after this many pages (0: no limit)")
	f.StringVar(&o.scope, "scope", d.Scope, "links to follow: host, domain, prefix or any")
	f.Float64Var(&o.rate, "rate", d.Rate, "requests per second per host (0: no limit)")
	f.IntVar(&o.workers, "workers", d.Workers, "concurrent fetchers")
	f.IntVar(&o.hostConc, "host-concurrency", d.HostConcurrency, "requests in flight to one host at once")
	f.BoolVar(&o.ignoreRobots, "ignore-robots", d.IgnoreRobots, "do not obey robots.txt (only for sites you own)")
	f.BoolVar(&o.skipImages, "skip-images", d.SkipImages, "do not fetch or match images")
	f.BoolVar(&o.json, "json", false, "print the report as JSON on stdout")
	f.StringVarP(&o.output, "output", "o", "", "also write the JSON report to FILE")
	return cmd
}

// crawlerOptions merges flags over the resolved config (flag > env > file).
func crawlerOptions(o crawlOptions, g *globalOptions, fs *pflag.FlagSet, seeds []string) (crawler.Options, error) {
	c := g.cfg.Crawl
	set := func(name string, apply func()) {
		if fs.Changed(name) {
			apply()
		}
	}
	set("depth", func() { c.Depth = o.depth })
	set("max-pages", func() { c.MaxPages = o.maxPages })
	set("scope", func() { c.Scope = o.scope })
	set("rate", func() { c.Rate = o.rate })
	set("workers", func() { c.Workers = o.workers })
	set("host-concurrency", func() { c.HostConcurrency = o.hostConc })
	set("ignore-robots", func() { c.IgnoreRobots = o.ignoreRobots })
	set("skip-images", func() { c.SkipImages = o.skipImages })
	scope, err := frontier.ParseScope(c.Scope)
	if err != nil {
		return crawler.Options{}, usageError{err}
	}
	for _, s := range seeds {
		if _, err := frontier.Canonical(s); err != nil {
			return crawler.Options{}, usageError{fmt.Errorf("seed %q: %w", s, err)}
		}
	}
	if c.Depth < 0 || c.MaxPages < 0 || c.Rate < 0 || c.Workers < 1 || c.HostConcurrency < 1 {
		return crawler.Options{}, usageError{errors.New("--depth, --max-pages and --rate must not be negative, --workers and --host-concurrency at least 1")}
	}
	return crawler.Options{
		Seeds: seeds, Scope: scope, MaxDepth: c.Depth, MaxPages: c.MaxPages, Rate: c.Rate,
		Workers: c.Workers, HostConcurrency: c.HostConcurrency, UserAgent: c.UserAgent, IgnoreRobots: c.IgnoreRobots,
		Timeout: time.Duration(c.Timeout), MaxPageBytes: c.MaxPageBytes, MaxImageBytes: c.MaxImageBytes,
		MaxRedirects: c.MaxRedirects, SkipImages: c.SkipImages,
		ImageLimits: imagefp.Limits{MaxBytes: c.MaxImageBytes, MaxPixels: c.MaxImagePixels},
	}, nil
}

func runCrawl(ctx context.Context, o crawlOptions, g *globalOptions, fs *pflag.FlagSet, seeds []string) error {
	copts, err := crawlerOptions(o, g, fs, seeds)
	if err != nil {
		return err
	}
	st, m, err := g.openMatcher(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	skipped, err := m.Load(ctx)
	if err != nil {
		return err
	}
	if skipped > 0 {
		g.logger.Warn("some stored fingerprints are in a format this version cannot use; their works are not matched", "fingerprints", skipped)
	}
	if m.Len() == 0 {
		g.logger.Warn("no works are registered: the crawl will find no matches (see attrib register --help)")
	}
	sc, err := crawlScan(ctx, g, st, m, copts)
	if err != nil && sc.ID == "" {
		return err
	}
	rep, rerr := report.FromStore(context.WithoutCancel(ctx), st, sc.ID, "")
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	var logErr error // a finished crawl's report goes into the transparency log
	if err == nil {
		rep, logErr = g.recordReport(context.WithoutCancel(ctx), st, rep)
	}
	if werr := writeCrawlOutput(g, o, rep); werr != nil {
		return errors.Join(err, werr)
	}
	if err != nil {
		return fmt.Errorf("scan %s stopped early (its results so far are stored): %w", sc.ID, err)
	}
	if logErr != nil {
		return logErr
	}
	if sc.Stats.Pages == 0 && sc.Stats.Errors > 0 {
		return fmt.Errorf("no page could be fetched (%d errors, see the messages above)", sc.Stats.Errors)
	}
	return nil
}

func crawlScan(ctx context.Context, g *globalOptions, st store.Store, m *matcher.Matcher, copts crawler.Options) (store.Scan, error) {
	r := &scan.Runner{Store: st, Matcher: m, Logger: g.logger}
	if g.progress() {
		r.OnProgress = func(p scan.Progress) { printProgress(g, p) }
		r.ProgressEvery = 2 * time.Second
	}
	return r.Crawl(ctx, copts)
}

func printProgress(g *globalOptions, p scan.Progress) {
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Stats.Pages) / s
	}
	fmt.Fprintf(g.stderr, "crawl: %d pages, %d images, %d matches, %d errors, %d skipped, %.1f pages/s, %s\n",
		p.Stats.Pages, p.Stats.Images, p.Matches, p.Stats.Errors, p.Stats.Skipped, rate, p.Elapsed.Round(time.Second))
}

func writeCrawlOutput(g *globalOptions, o crawlOptions, rep report.Report) error {
	if o.output != "" {
		if err := writeReportFile(o.output, rep, report.FormatJSON); err != nil {
			return err
		}
	}
	if o.json {
		return report.Render(g.stdout, rep, report.FormatJSON)
	}
	return report.Summary(g.stdout, rep)
}

func writeReportFile(path string, rep report.Report, f report.Format) error {
	return writeOutputFile(path, func(w io.Writer) error { return report.Render(w, rep, f) })
}

// writeOutputFile creates path and writes it with render.
func writeOutputFile(path string, render func(io.Writer) error) error {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := render(file); err != nil {
		file.Close()
		return fmt.Errorf("write report %s: %w", path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}

func matcherOptions(g *globalOptions) matcher.Options {
	opts := matcher.DefaultOptions()
	mc := g.cfg.Match
	opts.Text.MinPassageTokens = mc.MinPassageWords
	opts.Text.MinScore = mc.MinScore
	opts.ImageMaxDistance = mc.ImageMaxDistance
	opts.PDQMaxDistance = mc.PDQMaxDistance
	opts.PDQPartMaxDistance = mc.PDQPartMaxDistance
	opts.ImageLimits = imagefp.Limits{MaxBytes: g.cfg.Crawl.MaxImageBytes, MaxPixels: g.cfg.Crawl.MaxImagePixels}
	return opts
}
