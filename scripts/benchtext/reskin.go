package main

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// commonWords is the number of most frequent words a re-skin keeps as they
// are: the function words that stock phrases are made of.
const commonWords = 300

// reskin turns the real corpus into any number of distinct registries of
// works: work i is the real passage i%len(spans) with every word outside
// the commonWords most frequent ones respelled for group i/len(spans) (a
// three-letter prefix drawn from the group and the word). Each group reads
// like the original, with its repetitions and stock phrases of function
// words, but shares with other groups only phrases made of function words,
// as unrelated real texts do. Group 0 is the real text. The last 15% of
// the corpus is in no work: pages are made of it.
type reskin struct {
	c      *corpus
	common []bool
	spans  [][2]int32 // word ranges of the real works
	held   int        // words from here on are in no work: text for pages
}

func newReskin(c *corpus, rng *rand.Rand) *reskin {
	r := &reskin{c: c, common: make([]bool, len(c.occ))}
	order := make([]int, len(c.occ))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return len(c.occ[b]) - len(c.occ[a]) })
	for _, id := range order[:min(commonWords, len(order))] {
		r.common[id] = true
	}
	r.held = len(c.ids) * 85 / 100
	for lo := 0; lo < r.held; {
		n := workSize(rng) / 6 // about 6 bytes a word
		hi := min(r.held, lo+max(n, 20))
		r.spans = append(r.spans, [2]int32{int32(lo), int32(hi)})
		lo = hi
	}
	return r
}

// work returns the text of work i.
func (r *reskin) work(i int) string {
	sp := r.spans[i%len(r.spans)]
	return r.text(uint64(i/len(r.spans)), int(sp[0]), int(sp[1]))
}

// text returns words [lo, hi) of the corpus re-skinned for group g, with a
// paragraph break every 100 words.
func (r *reskin) text(g uint64, lo, hi int) string {
	var b strings.Builder
	b.Grow((hi - lo) * 8)
	for p := lo; p < hi; p++ {
		id := r.c.ids[p]
		w := r.c.words[id]
		if g != 0 && !r.common[id] {
			w = respell(g, id, w)
		}
		b.WriteString(w)
		if (p-lo)%100 == 99 {
			b.WriteString("\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// respell puts a prefix of three letters derived from (g, id) before the
// first ASCII letter of w, so the word stays one token.
func respell(g uint64, id int32, w string) string {
	i := strings.IndexFunc(w, func(c rune) bool { return c < 128 && (c|0x20) >= 'a' && (c|0x20) <= 'z' })
	if i < 0 {
		return w
	}
	v := mix(g*0x9e3779b97f4a7c15 ^ uint64(id))
	pre := []byte{'a' + byte(v%26), 'a' + byte(v/26%26), 'a' + byte(v/676%26)}
	return w[:i] + string(pre) + w[i:]
}

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
