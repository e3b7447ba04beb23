package main

import (
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// corpus holds the words of the real texts and, for every distinct word,
// the positions where it occurs.
type corpus struct {
	words []string
	ids   []int32   // word id per position
	occ   [][]int32 // positions of each word id
	real  []string  // the real texts split into works of 1-20 KB
}

// loadCorpus reads every file below dir (the shared texts folder).
func loadCorpus(dir string, rng *rand.Rand) (*corpus, error) {
	c := &corpus{}
	byWord := map[string]int32{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := string(b)
		c.real = append(c.real, split(text, rng)...)
		for _, w := range strings.Fields(text) {
			id, ok := byWord[w]
			if !ok {
				id = int32(len(c.occ))
				byWord[w] = id
				c.occ = append(c.occ, nil)
				c.words = append(c.words, w)
			}
			c.occ[id] = append(c.occ[id], int32(len(c.ids)))
			c.ids = append(c.ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read texts: %w", err)
	}
	if len(c.ids) < 1000 {
		return nil, fmt.Errorf("read texts: only %d words in %s", len(c.ids), dir)
	}
	return c, nil
}

// workSize draws a work size in bytes, log-uniform in [1 KB, 20 KB]
// (mean 6.3 KB).
func workSize(rng *rand.Rand) int {
	lo, hi := 1000.0, 20000.0
	return int(lo * math.Pow(hi/lo, rng.Float64()))
}

// split cuts text into works of 1-20 KB at line ends.
func split(text string, rng *rand.Rand) []string {
	var out []string
	for len(text) > 0 {
		n := min(workSize(rng), len(text))
		if i := strings.IndexByte(text[n:], '\n'); i >= 0 {
			n += i + 1
		} else {
			n = len(text)
		}
		out = append(out, text[:n])
		text = text[n:]
	}
	return out
}
