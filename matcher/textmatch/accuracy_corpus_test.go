package textmatch

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
	"github.com/attrib/attrib/matcher/textfp"
)

// accCase is one found text of the accuracy harness. Positive cases hold
// one registered work at found[start:end]; negative ones hold none.
type accCase struct {
	cat        string
	found      string
	work       string // "" for a negative case
	start, end int    // bytes of found holding the work's text
}

// accCorpus is the registry and the unregistered text cases are made of.
type accCorpus struct {
	works works
	ids   []string // sorted work IDs: deterministic choices
	hosts []string // unregistered prose the excerpts are embedded in
	nt    []string // unregistered KJV chunks: shares only stock phrases with the registered part
	vocab []string // words for substitutions and insertions
}

// accuracyCorpus builds the registry: Sherlock Holmes and the first third
// of the KJV in works of about 3,000 words, fortunes of 25 words or more,
// and short CJK and Thai texts; Tom Sawyer and the rest of the KJV stay
// unregistered. maxFortunes bounds the fortunes.
func accuracyCorpus(tb testing.TB, maxFortunes int) *accCorpus {
	tb.Helper()
	read := func(rel string) string {
		b, err := os.ReadFile(shareddata.Path(tb, rel))
		if err != nil {
			tb.Fatal(err)
		}
		return string(b)
	}
	c := &accCorpus{works: works{}}
	for i, ch := range wordChunks(read("texts/pg1661.txt"), 3000) {
		c.works[fmt.Sprintf("holmes/%03d", i)] = ch
	}
	kjv := read("texts/kjv.txt")
	cut := len(kjv) / 3
	cut += strings.Index(kjv[cut:], "\n\n") + 1
	for i, ch := range wordChunks(kjv[:cut], 3000) {
		c.works[fmt.Sprintf("kjv/%03d", i)] = ch
	}
	c.nt = wordChunks(kjv[len(kjv)-len(kjv)/4:], 800)
	c.addFortunes(tb, maxFortunes)
	for _, f := range []string{"neko.txt", "daodejing.txt", "accuracy_thai.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			tb.Fatal(err)
		}
		c.works["script/"+strings.TrimSuffix(f, ".txt")] = string(b)
	}
	tom := read("texts/Mark.Twain-Tom.Sawyer.txt")
	c.hosts = wordChunks(tom, 600)
	seen := map[string]bool{}
	for _, w := range strings.Fields(tom) {
		if w = strings.Trim(strings.ToLower(w), `.,;:!?"'()-_`); len(w) > 2 && !seen[w] {
			seen[w] = true
			c.vocab = append(c.vocab, w)
		}
	}
	for id := range c.works {
		c.ids = append(c.ids, id)
	}
	slices.Sort(c.ids)
	return c
}

// addFortunes registers up to limit distinct fortunes of 25 words or more,
// taken evenly from the fortune files in name order.
func (c *accCorpus) addFortunes(tb testing.TB, limit int) {
	tb.Helper()
	dir := shareddata.Path(tb, "texts/fortunes")
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var all []string
	seen := map[string]bool{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range strings.Split(string(b), "\n%\n") {
			r = strings.TrimSpace(r)
			key := strings.Join(strings.Fields(strings.ToLower(r)), " ")
			if len(strings.Fields(r)) >= 25 && !seen[key] {
				seen[key] = true
				all = append(all, r)
			}
		}
	}
	step := max(1, len(all)/limit)
	for i := 0; i < len(all) && i/step < limit; i += step {
		c.works[fmt.Sprintf("fortune/%04d", i/step)] = all[i]
	}
}

// wordChunks splits text at line ends into pieces of at least n words.
func wordChunks(text string, n int) []string {
	var out []string
	var b strings.Builder
	words := 0
	for _, l := range strings.SplitAfter(text, "\n") {
		b.WriteString(l)
		if words += len(strings.Fields(l)); words >= n {
			out = append(out, b.String())
			b.Reset()
			words = 0
		}
	}
	if words > n/2 {
		out = append(out, b.String())
	}
	return out
}

// edit changes a share rate of the words: each edited word is substituted,
// deleted or followed by an inserted word, in equal proportions.
func (c *accCorpus) edit(r *rand.Rand, words []string, rate float64) []string {
	out := make([]string, 0, len(words)+len(words)/8)
	for _, w := range words {
		if r.Float64() >= rate {
			out = append(out, w)
			continue
		}
		switch r.IntN(3) {
		case 0:
			out = append(out, c.vocab[r.IntN(len(c.vocab))])
		case 1: // deleted
		default:
			out = append(out, w, c.vocab[r.IntN(len(c.vocab))])
		}
	}
	return out
}

// embed places piece inside a host text at a random word boundary and
// returns the found text and piece's span in it.
func (c *accCorpus) embed(r *rand.Rand, piece string) (found string, start, end int) {
	return embedIn(r, c.hosts[r.IntN(len(c.hosts))], piece)
}

