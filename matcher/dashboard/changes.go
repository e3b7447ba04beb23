package dashboard

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/attrib/attrib/matcher/appearances"
	"github.com/attrib/attrib/matcher/changes"
	"github.com/attrib/attrib/store"
)

// news is what the latest finished scan changed, as matcher/changes
// computes it (against the previous scan of the same kind and targets).
type news struct {
	latest   *store.Scan    // nil before any scan finished
	previous *store.Scan    // nil when latest has no comparable scan before it
	found    map[string]int // work ID -> appearances in latest
	newCount map[string]int // work ID -> of which new
	isNew    map[changes.Key]bool
	gone     []string // where previous found a work and latest did not
}

// latestNews returns the changes of the latest finished scan for the
// scope's works (one work if workID is set).
func latestNews(ctx context.Context, st Store, scope, workID string) (news, error) {
	n := news{found: map[string]int{}, newCount: map[string]int{}, isNew: map[changes.Key]bool{}}
	f := store.MatchFilter{Creator: scope, WorkID: workID}
	ch, err := changes.Latest(ctx, st, f)
	if errors.Is(err, store.ErrNotFound) {
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("changes since the last scan: %w", err)
	}
	n.latest, n.previous = &ch.Scan, ch.Previous
	for _, m := range ch.New {
		n.newCount[m.WorkID]++
		n.isNew[changes.KeyOf(m)] = true
	}
	for _, m := range ch.Removed {
		n.gone = append(n.gone, where(m.FoundURL, m.Dataset, m.Record))
	}
	slices.Sort(n.gone)
	ms, err := st.Matches(ctx, ch.Scan.ID, f)
	if err != nil {
		return n, fmt.Errorf("matches of scan %s: %w", ch.Scan.ID, err)
	}
	for _, m := range ms {
		n.found[m.WorkID]++
	}
	return n, nil
}

// isFresh reports whether an appearance is new in the latest scan.
func (n news) isFresh(it appearances.Item) bool {
	return n.latest != nil && it.Scan.ID == n.latest.ID && n.isNew[keyOf(it)]
}

// where names a place as the pages show it: the URL, or the dataset and
// record of an audit.
func where(url, dataset, record string) string {
	if dataset == "" {
		return url
	}
	if record == "" {
		return dataset
	}
	return dataset + " · " + record
}
