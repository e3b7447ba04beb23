package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/optout"
	"github.com/attrib/attrib/matcher/imagefp"
)

// ErrRunning is returned by Run while another Run of the same Crawler is
// in progress.
var ErrRunning = errors.New("crawler is already running")

// run is the state one Run shares between its workers.
type run struct {
	*Crawler
	front   frontier.Frontier
	fetcher *fetch.Fetcher
	gate    Gate
	seen    *frontier.SeenSet // canonical image URLs fetched in this crawl
	policy  *optout.Resolver  // opt-out signals, with each origin's policy files
	h       Handler
	revisit Revisiter // h, when it keeps page validators; else nil
	retry   retrier   // the frontier, when it can retry a job later; else nil
}

// retrier is a frontier that takes a job back to retry it later, with
// backoff and a dead-letter queue after too many attempts (the Redis one).
type retrier interface {
	Fail(ctx context.Context, j frontier.Job, cause error) error
}

// retryError marks a transient failure of a job, handed back to a retrier
// instead of being counted and acknowledged.
type retryError struct{ err error }

func (e retryError) Error() string { return "transient: " + e.err.Error() }
func (e retryError) Unwrap() error { return e.err }

// transient reports whether a failed fetch may succeed later: timeouts,
// refused or reset connections, 429 and 5xx answers, robots.txt unavailable.
func transient(err error) bool {
	var se *fetch.StatusError
	var op *net.OpError
	switch {
	case errors.Is(err, fetch.ErrTimeout), errors.Is(err, fetch.ErrRobotsUnavailable),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &se):
		return se.Code == http.StatusTooManyRequests || se.Code >= 500
	case errors.As(err, &op):
		return true
	}
	return false
}

// Run crawls until the frontier is drained, ctx is cancelled or the
// frontier fails. f nil means an in-memory frontier built from the
// options; Run pushes the seeds to f either way. It returns the final
// stats; after a cancellation the error wraps ctx.Err().
func (c *Crawler) Run(ctx context.Context, f frontier.Frontier, h Handler) (Stats, error) {
	if h == nil {
		return Stats{}, errors.New("crawl: nil handler")
	}
	if !c.running.CompareAndSwap(false, true) {
		return Stats{}, ErrRunning
	}
	defer c.running.Store(false)
	c.n.reset()
	f, err := c.openFrontier(f)
	if err != nil {
		return Stats{}, err
	}
	err = c.crawl(ctx, f, h)
	stats := c.Stats()
	switch {
	case ctx.Err() != nil:
		return stats, fmt.Errorf("crawl interrupted: %w", ctx.Err())
	case err != nil:
		return stats, fmt.Errorf("crawl: %w", err)
	}
	return stats, nil
}

// openFrontier returns f, or a new in-memory frontier when f is nil, and
// publishes its stats to Stats when it has any.
func (c *Crawler) openFrontier(f frontier.Frontier) (frontier.Frontier, error) {
	if f == nil {
		if len(c.opts.Seeds) == 0 {
			return nil, errors.New("crawl: no seed URLs")
		}
		m, err := frontier.NewMemory(frontier.Options{
			Scope: c.opts.Scope, Seeds: c.opts.Seeds, MaxDepth: c.opts.MaxDepth, MaxPages: c.opts.MaxPages,
		})
		if err != nil {
			return nil, fmt.Errorf("crawl: %w", err)
		}
		f = m
	}
	if s, ok := f.(interface{ Stats() frontier.Stats }); ok {
		fn := s.Stats
		c.front.Store(&fn)
	} else {
		c.front.Store(nil)
	}
	return f, nil
}

// crawl runs the worker pool over f.
func (c *Crawler) crawl(ctx context.Context, f frontier.Frontier, h Handler) error {
	seeds := make([]frontier.Job, len(c.opts.Seeds))
	for i, s := range c.opts.Seeds {
		seeds[i] = frontier.Job{URL: s}
	}
	if _, err := f.Push(ctx, seeds...); err != nil {
		return fmt.Errorf("push seeds: %w", err)
	}
	gate, err := c.newGate()
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	fetcher, err := c.newFetcher(gctx)
	if err != nil {
		return err
	}
	defer fetcher.Close()
	r := &run{Crawler: c, front: f, fetcher: fetcher, gate: gate, seen: frontier.NewSeenSet(0), h: h}
	r.policy = optout.NewResolver(policyFetcher{fetcher, gate}, optout.Options{
		Agents: c.opts.AIAgents, FetchPolicies: !c.opts.SkipPolicies,
	})
	r.retry, _ = f.(retrier)
	r.revisit, _ = h.(Revisiter)
	for range c.opts.Workers {
		g.Go(func() error { return r.work(gctx) })
	}
	return g.Wait()
}

