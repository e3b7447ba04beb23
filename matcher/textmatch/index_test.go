package textmatch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/matcher/textfp"
)

// refIndex is the obvious index the shards and tail must agree with.
type refIndex map[uint64][]posting

func (r refIndex) lookup(h uint64, maxWorks, limit int) []posting {
	ps := r[prefix(h)]
	works := map[int32]bool{}
	for _, p := range ps {
		works[p.work] = true
	}
	if len(works) > maxWorks {
		return nil
	}
	return ps[:min(len(ps), limit)]
}

// TestIndexMatchesReference adds random works (hashes drawn from a small
// pool, so many are shared and some are boilerplate) with a tiny tail, so
// that lookups span many flushes and merges, and compares every lookup
// with the reference, including works added after a hash became
// boilerplate.
func TestIndexMatchesReference(t *testing.T) {
	tests := []struct {
		name              string
		tailMax, maxWorks int
		pool              int
	}{
		{"many merges", 50, 4, 3000},
		{"boilerplate heavy", 200, 2, 2500},
		{"one shard", 1 << 20, 16, 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.tailMax)))
			pool := make([]uint64, tc.pool)
			for i := range pool {
				pool[i] = rng.Uint64()
			}
			e, err := New(DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			e.ix = newIndex(tc.maxWorks)
			e.ix.tailMax = tc.tailMax
			ref := refIndex{}
			for w := range 300 {
				var prints []textfp.Print
				for pos := range int32(5 + rng.IntN(40)) {
					prints = append(prints, textfp.Print{Pos: pos, Hash: pool[rng.IntN(len(pool))]})
				}
				id := int32(w)
				if e.ix.add(id, prints) {
					e.ix.flush()
					e.compactNow()
				}
				for _, p := range prints {
					ref[prefix(p.Hash)] = append(ref[prefix(p.Hash)], posting{id, p.Pos})
				}
			}
			if tc.tailMax < 1000 && len(e.ix.segs) == 0 {
				t.Fatal("no shard was built")
			}
			checkLookups(t, e.ix, ref, pool, tc.maxWorks)
			e.ix.flush()
			e.compactNow()
			checkLookups(t, e.ix, ref, pool, tc.maxWorks)
			if n := len(e.ix.segs); n >= 2 {
				halfMerge(e.ix, e.ix.segs[n-2], e.ix.segs[n-1])
				checkLookups(t, e.ix, ref, pool, tc.maxWorks)
			}
		})
	}
}

func checkLookups(t *testing.T, ix *index, ref refIndex, pool []uint64, maxWorks int) {
	t.Helper()
	nonEmpty := 0
	for _, h := range append(pool, 12345) {
		for _, limit := range []int{1, 3, 1 << 20} {
			got := ix.lookup(nil, h, limit)
			want := ref.lookup(h, maxWorks, limit)
			if !slices.Equal(got, want) {
				t.Fatalf("lookup %x limit %d: %v, want %v (%d shards)", h, limit, got, want, len(ix.segs))
			}
			nonEmpty += min(len(got), 1)
		}
	}
	if nonEmpty == 0 {
		t.Fatal("every lookup was empty")
	}
}

// halfMerge leaves the index as Engine.merge does halfway through merging
// a and b: the first half of the chunks moved to the merged shard.
func halfMerge(ix *index, a, b *shard) {
	m := &shard{}
	ix.segs = ix.replace(a, nil, m, a)
	for ci := range numChunks / 2 {
		m.chunks[ci] = mergeChunks(a.chunks[ci], b.chunks[ci], ci, ix.maxWorks)
		a.chunks[ci], b.chunks[ci] = nil, nil
	}
}

// compactNow merges shards as Add does after a flush.
func (e *Engine) compactNow() { e.compact() }

