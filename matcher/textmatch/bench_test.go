package textmatch

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkAdd indexes the 497 pydoc sources (fingerprints precomputed) and
// reports the index's live heap.
func BenchmarkAdd(b *testing.B) {
	ws := pydocSources(b)
	e0, _ := New(DefaultOptions())
	data := map[string][]byte{}
	for id, t := range ws {
		data[id], _ = e0.Fingerprint(t)
	}
	var e *Engine
	var used uint64
	for b.Loop() {
		e = nil
		before := heapInUse()
		e, _ = New(DefaultOptions())
		for id, d := range data {
			if err := e.Add(id, d); err != nil {
				b.Fatal(err)
			}
		}
		used = heapInUse() - before
	}
	st := e.Stats()
	b.ReportMetric(float64(used)/(1<<20), "index-MiB")
	b.ReportMetric(float64(st.Postings), "postings")
	b.ReportMetric(float64(st.Hashes), "hashes")
}

// BenchmarkFingerprint fingerprints all pydoc sources per op.
func BenchmarkFingerprint(b *testing.B) {
	ws := pydocSources(b)
	e, _ := New(DefaultOptions())
	n := 0
	for _, t := range ws {
		n += len(t)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, t := range ws {
			e.Fingerprint(t)
		}
	}
}

// pydocEngine returns an engine holding the pydoc sources with a warm cache.
func pydocEngine(b *testing.B) (*Engine, works) {
	ws := pydocSources(b)
	e := newEngine(b, DefaultOptions(), ws)
	for id := range ws {
		if _, err := e.workTokens(context.Background(), id, ws.text); err != nil {
			b.Fatal(err)
		}
	}
	return e, ws
}

// BenchmarkMatch matches single long texts against the 497 pydoc sources.
func BenchmarkMatch(b *testing.B) {
	e, ws := pydocEngine(b)
	tom := readData(b, "texts/Mark.Twain-Tom.Sawyer.txt")
	ex := wordsOf(ws["library/json"], 1000, 300)
	unrelated := wordsOf(tom, 0, 5000) + "\n" + ex + "\n" + wordsOf(tom, 5000, 15000)
	cases := []struct{ name, text string }{
		{"unrelated-20k-words-with-excerpt", unrelated},
		{"page-library-json", htmlText(b, "library/json")},
		{"page-library-stdtypes", htmlText(b, "library/stdtypes")},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for b.Loop() {
				rs, err := e.Match(context.Background(), tc.text, ws.text)
				if err != nil || len(rs) == 0 {
					b.Fatalf("no match: %v", err)
				}
			}
		})
	}
}

// pages caches the extracted pydoc pages between benchmark runs.
var pages struct {
	sync.Mutex
	texts []string
}

// pydocPages returns the extracted text of every page that has a source.
func pydocPages(b *testing.B, ws works) []string {
	pages.Lock()
	defer pages.Unlock()
	if pages.texts == nil {
		for id := range ws {
			if id != "whatsnew/changelog" {
				pages.texts = append(pages.texts, htmlText(b, id))
			}
		}
	}
	return pages.texts
}

// BenchmarkMatchPages matches every rendered pydoc page (text extracted)
// round-robin on all CPUs; pages/s = 1e9 / (ns/op).
func BenchmarkMatchPages(b *testing.B) {
	e, ws := pydocEngine(b)
	pages := pydocPages(b, ws)
	n := 0
	for _, p := range pages {
		n += len(p)
	}
	b.SetBytes(int64(n / len(pages)))
	b.ReportAllocs()
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p := pages[int(next.Add(1))%len(pages)]
			if _, err := e.Match(context.Background(), p, ws.text); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
