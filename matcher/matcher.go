package matcher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/attrib/attrib/matcher/hamming"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/matcher/pdq"
	"github.com/attrib/attrib/matcher/textfp"
	"github.com/attrib/attrib/matcher/textmatch"
	"github.com/attrib/attrib/store"
)

// Options holds every matching threshold.
type Options struct {
	// Text holds the text engine's thresholds (passage length, score).
	Text textmatch.Options
	// ImageMaxDistance is the largest pHash Hamming distance (of 64 bits)
	// that counts as the same image; pHash decides only where PDQ cannot
	// (works registered before PDQ, images of low PDQ quality).
	ImageMaxDistance int
	// PDQMaxDistance is the largest PDQ Hamming distance (of 256 bits) that
	// counts as the same image, under any flip or rotation.
	PDQMaxDistance int
	// PDQPartMaxDistance is the largest distance for a pair of hashes of
	// which one is of a part (a window, a picture region, or the whole
	// hashed from imagefp's part plane): crops, borders, placement.
	PDQPartMaxDistance int
	// ImageLimits bounds decoding of registered images.
	ImageLimits imagefp.Limits
}

// DefaultOptions returns thresholds chosen for precision on the open web: a
// match needs an aligned passage long enough not to be a common phrase, or
// an image hash within the near-duplicate radius measured in matcher/imagefp.
func DefaultOptions() Options {
	text := textmatch.DefaultOptions()
	// Report from about 16 aligned words, not the engine's 12: on the
	// accuracy harness (go test ./matcher/textmatch -run Accuracy -accuracy)
	// this finds 20-word excerpts (recall 1.0 verbatim, 0.83 with 10% of words
	// edited) at precision 0.998, the only false results being genuine
	// quotations between registered texts; 12-word passages shared by
	// unrelated real pages were stock phrases ("Traceback (most recent call
	// last)", "on success, or NULL on failure"). MinPassageTokens counts
	// aligned minus skipped tokens, so a passage with edits needs a little more.
	text.MinPassageTokens = 16
	text.MinScore = 0.6
	return Options{
		Text:               text,
		ImageMaxDistance:   imagefp.DefaultMaxDistance,
		PDQMaxDistance:     pdq.MatchDistance,
		PDQPartMaxDistance: imagefp.PartMaxDistance,
		ImageLimits:        imagefp.DefaultLimits(),
	}
}

// Registry is the part of the store the matcher needs.
type Registry interface {
	PutWork(ctx context.Context, w store.Work, fps []store.Fingerprint) (store.Work, bool, error)
	Work(ctx context.Context, id string) (store.Work, error)
	Works(ctx context.Context, f store.WorkFilter) ([]store.Work, error)
	Fingerprints(ctx context.Context, algorithm string, fn func(store.Fingerprint) error) error
}

// TextEngine fingerprints texts and finds registered texts inside found
// ones, with aligned passages. textmatch.Engine is the default; a later
// engine replaces it behind this interface.
type TextEngine interface {
	// Fingerprint returns the stored form of a work's fingerprints and the
	// number of tokens seen (0: nothing to match).
	Fingerprint(text string) (data []byte, tokens int)
	// Add indexes a work's stored fingerprints.
	Add(workID string, data []byte) error
	// Match returns verified results for a found text; workText fetches a
	// candidate work's registered text.
	Match(ctx context.Context, found string, workText textmatch.TextFunc) ([]textmatch.Result, error)
}

// ImageIndex finds registered 64-bit perceptual hashes near a found one.
type ImageIndex interface {
	Add(workID string, h uint64)
	Search(h uint64, maxDist int) []hamming.Hit
}

// Matcher registers works and matches found content against them. It is
// safe for concurrent use.
type Matcher struct {
	reg    Registry
	opts   Options
	text   TextEngine
	images ImageIndex
	pdq    *pdqIndex

	mu    sync.RWMutex // guards works and bySHA
	works map[string]store.Work
	bySHA map[string][]string // content SHA-256 -> work IDs

	recorder Recorder // told about every created work; nil for none
}

