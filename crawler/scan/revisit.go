package scan

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/attrib/attrib/crawler"
	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/store"
)

// PageStore is what a recrawl needs of the store: the pages' validators,
// the matches of the scans that last fetched them, and the works'
// registration times.
type PageStore interface {
	PageState(ctx context.Context, url string) (store.PageState, error)
	PutPageStates(ctx context.Context, states []store.PageState) error
	Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error)
	Works(ctx context.Context, f store.WorkFilter) ([]store.Work, error)
}

// revisit is the handler of a recrawl. It keeps every fully fetched page's
// validators and links (store.PageState, keyed by the page's final URL,
// with ScanID = this scan) and, for a page the server reports unchanged, copies the
// matches stored for that page (PageURL = the page: its text and its
// images) by the scan that last fetched it in full into this scan, so that
// an unchanged page does not look as if its appearances were removed.
//
// CheckedAt of a state is when the registry the page was matched against
// was read. A state older than the newest registered work is not used: the
// page is fetched in full and matched against the new work too.
type revisit struct {
	*handler
	pages    PageStore
	checked  time.Time // registry time of this scan's matching
	newest   time.Time // newest work's registration
	mu       sync.Mutex
	states   map[string]store.PageState          // read by Previous, for HandleUnchanged; guarded by mu
	previous map[string]map[string][]store.Match // scan -> page URL -> matches; guarded by mu
}

func newRevisit(ctx context.Context, h *handler, pages PageStore, checked time.Time) (*revisit, error) {
	works, err := pages.Works(ctx, store.WorkFilter{})
	if err != nil {
		return nil, fmt.Errorf("recrawl: list works: %w", err)
	}
	rv := &revisit{handler: h, pages: pages, checked: checked.UTC(),
		states: map[string]store.PageState{}, previous: map[string]map[string][]store.Match{}}
	for _, w := range works {
		if w.CreatedAt.After(rv.newest) {
			rv.newest = w.CreatedAt
		}
	}
	return rv, nil
}

// Previous implements crawler.Revisiter.
func (rv *revisit) Previous(ctx context.Context, url string) (crawler.Previous, error) {
	st, err := rv.pages.PageState(ctx, url)
	if errors.Is(err, store.ErrNotFound) {
		return crawler.Previous{}, nil
	}
	if err != nil {
		return crawler.Previous{}, err
	}
	if st.ScanID == "" || !st.CheckedAt.After(rv.newest) {
		return crawler.Previous{}, nil
	}
	rv.mu.Lock()
	rv.states[url] = st
	rv.mu.Unlock()
	return crawler.Previous{Validators: fetch.Validators{ETag: st.ETag, LastModified: st.LastModified}, Links: st.Links}, nil
}

// HandlePage matches the page as the plain handler does, then keeps its
// validators and links for the next recrawl.
func (rv *revisit) HandlePage(ctx context.Context, p *crawler.Page) error {
	if err := rv.handler.HandlePage(ctx, p); err != nil {
		return err // no state: the next crawl fetches the page in full again
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	// Pages without validators are stored too: an older state of the URL
	// must not be sent once the server stopped sending them.
	st := store.PageState{URL: p.URL, ETag: p.Validators.ETag, LastModified: p.Validators.LastModified,
		ScanID: rv.scanID, CheckedAt: rv.checked, Links: recordedLinks(p.Links)}
	if err := rv.pages.PutPageStates(ctx, []store.PageState{st}); err != nil {
		return fmt.Errorf("store page state of %s: %w", p.URL, err)
	}
	return nil
}

// recordedLinks returns the links to keep with a page's state: all of them,
// or nil, "not known", when there are more than the store keeps (the page
// is then fetched in full unless at the maximum depth, rather than have a
// 304 follow only some of its links). The crawler sets Page.Links non-nil
// for a Revisiter; nil from elsewhere stays unknown, not "no links".
func recordedLinks(links []string) []string {
	if len(links) > store.MaxPageLinks {
		return nil
	}
	return links
}

// HandleUnchanged implements crawler.Revisiter: it carries the page's
// matches forward from the scan that last fetched it in full. The state is
// left as it is: that scan still holds the page's current matches.
func (rv *revisit) HandleUnchanged(ctx context.Context, p *crawler.Page) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	rv.mu.Lock()
	st, ok := rv.states[p.URL]
	rv.mu.Unlock()
	if !ok {
		return fmt.Errorf("page %s reported unchanged without validators sent", p.URL)
	}
	byPage, err := rv.matchesOf(ctx, st.ScanID)
	if err != nil {
		return err
	}
	ms := byPage[p.URL]
	if len(ms) == 0 {
		return nil
	}
	if err := rv.r.Store.PutMatches(ctx, rv.scanID, ms); err != nil {
		return fmt.Errorf("carry matches of unchanged %s: %w", p.URL, err)
	}
	rv.matches.Add(int64(len(ms)))
	return nil
}

// matchesOf returns a scan's matches by page URL, read once per scan.
func (rv *revisit) matchesOf(ctx context.Context, scanID string) (map[string][]store.Match, error) {
	rv.mu.Lock()
	defer rv.mu.Unlock() // one read per scan; concurrent callers wait for it
	if m, ok := rv.previous[scanID]; ok {
		return m, nil
	}
	ms, err := rv.pages.Matches(ctx, scanID, store.MatchFilter{})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("matches of scan %s: %w", scanID, err)
	}
	m := map[string][]store.Match{}
	for _, mt := range ms {
		m[mt.PageURL] = append(m[mt.PageURL], mt)
	}
	rv.previous[scanID] = m
	return m, nil
}
