package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/attrib/attrib/crawler/audit"
	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/matcher/report"
)

type auditOptions struct {
	format    string
	preset    string
	textField string
	urlField  string
	cleanOut  string
	drop      string
	resume    bool
	workers   int
	json      bool
	output    string

	fetchImages   bool
	fetchPolicies bool
	allowPrivate  bool
}

func newAuditCommand(g *globalOptions) *cobra.Command {
	var o auditOptions
	cmd := &cobra.Command{
		Use:   "audit [--format auto|warc|wet|jsonl|parquet|webdataset|dir] [--json] [-o FILE] [--clean-out DIR] PATH...",
		Short: "Audit dataset files: which records copy registered works, which sources opted out",
		Long: `Stream every record of the dataset files (WARC/WET/WAT, JSONL plain/.gz/.zst,
Parquet, WebDataset tar shards, folders) through the matcher and store the result
as a scan of kind "audit": each match names the dataset file and the record's
locator (WARC byte offset, JSONL line, Parquet row, tar member, file) and carries
the record's opt-out signals (recorded X-Robots-Tag, meta robots noai, TDMRep).

--clean-out DIR writes each file again in its own format without the flagged
records (--drop: matched, reserved or both), every other record byte-identical,
plus DIR/manifest.jsonl listing what was removed and why. An interrupted audit
(Ctrl-C, a crash) continues with --resume. Progress goes to stderr.`,
		Example: `  attrib audit crawl-2024.warc.gz
  attrib audit --format jsonl --text-field raw_content --url-field meta.url part-*.jsonl.zst
  attrib audit --clean-out cleaned/ --drop both shards/*.parquet
  attrib audit --resume crawl-2024.warc.gz`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(cmd.Context(), g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "auto", "dataset format: "+strings.Join(audit.Formats, ", "))
	f.StringVar(&o.preset, "preset", "", "JSONL field preset: c4, redpajama, dolma, text, content (default: detected)")
	f.StringVar(&o.textField, "text-field", "", `JSONL field / Parquet column of the text, dotted, "|" for alternatives`)
	f.StringVar(&o.urlField, "url-field", "", "JSONL field / Parquet column of the source URL")
	f.StringVar(&o.cleanOut, "clean-out", "", "write clean copies without the flagged records and a manifest to DIR")
	f.StringVar(&o.drop, "drop", "both", "records a clean copy drops: matched, reserved or both")
	f.BoolVar(&o.resume, "resume", false, "continue the interrupted audit of the same files")
	f.IntVar(&o.workers, "workers", 0, "records processed at once (default: one per core)")
	f.BoolVar(&o.fetchImages, "fetch-images", false, "fetch and match images that records name only by URL (LAION-style Parquet), politely")
	f.BoolVar(&o.fetchPolicies, "fetch-policies", false, "read each record's site robots.txt, ai.txt and tdmrep.json for opt-outs (once per site)")
	f.BoolVar(&o.allowPrivate, "allow-private", false, "let dataset URLs reach loopback, private, link-local and multicast addresses")
	f.BoolVar(&o.json, "json", false, "print the report as JSON on stdout")
	f.StringVarP(&o.output, "output", "o", "", "also write the JSON report to FILE")
	return cmd
}

func runAudit(ctx context.Context, g *globalOptions, o auditOptions, paths []string) error {
	var drop audit.Flag
	switch o.drop {
	case "matched":
		drop = audit.FlagMatched
	case "reserved":
		drop = audit.FlagReserved
	case "both":
		drop = audit.FlagMatched | audit.FlagReserved
	default:
		return usageError{fmt.Errorf("--drop %q: want matched, reserved or both", o.drop)}
	}
	if !contains(audit.Formats, o.format) {
		return usageError{fmt.Errorf("--format %q: want one of %s", o.format, strings.Join(audit.Formats, ", "))}
	}
	if o.workers < 0 {
		return usageError{errors.New("--workers must not be negative")}
	}
	files, err := audit.Files(paths, audit.FormatOptions{Format: o.format, Preset: o.preset, TextField: o.textField, URLField: o.urlField,
		Limits: dataset.Limits{MaxRecordBytes: g.cfg.Crawl.MaxPageBytes}})
	if err != nil {
		return err
	}
	st, m, err := g.openMatcher(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := m.Load(ctx); err != nil {
		return err
	}
	if m.Len() == 0 {
		g.logger.Warn("no works are registered: the audit will find no matches (see attrib register --help)")
	}
	cps, err := checkpoints(g)
	if err != nil {
		return err
	}
	targets := make([]string, len(files))
	for i, f := range files {
		targets[i] = f.Path
	}
	resume := ""
	if o.resume {
		if resume, err = cps.Latest(targets); err != nil {
			return err
		}
		if resume == "" {
			return fmt.Errorf("no interrupted audit of %s to resume", strings.Join(targets, " "))
		}
		g.logger.Info("resuming audit", "scan", resume)
	}
	r := &audit.Runner{Store: st, Matcher: m, Logger: g.logger}
	if g.progress() {
		r.OnProgress = func(p audit.Progress) { printAuditProgress(g, p) }
		r.ProgressEvery = 2 * time.Second
	}
	aopts := audit.Options{Workers: o.workers, CleanOut: o.cleanOut, Drop: drop, ImageLimits: matcherOptions(g).ImageLimits, Checkpoints: cps}
	if o.fetchImages || o.fetchPolicies {
		c := g.cfg.Crawl
		imgs, closeImgs, err := audit.NewImageFetcher(ctx, audit.ImageFetchOptions{
			Fetch: fetch.Options{UserAgent: c.UserAgent, IgnoreRobots: c.IgnoreRobots, Timeout: time.Duration(c.Timeout),
				MaxImageBytes: c.MaxImageBytes, MaxRedirects: c.MaxRedirects},
			Rate: c.Rate, Concurrency: c.HostConcurrency, AllowPrivate: o.allowPrivate})
		if err != nil {
			return err
		}
		defer closeImgs()
		if o.fetchImages {
			aopts.Images = imgs
		}
		if o.fetchPolicies {
			aopts.Policies = imgs
		}
	}
	res, runErr := r.Audit(ctx, files, aopts, resume)
	if runErr != nil && res.Scan.ID == "" {
		return runErr
	}
	rep, err := report.FromStore(context.WithoutCancel(ctx), st, res.Scan.ID, "")
	if err != nil {
		return errors.Join(runErr, err)
	}
	var logErr error // a finished audit's report goes into the transparency log
	if runErr == nil {
		rep, logErr = g.recordReport(context.WithoutCancel(ctx), st, rep)
	}
	if o.output != "" {
		if err := writeReportFile(o.output, rep, report.FormatJSON); err != nil {
			return errors.Join(runErr, err)
		}
	}
	if o.json {
		err = report.Render(g.stdout, rep, report.FormatJSON)
	} else {
		err = auditSummary(g, res, rep)
	}
	if runErr != nil {
		return errors.Join(err, fmt.Errorf("audit %s stopped early (its results so far are stored; attrib audit --resume continues it): %w", res.Scan.ID, runErr))
	}
	return errors.Join(err, logErr)
}

// checkpoints keeps audit checkpoints next to the SQLite store, or in the
// user's cache folder with Redis.
func checkpoints(g *globalOptions) (*audit.Checkpoints, error) {
	if g.cfg.Redis == "" {
		return &audit.Checkpoints{Dir: filepath.Join(filepath.Dir(g.cfg.DB), ".attrib-checkpoints")}, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", err)
	}
	return &audit.Checkpoints{Dir: filepath.Join(dir, "attrib", "checkpoints")}, nil
}

func printAuditProgress(g *globalOptions, p audit.Progress) {
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Records) / s
	}
	eta := "?"
	if e := p.ETA(); e > 0 {
		eta = e.Round(time.Second).String()
	}
	fmt.Fprintf(g.stderr, "audit: %d/%d files, %d records (%.0f/s), %.1f MB, %d matches, %d errors, ETA %s\n",
		p.FilesDone, p.Files, p.Records, rate, float64(p.Bytes)/1e6, p.Matches, p.Errors, eta)
}

