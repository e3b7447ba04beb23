package textfp

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// randomTokens returns n tokens whose hashes come from a vocabulary of
// vocab words.
func randomTokens(rng *rand.Rand, n, vocab int) []Token {
	toks := make([]Token, n)
	for i := range toks {
		toks[i] = Token{Start: int32(i), End: int32(i + 1), Hash: mix(uint64(rng.IntN(vocab)) + 1)}
	}
	return toks
}

func TestShinglesRollingEqualsDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	toks := randomTokens(rng, 200, 50)
	for _, k := range []int{1, 2, 5, 9} {
		got := Shingles(nil, toks, k)
		if len(got) != len(toks)-k+1 {
			t.Fatalf("k=%d: %d shingles, want %d", k, len(got), len(toks)-k+1)
		}
		for i := range got {
			var h uint64
			for _, tk := range toks[i : i+k] {
				h = h*shingleBase + tk.Hash
			}
			if got[i] != mix(h) {
				t.Fatalf("k=%d: shingle %d differs from direct computation", k, i)
			}
		}
	}
}

func TestShinglesEdgeCases(t *testing.T) {
	toks := Tokenize("one two three")
	tests := []struct {
		name string
		k    int
		want int
	}{
		{"fewer tokens than k", 5, 0},
		{"exactly k", 3, 1},
		{"k of one", 1, 3},
		{"invalid k", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(Shingles(nil, toks, tc.k)); got != tc.want {
				t.Errorf("got %d shingles, want %d", got, tc.want)
			}
		})
	}
}

// TestShinglesPositionIndependent: the same words give the same shingle
// wherever they stand and whatever separates them.
func TestShinglesPositionIndependent(t *testing.T) {
	a := Shingles(nil, Tokenize("alpha beta gamma delta epsilon"), 5)
	b := Shingles(nil, Tokenize("x y z -- Alpha,  BETA\r\ngamma: delta; epsilon!"), 5)
	if a[0] != b[3] {
		t.Errorf("shingle differs: %#x vs %#x", a[0], b[3])
	}
}

func TestWinnowProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, w := range []int{1, 4, 6, 10} {
		hashes := Shingles(nil, randomTokens(rng, 5000, 1000), 5)
		prints := Winnow(nil, hashes, w)
		for i, p := range prints {
			if i > 0 && p.Pos <= prints[i-1].Pos {
				t.Fatalf("w=%d: positions not increasing at %d", w, i)
			}
			if hashes[p.Pos] != p.Hash {
				t.Fatalf("w=%d: print %d hash does not match its position", w, i)
			}
		}
		// Every window holds a selected position, and it is the window's minimum.
		sel := map[int32]bool{}
		for _, p := range prints {
			sel[p.Pos] = true
		}
		for l := 0; l+w <= len(hashes); l++ {
			win := hashes[l : l+w]
			m := slices.Min(win)
			found := false
			for i := l; i < l+w; i++ {
				found = found || (sel[int32(i)] && hashes[i] == m)
			}
			if !found {
				t.Fatalf("w=%d: window at %d has no selected minimum", w, l)
			}
		}
		density := float64(len(prints)) / float64(len(hashes))
		if want := 2 / float64(w+1); w > 1 && (density < 0.8*want || density > 1.2*want) {
			t.Errorf("w=%d: density %.3f, want about %.3f", w, density, want)
		}
	}
}

func TestWinnowShortInput(t *testing.T) {
	tests := []struct {
		name   string
		hashes []uint64
		want   []Print
	}{
		{"empty", nil, nil},
		{"fewer than w selects the minimum", []uint64{9, 3, 7}, []Print{{Pos: 1, Hash: 3}}},
		{"ties take the rightmost", []uint64{5, 2, 2}, []Print{{Pos: 2, Hash: 2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Winnow(nil, tc.hashes, 6)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWinnowGuarantee: two texts sharing a run of w+k-1 tokens share a
// selected fingerprint of the first, found among all shingles of the second.
func TestWinnowGuarantee(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	p := DefaultParams()
	run := p.K + p.W - 1
	for trial := range 300 {
		shared := randomTokens(rng, run, 100000)
		a := slices.Concat(randomTokens(rng, rng.IntN(50), 100000), shared, randomTokens(rng, rng.IntN(50), 100000))
		b := slices.Concat(randomTokens(rng, rng.IntN(50), 100000), shared, randomTokens(rng, rng.IntN(50), 100000))
		all := map[uint64]bool{}
		for _, h := range Shingles(nil, b, p.K) {
			all[h] = true
		}
		hit := false
		for _, pr := range Winnow(nil, Shingles(nil, a, p.K), p.W) {
			hit = hit || all[pr.Hash]
		}
		if !hit {
			t.Fatalf("trial %d: shared run of %d tokens has no shared fingerprint", trial, run)
		}
	}
}
