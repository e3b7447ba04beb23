package textmatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/attrib/attrib/matcher/textfp"
)

// Errors returned by Add; test with errors.Is.
var (
	// ErrDuplicate: the work ID is already indexed.
	ErrDuplicate = errors.New("work already indexed")
	// ErrParams: the fingerprints were made with other K or W than the
	// engine's options; re-fingerprint the work's text.
	ErrParams = errors.New("fingerprint parameters differ from the engine's")
)

// TextFunc returns the registered text of a work, the text its fingerprints
// were computed from. Match calls it to verify candidates; it may be slow.
// An error wrapping store.ErrNotFound makes Match skip the work.
type TextFunc func(ctx context.Context, workID string) (string, error)

// Engine indexes the fingerprints of text works and matches found texts
// against them. Add and Match may be called concurrently.
type Engine struct {
	opts  Options
	steps []step // bridge search order, immutable

	mu   sync.RWMutex // guards ix, ids and byID
	ix   *index
	ids  []string // interned work IDs, append-only
	byID map[string]int32

	cache   *tokenCache
	flight  singleflight.Group // one text fetch per work at a time
	scratch sync.Pool          // *scratch
}

// New returns an empty engine, or an error when opts are out of range.
func New(opts Options) (*Engine, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Engine{
		opts:  opts,
		steps: bridgeSteps(opts.MaxGapTokens),
		ix:    newIndex(),
		byID:  make(map[string]int32),
		cache: newTokenCache(opts.CacheTokens),
	}, nil
}

// Options returns the engine's options.
func (e *Engine) Options() Options { return e.opts }

// Fingerprint returns what the registry stores for a work's text: the
// encoded fingerprints (store.Fingerprint.Data with textfp.Algorithm and
// textfp.Version) and the text's number of tokens.
func (e *Engine) Fingerprint(text string) (data []byte, tokens int) {
	f, err := textfp.Compute(text, e.opts.params())
	if err != nil {
		return nil, 0 // unreachable: New validated the parameters
	}
	return textfp.Encode(f), f.Tokens
}

// Add indexes a work's stored fingerprints (data from Fingerprint). It fails
// on undecodable data, parameters other than the engine's (ErrParams) and a
// work ID already indexed (ErrDuplicate); the index is unchanged then.
func (e *Engine) Add(workID string, data []byte) error {
	f, err := textfp.Decode(data)
	if err != nil {
		return fmt.Errorf("add work %s: %w", workID, err)
	}
	if f.Params != e.opts.params() {
		return fmt.Errorf("add work %s: %w: k=%d w=%d, engine k=%d w=%d",
			workID, ErrParams, f.K, f.W, e.opts.K, e.opts.W)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.byID[workID]; ok {
		return fmt.Errorf("add work %s: %w", workID, ErrDuplicate)
	}
	id := int32(len(e.ids))
	e.ids = append(e.ids, workID)
	e.byID[workID] = id
	e.ix.add(id, f.Prints)
	return nil
}

// Stats describe the index.
type Stats struct {
	Works    int // works added
	Hashes   int // distinct fingerprint hashes
	Postings int // (work, position) entries
}

// Stats returns the current size of the index.
func (e *Engine) Stats() Stats {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return Stats{Works: len(e.ids), Hashes: len(e.ix.m), Postings: e.ix.postings}
}

// workTokens returns the tokens of a work's text from the cache or fetch.
// Concurrent misses for one work share a single fetch.
func (e *Engine) workTokens(ctx context.Context, id string, fetch TextFunc) ([]textfp.Token, error) {
	if toks, ok := e.cache.get(id); ok {
		return toks, nil
	}
	load := func() (any, error) {
		text, err := fetch(ctx, id)
		if err != nil {
			return nil, err
		}
		toks := textfp.Tokenize(text)
		if cap(toks) > len(toks)+len(toks)/4 {
			toks = slices.Clone(toks) // cached: do not keep slack
		}
		e.cache.put(id, toks)
		return toks, nil
	}
	v, err, shared := e.flight.Do(id, load)
	if err != nil && shared && ctx.Err() == nil && isContextErr(err) {
		v, err, _ = e.flight.Do(id, load) // the caller that fetched for us gave up; we did not
	}
	if err != nil {
		return nil, err
	}
	return v.([]textfp.Token), nil
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
