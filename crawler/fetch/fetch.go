package fetch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/attrib/attrib/crawler/extract"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout       = 20 * time.Second
	DefaultMaxPageBytes  = 10 << 20
	DefaultMaxImageBytes = 20 << 20
	DefaultMaxRedirects  = 10
)

// Options configure a Fetcher. Zero fields take the defaults above.
type Options struct {
	UserAgent    string // "" = DefaultUserAgent()
	IgnoreRobots bool   // robots.txt is obeyed unless set
	// Timeout bounds one call: connect, headers and body, redirects
	// included. Each robots.txt fetch gets the same bound.
	Timeout       time.Duration
	MaxPageBytes  int64 // page body cap
	MaxImageBytes int64 // image body cap
	// MaxRedirects is the longest redirect chain followed; negative means
	// none is followed (a redirect is then ErrTooManyRedirects).
	MaxRedirects int
	// Transport replaces the default transport (tests, proxies). Its
	// connection limits are the caller's business.
	Transport http.RoundTripper
	// PublicOnly refuses connections to loopback, private, link-local,
	// multicast and unspecified addresses, checked on the resolved address
	// of every connection (redirects included): for URLs taken from
	// untrusted data. It applies to the default transport only.
	PublicOnly bool
	// Robots keeps robots.txt records; share one between fetchers (or
	// workers) to fetch each host's robots.txt once. nil: an in-memory
	// cache of this fetcher's own.
	Robots RobotsCache
	// RobotsTTL is how long a fetched robots.txt is used (0:
	// DefaultRobotsTTL); RobotsRetry how long one that could not be
	// fetched disallows its host (0: DefaultRobotsRetry).
	RobotsTTL, RobotsRetry time.Duration
}

// UserAgent returns attrib's user agent string for version.
func UserAgent(version string) string {
	return "attrib/" + version + " (+https://github.com/attrib/attrib)"
}

// DefaultUserAgent returns UserAgent with the main module's version from
// the build info, or "dev".
func DefaultUserAgent() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return UserAgent(bi.Main.Version)
	}
	return UserAgent("dev")
}

// Page is a fetched and extracted HTML page.
type Page struct {
	URL         string // final URL, after redirects
	Status      int
	ContentType string
	Bytes       int64  // body bytes read
	SHA256      string // lowercase hex SHA-256 of the body as received
	// Validators are the response's ETag and Last-Modified, for a later
	// conditional fetch of the page (FetchPageIf).
	Validators     Validators
	extract.Result // Signals also hold the response headers' signals
}

// Fetcher downloads pages and images. It is safe for concurrent use; all
// calls share one HTTP client and connection pool. It checks robots.txt
// itself (colly's per-collector check is off) so that the file can be
// shared between workers and its Crawl-delay reach the politeness gate.
type Fetcher struct {
	opts      Options
	pages     *colly.Collector // MaxBodySize = page cap + 1
	images    *colly.Collector // a clone sharing pages' backend
	robotsC   *colly.Collector // a clone for robots.txt, MaxBodySize = 500 KiB
	rules     *loadMap[*robotsRules]
	transport *callTransport
	cancel    context.CancelFunc
}

// New returns a Fetcher. ctx bounds its life: cancelling it (or calling
// Close) aborts every request it makes, robots.txt fetches included.
func New(ctx context.Context, opts Options) (*Fetcher, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	base, cancel := context.WithCancel(ctx)
	rt := opts.Transport
	if rt == nil {
		rt = newTransport(opts.Timeout, opts.PublicOnly)
	}
	f := &Fetcher{opts: opts, transport: &callTransport{base: rt, baseCtx: base}, cancel: cancel}
	f.pages = colly.NewCollector()
	f.configure(f.pages, base)
	f.pages.MaxBodySize = int(opts.MaxPageBytes + 1)
	f.images = f.pages.Clone()
	f.images.MaxBodySize = int(opts.MaxImageBytes + 1)
	f.robotsC = f.pages.Clone()
	f.robotsC.MaxBodySize = maxRobotsBytes
	for _, c := range []*colly.Collector{f.pages, f.images, f.robotsC} {
		c.OnResponseHeaders(onHeaders)
		c.OnResponse(onResponse)
	}
	f.pages.OnHTML("html", onHTML)
	f.rules = newLoadMap(maxLocalRobots, 64<<20, func(r *robotsRules) int64 { return r.size })
	return f, nil
}

func withDefaults(o Options) (Options, error) {
	if o.Timeout < 0 || o.MaxPageBytes < 0 || o.MaxImageBytes < 0 || o.RobotsTTL < 0 || o.RobotsRetry < 0 {
		return o, errors.New("fetch timeouts, TTLs and byte caps must not be negative")
	}
	if o.Robots == nil {
		o.Robots = NewMemoryRobots()
	}
	o.RobotsTTL = cmp.Or(o.RobotsTTL, DefaultRobotsTTL)
	o.RobotsRetry = cmp.Or(o.RobotsRetry, DefaultRobotsRetry)
	o.UserAgent = cmp.Or(o.UserAgent, DefaultUserAgent())
	o.Timeout = cmp.Or(o.Timeout, DefaultTimeout)
	o.MaxPageBytes = cmp.Or(o.MaxPageBytes, DefaultMaxPageBytes)
	o.MaxImageBytes = cmp.Or(o.MaxImageBytes, DefaultMaxImageBytes)
	o.MaxRedirects = max(cmp.Or(o.MaxRedirects, DefaultMaxRedirects), 0)
	return o, nil
}