// TestIndexShardCount: the merge policy keeps the shards few and stores
// every posting once.
func TestIndexShardCount(t *testing.T) {
	e, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	e.ix.tailMax = 64
	rng := rand.New(rand.NewPCG(1, 1))
	// Every merge walks all chunks under the index lock, which the race
	// detector slows most; under it, half the works (log8(312) + 1 is
	// still about 4 shards).
	works := 2000
	if raceEnabled {
		works = 1000
	}
	total := 0
	for w := range works {
		f := textfp.Fingerprints{Params: textfp.DefaultParams(), Tokens: 100}
		for pos := range int32(20) {
			f.Prints = append(f.Prints, textfp.Print{Pos: pos * 4, Hash: rng.Uint64()})
		}
		total += len(f.Prints)
		if err := e.Add(fmt.Sprint(w), textfp.Encode(f)); err != nil {
			t.Fatal(err)
		}
	}
	e.Flush()
	st := e.Stats()
	if st.Postings != total || st.Hashes != total || st.Works != works {
		t.Errorf("stats %+v, want %d works, %d postings and hashes", st, works, total)
	}
	// 40k postings in shards of 64: log8(625) + 1 is about 4.
	if st.Segments < 1 || st.Segments > 5 {
		t.Errorf("%d shards", st.Segments)
	}
	t.Logf("%d postings in %d shards", st.Postings, st.Segments)
}

// TestIndexShardCap: shards stop merging at the cap, and lookups still see
// every posting.
func TestIndexShardCap(t *testing.T) {
	e, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	e.ix.tailMax, e.ix.maxShard = 64, 1000
	rng := rand.New(rand.NewPCG(2, 2))
	var hashes []uint64
	for w := range 500 {
		var prints []textfp.Print
		for pos := range int32(20) {
			h := rng.Uint64()
			hashes = append(hashes, h)
			prints = append(prints, textfp.Print{Pos: pos, Hash: h})
		}
		if e.ix.add(int32(w), prints) {
			e.ix.flush()
			e.compact()
		}
	}
	e.Flush()
	for _, sg := range e.ix.segs {
		if sg.len() > 1000 {
			t.Errorf("shard of %d postings", sg.len())
		}
	}
	if n := len(e.ix.segs); n < 10 {
		t.Errorf("%d shards for 10k postings capped at 1000", n)
	}
	for i, h := range hashes {
		if ps := e.ix.lookup(nil, h, 10); len(ps) != 1 || ps[0].work != int32(i/20) {
			t.Fatalf("hash %d: %v", i, ps)
		}
	}
}

// TestConcurrentAddMatchMerging matches while Adds flush and merge shards.
func TestConcurrentAddMatchMerging(t *testing.T) {
	story := readData(t, "texts/pg1661.txt")
	parts := chunks(story, 300)[:80]
	ws := works{}
	for i, p := range parts {
		ws[fmt.Sprint("p", i)] = p
	}
	e, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	e.ix.tailMax = 200
	first, _ := e.Fingerprint(parts[0])
	if err := e.Add("p0", first); err != nil {
		t.Fatal(err)
	}
	found := wordsOf(readData(t, "texts/Mark.Twain-Tom.Sawyer.txt"), 0, 2000) + "\n" + wordsOf(parts[0], 10, 80)
	var wg sync.WaitGroup
	var bad atomic.Int32
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				rs, err := e.Match(context.Background(), found, ws.text)
				if err != nil || len(rs) != 1 || rs[0].WorkID != "p0" {
					bad.Add(1)
				}
			}
		})
	}
	for i := 1; i < len(parts); i++ {
		d, _ := e.Fingerprint(parts[i])
		if err := e.Add(fmt.Sprint("p", i), d); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Errorf("%d matches went wrong while adding", n)
	}
	if st := e.Stats(); st.Segments == 0 {
		t.Errorf("no shard built: %+v", st)
	}
	rs, err := e.Match(context.Background(), wordsOf(parts[70], 5, 60), ws.text)
	if err != nil || len(rs) == 0 || rs[0].WorkID != "p70" {
		t.Errorf("late work not found: %+v %v", rs, err)
	}
}

// countingText counts work text fetches.
type countingText struct {
	works
	n atomic.Int32
}

func (c *countingText) text(ctx context.Context, id string) (string, error) {
	c.n.Add(1)
	return c.works.text(ctx, id)
}

