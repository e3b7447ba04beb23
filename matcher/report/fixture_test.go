package report

import (
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func intp(v int) *int { return &v }

// fixture is a representative scan: a text match with two passages (given
// out of order), image matches at distance 0 and 6, an audit-style match
// with dataset and record, an opt-out reservation with signals, a hostile
// title, URL and passage, and a weaker duplicate that Build must drop.
func fixture(tb testing.TB) (store.Scan, map[string]store.Work, []store.Match) {
	tb.Helper()
	scan := store.Scan{
		ID:         "scan-0001",
		Kind:       "crawl",
		Targets:    []string{"http://blog.example/", "http://mirror.example/"},
		State:      store.ScanFinished,
		StartedAt:  time.Date(2025, 3, 1, 14, 0, 0, 123e6, time.FixedZone("CEST", 2*3600)),
		FinishedAt: time.Date(2025, 3, 1, 12, 5, 30, 0, time.UTC),
		Stats:      store.Stats{Pages: 42, Images: 17, Records: 3, Bytes: 1536000, Errors: 1, Skipped: 2},
	}
	works := IndexWorks([]store.Work{
		{ID: "w-notes", Creator: "Ada Lovelace", Title: "Notes on the Analytical Engine", Kind: store.KindText},
		{ID: "w-portrait", Creator: "Ada Lovelace", Title: "Portrait of Ada", Kind: store.KindImage},
		{ID: "w-essay", Creator: "Cara Byte", Title: "Essay on Datasets", Kind: store.KindText},
		{ID: "w-evil", Creator: "Mallory", Kind: store.KindText,
			Title: "Evil | title\nwith <script>alert(1)</script> *and* [link](javascript:alert(1))"},
	})
	notes := store.Match{
		WorkID: "w-notes", FoundURL: "http://blog.example/post.html", Method: "text",
		Score: 0.931274, WorkCoverage: 0.8, FoundCoverage: 0.125,
		Evidence: store.Evidence{Algorithm: "winnow", Passages: []store.Passage{
			{WorkStart: 900, WorkEnd: 1010, FoundStart: 40, FoundEnd: 150, Text: "the engine might compose elaborate and scientific pieces of music"},
			{WorkStart: 0, WorkEnd: 120, FoundStart: 300, FoundEnd: 420, Text: "The Analytical Engine has no pretensions\nwhatever to originate anything."},
		}},
		OptOut: &store.OptOut{Reserved: true, Signals: []store.OptOutSignal{
			{Kind: "robots", Value: "User-agent: GPTBot\nDisallow: /", Source: "http://blog.example/robots.txt"},
			{Kind: "meta", Value: "noai, noimageai", Source: "http://blog.example/post.html"},
		}},
	}
	weaker := notes
	weaker.Score, weaker.Evidence = 0.5, store.Evidence{Algorithm: "winnow"}
	matches := []store.Match{
		{WorkID: "w-evil", FoundURL: "http://evil.example/a|b<c>", Method: "exact", Score: 1, WorkCoverage: 1, FoundCoverage: 0.5,
			Evidence: store.Evidence{Algorithm: "sha256", Passages: []store.Passage{{WorkStart: 0, WorkEnd: 90, FoundStart: 10, FoundEnd: 100,
				Text: "# Heading\n> quote | pipe `code` [x](javascript:alert(1)) <script>alert(2)</script> &amp; \x1b[31mred\u202e"}}}},
		weaker,
		{WorkID: "w-portrait", FoundURL: "http://mirror.example/a.png", PageURL: "http://mirror.example/gallery.html", Method: "image",
			Score: 0.8125, WorkCoverage: 1, FoundCoverage: 1,
			Evidence: store.Evidence{Algorithm: "phash", Distance: intp(6), Bits: 64, Transform: "hflip"}},
		notes,
		{WorkID: "w-portrait", FoundURL: "http://blog.example/img/ada.jpg", PageURL: "http://blog.example/post.html", Method: "image",
			Score: 1, WorkCoverage: 1, FoundCoverage: 1,
			Evidence: store.Evidence{Algorithm: "phash", Distance: intp(0), Bits: 64, Transform: "none"},
			OptOut:   &store.OptOut{Reserved: false}},
		{WorkID: "w-essay", FoundURL: "http://cc.example/essay", Dataset: "crawl-00001.warc.gz", Record: "<urn:uuid:0f1e2d3c>",
			Method: "text", Score: 0.66666666, WorkCoverage: 0.33333333, FoundCoverage: 0.9,
			Evidence: store.Evidence{Algorithm: "winnow", Passages: []store.Passage{{WorkStart: 10, WorkEnd: 2010, FoundStart: 0, FoundEnd: 2000,
				Text: strings.Repeat("datasets are made of other people's words ", 20)}}}},
	}
	return scan, works, matches
}

// fixtureReport is Build over the fixture.
func fixtureReport(tb testing.TB) Report {
	tb.Helper()
	scan, works, matches := fixture(tb)
	return Build(scan, works, matches)
}

// emptyReport is a running scan with nothing found.
func emptyReport(tb testing.TB) Report {
	tb.Helper()
	return Build(store.Scan{ID: "scan-0002", Kind: "crawl", Targets: []string{"http://nothing.example/"},
		StartedAt: time.Date(2025, 3, 2, 8, 0, 0, 0, time.UTC), Stats: store.Stats{Pages: 3, Bytes: 900}}, nil, nil)
}

// edgeReport is an audit with sparse data: records without URLs, a work no
// longer registered, evidence with only some fields, an empty passage and
// more targets than the Markdown header lists.
func edgeReport(tb testing.TB) Report {
	tb.Helper()
	var targets []string
	for i := range mdMaxTargets + 2 {
		targets = append(targets, "/data/shard-"+string(rune('a'+i))+".jsonl")
	}
	works := IndexWorks([]store.Work{{ID: "w-poem", Creator: "Dan", Title: "Poem", Kind: store.KindText},
		{ID: "w-pic", Creator: "Dan", Title: "Picture", Kind: store.KindImage}})
	return Build(store.Scan{ID: "audit `7`", Kind: "audit", Targets: targets,
		StartedAt: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), FinishedAt: time.Date(2025, 4, 1, 1, 0, 0, 0, time.UTC),
		Stats: store.Stats{Records: 100000, Bytes: 5 << 30}}, works, []store.Match{
		{WorkID: "w-poem", Dataset: "/data/shard-a.jsonl", Record: "line 17", Method: "text", Score: 0.7, WorkCoverage: 0.5,
			FoundCoverage: 0.25, Evidence: store.Evidence{Passages: []store.Passage{{WorkStart: 5, WorkEnd: 9, FoundStart: 1, FoundEnd: 1}}}},
		{WorkID: "w-poem", Dataset: "/data/shard-b.jsonl", Method: "exact", Score: 1, WorkCoverage: 1, FoundCoverage: 1},
		{WorkID: "w-pic", Dataset: "/data/shard-c.tar", Record: "000042.jpg", Method: "image", Score: 0.9, WorkCoverage: 1,
			FoundCoverage: 1, Evidence: store.Evidence{Algorithm: "pdq", Distance: intp(12)}},
		{WorkID: "w-pic", Dataset: "/data/shard-d.tar", Record: "000043.jpg", Method: "image", Score: 0.8, WorkCoverage: 1,
			FoundCoverage: 1, Evidence: store.Evidence{Algorithm: "pdq", Bits: 256, Transform: "crop"}},
		{WorkID: "w-deleted", FoundURL: "javascript:alert(1)", Dataset: "/data/shard-e.jsonl", Record: "line 1", Method: "text",
			Score: 0.6, WorkCoverage: 0.6, FoundCoverage: 0.6},
	})
}
