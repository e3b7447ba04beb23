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
	opts     Options
	steps    []step // bridge search order, immutable
	minSeeds int    // seeds a candidate needs (1 or 2), see supported
	pairSpan int32  // found distance within which two seeds support each other

	mu   sync.RWMutex // guards ix, ids and byID
	ix   *index
	ids  []string // interned work IDs, append-only
	byID map[string]int32

	compactMu sync.Mutex // one merge of index shards at a time

	cache          *tokenCache
	flight         singleflight.Group // one text fetch per work at a time
	scratch        sync.Pool          // *scratch
	fingerprinters sync.Pool          // *textfp.Fingerprinter
}

// New returns an empty engine, or an error when opts are out of range.
func New(opts Options) (*Engine, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	minLen := opts.minReportable()
	minSeeds := 1
	if !opts.VerifyAll && (minLen-opts.K+1)/opts.W >= 2 {
		minSeeds = 2
	}
	return &Engine{
		opts:     opts,
		steps:    bridgeSteps(opts.MaxGapTokens),
		minSeeds: minSeeds,
		pairSpan: int32(minLen + opts.MaxGapTokens),
		ix:       newIndex(opts.MaxHashWorks),
		byID:     make(map[string]int32),
		cache:    newTokenCache(opts.CacheTokens),
	}, nil
}

// Options returns the engine's options.
func (e *Engine) Options() Options { return e.opts }

// Fingerprint returns what the registry stores for a work's text: the
// encoded fingerprints (store.Fingerprint.Data with textfp.Algorithm and
// textfp.Version) and the text's number of tokens.
func (e *Engine) Fingerprint(text string) (data []byte, tokens int) {
	fp, _ := e.fingerprinters.Get().(*textfp.Fingerprinter)
	if fp == nil {
		fp = new(textfp.Fingerprinter)
	}
	defer e.fingerprinters.Put(fp)
	data, tokens, err := fp.Encode(text, e.opts.params())
	if err != nil {
		return nil, 0 // unreachable: New validated the parameters
	}
	return data, tokens
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
		// Wraps textfp.ErrParams too: callers re-fingerprint the work's text.
		return fmt.Errorf("add work %s: %w: %w: k=%d w=%d, engine k=%d w=%d",
			workID, ErrParams, textfp.ErrParams, f.K, f.W, e.opts.K, e.opts.W)
	}
	e.mu.Lock()
	if _, ok := e.byID[workID]; ok {
		e.mu.Unlock()
		return fmt.Errorf("add work %s: %w", workID, ErrDuplicate)
	}
	id := int32(len(e.ids))
	e.ids = append(e.ids, workID)
	e.byID[workID] = id
	full := e.ix.add(id, f.Prints)
	if full {
		e.ix.flush()
	}
	e.mu.Unlock()
	if full {
		e.compact()
	}
	return nil
}

// Flush moves the works added since the last flush from the mutable tail
// of the index into its compact sorted form. Add flushes by itself; call
// Flush after a bulk load to leave the index in its smallest form.
func (e *Engine) Flush() {
	e.mu.Lock()
	e.ix.flush()
	e.mu.Unlock()
	e.compact()
}

// mergeRatio: two adjacent shards are merged while the older one is at
// most mergeRatio times the newer one. With 8 a lookup reads at most about
// 3 or 4 shards and each posting is rewritten about 16 times as the index
// grows (simulated), against 9 shards and 9 rewrites for 1.
const mergeRatio = 8

// compact merges shards until no adjacent pair needs it or may grow. A
// merge runs one chunk at a time without the index lock (chunks are
// immutable): the merged shard enters the index empty in place of the
// older input, and each merged chunk replaces the inputs' chunks under the
// lock, so Match proceeds meanwhile and a merge holds only one chunk's
// postings twice. compact is serialised by compactMu.
func (e *Engine) compact() {
	e.compactMu.Lock()
	defer e.compactMu.Unlock()
	for {
		e.mu.RLock()
		segs, maxShard := e.ix.segs, e.ix.maxShard
		e.mu.RUnlock()
		i := len(segs) - 2
		for i >= 0 && (segs[i].len() > mergeRatio*segs[i+1].len() || segs[i].len()+segs[i+1].len() > maxShard) {
			i--
		}
		if i < 0 {
			return
		}
		e.merge(segs[i], segs[i+1])
	}
}

// merge merges shard b into the older shard a, chunk by chunk.
func (e *Engine) merge(a, b *shard) {
	m := &shard{}
	e.mu.Lock()
	e.ix.segs = e.ix.replace(a, nil, m, a)
	e.mu.Unlock()
	for ci := range m.chunks {
		// a's and b's chunks change only here, so reading them unlocked is safe.
		c := mergeChunks(a.chunks[ci], b.chunks[ci], ci, e.opts.MaxHashWorks)
		e.mu.Lock()
		e.ix.postings += len(c.ents) - len(a.chunks[ci].ents) - len(b.chunks[ci].ents)
		m.chunks[ci], a.chunks[ci], b.chunks[ci] = c, nil, nil
		e.mu.Unlock()
	}
	e.mu.Lock()
	e.ix.segs = e.ix.replace(a, b) // emptied
	e.mu.Unlock()
}

// Stats describe the index.
type Stats struct {
	Works    int // works added
	Hashes   int // distinct fingerprint hashes (counted once per shard)
	Postings int // (work, position) entries stored, boilerplate tombstones included
	Segments int // sorted shards of the index; a lookup reads each and the tail
}

// Stats returns the current size of the index.
func (e *Engine) Stats() Stats {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return Stats{Works: len(e.ids), Hashes: e.ix.hashes(), Postings: e.ix.postings, Segments: len(e.ix.segs)}
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
