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
}

// FromStore builds the report of a stored scan (the latest when scanID is
// empty), limited to one creator's works when creator is not empty.
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
	ms, err := src.Matches(ctx, sc.ID, store.MatchFilter{Creator: creator})
	if err != nil {
		return Report{}, fmt.Errorf("matches of scan %s: %w", sc.ID, err)
	}
	works, err := src.Works(ctx, store.WorkFilter{Creator: creator})
	if err != nil {
		return Report{}, fmt.Errorf("works: %w", err)
	}
	return FilterCreator(Build(sc, IndexWorks(works), ms), creator), nil
}
