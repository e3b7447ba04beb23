package report

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/attrib/attrib/store"
)

// benchReport is 1,000 text matches with 5 passages of ~400 bytes each.
func benchReport(tb testing.TB) Report {
	tb.Helper()
	works := map[string]store.Work{}
	var ms []store.Match
	for i := range 1000 {
		id := fmt.Sprintf("w%04d", i)
		works[id] = store.Work{ID: id, Creator: fmt.Sprintf("creator %d", i%10), Title: "Title " + id, Kind: store.KindText}
		var ps []store.Passage
		for j := range 5 {
			ps = append(ps, store.Passage{WorkStart: j * 400, WorkEnd: j*400 + 400, Text: strings.Repeat("word | <b> ", 36)})
		}
		ms = append(ms, store.Match{WorkID: id, FoundURL: "http://site.example/p/" + id, Method: "text",
			Score: 0.9, WorkCoverage: 0.5, FoundCoverage: 0.1, Evidence: store.Evidence{Algorithm: "winnow", Passages: ps}})
	}
	return Build(store.Scan{ID: "bench", Kind: "crawl"}, works, ms)
}

func BenchmarkRender(b *testing.B) {
	r := benchReport(b)
	for _, f := range SupportedFormats() {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				if err := Render(io.Discard, r, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildShares is one page quoting 200 works of 50 creators in
// 4,000 overlapping passages: the worst case of the overlap split.
func BenchmarkBuildShares(b *testing.B) {
	works := map[string]store.Work{}
	var ms []store.Match
	for i := range 200 {
		id := fmt.Sprintf("w%03d", i)
		works[id] = store.Work{ID: id, Creator: fmt.Sprintf("creator %d", i%50), Title: id, Kind: store.KindText}
		var ps []store.Passage
		for j := range 20 {
			start := (i*37 + j*501) % 100000
			ps = append(ps, store.Passage{FoundStart: start, FoundEnd: start + 900})
		}
		ms = append(ms, store.Match{WorkID: id, FoundURL: "http://big.example/", Method: "text", Score: 0.9,
			FoundCoverage: 0.1, Evidence: store.Evidence{Passages: ps}})
	}
	for b.Loop() {
		Build(store.Scan{ID: "bench"}, works, ms)
	}
}
