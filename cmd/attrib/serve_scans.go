package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/attrib/attrib/crawler/launch"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/matcher/api"
	"github.com/attrib/attrib/matcher/changes"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

// scanServices are serve's background parts: the launcher that runs scans
// started through the API, the dashboard or schedules; the scheduler; and
// what changed between scans.
type scanServices struct {
	launcher *launch.Launcher
	changes  api.ChangeSource
	reloader api.Reloader
	close    func() // stops scheduling, then cancels running scans
}

// record puts a finished scan's report in the transparency log.
func newScanServices(ctx context.Context, g *globalOptions, st store.Store, metrics *api.Metrics,
	record func(ctx context.Context, scanID string) error) (scanServices, error) {
	base, err := crawlerOptions(crawlOptions{}, g, emptyFlags(), nil)
	if err != nil {
		return scanServices{}, err
	}
	dist, closeDist, err := launchDist(ctx, g)
	if err != nil {
		return scanServices{}, err
	}
	l, err := launch.New(st, launch.Config{
		Crawl:         base,
		Matcher:       matcherOptions(g),
		Dist:          dist,
		MaxConcurrent: g.cfg.Scans.MaxConcurrent,
		NoRevisit:     !g.cfg.Scans.Revisit,
		Logger:        g.logger,
		OnProgress: func(id string, p scan.Progress) {
			metrics.Progress(id, store.Stats{Pages: p.Stats.Pages, Images: p.Stats.Images, Records: p.Records,
				Bytes: p.Stats.Bytes, Errors: p.Stats.Errors, Skipped: p.Stats.Skipped}, p.Matches)
		},
		OnFinished: func(ctx context.Context, sc store.Scan) {
			if !sc.FinishedAt.IsZero() && !sc.StartedAt.IsZero() {
				metrics.ScanFinished(sc.ID, sc.FinishedAt.Sub(sc.StartedAt))
			}
			if sc.State != store.ScanFinished {
				return // failed scans are not logged: their report is partial
			}
			if dist != nil && sc.Kind == "crawl" {
				return // the matcher that closed it recorded it (recording here too could race it into a second leaf)
			}
			if err := record(ctx, sc.ID); err != nil {
				g.logger.Error("scan not recorded in the transparency log", "scan", sc.ID, "err", err)
			}
		},
	})
	if err != nil {
		closeDist()
		return scanServices{}, err
	}
	metrics.QueueDepthFunc(l.Running)
	sched, stopSched, err := startScheduler(ctx, g, st, l)
	if err != nil {
		_ = l.Close()
		closeDist()
		return scanServices{}, err
	}
	return scanServices{
		launcher: l,
		changes:  changeSource{st},
		reloader: sched,
		close: func() {
			stopSched()
			_ = l.Close()
			closeDist()
		},
	}, nil
}

// changeSource adapts matcher/changes to the API's ChangeSource.
type changeSource struct{ st store.Store }

func (c changeSource) Changes(ctx context.Context, creator, scanID string) (api.ChangeSet, error) {
	f := store.MatchFilter{Creator: creator}
	var ch changes.Changes
	var err error
	if scanID == "" {
		ch, err = changes.Latest(ctx, c.st, f)
	} else {
		ch, err = changes.Since(ctx, c.st, scanID, f)
	}
	if err != nil {
		return api.ChangeSet{}, err
	}
	works, err := c.st.Works(ctx, store.WorkFilter{Creator: creator})
	if err != nil {
		return api.ChangeSet{}, err
	}
	byID := report.IndexWorks(works)
	out := api.ChangeSet{Scan: ch.Scan.ID, New: report.Build(ch.Scan, byID, ch.New).Matches}
	prev := store.Scan{}
	if ch.Previous != nil {
		prev = *ch.Previous
		out.Previous = prev.ID
	}
	out.Removed = report.Build(prev, byID, ch.Removed).Matches
	return out, nil
}

// emptyFlags stands for a command line that sets no crawl flag: the
// launcher's base crawl options are the config's.
func emptyFlags() *pflag.FlagSet { return pflag.NewFlagSet("serve", pflag.ContinueOnError) }
