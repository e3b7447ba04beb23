package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/crawler/polite"
)

// Gate is per-host politeness as the crawler uses it: before each request
// it acquires a lease of the URL's host, and releases it once the
// response is read.
type Gate interface {
	// Acquire waits until host may be sent a request: its next rate slot,
	// spaced by the larger of the gate's rate and crawlDelay (the site's
	// robots.txt Crawl-delay, capped by the gate), and one of its
	// concurrency slots. release frees the concurrency slot and may be
	// called more than once. An error is ctx's, or the gate failed; the
	// crawl then stops.
	Acquire(ctx context.Context, host string, crawlDelay time.Duration) (release func(), err error)
}

// newGate returns Options.Gate, or else an in-memory gate for one crawl.
// Its leases outlive the slowest request, so only a leak can expire one.
func (c *Crawler) newGate() (Gate, error) {
	if c.opts.Gate != nil {
		return c.opts.Gate, nil
	}
	return polite.NewMemory(polite.Options{
		Rate: c.opts.Rate, Concurrency: c.opts.HostConcurrency,
		LeaseTTL: max(polite.DefaultLeaseTTL, 2*c.opts.Timeout),
	})
}

// errGate marks a failure of the politeness gate, which stops the crawl.
var errGate = errors.New("politeness gate failed")

// admit checks robots.txt for u and waits for a lease of its host. The
// caller fetches u and then calls release.
func (r *run) admit(ctx context.Context, u string) (release func(), err error) {
	delay, err := r.fetcher.CheckRobots(ctx, u)
	if err != nil {
		return nil, err
	}
	release, err = r.gate.Acquire(ctx, hostOf(u), delay)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %w", errGate, err)
	}
	return release, nil
}

// fatal reports whether a fetch error must stop the crawl rather than be
// counted against the URL: the shared politeness state is unreachable.
func fatal(err error) bool {
	return errors.Is(err, errGate) || errors.Is(err, fetch.ErrRobotsCache)
}

// fetchPage fetches a page within a lease of its host, released as soon
// as the body is read: parsing it holds no slot of the host.
// With validators the request is conditional (fetch.ErrNotModified).
func (r *run) fetchPage(ctx context.Context, u string, v fetch.Validators) (*fetch.Page, error) {
	release, err := r.admit(ctx, u)
	if err != nil {
		return nil, err
	}
	defer release() // if the fetch failed before the body was read
	return r.fetcher.FetchPageIf(fetch.OnReceived(ctx, release), u, v)
}

// fetchImage fetches an image, and its response headers, within a lease
// of its host.
func (r *run) fetchImage(ctx context.Context, u string) ([]byte, http.Header, error) {
	release, err := r.admit(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	return r.fetcher.FetchImageWithHeader(ctx, u)
}
