package dashboard

import (
	"context"

	"github.com/attrib/attrib/matcher/appearances"
	"github.com/attrib/attrib/matcher/changes"
)

// maxHistory bounds the appearances one work page reads over all scans:
// a work found at 10 places by a year of nightly scans is 3,650.
const maxHistory = 5000

// placesPerPage is how many places a work page shows.
const placesPerPage = 50

// sighting is one place where a work was found: its newest appearance and
// how many scans found it there. Nightly scans find the same places again
// and again; the page lists each place once.
type sighting struct {
	appearances.Item
	Scans int
}

// sightings returns the distinct places where a work was found, newest
// sighting first; truncated is true when the history went past maxHistory
// (older sightings are then left out).
func sightings(ctx context.Context, src appearances.Source, scope, workID string) (out []sighting, truncated bool, err error) {
	at := map[changes.Key]int{}
	q := appearances.Query{Creator: scope, WorkID: workID, Limit: appearances.MaxLimit}
	read := 0
	for {
		pg, err := appearances.List(ctx, src, q)
		if err != nil {
			return nil, false, err
		}
		for _, it := range pg.Appearances {
			k := keyOf(it)
			if i, ok := at[k]; ok {
				out[i].Scans++
				continue
			}
			at[k] = len(out)
			out = append(out, sighting{Item: it, Scans: 1})
		}
		read += len(pg.Appearances)
		switch {
		case pg.Next == "":
			return out, false, nil
		case read >= maxHistory:
			return out, true, nil
		}
		q.Cursor = pg.Next
	}
}

func keyOf(it appearances.Item) changes.Key {
	return changes.Key{WorkID: it.Work.ID, FoundURL: it.Found.URL, Dataset: it.Found.Dataset, Record: it.Found.Record}
}
