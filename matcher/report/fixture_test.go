package report

import (
	"os"
	"path/filepath"
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
		{ID: "w-portrait", Creator: "Ada Lovelace", Title: "Portrait of Ada", Kind: store.KindImage, Thumb: readThumb(tb)},
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

// readThumb is testdata/thumb.jpg, a 48x32 JPEG.
func readThumb(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "thumb.jpg"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// withoutThumbs clears the thumbnails of r's works, which only HTML shows.
func withoutThumbs(r *Report) {
	for i := range r.Matches {
		r.Matches[i].Work.Thumb = nil
	}
}

// remixReport is a page remixing three texts of three creators with
// overlapping passages (one creator's two works overlap each other), an
// image of one creator and a collage matching images of two creators, next
// to a page that is a byte-identical copy of a text.
//
// Text bytes: Ode [0,500), Ballad [400,800)+[900,1000), Ballad draft
// [700,800), Chant [1000,1200). Ana 400+50 = 450, Ben 50+200+100+100 = 450,
// Cy 200, of 1,100 matched. Units: the text and two images, so Ana
// 450/1100/3 + (1 + 1/2)/3 = 0.6364, Ben 450/1100/3 + (1/2)/3 = 0.3030,
// Cy 200/1100/3 = 0.0606.
func remixReport(tb testing.TB) Report {
	tb.Helper()
	thumb := readThumb(tb)
	works := IndexWorks([]store.Work{
		{ID: "w-ode", Creator: "Ana", Title: "Ode", Kind: store.KindText},
		{ID: "w-ballad", Creator: "Ben", Title: "Ballad", Kind: store.KindText},
		{ID: "w-draft", Creator: "Ben", Title: "Ballad (draft)", Kind: store.KindText},
		{ID: "w-chant", Creator: "Cy", Title: "Chant", Kind: store.KindText},
		{ID: "w-dawn", Creator: "Ana", Title: "Dawn", Kind: store.KindImage, Thumb: thumb},
		{ID: "w-sketch", Creator: "Ben", Title: "Sketch", Kind: store.KindImage, Thumb: thumb},
	})
	page := "http://remix.example/mashup"
	text := func(id string, fc float64, ivs ...[2]int) store.Match {
		var ps []store.Passage
		for _, iv := range ivs {
			ps = append(ps, store.Passage{WorkStart: 0, WorkEnd: iv[1] - iv[0], FoundStart: iv[0], FoundEnd: iv[1],
				Text: "passage of " + id})
		}
		return store.Match{WorkID: id, FoundURL: page, PageURL: page, Method: "text", Score: 0.99, WorkCoverage: 0.9,
			FoundCoverage: fc, Evidence: store.Evidence{Algorithm: "winnow", Passages: ps}}
	}
	image := func(id, url string) store.Match {
		return store.Match{WorkID: id, FoundURL: url, PageURL: page, Method: "image", Score: 0.95, WorkCoverage: 1,
			FoundCoverage: 1, Evidence: store.Evidence{Algorithm: "pdq", Distance: intp(4), Bits: 256, Transform: "none"}}
	}
	return Build(store.Scan{ID: "scan-remix", Kind: "crawl", Targets: []string{"http://remix.example/"},
		StartedAt: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC), FinishedAt: time.Date(2025, 5, 1, 9, 1, 0, 0, time.UTC),
		Stats: store.Stats{Pages: 2, Images: 3, Bytes: 40000}}, works, []store.Match{
		text("w-ode", 0.25, [2]int{0, 500}),
		text("w-ballad", 0.2, [2]int{400, 800}, [2]int{900, 1000}),
		text("w-draft", 0.05, [2]int{700, 800}),
		text("w-chant", 0.1, [2]int{1000, 1200}),
		image("w-dawn", "http://remix.example/dawn.jpg"),
		image("w-dawn", "http://remix.example/collage.png"),
		image("w-sketch", "http://remix.example/collage.png"),
		{WorkID: "w-chant", FoundURL: "http://copy.example/chant.txt", Method: "exact", Score: 1, WorkCoverage: 1,
			FoundCoverage: 1, Evidence: store.Evidence{Algorithm: "sha256", Distance: intp(0), Bits: 256}},
	})
}
