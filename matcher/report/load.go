package report

import (
	"context"
	"errors"
	"fmt"

	"github.com/attrib/attrib/store"
)

// ErrNoScans is returned by FromStore when the latest scan is asked for and
// none is stored.
var ErrNoScans = errors.New("no scan is stored yet: run attrib crawl first")

// Source is what FromStore reads.
type Source interface {
	Scan(ctx context.Context, id string) (store.Scan, error)
	LatestScan(ctx context.Context) (store.Scan, error)
	Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error)
	Works(ctx context.Context, f store.WorkFilter) ([]store.Work, error)
	Work(ctx context.Context, id string) (store.Work, error)
}

// FromStore builds the report of a stored scan (the latest when scanID is
// empty), limited to one creator's works when creator is not empty. It reads
// every match of the scan even then, because a creator's share of a page
// depends on the other works found there (see FilterCreator). It loads the
// thumbnails of matched image works, at most ThumbBudget bytes of them, for
// the HTML report.
func FromStore(ctx context.Context, src Source, scanID, creator string) (Report, error) {
	var sc store.Scan
	var err error
	if scanID == "" {
		sc, err = src.LatestScan(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return Report{}, ErrNoScans
		}
	} else {
		sc, err = src.Scan(ctx, scanID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return Report{}, fmt.Errorf("no scan %q is stored (attrib scans lists them)", scanID)
	}
	if err != nil {
		return Report{}, fmt.Errorf("read scan: %w", err)
	}
	ms, err := src.Matches(ctx, sc.ID, store.MatchFilter{})
	if err != nil {
		return Report{}, fmt.Errorf("matches of scan %s: %w", sc.ID, err)
	}
	works, err := src.Works(ctx, store.WorkFilter{})
	if err != nil {
		return Report{}, fmt.Errorf("works: %w", err)
	}
	r := FilterCreator(Build(sc, IndexWorks(works), ms), creator)
	if err := loadThumbs(ctx, src, &r); err != nil {
		return Report{}, err
	}
	return r, nil
}

// maxThumbLookups bounds the works loadThumbs reads.
const maxThumbLookups = 512

// loadThumbs fills the thumbnails of the report's image works from the
// store (Works leaves them out), in report order, until ThumbBudget bytes
// are loaded (the HTML report could not show more) or maxThumbLookups works
// were read (a registry without thumbnails costs a bounded number of
// reads). A work removed since the scan keeps no thumbnail.
func loadThumbs(ctx context.Context, src Source, r *Report) error {
	loaded := map[string][]byte{}
	total := 0
	for i := range r.Matches {
		w := &r.Matches[i].Work
		if w.Kind != string(store.KindImage) || len(w.Thumb) > 0 {
			continue
		}
		thumb, seen := loaded[w.ID]
		if !seen {
			if total >= ThumbBudget || len(loaded) >= maxThumbLookups {
				return nil
			}
			sw, err := src.Work(ctx, w.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("thumbnail of work %s: %w", w.ID, err)
			}
			thumb = sw.Thumb
			loaded[w.ID] = thumb
			total += len(thumb)
		}
		w.Thumb = thumb
	}
	return nil
}
