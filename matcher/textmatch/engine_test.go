package textmatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/attrib/attrib/matcher/textfp"
	"github.com/attrib/attrib/store"
)

func TestNewRejectsOptions(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
	}{
		{"k zero", func(o *Options) { o.K = 0 }},
		{"w too large", func(o *Options) { o.W = textfp.MaxParam + 1 }},
		{"min passage below k", func(o *Options) { o.MinPassageTokens = o.K - 1 }},
		{"negative gap", func(o *Options) { o.MaxGapTokens = -1 }},
		{"zero half-life", func(o *Options) { o.HalfLifeTokens = 0 }},
		{"min score above one", func(o *Options) { o.MinScore = 1.5 }},
		{"zero hash works", func(o *Options) { o.MaxHashWorks = 0 }},
		{"zero candidates", func(o *Options) { o.MaxCandidates = 0 }},
		{"zero seeds", func(o *Options) { o.MaxSeeds = 0 }},
		{"zero found tokens", func(o *Options) { o.MaxFoundTokens = 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.edit(&o)
			if e, err := New(o); err == nil || e != nil {
				t.Errorf("New accepted %+v", o)
			}
		})
	}
	if _, err := New(DefaultOptions()); err != nil {
		t.Errorf("New(DefaultOptions()): %v", err)
	}
}

func TestAddErrors(t *testing.T) {
	e := newEngine(t, DefaultOptions(), works{"a": "one two three four five six seven eight nine ten"})
	o := DefaultOptions()
	o.K = 4
	other, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	otherData, _ := other.Fingerprint("alpha beta gamma delta epsilon zeta eta theta")
	good, _ := e.Fingerprint("alpha beta gamma delta epsilon zeta eta theta")
	tests := []struct {
		name string
		id   string
		data []byte
		want error
	}{
		{"duplicate id", "a", good, ErrDuplicate},
		{"other parameters", "b", otherData, ErrParams},
		{"corrupt data", "c", good[:len(good)-3], textfp.ErrCorrupt},
		{"unknown version", "d", append([]byte{99}, good[1:]...), textfp.ErrVersion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.Add(tc.id, tc.data); !errors.Is(err, tc.want) {
				t.Errorf("Add: %v, want %v", err, tc.want)
			}
		})
	}
	if st := e.Stats(); st.Works != 1 {
		t.Errorf("failed Adds changed the index: %+v", st)
	}
}

func TestFingerprintTokens(t *testing.T) {
	e, _ := New(DefaultOptions())
	data, n := e.Fingerprint("Hello, world: it's a \ufeffsmall\r\ntest.")
	f, err := textfp.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 || f.Tokens != 6 || len(f.Prints) != 1 {
		t.Errorf("tokens %d (decoded %d), %d prints; want 6, 6, 1", n, f.Tokens, len(f.Prints))
	}
}

