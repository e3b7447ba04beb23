package redis_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/store"
)

// benchWork returns a new 10 KB text work with a 4 KB fingerprint.
func benchWork(i int64) (store.Work, []store.Fingerprint) {
	w := work("alice", fmt.Sprint(i, strings.Repeat(" lorem ipsum", 850)))
	w.Title = fmt.Sprint("bench work ", i)
	return w, []store.Fingerprint{
		{Algorithm: "text-winnow", Version: 1, Data: make([]byte, 4096)},
		{Algorithm: "sha256", Version: 1, Data: []byte(w.SHA256)},
	}
}

// benchMatches returns n text matches of w on distinct pages under prefix.
func benchMatches(w store.Work, prefix string, n int) []store.Match {
	d := 3
	ms := make([]store.Match, n)
	for i := range ms {
		u := fmt.Sprintf("http://site.test/%s/page/%d", prefix, i)
		ms[i] = store.Match{WorkID: w.ID, FoundURL: u, PageURL: u, Method: "text", Score: 0.8, WorkCoverage: 0.4,
			FoundCoverage: 0.1, Evidence: store.Evidence{Algorithm: "text-winnow", Distance: &d, Passages: []store.Passage{
				{WorkStart: 10, WorkEnd: 400, FoundStart: 1000, FoundEnd: 1390, Text: strings.Repeat("passage ", 48)},
			}},
			OptOut: &store.OptOut{Reserved: true, Signals: []store.OptOutSignal{{Kind: "robots", Value: "GPTBot"}}},
		}
	}
	return ms
}

// BenchmarkPutWork registers new 10 KB text works one at a time.
func BenchmarkPutWork(b *testing.B) {
	s := sharedStore(b)
	var i int64
	for b.Loop() {
		w, fps := benchWork(i)
		if _, _, err := s.PutWork(b.Context(), w, fps); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkPutWorkParallel registers new works from 4×GOMAXPROCS goroutines,
// as several registering processes would.
func BenchmarkPutWorkParallel(b *testing.B) {
	s := sharedStore(b)
	var n atomic.Int64
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w, fps := benchWork(n.Add(1))
			if _, _, err := s.PutWork(b.Context(), w, fps); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPutWorkExisting re-registers one work: the read-only fast path.
func BenchmarkPutWorkExisting(b *testing.B) {
	s := sharedStore(b)
	w, fps := benchWork(0)
	for b.Loop() {
		if _, _, err := s.PutWork(b.Context(), w, fps); err != nil {
			b.Fatal(err)
		}
	}
}

// benchScan registers works works and returns them with a new scan.
func benchScan(b *testing.B, s store.Store, works int) ([]store.Work, store.Scan) {
	b.Helper()
	ws := make([]store.Work, works)
	for i := range ws {
		w, fps := benchWork(int64(i))
		var err error
		if ws[i], _, err = s.PutWork(b.Context(), w, fps); err != nil {
			b.Fatal(err)
		}
	}
	sc, err := s.CreateScan(b.Context(), store.Scan{Kind: "crawl"})
	if err != nil {
		b.Fatal(err)
	}
	return ws, sc
}

// spread returns n text matches spread over ws, on pages under prefix.
func spread(ws []store.Work, prefix string, n int) []store.Match {
	ms := benchMatches(ws[0], prefix, n)
	for i := range ms {
		ms[i].WorkID = ws[i%len(ws)].ID
	}
	return ms
}

// BenchmarkPutMatches1000 stores batches of 1000 new text matches spread
// over 100 works.
func BenchmarkPutMatches1000(b *testing.B) {
	s := sharedStore(b)
	ws, sc := benchScan(b, s, 100)
	i := 0
	for b.Loop() {
		if err := s.PutMatches(b.Context(), sc.ID, spread(ws, fmt.Sprint(i), 1000)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/match")
}

// BenchmarkMatches reads a scan of 20,000 text matches over 1,000 works.
func BenchmarkMatches(b *testing.B) {
	const n = 20_000
	s := sharedStore(b)
	ws, sc := benchScan(b, s, 1000)
	for i := range n / 1000 {
		if err := s.PutMatches(b.Context(), sc.ID, spread(ws, fmt.Sprint(i), 1000)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		ms, err := s.Matches(b.Context(), sc.ID, store.MatchFilter{})
		if err != nil || len(ms) != n {
			b.Fatalf("Matches = %d, %v", len(ms), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/n, "µs/match")
}

// BenchmarkFingerprints streams the fingerprints of 1,000 works (4 KB each).
func BenchmarkFingerprints(b *testing.B) {
	const works = 1000
	s := sharedStore(b)
	benchScan(b, s, works)
	b.SetBytes(works * 4096)
	for b.Loop() {
		n := 0
		err := s.Fingerprints(b.Context(), "text-winnow", func(store.Fingerprint) error { n++; return nil })
		if err != nil || n != works {
			b.Fatalf("Fingerprints = %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/works, "µs/work")
}
