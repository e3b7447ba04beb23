package optout

import (
	"cmp"
	"context"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// File is a policy file as fetched.
type File struct {
	// Status is the HTTP status of the final response; 0 when the host
	// could not be reached. Only 2xx files are read.
	Status      int
	ContentType string
	Body        []byte // at most MaxPolicyBytes are read
}

// Fetcher gets a site's policy files. crawler/fetch's Fetcher implements
// it; the crawler wraps it in its politeness gate.
type Fetcher interface {
	// RobotsFile returns origin's ("scheme://host[:port]") robots.txt,
	// through the robots.txt cache the crawl already keeps, so the file is
	// fetched once for crawling and opt-outs alike. Its errors are the
	// context's or the cache's.
	RobotsFile(ctx context.Context, origin string) (File, error)
	// PolicyFile fetches a small file such as /ai.txt, reading at most
	// MaxPolicyBytes of it; any status is a File, not an error.
	PolicyFile(ctx context.Context, rawURL string) (File, error)
}

// Options configure a Resolver. Zero fields take the defaults.
type Options struct {
	// Agents are the AI crawlers whose robots.txt groups reserve (product
	// tokens, any case); nil means DefaultAgents.
	Agents []string
	// FetchPolicies makes the resolver read each origin's robots.txt,
	// /ai.txt and /.well-known/tdmrep.json. Without it only the signals of
	// the content itself (headers, HTML, image metadata) are reported.
	FetchPolicies bool
	// TTL is how long an origin's policy files are kept (default 24 h, as
	// robots.txt); RetryTTL how long a failed fetch (unreachable, 429,
	// 5xx) counts as no policy before it is tried again (default 1 min).
	TTL, RetryTTL time.Duration
	// MaxOrigins bounds the origins kept (default 4096); the oldest are
	// forgotten first.
	MaxOrigins int
}

// Defaults of Options.
const (
	DefaultTTL        = 24 * time.Hour
	DefaultRetryTTL   = time.Minute
	DefaultMaxOrigins = 4096
)

// Resolver finds the opt-out signals of crawled or recorded content: its
// own (headers, HTML, embedded image metadata) and those of its origin's
// policy files, which it fetches once per origin and keeps. It is safe for
// concurrent use.
type Resolver struct {
	f      Fetcher
	opts   Options
	agents []string
	cache  *originCache
}

// NewResolver returns a resolver fetching policy files through f. f may be
// nil (audits without network access): the resolver then reads no policy
// file, as with FetchPolicies false.
func NewResolver(f Fetcher, opts Options) *Resolver {
	opts.TTL = cmp.Or(opts.TTL, DefaultTTL)
	opts.RetryTTL = cmp.Or(opts.RetryTTL, DefaultRetryTTL)
	opts.MaxOrigins = cmp.Or(opts.MaxOrigins, DefaultMaxOrigins)
	if f == nil {
		opts.FetchPolicies = false
	}
	return &Resolver{f: f, opts: opts, agents: normalizeAgents(opts.Agents), cache: newOriginCache(opts.MaxOrigins)}
}

// Content is one piece of content whose signals are resolved.
type Content struct {
	URL string // where it was fetched from: a page, an image, a record's URL
	// Header holds response headers whose signals are not in Signals yet
	// (a record's recorded headers); nil when none.
	Header http.Header
	// Signals were found already: extracted from the HTML, the headers
	// the fetcher read, or the page that embeds an image.
	Signals []Signal
	// Image is an image's bytes, searched for XMP and C2PA metadata; nil
	// for other content.
	Image []byte
}

// Resolve returns the signals of c: c.Signals, then those of c.Header and
// c.Image, then those its origin's policy files make for c.URL; without
// duplicates, at most MaxSignals. A policy file that cannot be fetched
// counts as absent. The error is the context's only.
func (r *Resolver) Resolve(ctx context.Context, c Content) ([]Signal, error) {
	var s Set
	s.Add(c.Signals...)
	if c.Header != nil {
		s.Add(HeaderSignals(c.Header, c.URL)...)
	}
	if c.Image != nil {
		s.Add(ImageSignals(c.Image, c.URL)...)
	}
	p, err := r.Policy(ctx, c.URL)
	s.Add(p...)
	return s.List(), err
}

// Policy returns the signals the policy files of rawURL's origin make for
// it: robots.txt groups of AI crawlers and its Content-Usage and
// Content-Signal rules, ai.txt, and tdmrep.json. Nothing without
// FetchPolicies, or for a URL that is not absolute http(s).
func (r *Resolver) Policy(ctx context.Context, rawURL string) ([]Signal, error) {
	if !r.opts.FetchPolicies {
		return nil, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil
	}
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	p, err := r.cache.get(ctx, origin, func(ctx context.Context) (*sitePolicy, time.Duration, error) {
		return r.load(ctx, origin)
	})
	if err != nil {
		return nil, err
	}
	var s Set
	if p.robots != nil {
		s.Add(p.robots.RobotsSignals(u, r.agents, origin+"/robots.txt")...)
	}
	if p.aiTxt != nil {
		s.Add(p.aiTxt.AITxtSignals(u, origin+"/ai.txt")...)
	}
	if p.tdm != nil {
		s.Add(p.tdm.Signals(u, origin+tdmRepPath)...)
	}
	return s.List(), nil
}

const tdmRepPath = "/.well-known/tdmrep.json"

// sitePolicy is an origin's parsed policy files; nil fields are absent.
type sitePolicy struct {
	robots, aiTxt *Rules
	tdm           *TDMRep
}

// load fetches and parses an origin's policy files. A failed fetch gives
// no policy and shortens how long the result is kept.
func (r *Resolver) load(ctx context.Context, origin string) (*sitePolicy, time.Duration, error) {
	p, ttl := &sitePolicy{}, r.opts.TTL
	failed := func(f File, err error) bool {
		if err != nil || f.Status == 0 || f.Status == http.StatusTooManyRequests || f.Status >= 500 {
			ttl = r.opts.RetryTTL
		}
		return err != nil || f.Status < 200 || f.Status > 299
	}
	f, err := r.f.RobotsFile(ctx, origin)
	if ctx.Err() != nil {
		return nil, 0, ctx.Err()
	}
	if !failed(f, err) {
		p.robots = ParseRobots(f.Body)
	}
	f, err = r.f.PolicyFile(ctx, origin+"/ai.txt")
	if ctx.Err() != nil {
		return nil, 0, ctx.Err()
	}
	if !failed(f, err) && !isHTML(f.ContentType) { // a soft 404 page is no ai.txt
		p.aiTxt = ParseAITxt(f.Body)
	}
	f, err = r.f.PolicyFile(ctx, origin+tdmRepPath)
	if ctx.Err() != nil {
		return nil, 0, ctx.Err()
	}
	if !failed(f, err) {
		base, _ := url.Parse(origin + tdmRepPath)
		p.tdm, _ = ParseTDMRep(f.Body, base) // not a rule array: no policy
	}
	return p, ttl, nil
}

func isHTML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}
