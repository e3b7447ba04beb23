package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/textfp"
	"github.com/attrib/attrib/matcher/textmatch"
	"github.com/attrib/attrib/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchtext:", err)
		os.Exit(1)
	}
}

type config struct {
	data       string
	sizes      []int
	pages      int
	rebuild    int
	builders   int
	queryAll   bool
	verifyAll  bool
	w          int
	cpuprofile string
}

func parseFlags() (config, error) {
	var c config
	var sizes string
	flag.StringVar(&c.data, "data", "../shared/data/texts", "folder of real texts")
	flag.StringVar(&sizes, "sizes", "10000,100000,1000000", "registry sizes in works")
	flag.IntVar(&c.pages, "pages", 3000, "pages matched per registry")
	flag.IntVar(&c.rebuild, "rebuild", 100000, "measure the rebuild from stored fingerprints for registries up to this size")
	flag.IntVar(&c.builders, "builders", runtime.NumCPU(), "goroutines generating and fingerprinting works while building")
	flag.BoolVar(&c.queryAll, "query-all", false, "look up every found shingle (Options.QueryAllShingles)")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the matching to this file")
	flag.BoolVar(&c.verifyAll, "verify-all", false, "verify every work with a seed (Options.VerifyAll)")
	flag.IntVar(&c.w, "w", 0, "winnowing window (0: the default)")
	flag.Parse()
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return c, fmt.Errorf("bad size %q", f)
		}
		c.sizes = append(c.sizes, n)
	}
	return c, nil
}

func run() error {
	cfg, err := parseFlags()
	if err != nil {
		return err
	}
	c, err := loadCorpus(cfg.data, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return err
	}
	opts := matcher.DefaultOptions().Text // what attrib runs with
	opts.QueryAllShingles = cfg.queryAll
	opts.VerifyAll = cfg.verifyAll
	if cfg.w > 0 {
		opts.W = cfg.w
	}
	fmt.Printf("machine: %d cores, %s/%s, %s; K=%d W=%d MinPassageTokens=%d MinScore=%.2f query-all=%v verify-all=%v\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), opts.K, opts.W, opts.MinPassageTokens,
		opts.MinScore, opts.QueryAllShingles, opts.VerifyAll)
	fmt.Printf("corpus: %d words, %d distinct, %d real works\n", len(c.ids), len(c.occ), len(c.real))
	fingerprintSpeed(c, opts)
	rs := newReskin(c, rand.New(rand.NewPCG(3, 4)))
	fmt.Printf("registry works: real passages of 1-20 KB (%d), re-skinned per group of %d works\n", len(rs.spans), len(rs.spans))
	for _, n := range cfg.sizes {
		if err := registry(c, rs, opts, n, cfg); err != nil {
			return err
		}
	}
	return nil
}

// fingerprintSpeed fingerprints the real texts on one core.
func fingerprintSpeed(c *corpus, opts textmatch.Options) {
	e, _ := textmatch.New(opts)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var bytes int
	start := time.Now()
	for time.Since(start) < 3*time.Second {
		for _, t := range c.real {
			e.Fingerprint(t)
			bytes += len(t)
		}
	}
	el := time.Since(start)
	var toks []textfp.Token
	var tz textfp.Tokenizer
	tstart, tbytes := time.Now(), 0
	for time.Since(tstart) < 2*time.Second {
		for _, t := range c.real {
			toks = tz.Append(toks[:0], t)
			tbytes += len(t)
		}
	}
	fmt.Printf("fingerprint (tokenise+shingle+winnow+encode), 1 core: %.1f MB/s (tokenise alone %.1f MB/s)\n",
		float64(bytes)/el.Seconds()/1e6, float64(tbytes)/time.Since(tstart).Seconds()/1e6)
}

// reg is a synthetic registry of re-skinned real passages.
type reg struct {
	c       *corpus
	rs      *reskin
	n       int
	fetches *atomic.Int64
	store   *textStore // generated texts once built
}

func (r reg) id(i int) string { return fmt.Sprintf("w%07d", i) }

func (r reg) text(i int) string {
	if r.store != nil && r.store.mm != nil {
		return r.store.get(i)
	}
	return r.rs.work(i)
}

