package audit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/crawler/optout"
	"github.com/attrib/attrib/crawler/polite"
)

// imageFetcher fetches dataset image URLs politely: robots.txt obeyed, a
// per-host rate and concurrency, byte and time bounds, and — unless the
// operator allows it — no loopback, private, link-local or multicast
// address, checked on every connection after DNS resolution.
type imageFetcher struct {
	f    *fetch.Fetcher
	gate *polite.Memory
}

// ImageFetchOptions configure NewImageFetcher.
type ImageFetchOptions struct {
	Fetch        fetch.Options // UserAgent, Timeout, MaxImageBytes, ...
	Rate         float64       // requests per second per host (0: no limit)
	Concurrency  int           // requests in flight per host
	AllowPrivate bool          // let dataset URLs reach private and loopback addresses
}

// WebFetcher fetches what an audit may take from the web: images records
// name by URL, and the policy files of records' sites.
type WebFetcher interface {
	ImageFetcher
	optout.Fetcher
}

// NewImageFetcher returns a WebFetcher; close it with the returned func.
func NewImageFetcher(ctx context.Context, o ImageFetchOptions) (WebFetcher, func(), error) {
	o.Fetch.PublicOnly = !o.AllowPrivate
	f, err := fetch.New(ctx, o.Fetch)
	if err != nil {
		return nil, nil, fmt.Errorf("image fetcher: %w", err)
	}
	gate, err := polite.NewMemory(polite.Options{Rate: o.Rate, Concurrency: o.Concurrency})
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("image fetcher: %w", err)
	}
	return &imageFetcher{f: f, gate: gate}, func() { f.Close() }, nil
}

// PolicyFile fetches a site's policy file (ai.txt, tdmrep.json) within the
// politeness gate; with RobotsFile it makes the fetcher an optout.Fetcher.
func (i *imageFetcher) PolicyFile(ctx context.Context, rawURL string) (optout.File, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return optout.File{}, err
	}
	delay, _ := i.f.CheckRobots(ctx, rawURL)
	release, err := i.gate.Acquire(ctx, strings.ToLower(u.Host), delay)
	if err != nil {
		return optout.File{}, err
	}
	defer release()
	return i.f.PolicyFile(ctx, rawURL)
}

// RobotsFile returns an origin's robots.txt through the fetcher's cache.
func (i *imageFetcher) RobotsFile(ctx context.Context, origin string) (optout.File, error) {
	return i.f.RobotsFile(ctx, origin)
}

func (i *imageFetcher) FetchImage(ctx context.Context, rawURL string) ([]byte, http.Header, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("image url %q: not an http(s) URL", rawURL)
	}
	delay, err := i.f.CheckRobots(ctx, rawURL)
	if err != nil {
		return nil, nil, err
	}
	release, err := i.gate.Acquire(ctx, strings.ToLower(u.Host), delay)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	return i.f.FetchImageWithHeader(ctx, rawURL)
}