// auditSummary prints what a curator wants first: how many records copy
// registered works or came from sources that opted out, by creator and by
// source domain.
func auditSummary(g *globalOptions, res audit.Result, rep report.Report) error {
	sc := res.Scan
	w := g.stdout
	fmt.Fprintf(w, "Audit %s (%s): %d records in %d file(s), %d errors, %d not auditable\n",
		sc.ID, sc.State, sc.Stats.Records, len(sc.Targets), sc.Stats.Errors, sc.Stats.Skipped)
	fmt.Fprintf(w, "  %d records copy registered works (%d matches); %d records come from sources that reserved AI use\n",
		res.Matched, len(rep.Matches), res.Reserved)
	byCreator := map[string]int{}
	for _, m := range rep.Matches {
		byCreator[m.Work.Creator]++
	}
	if len(byCreator) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nCREATOR\tMATCHES")
		for _, c := range sortedKeys(byCreator) {
			fmt.Fprintf(tw, "%s\t%d\n", c, byCreator[c])
		}
		tw.Flush()
	}
	domains := make([]string, 0, len(res.ByDomain))
	for d := range res.ByDomain {
		domains = append(domains, d)
	}
	sort.Slice(domains, func(i, j int) bool {
		a, b := res.ByDomain[domains[i]], res.ByDomain[domains[j]]
		if a.Matched+a.Reserved != b.Matched+b.Reserved {
			return a.Matched+a.Reserved > b.Matched+b.Reserved
		}
		return domains[i] < domains[j]
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSOURCE DOMAIN\tRECORDS\tMATCHED\tRESERVED")
	for i, d := range domains {
		if i == 20 {
			fmt.Fprintf(tw, "(%d more domains)\t\t\t\n", len(domains)-20)
			break
		}
		t := res.ByDomain[d]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", cmpOrString(d, "(no URL)"), t.Records, t.Matched, t.Reserved)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nattrib report --scan %s shows every match with its evidence.\n", sc.ID)
	return nil
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