// configure sets every collector field we rely on explicitly, after
// colly.NewCollector has applied COLLY_* environment variables, so that
// none of them changes what the fetcher does.
func (f *Fetcher) configure(c *colly.Collector, base context.Context) {
	colly.StdlibContext(base)(c)
	c.UserAgent = f.opts.UserAgent
	c.Headers = nil
	c.IgnoreRobotsTxt = true // CheckRobots does it, with a shared cache
	c.AllowURLRevisit = true // the frontier dedupes, atomically
	c.Async = false          // each call runs its callbacks in its goroutine
	c.ParseHTTPErrorResponse = true
	c.MaxDepth, c.MaxRequests = 0, 0
	c.AllowedDomains, c.DisallowedDomains = nil, nil
	c.URLFilters, c.DisallowedURLFilters = nil, nil
	c.CacheDir, c.CacheExpiration = "", 0
	c.DetectCharset, c.CheckHead, c.TraceHTTP = false, false, false
	c.SetRequestTimeout(f.opts.Timeout)
	c.WithTransport(f.transport)
	c.DisableCookies() // a hostile site could grow a jar without bound
	c.SetRedirectHandler(redirectPolicy(f.opts.MaxRedirects))
}

// redirectPolicy stops redirect chains longer than max.
func redirectPolicy(max int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > max {
			return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, max)
		}
		return nil
	}
}

// Close aborts the fetcher's requests and releases its idle connections.
func (f *Fetcher) Close() {
	f.cancel()
	if t, ok := f.transport.base.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// FetchPage fetches rawURL and extracts it from colly's parsed document.
// text/plain and text/markdown pages are taken whole as their text.
// Errors wrap ErrNotHTML, ErrRobots (skips), or ErrTooLarge,
// ErrTooManyRedirects, ErrTimeout, ErrEncoding, a *StatusError, a network
// error, or the errors of CheckRobots.
func (f *Fetcher) FetchPage(ctx context.Context, rawURL string) (*Page, error) {
	return f.FetchPageIf(ctx, rawURL, Validators{})
}

// FetchPageIf is FetchPage as a conditional request: with validators from
// an earlier fetch it sends If-None-Match / If-Modified-Since, and a 304
// answer is ErrNotModified (no body is read). Zero validators make it
// FetchPage.
func (f *Fetcher) FetchPageIf(ctx context.Context, rawURL string, v Validators) (*Page, error) {
	if _, err := f.CheckRobots(ctx, rawURL); err != nil {
		return nil, err
	}
	cl := &call{maxBytes: f.opts.MaxPageBytes, received: receivedHook(ctx), cond: v}
	if err := f.do(ctx, f.pages, rawURL, cl, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"); err != nil {
		return nil, err
	}
	if !cl.parsed {
		return nil, fmt.Errorf("fetch %s: %w (content type %q)", rawURL, ErrNotHTML, cl.contentType)
	}
	p := &Page{URL: cl.final, Status: cl.status, ContentType: cl.contentType, Bytes: cl.size, SHA256: cl.sha256,
		Validators: validatorsOf(cl.header), Result: cl.result}
	p.Signals = append(p.Signals, extract.HeaderSignals(cl.header, p.URL)...)
	return p, nil
}

// receivedKey is the context key of OnReceived's hook.
type receivedKey struct{}

// OnReceived returns a context that makes FetchPage call fn as soon as the
// response body has been read, before the page is decoded and parsed (it
// is not called if the call fails before that). The crawler frees its
// lease of the host there: parsing is not a request in flight.
func OnReceived(ctx context.Context, fn func()) context.Context {
	return context.WithValue(ctx, receivedKey{}, fn)
}

func receivedHook(ctx context.Context) func() {
	fn, _ := ctx.Value(receivedKey{}).(func())
	return fn
}

// FetchImage fetches the image at rawURL, at most MaxImageBytes of it.
// Errors are those of FetchPage, with ErrNotImage for a response that is
// not an image attrib can fingerprint (SVG included).
func (f *Fetcher) FetchImage(ctx context.Context, rawURL string) ([]byte, error) {
	b, _, err := f.FetchImageWithHeader(ctx, rawURL)
	return b, err
}

// do runs one GET through c, routing its callbacks to cl and its requests
// to ctx.
func (f *Fetcher) do(ctx context.Context, c *colly.Collector, rawURL string, cl *call, accept string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	id, release := f.transport.register(ctx)
	defer release()
	cctx := colly.NewContext()
	cctx.Put(callKey, cl)
	hdr := http.Header{}
	hdr.Set(callHeader, id)
	hdr.Set("Accept", accept)
	cl.cond.set(hdr)
	err := c.Request(http.MethodGet, rawURL, nil, cctx, hdr)
	switch {
	case cl.err != nil:
		return fmt.Errorf("fetch %s: %w", rawURL, cl.err)
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("fetch %s: %w", rawURL, ctx.Err())
	}
	return fmt.Errorf("fetch %s: %w", rawURL, classify(err))
}