// TestMatchBoilerplate: a licence header shared by many works neither
// matches on its own nor drags those works into another work's result.
func TestMatchBoilerplate(t *testing.T) {
	header := "This work is distributed under the terms of the Example Public Licence, version 2. " +
		"You may copy, modify and redistribute it provided that this notice is kept intact and that " +
		"any changes you make are clearly marked as yours."
	stories := chunks(readData(t, "texts/pg1661.txt"), 800)[5:25]
	ws := works{}
	for i, s := range stories {
		ws[fmt.Sprint("w", i)] = header + "\n\n" + s
	}
	e := newEngine(t, DefaultOptions(), ws)
	page := wordsOf(readData(t, "texts/Mark.Twain-Tom.Sawyer.txt"), 0, 3000)
	tests := []struct {
		name  string
		found string
		want  []string
	}{
		{"header alone", insertAt(page, header, 0.5), nil},
		{"header and an excerpt", insertAt(insertAt(page, header, 0.2), wordsOf(stories[7], 100, 60), 0.7), []string{"w7"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := e.Match(context.Background(), tc.found, ws.text)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, r.WorkID)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("works %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMatchRepetitive: texts of one repeated word or a short repeated
// cycle, which make many alternative alignments, stay within the seed and
// comparison bounds and still align.
func TestMatchRepetitive(t *testing.T) {
	ws := works{
		"a":     strings.Repeat("a ", 20000),
		"cycle": strings.Repeat("one two three ", 5000),
	}
	o := DefaultOptions()
	o.MaxSeeds = 100000
	e := newEngine(t, o, ws)
	tests := []struct {
		name  string
		found string
		want  string
	}{
		{"one word", strings.Repeat("a ", 200000), "a"},
		{"cycle", strings.Repeat("one two three ", 60000), "cycle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := e.Match(context.Background(), tc.found, ws.text)
			if err != nil || len(rs) != 1 || rs[0].WorkID != tc.want {
				t.Fatalf("Match: %+v, %v", rs, err)
			}
			checkResult(t, rs[0], ws[tc.want], tc.found)
			if rs[0].WorkCoverage < 0.99 {
				t.Errorf("work coverage %.3f", rs[0].WorkCoverage)
			}
		})
	}
}

// TestMatchScore: the score grows with the aligned length; a minimum
// passage scores 0.5.
func TestMatchScore(t *testing.T) {
	story := chunks(readData(t, "texts/pg1661.txt"), 2000)[2]
	ws := works{"story": story}
	e := newEngine(t, DefaultOptions(), ws)
	page := wordsOf(readData(t, "texts/Mark.Twain-Tom.Sawyer.txt"), 0, 2000)
	prev := 0.0
	for _, n := range []int{12, 24, 48, 200} {
		ex := strings.Join(strings.Fields(story)[300:300+n], " ")
		rs, err := e.Match(context.Background(), insertAt(page, ex, 0.5), ws.text)
		if err != nil || len(rs) != 1 {
			t.Fatalf("%d-word excerpt: %d results, %v", n, len(rs), err)
		}
		s := rs[0].Score
		if s <= prev || (n == 12 && (s < 0.45 || s > 0.55)) || (n == 200 && s < 0.999) {
			t.Errorf("%d-word excerpt scores %.4f (previous %.4f)", n, s, prev)
		}
		prev = s
	}
}

func TestMatchTextFuncErrors(t *testing.T) {
	text := wordsOf(readData(t, "texts/pg1661.txt"), 5000, 400)
	e := newEngine(t, DefaultOptions(), works{"w": text})
	boom := errors.New("boom")
	tests := []struct {
		name   string
		ctx    func() context.Context
		fetch  TextFunc
		want   error
		result bool
	}{
		{"work gone is skipped", context.Background, func(context.Context, string) (string, error) {
			return "", fmt.Errorf("gone: %w", store.ErrNotFound)
		}, nil, false},
		{"other errors are returned", context.Background, func(context.Context, string) (string, error) {
			return "", boom
		}, boom, false},
		{"cancelled context", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, works{"w": text}.text, context.Canceled, false},
		{"text found", context.Background, works{"w": text}.text, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.cache = newTokenCache(e.opts.CacheTokens) // fetch every time
			rs, err := e.Match(tc.ctx(), text, tc.fetch)
			if !errors.Is(err, tc.want) || (len(rs) == 1) != tc.result {
				t.Errorf("Match: %d results, %v; want result %v, error %v", len(rs), err, tc.result, tc.want)
			}
		})
	}
}

// TestMatchCachesWorkText: a work's text is fetched once while it stays in
// the cache.
func TestMatchCachesWorkText(t *testing.T) {
	text := wordsOf(readData(t, "texts/pg1661.txt"), 5000, 400)
	ws := works{"w": text}
	e := newEngine(t, DefaultOptions(), ws)
	var calls atomic.Int32
	fetch := func(ctx context.Context, id string) (string, error) {
		calls.Add(1)
		return ws.text(ctx, id)
	}
	for range 5 {
		if rs, err := e.Match(context.Background(), text, fetch); err != nil || len(rs) != 1 {
			t.Fatalf("Match: %d results, %v", len(rs), err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("work text fetched %d times, want 1", n)
	}
}

func TestTokenCacheBound(t *testing.T) {
	c := newTokenCache(100)
	toks := func(n int) []textfp.Token { return make([]textfp.Token, n) }
	c.put("a", toks(40))
	c.put("b", toks(40))
	c.get("a") // b is now the least recently used
	c.put("c", toks(40))
	c.put("huge", toks(101))
	tests := []struct {
		id string
		in bool
	}{{"a", true}, {"b", false}, {"c", true}, {"huge", false}}
	for _, tc := range tests {
		if _, ok := c.get(tc.id); ok != tc.in {
			t.Errorf("cached %s: %v, want %v", tc.id, ok, tc.in)
		}
	}
	if c.size > c.max || c.len() != 2 {
		t.Errorf("size %d of %d, %d entries", c.size, c.max, c.len())
	}
}

// TestConcurrentAddMatch runs Adds and Matches at once (meant for -race).
func TestConcurrentAddMatch(t *testing.T) {
	recs := fortunes(t, "wisdom")
	ws := works{}
	for i, r := range recs {
		ws[fmt.Sprint("f", i)] = r
	}
	e, _ := New(DefaultOptions())
	page := strings.Join(recs[:40], "\n\n")
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range recs {
			data, _ := e.Fingerprint(recs[i])
			if err := e.Add(fmt.Sprint("f", i), data); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 2 {
		wg.Go(func() {
			for range 20 {
				rs, err := e.Match(context.Background(), page, ws.text)
				if err != nil {
					t.Error(err)
					return
				}
				for _, r := range rs {
					checkResult(t, r, ws[r.WorkID], page)
				}
			}
		})
	}
	wg.Wait()
	rs, err := e.Match(context.Background(), page, ws.text)
	if err != nil || len(rs) < 20 {
		t.Errorf("after all Adds: %d results, %v", len(rs), err)
	}
}

// FuzzMatch checks that evidence is always well formed, whatever the found
// text.
func FuzzMatch(f *testing.F) {
	ws := works{
		"neko": readTestdata(f, "neko.txt"),
		"dao":  readTestdata(f, "daodejing.txt"),
		"en": "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age " +
			"of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light.",
	}
	e := newEngine(f, DefaultOptions(), ws)
	for _, s := range []string{"", ws["en"], "x " + ws["neko"][30:200] + " y", strings.ToUpper(ws["en"]), "\xff" + ws["dao"][3:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, found string) {
		rs, err := e.Match(context.Background(), found, ws.text)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			checkResult(t, r, ws[r.WorkID], found)
		}
	})
}
