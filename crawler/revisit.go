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
// A 304 has no body, so the links of an unchanged page come from what the
// Revisiter kept of the full fetch (Page.Links, returned as
// Previous.Links): they are queued one level deeper exactly as the body's
// links would be, through the same frontier (scope, dedupe, depth and page
// budget), and a recrawl reaches the pages a full crawl reaches. When the
// links are not known (Previous.Links nil: a state kept before links
// were), only a page at the maximum depth is asked for conditionally,
// since its links are ignored anyway.
type Revisiter interface {
	// Previous returns what the crawl that last fetched url in full kept
	// of it (zero: nothing known, the page is fetched in full). An error
	// is logged and the page fetched in full.
	Previous(ctx context.Context, url string) (Previous, error)
	// HandleUnchanged takes a page the server reported unchanged since
	// those validators were sent. p has URL, Referrer, Depth, Status (304)
	// and Links (Previous.Links) set, nothing else. Errors are counted as
	// HandlePage's are.
	HandleUnchanged(ctx context.Context, p *Page) error
}

// Previous is what a Revisiter kept of a page's last full fetch.
type Previous struct {
	Validators fetch.Validators
	// Links are that fetch's Page.Links; nil when not known, which is not
	// the same as a page without links (empty).
	Links []string
}

// previous returns what to send for j: nothing unless the handler is a
// Revisiter that knows the page, and, when it does not know the page's
// links, j is at the maximum depth.
func (r *run) previous(ctx context.Context, j frontier.Job) Previous {
	if r.revisit == nil {
		return Previous{}
	}
	pr, err := r.revisit.Previous(ctx, j.URL)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("page validators not read; fetching in full", "url", j.URL, "err", err)
		}
		return Previous{}
	}
	if pr.Links == nil && j.Depth < r.opts.MaxDepth {
		return Previous{} // a 304 would lose the links to follow
	}
	return pr
}

// unchanged queues the links an unchanged page had when last fetched,
// then hands the page to the Revisiter.
func (r *run) unchanged(ctx context.Context, j frontier.Job, pr Previous) error {
	r.n.unchanged.Add(1)
	p := &Page{URL: j.URL, Referrer: j.Referrer, Depth: j.Depth, Status: 304, Links: pr.Links}
	// A 304 answers for j.URL itself (no redirect), so the links' referrer
	// is j.URL, as a full fetch's final URL would be.
	if err := r.pushLinks(ctx, j, j.URL, pr.Links); err != nil {
		return err
	}
	r.log.Debug("page unchanged", "url", j.URL, "depth", j.Depth, "links", len(pr.Links))
	if err := r.revisit.HandleUnchanged(ctx, p); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.n.handlerErrs.Add(1)
		r.log.Warn("unchanged page handler failed", "url", j.URL, "err", err)
	}
	return nil
}

// pageLinks returns links in canonical form, in order, without duplicates
// or URLs the frontier would refuse as malformed. Pushing them admits the
// same jobs, in the same order, as pushing links: the frontier
// canonicalises and dedupes the same way (only its duplicate and bad-URL
// counters differ).
func pageLinks(links []string) []string {
	out := make([]string, 0, len(links))
	seen := make(map[string]bool, len(links))
	for _, l := range links {
		c, err := frontier.Canonical(l)
		if err != nil || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}
