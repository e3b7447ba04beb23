package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/extract"
	"github.com/attrib/attrib/crawler/optout"
	"github.com/attrib/attrib/crawler/scan"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/store"
)

// matchTimeout bounds matching and storing one record.
const matchTimeout = 30 * time.Second

// record attributes one record and stores its matches.
func (a *run) record(ctx context.Context, file string, rec dataset.Record) error {
	a.n.records.Add(1)
	a.n.bytes.Add(int64(len(rec.Body) + len(rec.Text)))
	doc, ok := a.doc(ctx, rec)
	if !ok {
		a.n.skipped.Add(1)
		return nil
	}
	doc.Dataset, doc.Record = file, rec.Locator
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), matchTimeout)
	defer cancel()
	ms, err := a.attr.Attribute(mctx, a.Matcher, doc)
	if err != nil {
		return fmt.Errorf("match %s: %w", rec.Locator, err)
	}
	reserved := len(doc.Signals) > 0
	if len(ms) > 0 {
		if err := a.Store.PutMatches(mctx, a.scanID, ms); err != nil {
			return fmt.Errorf("store matches of %s: %w", rec.Locator, err)
		}
		a.n.matches.Add(int64(len(ms)))
	}
	if len(ms) > 0 {
		a.n.matchedRecs.Add(1)
	}
	if reserved {
		a.n.reserved.Add(1)
	}
	a.tally(rec.URL, len(ms) > 0, reserved)
	a.flag(file, rec.Locator, ms, reserved)
	return ctx.Err()
}

// doc turns a record into what attribution needs; false for records that
// cannot be audited.
func (a *run) doc(ctx context.Context, rec dataset.Record) (scan.Doc, bool) {
	d := scan.Doc{URL: rec.URL}
	switch rec.Kind {
	case dataset.KindHTML:
		var base *url.URL
		if u, err := url.Parse(rec.URL); err == nil && u.IsAbs() {
			base = u
		}
		res, err := extract.FromReaderContentType(bytes.NewReader(rec.Body), base, int64(len(rec.Body))+1, rec.Header.Get("Content-Type"))
		if err != nil {
			a.n.errors.Add(1)
			return d, false
		}
		d.Text = res.Text
		d.SHA256 = sha256Hex(rec.Body)
		d.Signals = a.signals(ctx, rec, res.Signals, nil)
	case dataset.KindText:
		d.Text = rec.Text
		if d.Text == "" {
			d.Text = string(rec.Body)
		}
		if !utf8.ValidString(d.Text) {
			d.Text = strings.ToValidUTF8(d.Text, "\uFFFD")
		}
		if len(rec.Body) > 0 {
			d.SHA256 = sha256Hex(rec.Body)
		}
	case dataset.KindImage:
		if len(rec.Body) == 0 {
			if a.opts.Images == nil || rec.URL == "" {
				return d, false // an image URL only, and fetching is off
			}
			body, header, err := a.opts.Images.FetchImage(ctx, rec.URL)
			if err != nil {
				a.n.errors.Add(1)
				a.log().Debug("audit: image not fetched", "record", rec.Locator, "url", rec.URL, "err", err)
				return d, false
			}
			rec.Body, rec.Header = body, header
		}
		h, err := imagefp.Compute(rec.Body, a.opts.ImageLimits)
		if err != nil {
			a.n.errors.Add(1)
			a.log().Debug("audit: image not fingerprinted", "record", rec.Locator, "err", err)
			return d, false
		}
		a.n.images.Add(1)
		d.Images = []scan.DocImage{{URL: rec.URL, Hashes: h}}
		d.Signals = a.signals(ctx, rec, nil, rec.Body)
	default:
		return d, false
	}
	if rec.Kind == dataset.KindText {
		d.Signals = a.signals(ctx, rec, nil, nil)
	}
	return d, true
}

// signals resolves a record's opt-out signals from what the dataset kept:
// its recorded response headers, its HTML's meta tags, an image's XMP and
// C2PA metadata, and the site's policy files when Options.Policies is set
// (a site whose files cannot be read counts as having none).
func (a *run) signals(ctx context.Context, rec dataset.Record, html []optout.Signal, image []byte) []store.OptOutSignal {
	sigs, _ := a.optout.Resolve(ctx, optout.Content{URL: rec.URL, Header: rec.Header, Signals: html, Image: image})
	out := make([]store.OptOutSignal, 0, len(sigs))
	for _, s := range sigs {
		out = append(out, store.OptOutSignal{Kind: s.Kind, Value: s.Value, Source: cmpOr(s.Source, rec.URL)})
	}
	return out
}

func isRecordErr(err error) bool { return errors.Is(err, dataset.ErrRecord) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// flag records why a record would be dropped from a clean copy.
func (a *run) flag(file, locator string, ms []store.Match, reserved bool) {
	var why []string
	if a.opts.Drop&FlagMatched != 0 {
		for _, m := range ms {
			why = append(why, "matched:"+m.WorkID)
		}
	}
	if reserved && a.opts.Drop&FlagReserved != 0 {
		why = append(why, "reserved")
	}
	if len(why) == 0 || a.opts.CleanOut == "" {
		return
	}
	a.mu.Lock()
	if a.flagged[file] == nil {
		a.flagged[file] = map[string][]string{}
	}
	a.flagged[file][locator] = append(a.flagged[file][locator], why...)
	a.mu.Unlock()
	a.cp.flag(file, locator, why)
}
