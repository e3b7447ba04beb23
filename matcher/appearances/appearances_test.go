package appearances_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/matcher/appearances"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

// fixture: creators Ada (works a1, a2) and Bob (b1); three scans, oldest
// first, each finding some of them.
type fixture struct {
	db             *sqlite.DB
	a1, a2, b1     store.Work
	old, mid, last store.Scan
}

func sha(s string) string { return fmt.Sprintf("%064x", len(s)*7919+int(s[0])) }

func newFixture(t testing.TB) fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var f fixture
	f.db = db
	put := func(creator, title string, kind store.WorkKind) store.Work {
		w, _, err := db.PutWork(ctx, store.Work{Creator: creator, Title: title, Kind: kind, SHA256: sha(creator + title), Text: "x"},
			[]store.Fingerprint{{Algorithm: "t", Version: 1, Data: []byte{1}}})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	f.a1, f.a2, f.b1 = put("Ada", "Poem", store.KindText), put("Ada", "Photo", store.KindImage), put("Bob", "Essay", store.KindText)
	t0 := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	scan := func(i int, ms ...store.Match) store.Scan {
		sc, err := db.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: []string{"http://site/"}, State: store.ScanFinished,
			StartedAt: t0.Add(time.Duration(i) * 24 * time.Hour), FinishedAt: t0.Add(time.Duration(i)*24*time.Hour + time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PutMatches(ctx, sc.ID, ms); err != nil {
			t.Fatal(err)
		}
		return sc
	}
	text := func(w store.Work, url string, score float64) store.Match {
		return store.Match{WorkID: w.ID, FoundURL: url, Method: "text", Score: score, WorkCoverage: 1,
			Evidence: store.Evidence{Passages: []store.Passage{{WorkEnd: 1, FoundEnd: 1, Text: "x"}}}}
	}
	d := 3
	img := store.Match{WorkID: f.a2.ID, FoundURL: "http://site/p.jpg", PageURL: "http://site/g", Method: "image", Score: 0.9,
		Evidence: store.Evidence{Algorithm: "pdq", Distance: &d, Bits: 256}, OptOut: &store.OptOut{Reserved: true}}
	f.old = scan(0, text(f.a1, "http://site/1", 0.7), text(f.b1, "http://site/b", 0.9))
	f.mid = scan(1, text(f.a1, "http://site/1", 0.7), text(f.a1, "http://site/2", 0.95), img)
	f.last = scan(2, text(f.b1, "http://site/b", 0.9), img)
	return f
}

func urls(p appearances.Page) string {
	var s []string
	for _, it := range p.Appearances {
		s = append(s, it.Scan.ID[:min(4, len(it.Scan.ID))]+"|"+it.Found.URL)
	}
	return strings.Join(s, " ")
}

func foundURLs(p appearances.Page) []string {
	var s []string
	for _, it := range p.Appearances {
		s = append(s, it.Found.URL)
	}
	return s
}

func TestListFilters(t *testing.T) {
	f := newFixture(t)
	yes, no := true, false
	cases := []struct {
		name string
		q    appearances.Query
		want []string // found URLs, newest scan first
	}{
		{"admin: everything", appearances.Query{}, []string{
			"http://site/p.jpg", "http://site/b", // last: Ada/Photo, Bob/Essay
			"http://site/p.jpg", "http://site/2", "http://site/1", // mid: Ada/Photo, Ada/Poem by score
			"http://site/1", "http://site/b"}}, // old
		{"creator Ada", appearances.Query{Creator: "Ada"}, []string{
			"http://site/p.jpg", "http://site/p.jpg", "http://site/2", "http://site/1", "http://site/1"}},
		{"creator Bob", appearances.Query{Creator: "Bob"}, []string{"http://site/b", "http://site/b"}},
		{"one work", appearances.Query{WorkID: f.a1.ID}, []string{"http://site/2", "http://site/1", "http://site/1"}},
		{"another creator's work", appearances.Query{Creator: "Ada", WorkID: f.b1.ID}, nil},
		{"one scan", appearances.Query{ScanID: f.mid.ID, Creator: "Ada"}, []string{"http://site/p.jpg", "http://site/2", "http://site/1"}},
		{"method", appearances.Query{Method: "image"}, []string{"http://site/p.jpg", "http://site/p.jpg"}},
		{"min score", appearances.Query{Creator: "Ada", MinScore: 0.9}, []string{"http://site/p.jpg", "http://site/p.jpg", "http://site/2"}},
		{"reserved", appearances.Query{Reserved: &yes}, []string{"http://site/p.jpg", "http://site/p.jpg"}},
		{"not reserved", appearances.Query{Creator: "Ada", Reserved: &no}, []string{"http://site/2", "http://site/1", "http://site/1"}},
		{"unknown creator", appearances.Query{Creator: "Eve"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := appearances.List(context.Background(), f.db, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := foundURLs(p); strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
			if p.Next != "" {
				t.Errorf("Next = %q on a single page", p.Next)
			}
			for _, it := range p.Appearances {
				if c.q.Creator != "" && it.Work.Creator != c.q.Creator {
					t.Errorf("item of %s in a query for %s", it.Work.Creator, c.q.Creator)
				}
				if it.Scan.FinishedAt == "" || it.Work.Title == "" {
					t.Errorf("item lacks scan finish time or work title: %+v", it)
				}
			}
		})
	}
}

func TestListPaginates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	all, err := appearances.List(ctx, f.db, appearances.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for limit := 1; limit <= 8; limit++ {
		var got []string
		q := appearances.Query{Limit: limit}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("limit %d: no end", limit)
			}
			p, err := appearances.List(ctx, f.db, q)
			if err != nil {
				t.Fatalf("limit %d: %v", limit, err)
			}
			if len(p.Appearances) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(p.Appearances))
			}
			got = append(got, strings.Fields(urls(p))...)
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		if strings.Join(got, " ") != urls(all) {
			t.Errorf("limit %d: pages joined\n got %v\nwant %v", limit, got, urls(all))
		}
	}
}

func TestListErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := appearances.List(ctx, f.db, appearances.Query{ScanID: "nope"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown scan: %v", err)
	}
	for _, c := range []string{"!!", "Zm9v", "bm9wZQA1"} { // not base64, no separator, unknown scan
		if _, err := appearances.List(ctx, f.db, appearances.Query{Cursor: c}); !errors.Is(err, appearances.ErrBadCursor) {
			t.Errorf("cursor %q: %v", c, err)
		}
	}
}