// Recorder is told about every work Register creates, with the
// fingerprints stored for it: the transparency log appends it there.
type Recorder interface {
	RecordWork(ctx context.Context, w store.Work, fps []store.Fingerprint) error
}

// SetRecorder makes Register report every work it creates to r (nil: no
// one). Set it before the matcher is shared between goroutines.
func (m *Matcher) SetRecorder(r Recorder) { m.recorder = r }

// New returns a matcher over reg with an empty index; call Load to index
// the works already registered. It fails on invalid thresholds.
func New(reg Registry, opts Options) (*Matcher, error) {
	text, err := textmatch.New(opts.Text)
	if err != nil {
		return nil, fmt.Errorf("text matcher: %w", err)
	}
	if opts.ImageMaxDistance < 0 || opts.ImageMaxDistance > imagefp.PHashBits {
		return nil, fmt.Errorf("image max distance %d: want 0..%d", opts.ImageMaxDistance, imagefp.PHashBits)
	}
	if opts.PDQMaxDistance < 0 || opts.PDQMaxDistance > pdq.Bits {
		return nil, fmt.Errorf("pdq max distance %d: want 0..%d", opts.PDQMaxDistance, pdq.Bits)
	}
	if opts.PDQPartMaxDistance < 0 || opts.PDQPartMaxDistance > pdq.Bits {
		return nil, fmt.Errorf("pdq part max distance %d: want 0..%d", opts.PDQPartMaxDistance, pdq.Bits)
	}
	return NewWithEngines(reg, opts, text, hamming.NewWithRadius(opts.ImageMaxDistance)), nil
}

// NewWithEngines returns a matcher using the given engines, which must be
// empty: Load fills them from the store.
func NewWithEngines(reg Registry, opts Options, text TextEngine, images ImageIndex) *Matcher {
	return &Matcher{
		reg:    reg,
		opts:   opts,
		text:   text,
		images: images,
		pdq:    newPDQIndex(max(opts.PDQMaxDistance, opts.PDQPartMaxDistance)),
		works:  make(map[string]store.Work),
		bySHA:  make(map[string][]string),
	}
}

// Load indexes every registered work and fingerprint in the store. Text
// fingerprints of another format version are rebuilt from the work's text;
// fingerprints that cannot be used are skipped and counted, so a binary
// keeps working on a store written by another version.
func (m *Matcher) Load(ctx context.Context) (skipped int, err error) {
	works, err := m.reg.Works(ctx, store.WorkFilter{})
	if err != nil {
		return 0, fmt.Errorf("load works: %w", err)
	}
	for _, w := range works {
		m.addWork(w)
	}
	err = m.reg.Fingerprints(ctx, "", func(fp store.Fingerprint) error {
		err := m.addFingerprint(fp)
		if fp.Algorithm == textfp.Algorithm && (errors.Is(err, textfp.ErrVersion) || errors.Is(err, textfp.ErrParams)) {
			// Written by another engine version: rebuild from the stored text.
			err = m.refingerprint(ctx, fp.WorkID)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			skipped++
		}
		return nil
	})
	if err != nil {
		return skipped, fmt.Errorf("load fingerprints: %w", err)
	}
	// After a bulk load, leave an engine that can compact in its smallest form.
	if f, ok := m.text.(interface{ Flush() }); ok {
		f.Flush()
	}
	return skipped, nil
}

// refingerprint indexes a text work from its stored text with the current
// engine (in memory only; the stored fingerprints are left as they are).
func (m *Matcher) refingerprint(ctx context.Context, workID string) error {
	w, err := m.reg.Work(ctx, workID)
	if err != nil {
		return err
	}
	data, tokens := m.text.Fingerprint(w.Text)
	if tokens == 0 {
		return ErrNoContent
	}
	return m.text.Add(workID, data)
}

