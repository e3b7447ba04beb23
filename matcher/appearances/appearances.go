package appearances

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ErrBadCursor: the cursor was not made by List, or its scan is gone.
var ErrBadCursor = errors.New("invalid cursor")

// Source is the part of the store List reads.
type Source interface {
	ListScans(ctx context.Context) ([]store.Scan, error)
	Matches(ctx context.Context, scanID string, f store.MatchFilter) ([]store.Match, error)
	Works(ctx context.Context, f store.WorkFilter) ([]store.Work, error)
}

// Query selects appearances. The zero value lists every appearance of
// every work, DefaultLimit at a time.
type Query struct {
	// Creator limits the result to this creator's works; empty for every
	// creator (the admin's view). Callers set it from the principal.
	Creator string
	WorkID  string // only this work
	ScanID  string // only this scan (store.ErrNotFound if unknown)
	Method  string // only "exact", "text" or "image" matches
	// MinScore drops matches scoring below it.
	MinScore float64
	// Reserved, when set, keeps only matches whose source did (true) or
	// did not (false, including "no opt-out information") reserve AI use.
	Reserved *bool
	Limit    int    // items per page: 0 = DefaultLimit, capped at MaxLimit
	Cursor   string // Page.Next of the previous page; empty for the first
}

// ScanRef names the scan an appearance was found in.
type ScanRef struct {
	ID         string `json:"id"`
	Kind       string `json:"kind,omitempty"`
	StartedAt  string `json:"started_at,omitempty"`
	FinishedAt string `json:"finished_at,omitempty"` // omitted while the scan runs
}

// Item is one appearance: the report match object (its fields inline, as in
// a report) and the scan it comes from.
type Item struct {
	Scan ScanRef `json:"scan"`
	report.Match
}

// Page is one page of appearances. Next is the cursor of the following
// page, empty on the last one.
type Page struct {
	Appearances []Item `json:"appearances"` // never null
	Next        string `json:"next,omitempty"`
}

// position is where a page starts: the scan and the number of its
// (filtered) appearances already returned. Anchoring at a scan, not a global
// offset, keeps pages stable while new scans are stored.
type position struct {
	scan string
	skip int
}

// List returns one page of the appearances q selects: newest scan first,
// and within a scan in report order (creator, title, work, best score).
func List(ctx context.Context, src Source, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	scans, start, err := scansFrom(ctx, src, q)
	if err != nil {
		return Page{}, err
	}
	// Every work, not only the creator's: a match's share of its page is
	// measured against all the works found there.
	works, err := src.Works(ctx, store.WorkFilter{})
	if err != nil {
		return Page{}, fmt.Errorf("appearances: works: %w", err)
	}
	byID := report.IndexWorks(works)
	page := Page{Appearances: []Item{}}
	for i, sc := range scans {
		skip := 0
		if i == 0 {
			skip = start.skip
		}
		items, err := scanItems(ctx, src, q, sc, byID)
		if err != nil {
			return Page{}, err
		}
		if skip > len(items) {
			return Page{}, ErrBadCursor
		}
		items = items[skip:]
		room := limit - len(page.Appearances)
		if len(items) > room {
			page.Appearances = append(page.Appearances, items[:room]...)
			page.Next = encodeCursor(position{scan: sc.ID, skip: skip + room})
			return page, nil
		}
		page.Appearances = append(page.Appearances, items...)
		if len(page.Appearances) == limit && i+1 < len(scans) {
			// Full, and maybe more in older scans: the next page starts
			// at the next scan.
			page.Next = encodeCursor(position{scan: scans[i+1].ID})
			return page, nil
		}
	}
	return page, nil
}

// scansFrom returns the scans to walk, newest first, starting at the
// cursor's scan, and the cursor's position.
func scansFrom(ctx context.Context, src Source, q Query) ([]store.Scan, position, error) {
	var start position
	if q.Cursor != "" {
		var err error
		if start, err = decodeCursor(q.Cursor); err != nil {
			return nil, start, err
		}
	}
	all, err := src.ListScans(ctx)
	if err != nil {
		return nil, start, fmt.Errorf("appearances: list scans: %w", err)
	}
	if q.ScanID != "" {
		i := indexOf(all, q.ScanID)
		if i < 0 {
			return nil, start, fmt.Errorf("scan %q: %w", q.ScanID, store.ErrNotFound)
		}
		all = all[i : i+1]
	}
	if q.Cursor == "" {
		return all, start, nil
	}
	i := indexOf(all, start.scan)
	if i < 0 {
		return nil, start, ErrBadCursor
	}
	return all[i:], start, nil
}

func indexOf(scans []store.Scan, id string) int {
	for i, s := range scans {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// scanItems returns the appearances of one scan that q selects.
func scanItems(ctx context.Context, src Source, q Query, sc store.Scan, works map[string]store.Work) ([]Item, error) {
	// All of the scan's matches: shares are computed per page over every
	// work found there, then the caller's filters apply.
	ms, err := src.Matches(ctx, sc.ID, store.MatchFilter{})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil // deleted between listing and reading
	}
	if err != nil {
		return nil, fmt.Errorf("appearances: matches of scan %s: %w", sc.ID, err)
	}
	r := report.Build(sc, works, ms)
	ref := ScanRef{ID: sc.ID, Kind: sc.Kind, StartedAt: r.Scan.StartedAt, FinishedAt: r.Scan.FinishedAt}
	var items []Item
	for _, m := range r.Matches {
		if keep(q, m) {
			items = append(items, Item{Scan: ref, Match: m})
		}
	}
	return items, nil
}

// keep applies the filters the store cannot.
func keep(q Query, m report.Match) bool {
	switch {
	case q.Creator != "" && m.Work.Creator != q.Creator:
		return false // a work unknown to the registry: never shown to a creator
	case q.WorkID != "" && m.Work.ID != q.WorkID:
		return false
	case q.Method != "" && m.Method != q.Method:
		return false
	case m.Score < q.MinScore:
		return false
	case q.Reserved != nil && *q.Reserved != (m.OptOut != nil && m.OptOut.Reserved):
		return false
	}
	return true
}

// Cursors are opaque to clients: base64url of "scan-id\x00skip".
func encodeCursor(p position) string {
	return base64.RawURLEncoding.EncodeToString([]byte(p.scan + "\x00" + strconv.Itoa(p.skip)))
}

func decodeCursor(s string) (position, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return position{}, ErrBadCursor
	}
	id, n, ok := strings.Cut(string(raw), "\x00")
	skip, err := strconv.Atoi(n)
	if !ok || id == "" || err != nil || skip < 0 {
		return position{}, ErrBadCursor
	}
	return position{scan: id, skip: skip}, nil
}
