package crawler

import (
	"context"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/crawler/frontier"
)

// Revisiter is implemented by a Handler that remembers pages between
// crawls: the crawler then asks for pages conditionally (If-None-Match,
// If-Modified-Since) and hands a page the server answers 304 Not Modified
// to HandleUnchanged instead of HandlePage.
//
// Only pages at the crawl's maximum depth are asked for conditionally. A
// 304 has no body, so an unchanged page's links could not be followed, and
// the pages reached only through it would drop out of the recrawl (and look
// removed). A page at the maximum depth has its links ignored anyway, so a
// recrawl reaches exactly the pages a full crawl reaches. In a site crawl
// most pages sit at the deepest level, so this still saves most bodies.
type Revisiter interface {
	// Validators returns what the previous crawl's response for url
	// carried (zero: nothing known, the page is fetched in full). An error
	// is logged and the page fetched in full.
	Validators(ctx context.Context, url string) (fetch.Validators, error)
	// HandleUnchanged takes a page the server reported unchanged since
	// those validators were sent. p has URL, Referrer, Depth and Status
	// (304) set, nothing else. Errors are counted as HandlePage's are.
	HandleUnchanged(ctx context.Context, p *Page) error
}

// validators returns the validators to send for j: none unless the handler
// is a Revisiter and j is at the maximum depth.
func (r *run) validators(ctx context.Context, j frontier.Job) fetch.Validators {
	if r.revisit == nil || j.Depth < r.opts.MaxDepth {
		return fetch.Validators{}
	}
	v, err := r.revisit.Validators(ctx, j.URL)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("page validators not read; fetching in full", "url", j.URL, "err", err)
		}
		return fetch.Validators{}
	}
	return v
}

// unchanged hands a page answered 304 to the Revisiter.
func (r *run) unchanged(ctx context.Context, j frontier.Job) error {
	r.n.unchanged.Add(1)
	p := &Page{URL: j.URL, Referrer: j.Referrer, Depth: j.Depth, Status: 304}
	r.log.Debug("page unchanged", "url", j.URL, "depth", j.Depth)
	if err := r.revisit.HandleUnchanged(ctx, p); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.n.handlerErrs.Add(1)
		r.log.Warn("unchanged page handler failed", "url", j.URL, "err", err)
	}
	return nil
}
