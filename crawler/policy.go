package crawler

import (
	"context"
	"fmt"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/crawler/optout"
)

// policyFetcher fetches sites' policy files for opt-out detection within
// the politeness gate: ai.txt and tdmrep.json are requests to the host like
// any other. robots.txt comes from the fetcher's robots cache, already
// fetched for the crawl (unless robots.txt is ignored).
type policyFetcher struct {
	*fetch.Fetcher
	gate Gate
}

// PolicyFile implements optout.Fetcher.
func (p policyFetcher) PolicyFile(ctx context.Context, rawURL string) (optout.File, error) {
	// The file is read whatever robots.txt says of it, but the site's
	// Crawl-delay still spaces the request (0 when unknown).
	delay, _ := p.CheckRobots(ctx, rawURL)
	release, err := p.gate.Acquire(ctx, hostOf(rawURL), delay)
	if err != nil {
		return optout.File{}, fmt.Errorf("%w: %w", errGate, err)
	}
	defer release()
	return p.Fetcher.PolicyFile(ctx, rawURL)
}
