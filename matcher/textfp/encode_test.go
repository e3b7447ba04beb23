package textfp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEncodeRoundTrip(t *testing.T) {
	text := "It was the best of times, it was the worst of times, it was the age of wisdom, " +
		"it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity."
	f, err := Compute(text, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Prints) == 0 || f.Tokens != len(Tokenize(text)) {
		t.Fatalf("Compute: %d prints, %d tokens", len(f.Prints), f.Tokens)
	}
	data := Encode(f)
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Params != f.Params || got.Tokens != f.Tokens || len(got.Prints) != len(f.Prints) {
		t.Fatalf("round trip changed header: %+v vs %+v", got.Params, f.Params)
	}
	for i := range f.Prints {
		if got.Prints[i] != f.Prints[i] {
			t.Fatalf("print %d: %v, want %v", i, got.Prints[i], f.Prints[i])
		}
	}
	if !bytes.Equal(Encode(got), data) {
		t.Error("re-encoding differs")
	}
	if n := len(data); n > 1+4+10*len(f.Prints) {
		t.Errorf("encoding is %d bytes for %d prints", n, len(f.Prints))
	}
}

func TestComputeRejectsParams(t *testing.T) {
	for _, p := range []Params{{0, 6}, {5, 0}, {MaxParam + 1, 6}, {5, -1}} {
		if _, err := Compute("some text", p); !errors.Is(err, ErrParams) {
			t.Errorf("Compute with %+v: %v, want ErrParams", p, err)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	good := Encode(Fingerprints{Params: DefaultParams(), Tokens: 100, Prints: []Print{{3, 1}, {9, 2}}})
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrCorrupt},
		{"unknown version", append([]byte{Version + 1}, good[1:]...), ErrVersion},
		{"version zero", append([]byte{0}, good[1:]...), ErrVersion},
		{"k zero", []byte{Version, 0, 6, 0, 0}, ErrParams},
		{"w too large", []byte{Version, 5, MaxParam + 1, 0, 0}, ErrParams},
		{"truncated header", good[:3], ErrCorrupt},
		{"truncated hash", good[:len(good)-1], ErrCorrupt},
		{"trailing bytes", append(bytes.Clone(good), 0), ErrCorrupt},
		{"count beyond data", []byte{Version, 5, 6, 100, 50, 1, 0, 0, 0, 0, 0, 0, 0, 0}, ErrCorrupt},
		{"positions not increasing", Encode(Fingerprints{Params: DefaultParams(), Tokens: 100, Prints: []Print{{3, 1}, {3, 2}}}), ErrCorrupt},
		{"position beyond tokens", Encode(Fingerprints{Params: DefaultParams(), Tokens: 5, Prints: []Print{{5, 1}}}), ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data)
			if !errors.Is(err, tc.want) {
				t.Errorf("Decode: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestFingerprinterEqualsCompute: one reused Fingerprinter encodes exactly
// what Encode(Compute()) does, across texts of different lengths and
// parameters, and rejects invalid parameters.
func TestFingerprinterEqualsCompute(t *testing.T) {
	long := strings.Repeat("The quick brown fox jumps over the lazy dog; ", 300)
	texts := []string{"", "one", "one two three four five six", long, "日本語のテキストです。" + long[:500], long[:77]}
	params := []Params{DefaultParams(), {K: 1, W: 1}, {K: 3, W: 12}, {K: 8, W: 4}}
	var fp Fingerprinter
	for _, p := range params {
		for _, text := range texts {
			f, err := Compute(text, p)
			if err != nil {
				t.Fatal(err)
			}
			got, n, err := fp.Encode(text, p)
			if err != nil || n != f.Tokens || !bytes.Equal(got, Encode(f)) {
				t.Errorf("k=%d w=%d %d bytes of text: %d tokens, err %v, equal %v",
					p.K, p.W, len(text), n, err, bytes.Equal(got, Encode(f)))
			}
		}
	}
	if _, _, err := fp.Encode("a b c", Params{K: 0, W: 3}); !errors.Is(err, ErrParams) {
		t.Errorf("k=0: %v", err)
	}
}
