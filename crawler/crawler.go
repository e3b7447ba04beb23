package crawler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/attrib/attrib/crawler/extract"
	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/crawler/frontier"
	"github.com/attrib/attrib/crawler/polite"
	"github.com/attrib/attrib/matcher/imagefp"
)

// maxWorkers is a sanity bound on Options.Workers.
const maxWorkers = 4096

// Options configure a crawl. Zero values of MaxDepth, MaxPages and Rate are
// meaningful (see each field); start from DefaultOptions. Other zero fields
// take the defaults DefaultOptions shows.
type Options struct {
	Seeds    []string       // start URLs; they also define the scope
	Scope    frontier.Scope // which links to follow (zero: host)
	MaxDepth int            // links followed from a seed; 0 crawls only the seeds
	MaxPages int            // page budget; 0 = unlimited
	// Rate is requests per second per host; 0 sets no rate of ours (a
	// site's robots.txt Crawl-delay, up to a minute, still applies).
	Rate float64
	// HostConcurrency bounds the requests in flight to one host (0: the
	// default, polite.DefaultConcurrency).
	HostConcurrency int
	Workers         int // concurrent fetches

	UserAgent     string        // "" = fetch.DefaultUserAgent()
	IgnoreRobots  bool          // robots.txt is obeyed unless set
	Timeout       time.Duration // per request
	MaxPageBytes  int64         // pages over this are errors (fetch.ErrTooLarge)
	MaxImageBytes int64         // images over this are errors
	MaxRedirects  int           // negative: follow none
	// ImageLimits bound decoding; zero fields take MaxImageBytes and
	// imagefp.DefaultLimits().MaxPixels.
	ImageLimits imagefp.Limits
	SkipImages  bool              // do not fetch images
	Transport   http.RoundTripper // nil = fetch's default (tests, proxies)

	// SkipPolicies leaves sites' policy files out of opt-out detection:
	// robots.txt AI groups, /ai.txt and /.well-known/tdmrep.json are then
	// not read (nor fetched) for it, only the pages' and images' own
	// signals are reported.
	SkipPolicies bool
	// AIAgents are the crawlers whose robots.txt groups reserve AI use
	// (product tokens); nil: optout.DefaultAgents.
	AIAgents []string

	// Gate enforces per-host politeness; share one (polite.NewRedis) between
	// workers to make them polite together. It has its own rate and
	// concurrency: Rate and HostConcurrency only configure the default, an
	// in-memory gate per crawl (polite.NewMemory).
	Gate Gate
	// Robots keeps robots.txt files; share one (polite.NewRedisRobots)
	// between workers to fetch each host's once. nil: in memory, per crawl.
	Robots fetch.RobotsCache
}

// DefaultOptions returns the options of `attrib crawl` without flags.
func DefaultOptions() Options {
	return Options{
		MaxDepth:        3,
		Rate:            4,
		HostConcurrency: polite.DefaultConcurrency,
		Workers:         defaultWorkers(),
		Timeout:         fetch.DefaultTimeout,
		MaxPageBytes:    fetch.DefaultMaxPageBytes,
		MaxImageBytes:   fetch.DefaultMaxImageBytes,
		MaxRedirects:    fetch.DefaultMaxRedirects,
		ImageLimits:     imagefp.DefaultLimits(),
	}
}

// defaultWorkers: fetching is I/O bound, hashing CPU bound.
func defaultWorkers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// Page is one crawled HTML page as handed to the Handler.
type Page struct {
	URL       string // final URL after redirects
	Referrer  string // page the link was found on; "" for a seed
	Depth     int
	Status    int
	Title     string
	Text      string // main text, valid UTF-8
	Canonical string // rel=canonical, as the page declares it
	Bytes     int64
	SHA256    string // hex SHA-256 of the body as received
	// Signals are the opt-out signals of the page: its HTML and headers,
	// and its site's policy files for its URL (optout.Resolver).
	Signals []extract.Signal
	Images  []Image // images first seen on this page, fingerprinted
	// Validators are the response's ETag and Last-Modified, kept by a
	// Revisiter for the next crawl's conditional request.
	Validators fetch.Validators
	// Links are the page's links in canonical form, in document order,
	// duplicates and unparsable URLs removed, before scope and depth
	// checks: a Revisiter keeps them so that a later 304 for the page
	// queues them again (Previous.Links). Set (non-nil) only when the
	// Handler is a Revisiter: others do not pay for the canonicalisation.
	Links []string
}

// Image is a fetched and fingerprinted image. Each image URL is fetched once
// per crawl and reported with the first page found embedding it.
type Image struct {
	URL     string // canonical URL
	PageURL string
	Hashes  imagefp.Hashes
	Bytes   int64
	// Signals are the image's opt-out signals: its response headers, its
	// XMP and C2PA metadata, its site's policy files for its URL, then
	// those of the page (whose reservations cover what it embeds).
	Signals []extract.Signal
}

// Handler receives crawled pages. HandlePage is called concurrently from
// the workers; an error is counted and logged and the crawl goes on.
type Handler interface {
	HandlePage(ctx context.Context, p *Page) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, p *Page) error

// HandlePage implements Handler.
func (f HandlerFunc) HandlePage(ctx context.Context, p *Page) error { return f(ctx, p) }

