package launch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/crawler/scanreg"
	"github.com/attrib/attrib/store"
)

// errStopWatching: the launcher was closed while a remote crawl went on.
var errStopWatching = errors.New("stopped watching a remote scan")

// runDist queues a crawl for the workers, as `attrib enqueue` does, and
// watches its record until the matchers close it.
func (l *Launcher) runDist(ctx context.Context, sc store.Scan, j job) (store.Scan, error) {
	o := j.crawl
	spec := scanreg.Spec{Name: sc.ID, Seeds: o.Seeds, Scope: o.Scope.String(), Depth: o.MaxDepth, MaxPages: o.MaxPages,
		Rate: o.Rate, IgnoreRobots: o.IgnoreRobots, SkipImages: o.SkipImages}
	added, err := l.cfg.Dist.Enqueuer.EnqueueAs(ctx, sc, spec)
	if err != nil {
		return sc, fmt.Errorf("enqueue: %w", err)
	}
	l.log.Info("scan queued for the workers", "scan", sc.ID, "seeds", added)
	return l.watch(ctx, sc)
}

// watch polls a remote scan's record until it is finished or failed.
func (l *Launcher) watch(ctx context.Context, sc store.Scan) (store.Scan, error) {
	t := time.NewTicker(l.cfg.Dist.PollEvery)
	defer t.Stop()
	start, reported := time.Now(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return sc, errStopWatching
		case <-t.C:
		}
		cur, err := l.st.Scan(ctx, sc.ID)
		if err != nil {
			if ctx.Err() == nil {
				l.log.Warn("remote scan not read; retrying", "scan", sc.ID, "err", err)
			}
			continue
		}
		done := cur.State == store.ScanFinished || cur.State == store.ScanFailed
		if done || time.Since(reported) >= l.cfg.ProgressEvery {
			l.distProgress(ctx, sc.ID, time.Since(start))
			reported = time.Now()
		}
		if done {
			return cur, nil
		}
	}
}

// distProgress reports a remote scan's counters and queue depth.
func (l *Launcher) distProgress(ctx context.Context, id string, elapsed time.Duration) {
	if l.cfg.OnProgress == nil {
		return
	}
	reg := l.cfg.Dist.Enqueuer.Registry
	st, err := reg.Stats(ctx, id)
	if err != nil {
		return
	}
	depth, err := reg.QueueDepth(ctx, id)
	if err != nil {
		return
	}
	l.cfg.OnProgress(id, scan.Progress{Elapsed: elapsed, Records: st.Records, Stats: crawler.Stats{
		Pages: st.Pages, Images: st.Images, Bytes: st.Bytes, Errors: st.Errors, Skipped: st.Skipped, Queued: int(depth)}})
}