// newFetcher returns a fetcher for one crawl; ctx bounds its requests.
func (c *Crawler) newFetcher(ctx context.Context) (*fetch.Fetcher, error) {
	return fetch.New(ctx, fetch.Options{
		UserAgent: c.opts.UserAgent, IgnoreRobots: c.opts.IgnoreRobots, Timeout: c.opts.Timeout,
		MaxPageBytes: c.opts.MaxPageBytes, MaxImageBytes: c.opts.MaxImageBytes,
		MaxRedirects: c.opts.MaxRedirects, Transport: c.opts.Transport, Robots: c.opts.Robots,
	})
}

// work processes jobs until the frontier is drained. It returns an error
// only when the crawl must stop.
func (r *run) work(ctx context.Context) error {
	for {
		j, err := r.front.Pop(ctx)
		if errors.Is(err, frontier.ErrDrained) {
			return nil
		}
		if err != nil {
			return err
		}
		err = r.process(ctx, j)
		var re retryError
		if errors.As(err, &re) {
			r.n.retried.Add(1)
			r.log.Info("page failed; the frontier retries it later", "url", j.URL, "err", re.err)
			if err := r.retry.Fail(ctx, j, re.err); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				r.log.Warn("frontier did not take the failure back", "url", j.URL, "err", err)
			}
			continue
		}
		if err != nil {
			return err // not acknowledged: at-least-once frontiers retry it
		}
		if err := r.front.Done(ctx, j); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.log.Warn("frontier did not take the acknowledgement", "url", j.URL, "err", err)
		}
	}
}

// process crawls one job. Bad pages are counted, not returned: the error
// is for cancellation and failures of the frontier or the politeness state.
func (r *run) process(ctx context.Context, j frontier.Job) error {
	pr := r.previous(ctx, j)
	fp, err := r.fetchPage(ctx, j.URL, pr.Validators)
	if errors.Is(err, fetch.ErrNotModified) {
		return r.unchanged(ctx, j, pr)
	}
	if err != nil {
		if r.retry != nil && ctx.Err() == nil && transient(err) {
			return retryError{err}
		}
		return r.pageFailed(ctx, j, err)
	}
	if fp.URL != j.URL {
		// Redirected: the target may be crawled already (dir/index.html -> dir/).
		fresh, err := r.front.Claim(ctx, fp.URL)
		if err != nil {
			return err
		}
		if !fresh {
			r.n.redirectDups.Add(1)
			r.log.Debug("redirect to a page already crawled", "url", j.URL, "target", fp.URL)
			return nil
		}
	}
	r.n.pages.Add(1)
	r.n.bytes.Add(fp.Bytes)
	p := newPage(j, fp)
	if r.revisit != nil {
		p.Links = pageLinks(fp.Links)
	}
	// Before the links are queued: the first page of a site waits for its
	// policy files, and is not lost to an interruption its links cause.
	if p.Signals, err = r.policy.Resolve(ctx, optout.Content{URL: p.URL, Signals: fp.Signals}); err != nil {
		return err
	}
	if err := r.pushLinks(ctx, j, fp.URL, fp.Links); err != nil {
		return err
	}
	r.log.Debug("page", "url", p.URL, "depth", p.Depth, "bytes", p.Bytes, "links", len(fp.Links), "images", len(fp.Images))
	if !r.opts.SkipImages {
		if p.Images, err = r.images(ctx, p, fp.Images); err != nil {
			return err
		}
	}
	if err := r.h.HandlePage(ctx, p); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if r.retry != nil {
			// The handler could not take the page (its store or queue is
			// down): acknowledging would lose it.
			return retryError{err}
		}
		r.n.handlerErrs.Add(1)
		r.log.Warn("page handler failed", "url", p.URL, "err", err)
	}
	return nil
}