// sharedPrints counts the winnowed hashes two texts have in common.
func sharedPrints(a, b string, p textfp.Params) int {
	fa, _ := textfp.Compute(a, p)
	fb, _ := textfp.Compute(b, p)
	in := map[uint64]bool{}
	for _, x := range fa.Prints {
		in[x.Hash] = true
	}
	n := 0
	for _, x := range fb.Prints {
		if in[x.Hash] {
			n++
			in[x.Hash] = false
		}
	}
	return n
}

// TestCandidateSupport: with a 24-token minimum (the matcher's MinScore of
// 0.75), every verbatim excerpt of that length is found, while a work
// sharing only a 10-word phrase (one winnowed seed) with the found text is
// not fetched; VerifyAll fetches it.
func TestCandidateSupport(t *testing.T) {
	stories := chunks(readData(t, "texts/pg1661.txt"), 1000)[3:23]
	ws := works{}
	for i, s := range stories {
		ws[fmt.Sprint("s", i)] = s
	}
	kjv := strings.Fields(readData(t, "texts/kjv.txt"))
	tom := strings.Fields(readData(t, "texts/Mark.Twain-Tom.Sawyer.txt"))
	// A phrase of Tom Sawyer that a KJV passage shares through one seed.
	pre, post := wordsIn(kjv, 5000, 300), wordsIn(kjv, 9000, 300)
	var stock, found string
	for from := 1000; stock == "" && from < 20000; from += 37 {
		phrase := wordsIn(tom, from, 10)
		w := pre + " " + phrase + " " + post
		f := wordsIn(tom, 0, 400) + " " + phrase + " " + wordsIn(tom, 30000, 400)
		if sharedPrints(w, f, textfp.DefaultParams()) == 1 {
			stock, found = w, f
		}
	}
	if stock == "" {
		t.Fatal("no phrase shares exactly one seed")
	}
	ws["stock"] = stock
	for _, verifyAll := range []bool{false, true} {
		t.Run(fmt.Sprint("verify all ", verifyAll), func(t *testing.T) {
			o := DefaultOptions()
			o.MinScore, o.VerifyAll = 0.75, verifyAll
			e := newEngine(t, o, ws)
			if want := map[bool]int{false: 2, true: 1}[verifyAll]; e.minSeeds != want {
				t.Fatalf("minSeeds %d, want %d", e.minSeeds, want)
			}
			rng := rand.New(rand.NewPCG(3, 3))
			for i := range 100 {
				id := fmt.Sprint("s", i%len(stories))
				f := strings.Fields(ws[id])
				from := rng.IntN(len(f) - 30)
				ex := strings.Join(f[from:from+24], " ")
				found := wordsIn(tom, i*100, 300) + "\n" + ex + "\n" + wordsIn(tom, i*100+300, 300)
				rs, err := e.Match(context.Background(), found, ws.text)
				if err != nil || len(rs) == 0 || rs[0].WorkID != id {
					t.Fatalf("24-word excerpt of %s not found: %+v %v\n%s", id, rs, err, ex)
				}
			}
			e = newEngine(t, o, ws) // empty cache
			ct := &countingText{works: ws}
			rs, err := e.Match(context.Background(), found, ct.text)
			if err != nil || len(rs) != 0 {
				t.Fatalf("a 10-word phrase matched: %+v %v", rs, err)
			}
			if fetched := ct.n.Load(); (fetched > 0) != verifyAll {
				t.Errorf("%d work texts fetched for a lone shared phrase", fetched)
			}
		})
	}
}

// TestAddOtherParamsIsTextfpErrParams: fingerprints of other K or W are
// reported as both ErrParams and textfp.ErrParams, which makes
// matcher.Load re-fingerprint the work from its text.
func TestAddOtherParamsIsTextfpErrParams(t *testing.T) {
	o := DefaultOptions()
	o.W++
	other, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := other.Fingerprint("alpha beta gamma delta epsilon zeta eta theta iota kappa")
	e, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	err = e.Add("a", data)
	if !errors.Is(err, ErrParams) || !errors.Is(err, textfp.ErrParams) {
		t.Errorf("Add: %v", err)
	}
}
