package launch

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/audit"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/store"
)

// crawlOptions merges a spec into the base crawl options.
func (l *Launcher) crawlOptions(spec Spec) (crawler.Options, error) {
	o := l.cfg.Crawl
	o.Seeds = spec.Targets
	so := spec.Options
	if so.Depth > 0 {
		o.MaxDepth = so.Depth
	}
	if so.MaxPages > 0 {
		o.MaxPages = so.MaxPages
	}
	if so.Rate > 0 {
		o.Rate = so.Rate
	}
	if so.Scope != "" {
		s, err := frontier.ParseScope(so.Scope)
		if err != nil {
			return o, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		o.Scope = s
	}
	return o, nil
}

// auditFiles resolves an audit's paths, within AuditRoots if set.
func (l *Launcher) auditFiles(spec Spec) ([]audit.File, error) {
	for _, p := range spec.Targets {
		if err := l.allowedPath(p); err != nil {
			return nil, err
		}
	}
	fo := l.cfg.AuditFormat
	if spec.Options.Format != "" {
		fo.Format = spec.Options.Format
	}
	files, err := audit.Files(spec.Targets, fo)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return files, nil
}

// allowedPath checks that p, symbolic links resolved, lies in one of
// AuditRoots (when there are any).
func (l *Launcher) allowedPath(p string) error {
	if len(l.cfg.AuditRoots) == 0 {
		return nil
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return fmt.Errorf("%w: dataset %s: %w", ErrInvalid, p, err)
	}
	for _, root := range l.cfg.AuditRoots {
		r, err := filepath.EvalSymlinks(root)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(r, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil
		}
	}
	return fmt.Errorf("%w: dataset %s is outside the folders audits may read", ErrInvalid, p)
}

// runLocal runs a crawl or an audit in this process.
func (l *Launcher) runLocal(ctx context.Context, sc store.Scan, j job) (store.Scan, error) {
	release, err := l.acquire(ctx)
	if err != nil {
		return sc, err
	}
	defer release()
	l.log.Info("scan started", "scan", sc.ID, "kind", sc.Kind)
	loadedAt := time.Now().UTC()
	m, err := l.loadMatcher(ctx)
	if err != nil {
		return sc, err
	}
	if j.spec.Kind == KindAudit {
		return l.runAudit(ctx, sc, j, m)
	}
	r := &scan.Runner{Store: l.st, Matcher: m, Logger: l.log, ProgressEvery: l.cfg.ProgressEvery, RegistryAt: loadedAt}
	if l.cfg.OnProgress != nil {
		r.OnProgress = func(p scan.Progress) { l.cfg.OnProgress(sc.ID, p) }
	}
	if !l.cfg.NoRevisit && !j.spec.Options.Full {
		r.Pages = l.st
	}
	return r.Run(ctx, sc, j.crawl)
}

// loadMatcher indexes the registry as it is now: works registered since
// the last scan are matched in this one.
func (l *Launcher) loadMatcher(ctx context.Context) (*matcher.Matcher, error) {
	m, err := matcher.New(l.st, l.cfg.Matcher)
	if err != nil {
		return nil, fmt.Errorf("matcher: %w", err)
	}
	skipped, err := m.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("load registry: %w", err)
	}
	if skipped > 0 {
		l.log.Warn("some stored fingerprints are in a format this version cannot use; their works are not matched", "fingerprints", skipped)
	}
	return m, nil
}

func (l *Launcher) runAudit(ctx context.Context, sc store.Scan, j job, m *matcher.Matcher) (store.Scan, error) {
	r := &audit.Runner{Store: l.st, Matcher: m, Logger: l.log, ProgressEvery: l.cfg.ProgressEvery}
	if l.cfg.OnProgress != nil {
		r.OnProgress = func(p audit.Progress) {
			l.cfg.OnProgress(sc.ID, scan.Progress{Records: p.Records, Matches: p.Matches, Elapsed: p.Elapsed,
				Stats: crawler.Stats{Bytes: p.Bytes, Errors: p.Errors}})
		}
	}
	opts := l.cfg.Audit
	opts.Scan = sc.ID
	res, err := r.Audit(ctx, j.files, opts, "")
	return res.Scan, err
}