// Stats count a crawl's work. Errors = PageErrors + ImageErrors +
// HandlerErrors; Skipped = Robots + NotHTML + NotImage + Dropped + Redirected
// + Unchanged.
type Stats struct {
	Pages   int64 // pages fetched and extracted
	Images  int64 // images fetched and fingerprinted
	Bytes   int64 // body bytes of those pages and images
	Errors  int64
	Skipped int64

	PageErrors    int64 // 4xx/5xx, timeouts, too large, network errors
	ImageErrors   int64 // same for images, plus undecodable or too many pixels
	HandlerErrors int64
	Robots        int64 // pages and images disallowed by robots.txt
	NotHTML       int64 // page URLs that were not HTML
	NotImage      int64 // image URLs that were not raster images
	Dropped       int64 // URLs the frontier dropped because it was full
	Redirected    int64 // redirects to a page already crawled
	Unchanged     int64 // pages answered 304 Not Modified to a conditional request
	// Retried counts transient failures handed back to a frontier that
	// retries (distributed mode); they are neither errors nor skips.
	Retried  int64
	Queued   int // jobs waiting in the frontier (if it reports it)
	InFlight int // jobs being processed (if the frontier reports it)
}

// Crawler runs crawls with fixed options.
type Crawler struct {
	opts    Options
	log     *slog.Logger
	n       counters
	running atomic.Bool
	front   atomic.Pointer[func() frontier.Stats] // the running frontier's stats, if any
}

// New validates opts, fills in defaults and returns a Crawler. logger may be
// nil (no logging).
func New(opts Options, logger *slog.Logger) (*Crawler, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, fmt.Errorf("crawl options: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Crawler{opts: opts, log: logger}, nil
}

// Options returns the options in effect, defaults filled in.
func (c *Crawler) Options() Options { return c.opts }

func withDefaults(o Options) (Options, error) {
	if err := validate(o); err != nil {
		return o, err
	}
	d := DefaultOptions()
	o.Workers = cmp.Or(o.Workers, d.Workers)
	o.HostConcurrency = cmp.Or(o.HostConcurrency, d.HostConcurrency)
	o.Timeout = cmp.Or(o.Timeout, d.Timeout)
	o.MaxPageBytes = cmp.Or(o.MaxPageBytes, d.MaxPageBytes)
	o.MaxImageBytes = cmp.Or(o.MaxImageBytes, d.MaxImageBytes)
	o.MaxRedirects = cmp.Or(o.MaxRedirects, d.MaxRedirects)
	o.UserAgent = cmp.Or(o.UserAgent, fetch.DefaultUserAgent())
	o.ImageLimits.MaxBytes = cmp.Or(o.ImageLimits.MaxBytes, o.MaxImageBytes)
	o.ImageLimits.MaxPixels = cmp.Or(o.ImageLimits.MaxPixels, d.ImageLimits.MaxPixels)
	return o, nil
}

func validate(o Options) error {
	if _, err := frontier.NewPolicy(o.Scope, o.Seeds, max(o.MaxDepth, 0)); err != nil {
		return err
	}
	switch {
	case o.MaxDepth < 0:
		return fmt.Errorf("max depth %d is negative", o.MaxDepth)
	case o.MaxPages < 0:
		return fmt.Errorf("max pages %d is negative", o.MaxPages)
	case o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0):
		return fmt.Errorf("rate %v must be a finite number ≥ 0 (0: no limit)", o.Rate)
	case o.Workers < 0 || o.Workers > maxWorkers:
		return fmt.Errorf("workers %d must be between 1 and %d", o.Workers, maxWorkers)
	case o.HostConcurrency < 0 || o.HostConcurrency > maxWorkers:
		return fmt.Errorf("host concurrency %d must be between 1 and %d", o.HostConcurrency, maxWorkers)
	case o.Timeout < 0:
		return fmt.Errorf("timeout %v is negative", o.Timeout)
	case o.MaxPageBytes < 0 || o.MaxImageBytes < 0:
		return errors.New("byte caps must not be negative")
	case o.ImageLimits.MaxBytes < 0 || o.ImageLimits.MaxPixels < 0:
		return errors.New("image limits must not be negative")
	}
	return nil
}

// counters are the live crawl counters behind Stats.
type counters struct {
	pages, images, bytes                    atomic.Int64
	pageErrors, imageErrors, handlerErrs    atomic.Int64
	robots, notHTML, notImage, redirectDups atomic.Int64
	retried, unchanged                      atomic.Int64
}

func (n *counters) reset() {
	for _, c := range []*atomic.Int64{&n.pages, &n.images, &n.bytes, &n.pageErrors, &n.imageErrors,
		&n.handlerErrs, &n.robots, &n.notHTML, &n.notImage, &n.redirectDups, &n.retried, &n.unchanged} {
		c.Store(0)
	}
}

// Stats returns live counters of the running (or last) crawl; it is safe to
// call concurrently with Run, e.g. for progress reports.
func (c *Crawler) Stats() Stats {
	n := &c.n
	s := Stats{
		Pages: n.pages.Load(), Images: n.images.Load(), Bytes: n.bytes.Load(),
		PageErrors: n.pageErrors.Load(), ImageErrors: n.imageErrors.Load(), HandlerErrors: n.handlerErrs.Load(),
		Robots: n.robots.Load(), NotHTML: n.notHTML.Load(), NotImage: n.notImage.Load(),
		Redirected: n.redirectDups.Load(), Retried: n.retried.Load(), Unchanged: n.unchanged.Load(),
	}
	if fs := c.front.Load(); fs != nil {
		f := (*fs)()
		s.Dropped, s.Queued, s.InFlight = f.Dropped, f.Queued, f.InFlight
	}
	s.Errors = s.PageErrors + s.ImageErrors + s.HandlerErrors
	s.Skipped = s.Robots + s.NotHTML + s.NotImage + s.Dropped + s.Redirected + s.Unchanged
	return s
}