// embedIn places piece inside host at a random word boundary.
func embedIn(r *rand.Rand, hostText, piece string) (found string, start, end int) {
	host := strings.Fields(hostText)
	at := r.IntN(len(host) + 1)
	before, after := strings.Join(host[:at], " "), strings.Join(host[at:], " ")
	found = before + "\n\n" + piece + "\n\n" + after
	start = len(before) + 2
	return found, start, start + len(piece)
}

// excerptCases returns n cases per length and edit rate: an excerpt of a
// random registered work with enough words, edited, inside a host text.
func (c *accCorpus) excerptCases(r *rand.Rand, lengths []int, rates []float64, n int) []accCase {
	var out []accCase
	for _, l := range lengths {
		var pool []string
		for _, id := range c.ids {
			if !strings.HasPrefix(id, "script/") && len(strings.Fields(c.works[id])) >= l {
				pool = append(pool, id)
			}
		}
		for _, rate := range rates {
			cat := fmt.Sprintf("excerpt %4dw %2.0f%%", l, 100*rate)
			for range n {
				id, f, from := c.excerpt(r, pool, l)
				piece := strings.Join(c.edit(r, f[from:from+l], rate), " ")
				found, s, e := c.embed(r, piece)
				out = append(out, accCase{cat: cat, found: found, work: id, start: s, end: e})
			}
		}
	}
	return out
}

// excerpt picks l words of a work of pool that make at least 0.8*l tokens
// (not ASCII art), within a few tries.
func (c *accCorpus) excerpt(r *rand.Rand, pool []string, l int) (id string, words []string, from int) {
	for range 20 {
		id = pool[r.IntN(len(pool))]
		words = strings.Fields(c.works[id])
		from = r.IntN(len(words) - l + 1)
		if len(textfp.Tokenize(strings.Join(words[from:from+l], " "))) >= l*4/5 {
			break
		}
	}
	return id, words, from
}

// wholeCases returns n lightly edited copies of whole works per rate, of
// the works whose ID starts with prefix.
func (c *accCorpus) wholeCases(r *rand.Rand, prefix string, rates []float64, n int) []accCase {
	var pool []string
	for _, id := range c.ids {
		if strings.HasPrefix(id, prefix) && !strings.HasPrefix(id, "script/") {
			pool = append(pool, id)
		}
	}
	var out []accCase
	for _, rate := range rates {
		for range n {
			id := pool[r.IntN(len(pool))]
			found := strings.Join(c.edit(r, strings.Fields(c.works[id]), rate), " ")
			cat := fmt.Sprintf("whole %-7s %2.0f%%", strings.TrimSuffix(prefix, "/"), 100*rate)
			out = append(out, accCase{cat: cat, found: found, work: id, end: len(found)})
		}
	}
	return out
}

// scriptCases returns excerpts of the CJK and Thai works (runs of 30-80
// characters, cut at characters) inside English host text, verbatim and
// with one character changed.
func (c *accCorpus) scriptCases(r *rand.Rand, n int) []accCase {
	var out []accCase
	for _, id := range []string{"script/neko", "script/daodejing", "script/accuracy_thai"} {
		runes := []rune(strings.Join(strings.Fields(c.works[id]), ""))
		for i := range n {
			l := 30 + r.IntN(51)
			from := r.IntN(len(runes) - l + 1)
			ex := slices.Clone(runes[from : from+l])
			cat := "script verbatim"
			if i%2 == 1 {
				ex[l/2], cat = '〇', "script 1 edit"
			}
			found, s, e := c.embed(r, string(ex))
			out = append(out, accCase{cat: cat, found: found, work: id, start: s, end: e})
		}
	}
	return out
}

// negativeCases returns n unrelated host texts, n unregistered KJV chunks
// (stock phrases shared with the registered part) and n host texts holding
// three snippets of 5-12 words of registered works.
func (c *accCorpus) negativeCases(r *rand.Rand, n int) []accCase {
	var out []accCase
	for range n {
		out = append(out, accCase{cat: "neg unrelated", found: c.hosts[r.IntN(len(c.hosts))]})
		out = append(out, accCase{cat: "neg kjv stock phrases", found: c.nt[r.IntN(len(c.nt))]})
		found := c.hosts[r.IntN(len(c.hosts))]
		for range 3 {
			f := strings.Fields(c.works[c.ids[r.IntN(len(c.ids))]])
			l := 5 + r.IntN(8)
			if len(f) < l {
				continue
			}
			from := r.IntN(len(f) - l + 1)
			found, _, _ = embedIn(r, found, strings.Join(f[from:from+l], " "))
		}
		out = append(out, accCase{cat: "neg short snippets", found: found})
	}
	return out
}
