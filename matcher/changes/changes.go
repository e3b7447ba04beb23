package changes

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/attrib/attrib/store"
)

// Store is what computing changes needs of the store.
type Store interface {
	Scan(ctx context.Context, id string) (store.Scan, error)
	ListScans(ctx context.Context) ([]store.Scan, error)
	Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error)
}

// Key identifies one appearance across scans.
type Key struct {
	WorkID, FoundURL, Dataset, Record string
}

// KeyOf returns m's key.
func KeyOf(m store.Match) Key {
	return Key{WorkID: m.WorkID, FoundURL: m.FoundURL, Dataset: m.Dataset, Record: m.Record}
}

// Changes is what changed between Scan and Previous.
type Changes struct {
	Scan store.Scan
	// Previous is the scan compared with; nil when Scan has no previous
	// comparable scan (then every appearance in Scan is new).
	Previous *store.Scan
	New      []store.Match // in Scan and not in Previous, as found in Scan
	Removed  []store.Match // in Previous and not in Scan, as found in Previous
}

// Since returns the changes of scan id since its previous comparable scan,
// limited to f (a creator's works, or one work; the zero filter is every
// work: the admin's view).
func Since(ctx context.Context, st Store, id string, f store.MatchFilter) (Changes, error) {
	scans, err := st.ListScans(ctx)
	if err != nil {
		return Changes{}, fmt.Errorf("changes: list scans: %w", err)
	}
	i := slices.IndexFunc(scans, func(s store.Scan) bool { return s.ID == id })
	if i < 0 {
		return Changes{}, fmt.Errorf("changes: scan %s: %w", id, store.ErrNotFound)
	}
	prev := Previous(scans, i)
	return compare(ctx, st, scans[i], prev, f)
}

// Latest returns the changes of the most recently started finished scan
// (the dashboard's "new since last scan"), or ErrNotFound when no scan
// has finished.
func Latest(ctx context.Context, st Store, f store.MatchFilter) (Changes, error) {
	scans, err := st.ListScans(ctx)
	if err != nil {
		return Changes{}, fmt.Errorf("changes: list scans: %w", err)
	}
	i := slices.IndexFunc(scans, func(s store.Scan) bool { return s.State == store.ScanFinished })
	if i < 0 {
		return Changes{}, fmt.Errorf("changes: no finished scan: %w", store.ErrNotFound)
	}
	return compare(ctx, st, scans[i], Previous(scans, i), f)
}

// Between returns the changes from scan prevID to scan id, whatever they
// are (an explicit comparison).
func Between(ctx context.Context, st Store, prevID, id string, f store.MatchFilter) (Changes, error) {
	sc, err := st.Scan(ctx, id)
	if err != nil {
		return Changes{}, fmt.Errorf("changes: scan %s: %w", id, err)
	}
	prev, err := st.Scan(ctx, prevID)
	if err != nil {
		return Changes{}, fmt.Errorf("changes: scan %s: %w", prevID, err)
	}
	return compare(ctx, st, sc, &prev, f)
}

// Previous returns the previous comparable scan of scans[i] in scans
// listed newest first (as store.Scans.ListScans lists them), or nil.
func Previous(scans []store.Scan, i int) *store.Scan {
	for j := i + 1; j < len(scans); j++ {
		if Comparable(scans[i], scans[j]) {
			return &scans[j]
		}
	}
	return nil
}

// Comparable reports whether prev can be the comparison for s: a
// finished scan of the same kind and targets.
func Comparable(s, prev store.Scan) bool {
	return prev.ID != s.ID && prev.State == store.ScanFinished && prev.Kind == s.Kind && sameSet(prev.Targets, s.Targets)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func compare(ctx context.Context, st Store, sc store.Scan, prev *store.Scan, f store.MatchFilter) (Changes, error) {
	ch := Changes{Scan: sc, Previous: prev}
	now, err := st.Matches(ctx, sc.ID, f)
	if err != nil {
		return ch, fmt.Errorf("changes: matches of %s: %w", sc.ID, err)
	}
	var before []store.Match
	if prev != nil {
		before, err = st.Matches(ctx, prev.ID, f)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return ch, fmt.Errorf("changes: matches of %s: %w", prev.ID, err)
		}
	}
	ch.New = minus(now, before)
	ch.Removed = minus(before, now)
	return ch, nil
}

// minus returns the matches of a whose key is not in b, ordered by work
// ID, found URL, dataset and record.
func minus(a, b []store.Match) []store.Match {
	in := make(map[Key]bool, len(b))
	for _, m := range b {
		in[KeyOf(m)] = true
	}
	var out []store.Match
	for _, m := range a {
		if !in[KeyOf(m)] {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(x, y store.Match) int {
		return cmp.Or(cmp.Compare(x.WorkID, y.WorkID), cmp.Compare(x.FoundURL, y.FoundURL),
			cmp.Compare(x.Dataset, y.Dataset), cmp.Compare(x.Record, y.Record))
	})
	return out
}
