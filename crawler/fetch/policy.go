package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/attrib/attrib/crawler/optout"
)

var _ optout.Fetcher = (*Fetcher)(nil)

// RobotsFile returns origin's robots.txt as the RobotsCache keeps it,
// fetching it on a miss, whatever IgnoreRobots says: opt-out detection
// reads the file even when the crawl does not obey it. Errors are the
// context's or wrap ErrRobotsCache.
func (f *Fetcher) RobotsFile(ctx context.Context, origin string) (optout.File, error) {
	rec, err := f.opts.Robots.Robots(ctx, origin, func(ctx context.Context) (RobotsRecord, time.Duration, error) {
		return f.fetchRobots(ctx, origin)
	})
	switch {
	case ctx.Err() != nil:
		return optout.File{}, ctx.Err()
	case err != nil:
		return optout.File{}, fmt.Errorf("robots.txt of %s: %w: %w", origin, ErrRobotsCache, err)
	}
	return optout.File{Status: rec.Status, ContentType: "text/plain", Body: rec.Body}, nil
}

// PolicyFile fetches a site policy file (ai.txt, tdmrep.json) as robots.txt
// is fetched: same client, timeout and redirect rules, any status, body
// cut at 500 KiB, and robots.txt not consulted (such files are for
// crawlers to read). Errors are network errors, timeouts and the context's;
// a status is not an error.
func (f *Fetcher) PolicyFile(ctx context.Context, rawURL string) (optout.File, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return optout.File{}, fmt.Errorf("fetch %s: not an absolute http(s) url", rawURL)
	}
	cl := &call{robots: true, maxBytes: maxRobotsBytes}
	if err := f.do(ctx, f.robotsC, rawURL, cl, "application/json,text/plain;q=0.9,*/*;q=0.1"); err != nil {
		return optout.File{Status: cl.status}, err
	}
	return optout.File{Status: cl.status, ContentType: cl.contentType, Body: cl.body}, nil
}

// FetchImageWithHeader is FetchImage that also returns the response's
// headers, where images carry their opt-out signals (X-Robots-Tag).
func (f *Fetcher) FetchImageWithHeader(ctx context.Context, rawURL string) ([]byte, http.Header, error) {
	if _, err := f.CheckRobots(ctx, rawURL); err != nil {
		return nil, nil, err
	}
	cl := &call{image: true, maxBytes: f.opts.MaxImageBytes}
	if err := f.do(ctx, f.images, rawURL, cl, "image/*"); err != nil {
		return nil, nil, err
	}
	return cl.body, cl.header, nil
}