// newPage returns the Handler's view of a fetched page, images aside.
func newPage(j frontier.Job, fp *fetch.Page) *Page {
	return &Page{
		URL: fp.URL, Referrer: j.Referrer, Depth: j.Depth, Status: fp.Status, Title: validUTF8(fp.Title),
		Text: validUTF8(fp.Text), Canonical: fp.Canonical, Bytes: fp.Bytes, SHA256: fp.SHA256, Signals: fp.Signals,
		Validators: fp.Validators,
	}
}

// pageFailed counts a failed fetch as skipped or as an error.
func (r *run) pageFailed(ctx context.Context, j frontier.Job, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch {
	case fatal(err):
		return err
	case errors.Is(err, fetch.ErrRobots):
		r.n.robots.Add(1)
	case errors.Is(err, fetch.ErrNotHTML):
		r.n.notHTML.Add(1)
	default:
		r.n.pageErrors.Add(1)
		r.log.Warn("page failed", "url", j.URL, "referrer", j.Referrer, "err", err)
		return nil
	}
	if j.Depth == 0 {
		r.log.Warn("seed skipped", "url", j.URL, "reason", err)
		return nil
	}
	r.log.Debug("page skipped", "url", j.URL, "reason", err)
	return nil
}

// pushLinks queues links found on referrer one level deeper, unless the
// page (job j) is at the maximum depth.
func (r *run) pushLinks(ctx context.Context, j frontier.Job, referrer string, links []string) error {
	if j.Depth >= r.opts.MaxDepth || len(links) == 0 {
		return nil
	}
	jobs := make([]frontier.Job, len(links))
	for i, l := range links {
		jobs[i] = frontier.Job{URL: l, Depth: j.Depth + 1, Referrer: referrer}
	}
	if _, err := r.front.Push(ctx, jobs...); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("push links of %s: %w", referrer, err)
	}
	return nil
}

// images fetches and fingerprints the page's images not fetched before in
// this crawl. Failures are counted and logged; only cancellation returns.
func (r *run) images(ctx context.Context, p *Page, raws []string) ([]Image, error) {
	pageURL := p.URL
	var out []Image
	for _, raw := range raws {
		u, err := frontier.Canonical(raw)
		if err != nil {
			r.log.Debug("image url ignored", "url", raw, "page", pageURL, "err", err)
			continue
		}
		// A full seen set (millions of images) stops dedupe, not fetching.
		if isNew, err := r.seen.Add(u); !isNew && err == nil {
			continue
		}
		img, err := r.image(ctx, u, p)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if fatal(err) {
			return nil, err
		}
		if err != nil {
			r.imageFailed(u, pageURL, err)
			continue
		}
		out = append(out, img)
	}
	return out, nil
}

// image fetches and fingerprints one image of page p and resolves its
// opt-out signals.
func (r *run) image(ctx context.Context, u string, p *Page) (Image, error) {
	data, header, err := r.fetchImage(ctx, u)
	if err != nil {
		return Image{}, err
	}
	r.n.bytes.Add(int64(len(data)))
	h, err := imagefp.Compute(data, r.opts.ImageLimits)
	if err != nil {
		return Image{}, fmt.Errorf("fingerprint %s: %w", u, err)
	}
	r.n.images.Add(1)
	own, err := r.policy.Resolve(ctx, optout.Content{URL: u, Header: header, Image: data})
	if err != nil {
		return Image{}, err
	}
	return Image{URL: u, PageURL: p.URL, Hashes: h, Bytes: int64(len(data)), Signals: optout.Merge(own, p.Signals)}, nil
}

// imageFailed counts a failed image as skipped or as an error.
func (r *run) imageFailed(u, pageURL string, err error) {
	switch {
	case errors.Is(err, fetch.ErrRobots):
		r.n.robots.Add(1)
	case errors.Is(err, fetch.ErrNotImage):
		r.n.notImage.Add(1)
	default:
		r.n.imageErrors.Add(1)
		r.log.Warn("image not fingerprinted", "url", u, "page", pageURL, "err", err)
		return
	}
	r.log.Debug("image skipped", "url", u, "page", pageURL, "reason", err)
}

// hostOf returns the host[:port] of a URL, the politeness gate's key.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Host)
}

func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
