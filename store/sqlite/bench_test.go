package sqlite_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/store"
)

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

// BenchmarkPutMatches1000 stores batches of 1000 new matches.
func BenchmarkPutMatches1000(b *testing.B) {
	db := openTemp(b)
	w, _, err := db.PutWork(b.Context(), work("alice", "bench"), nil)
	if err != nil {
		b.Fatal(err)
	}
	sc, err := db.CreateScan(b.Context(), store.Scan{Kind: "crawl"})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if err := db.PutMatches(b.Context(), sc.ID, benchMatches(w, fmt.Sprint(i), 1000)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/match")
}

// benchWork returns a new 10 KB text work with a 4 KB fingerprint.
func benchWork(i int64) (store.Work, []store.Fingerprint) {
	w := work("alice", fmt.Sprint(i, strings.Repeat(" lorem ipsum", 850)))
	return w, []store.Fingerprint{
		{Algorithm: "text-winnow", Version: 1, Data: make([]byte, 4096)},
		{Algorithm: "sha256", Version: 1, Data: []byte(w.SHA256)},
	}
}

// BenchmarkPutWork registers new 10 KB text works one at a time.
func BenchmarkPutWork(b *testing.B) {
	db := openTemp(b)
	var i int64
	for b.Loop() {
		w, fps := benchWork(i)
		if _, _, err := db.PutWork(b.Context(), w, fps); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkPutWorkParallel registers new works from GOMAXPROCS goroutines.
func BenchmarkPutWorkParallel(b *testing.B) {
	db := openTemp(b)
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w, fps := benchWork(n.Add(1))
			if _, _, err := db.PutWork(b.Context(), w, fps); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkFingerprints streams 10,000 stored 512-byte fingerprints.
func BenchmarkFingerprints(b *testing.B) {
	db := openTemp(b)
	for i := range 100 {
		fps := make([]store.Fingerprint, 100)
		for j := range fps {
			fps[j] = store.Fingerprint{Algorithm: "text-winnow", Version: 1, Data: make([]byte, 512)}
		}
		if _, _, err := db.PutWork(b.Context(), work("alice", fmt.Sprint(i)), fps); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		n := 0
		err := db.Fingerprints(b.Context(), "text-winnow", func(store.Fingerprint) error { n++; return nil })
		if err != nil || n != 10000 {
			b.Fatalf("streamed %d, %v", n, err)
		}
	}
}
