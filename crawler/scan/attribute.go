package scan

import (
	"context"
	"net/url"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/boilerplate"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/store"
)

// Doc is one crawled document as attribution needs it, however it arrived
// (straight from the crawler, or over the distributed intake stream).
type Doc struct {
	URL     string // where it was found; may be empty for a dataset record without one
	Dataset string // audits: the dataset file
	Record  string // audits: the record locator
	SHA256  string // of the body as received
	Text    string // extracted main text, valid UTF-8
	Signals []store.OptOutSignal
	Images  []DocImage
}

// DocImage is an image the document embeds, fingerprinted.
type DocImage struct {
	URL    string
	Hashes imagefp.Hashes
	// Signals are the image's own opt-out signals and the page's; nil
	// when they were not resolved (its matches then take the page's).
	Signals []store.OptOutSignal
}

// Attributor turns documents into matches: it masks the lines a site
// repeats on many pages, matches the text and the images, re-slices the
// passages from the unmasked text and attaches the opt-out record. It is
// safe for concurrent use.
type Attributor struct {
	boiler *boilerplate.Tracker
}

// NewAttributor returns an Attributor with an empty boilerplate memory.
func NewAttributor() *Attributor {
	return NewAttributorWith(boilerplate.DefaultOptions())
}

// NewAttributorWith returns an Attributor whose boilerplate memory has the
// given bounds (audits of corpora with many hosts keep it small).
func NewAttributorWith(o boilerplate.Options) *Attributor {
	return &Attributor{boiler: boilerplate.New(o)}
}

// Attribute matches d with m. The matcher is an argument so that a long-
// running service can swap in a reloaded registry and keep what it learnt
// about sites' boilerplate.
func (a *Attributor) Attribute(ctx context.Context, m *matcher.Matcher, d Doc) ([]store.Match, error) {
	found := matcher.Found{URL: d.URL, PageURL: d.URL, Dataset: d.Dataset, Record: d.Record}
	// Site chrome repeated on many pages (menus, footers, a motto quoting a
	// poem) is masked with spaces, keeping byte offsets into d.Text valid.
	// Records without a URL have no site: a text repeated across a dataset
	// is content (often a copied work), not chrome.
	text := d.Text
	if d.URL != "" {
		text = a.boiler.ObserveMask(hostOf(d.URL), d.Text)
	}
	ms, err := m.MatchPage(ctx, found, d.SHA256, text)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		for j := range ms[i].Evidence.Passages {
			ps := &ms[i].Evidence.Passages[j]
			ps.Text = d.Text[ps.FoundStart:ps.FoundEnd] // as published, not masked
		}
	}
	for _, img := range d.Images {
		ms = append(ms, m.MatchImage(ctx, matcher.Found{URL: img.URL, PageURL: d.URL, Dataset: d.Dataset, Record: d.Record}, img.Hashes)...)
	}
	if oo := optOut(d.Signals); oo != nil && len(ms) > 0 {
		for i := range ms {
			ms[i].OptOut = oo
		}
	}
	imageOptOuts(ms, d.Images)
	return ms, nil
}

// imageOptOuts gives the matches of each image with resolved signals the
// image's opt-out record instead of the page's.
func imageOptOuts(ms []store.Match, imgs []DocImage) {
	for _, img := range imgs {
		if img.Signals == nil {
			continue
		}
		oo := optOut(img.Signals)
		for i := range ms {
			if ms[i].FoundURL == img.URL {
				ms[i].OptOut = oo
			}
		}
	}
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return raw
}

// optOut turns a page's signals into the report's opt-out record. Every
// signal the extractor returns is a reservation of AI use.
func optOut(sigs []store.OptOutSignal) *store.OptOut {
	if len(sigs) == 0 {
		return &store.OptOut{Reserved: false}
	}
	return &store.OptOut{Reserved: true, Signals: sigs}
}