func (m *Matcher) addWork(w store.Work) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Text = "" // metadata only; the engine asks the store for text when it verifies
	if _, ok := m.works[w.ID]; !ok {
		m.bySHA[w.SHA256] = append(m.bySHA[w.SHA256], w.ID)
	}
	m.works[w.ID] = w
}

func (m *Matcher) addFingerprint(fp store.Fingerprint) error {
	switch fp.Algorithm {
	case textfp.Algorithm:
		return m.text.Add(fp.WorkID, fp.Data)
	case imagefp.Algorithm:
		h, err := imagefp.Decode(fp.Data)
		if err != nil {
			return err
		}
		m.images.Add(fp.WorkID, h.PHash)
		if h.PDQQuality >= pdq.MinQuality {
			m.pdq.add(fp.WorkID, pdqWholes(h), h.PDQWindows)
		}
		return nil
	}
	return fmt.Errorf("unknown fingerprint algorithm %q", fp.Algorithm)
}

// pdqWholes returns a work's stored PDQ hashes of the whole image: its
// dihedral variants, or its plain hash when only that was stored.
func pdqWholes(h imagefp.Hashes) []pdq.Hash {
	if h.PDQDihedral != nil {
		return h.PDQDihedral[:]
	}
	return []pdq.Hash{h.PDQ}
}

// Work returns a registered work's metadata (no text).
func (m *Matcher) Work(id string) (store.Work, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	w, ok := m.works[id]
	return w, ok
}

// Len returns the number of indexed works.
func (m *Matcher) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.works)
}

// Input is a work to register.
type Input struct {
	Creator string
	Title   string
	License string
	Kind    store.WorkKind
	Data    []byte // the file's bytes; its SHA-256 identifies the content
	Text    string // text works: the text to fingerprint
}

// ErrNoContent is returned for a work without usable content.
var ErrNoContent = errors.New("work has no content to fingerprint")

// Register fingerprints in, stores it and indexes it. Registering the same
// content for the same creator again returns the existing work, created=false.
func (m *Matcher) Register(ctx context.Context, in Input) (store.Work, bool, error) {
	sum := sha256.Sum256(in.Data)
	w := store.Work{
		Creator: in.Creator, Title: in.Title, License: in.License, Kind: in.Kind,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(in.Data)),
	}
	var fp store.Fingerprint
	switch in.Kind {
	case store.KindText:
		data, tokens := m.text.Fingerprint(in.Text)
		if tokens == 0 {
			return store.Work{}, false, ErrNoContent
		}
		w.Text = in.Text
		fp = store.Fingerprint{Algorithm: textfp.Algorithm, Version: textfp.Version, Data: data}
	case store.KindImage:
		// One decode gives the hashes and the preview dashboards show.
		h, thumb, err := imagefp.ComputeWorkThumb(in.Data, m.opts.ImageLimits)
		if err != nil {
			return store.Work{}, false, err
		}
		w.Thumb = thumb
		fp = store.Fingerprint{Algorithm: imagefp.Algorithm, Version: imagefp.Version, Data: imagefp.Encode(h)}
	default:
		return store.Work{}, false, fmt.Errorf("%w: kind %q", store.ErrInvalid, in.Kind)
	}
	stored, created, err := m.reg.PutWork(ctx, w, []store.Fingerprint{fp})
	if err != nil {
		return store.Work{}, false, err
	}
	if _, known := m.Work(stored.ID); !known {
		m.addWork(stored)
		fp.WorkID = stored.ID
		if err := m.addFingerprint(fp); err != nil {
			return stored, created, fmt.Errorf("index %s: %w", stored.ID, err)
		}
	}
	if created && m.recorder != nil {
		fp.WorkID = stored.ID
		if err := m.recorder.RecordWork(ctx, stored, []store.Fingerprint{fp}); err != nil {
			// The work is stored; a receipt asked for later records it then.
			return stored, created, fmt.Errorf("record %s in the transparency log: %w", stored.ID, err)
		}
	}
	stored.Text, stored.Thumb = "", nil
	return stored, created, nil
}
