package appearances_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/attrib/attrib/matcher/appearances"
	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/sqlite"
)

// BenchmarkList measures one page of a creator's appearances in a store of
// 30 nightly scans with 400 matches each (200 of the creator's 20 works).
func BenchmarkList(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var works []store.Work
	for i := range 40 {
		creator := []string{"Ada", "Bob"}[i%2]
		w, _, err := db.PutWork(ctx, store.Work{Creator: creator, Title: fmt.Sprint("w", i), Kind: store.KindText,
			SHA256: fmt.Sprintf("%064x", i+1), Text: "x"}, []store.Fingerprint{{Algorithm: "t", Version: 1, Data: []byte{1}}})
		if err != nil {
			b.Fatal(err)
		}
		works = append(works, w)
	}
	t0 := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	for s := range 30 {
		sc, err := db.CreateScan(ctx, store.Scan{Kind: "crawl", Targets: []string{"http://x/"}, State: store.ScanFinished,
			StartedAt: t0.Add(time.Duration(s) * 24 * time.Hour), FinishedAt: t0.Add(time.Duration(s)*24*time.Hour + time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		ms := make([]store.Match, 0, 400)
		for i := range 400 {
			ms = append(ms, store.Match{WorkID: works[i%40].ID, FoundURL: fmt.Sprintf("http://x/p%d", i), Method: "text", Score: 0.8,
				Evidence: store.Evidence{Passages: []store.Passage{{WorkEnd: 10, FoundEnd: 10, Text: "passage"}}}})
		}
		if err := db.PutMatches(ctx, sc.ID, ms); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		q    appearances.Query
	}{
		{"creator-first-page", appearances.Query{Creator: "Ada"}},
		{"work-first-page", appearances.Query{Creator: "Ada", WorkID: works[0].ID}},
		{"work-rare-method", appearances.Query{Creator: "Ada", WorkID: works[0].ID, Method: "image"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := appearances.List(ctx, db, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