// fetch is the TextFunc: it reads a work's text, standing in for a
// store read.
func (r reg) fetch(_ context.Context, id string) (string, error) {
	r.fetches.Add(1)
	i, err := strconv.Atoi(strings.TrimPrefix(id, "w"))
	if err != nil || i < 0 || i >= r.n {
		return "", fmt.Errorf("work %s: %w", id, store.ErrNotFound)
	}
	return r.text(i), nil
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

type built struct {
	i    int
	data []byte
	text string
}

// registry builds an engine of n works and measures it.
func registry(c *corpus, rs *reskin, opts textmatch.Options, n int, cfg config) error {
	r := reg{c: c, rs: rs, n: n, fetches: new(atomic.Int64)}
	ts, err := newTextStore(n)
	if err != nil {
		return err
	}
	defer ts.close()
	h0 := heap()
	e, err := textmatch.New(opts)
	if err != nil {
		return err
	}
	keep := n <= cfg.rebuild
	var stored [][]byte
	if keep {
		stored = make([][]byte, n)
	}
	ch := make(chan built, 256)
	for b := range cfg.builders {
		go func() {
			for i := b; i < n; i += cfg.builders {
				t := r.text(i)
				d, _ := e.Fingerprint(t)
				ch <- built{i, d, t}
			}
		}()
	}
	start := time.Now()
	var addTime time.Duration
	textBytes := 0
	for range n {
		b := <-ch
		textBytes += len(b.text)
		if err := ts.put(b.i, b.text); err != nil {
			return err
		}
		t := time.Now()
		if err := e.Add(r.id(b.i), b.data); err != nil {
			return err
		}
		addTime += time.Since(t)
		if keep {
			stored[b.i] = b.data
		}
	}
	t := time.Now()
	e.Flush()
	addTime += time.Since(t)
	buildWall := time.Since(start)
	if err := ts.seal(); err != nil {
		return err
	}
	r.store = ts
	extra := ts.heapBytes()
	for _, d := range stored {
		extra += uint64(cap(d)) + 24
	}
	used := heap() - h0 - extra
	st := e.Stats()
	fmt.Printf("\nregistry %d works: %.1f MB text (%.0f B/work), %d postings (%.0f/work), %d segments\n",
		n, float64(textBytes)/1e6, float64(textBytes)/float64(n), st.Postings, float64(st.Postings)/float64(n), st.Segments)
	fmt.Printf("  build: %.1f s wall with %d builder goroutines (generate+fingerprint), Add+merge time %.2f s\n",
		buildWall.Seconds(), cfg.builders, addTime.Seconds())
	fmt.Printf("  heap: %.1f MiB for the engine = %.0f B/work (%.1f B/posting incl. IDs)\n",
		float64(used)/(1<<20), float64(used)/float64(n), float64(used)/float64(st.Postings))
	if keep {
		if err := rebuild(opts, r, stored); err != nil {
			return err
		}
		stored = nil
	}
	return matchPages(e, r, cfg)
}

// rebuild times indexing the stored fingerprints into a new engine on one
// goroutine: decode, add, merge (what matcher.Load does per fingerprint).
func rebuild(opts textmatch.Options, r reg, stored [][]byte) error {
	e, _ := textmatch.New(opts)
	start := time.Now()
	for i, d := range stored {
		if err := e.Add(r.id(i), d); err != nil {
			return err
		}
	}
	e.Flush()
	fmt.Printf("  rebuild from stored fingerprints: %.2f s (%d works, 1 goroutine)\n", time.Since(start).Seconds(), len(stored))
	return nil
}

// matchPages matches pages of real text in an unregistered re-skin, half with an excerpt of a registered
// work, on one core.
func matchPages(e *textmatch.Engine, r reg, cfg config) error {
	pages := cfg.pages
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	type page struct {
		text   string
		want   string
		edited bool
	}
	rng := rand.New(rand.NewPCG(uint64(r.n), 99))
	ps := make([]page, pages)
	bytes := 0
	for i := range ps {
		words := 300 + rng.IntN(1200)
		lo := r.rs.held + rng.IntN(len(r.c.ids)-r.rs.held-words)
		t := r.rs.text(1<<40+uint64(i), lo, lo+words) // a group no work is in
		if i%2 == 0 {
			w := rng.IntN(r.n)
			f := strings.Fields(r.text(w))
			lo := rng.IntN(max(1, len(f)-300))
			ex := f[lo:min(len(f), lo+30+rng.IntN(270))]
			if i%4 == 2 { // every other excerpt: replace one word in ten
				ex = slices.Clone(ex)
				for j := rng.IntN(10); j < len(ex); j += 10 {
					ex[j] = "zq" + strconv.Itoa(rng.IntN(1e6))
				}
			}
			cut := rng.IntN(len(t))
			t = t[:cut] + " " + strings.Join(ex, " ") + " " + t[cut:]
			ps[i].want, ps[i].edited = r.id(w), i%4 == 2
		}
		ps[i].text = t
		bytes += len(t)
	}
	ctx := context.Background()
	for _, p := range ps[:min(len(ps), 100)] { // warm the scratch pool
		if _, err := e.Match(ctx, p.text, r.fetch); err != nil {
			return err
		}
	}
	var found, expected, extra, foundEd, expectedEd int
	r.fetches.Store(0)
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	for _, p := range ps {
		rs, err := e.Match(ctx, p.text, r.fetch)
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		if p.want != "" && p.edited {
			expectedEd++
		} else if p.want != "" {
			expected++
		}
		for _, res := range rs {
			if res.WorkID == p.want && p.edited {
				foundEd++
			} else if res.WorkID == p.want {
				found++
			} else {
				extra++
				if os.Getenv("BENCHTEXT_SHOW") != "" && extra <= 8 {
					fmt.Printf("    other: %s %d tokens: %q\n", res.WorkID, res.AlignedTokens, res.Passages[0].Text)
				}
			}
		}
	}
	el := time.Since(start)
	fmt.Printf("  match, 1 core: %.0f pages/s (%d pages of %.1f KB avg, %.1f MB/s); verbatim excerpts found %d/%d, 10%%-edited %d/%d, other results %d; %.2f work texts fetched/page\n",
		float64(len(ps))/el.Seconds(), len(ps), float64(bytes)/float64(len(ps))/1e3, float64(bytes)/el.Seconds()/1e6,
		found, expected, foundEd, expectedEd, extra, float64(r.fetches.Load())/float64(len(ps)))
	return nil
}
