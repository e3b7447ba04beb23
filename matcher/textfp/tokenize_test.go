package textfp

import (
	"strings"
	"testing"
)

// words returns the original text of each token.
func words(text string, toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = text[t.Start:t.End]
	}
	return out
}

func TestTokenizeSpans(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", []string{}},
		{"separators only", " ,.;\r\n\t-- ", []string{}},
		{"words and punctuation", "Hello, world! It's 2024.", []string{"Hello", "world", "It's", "2024"}},
		{"bom and crlf", "\ufeffOne two\r\nthree", []string{"One", "two", "three"}},
		{"leading and trailing apostrophes", "'tis the players' ball", []string{"tis", "the", "players", "ball"}},
		{"double apostrophe splits", "don''t", []string{"don", "t"}},
		{"hyphen splits", "well-known", []string{"well", "known"}},
		{"combining marks stay", "cafe\u0301 noir", []string{"cafe\u0301", "noir"}},
		{"leading mark is a separator", "\u0301abc", []string{"abc"}},
		{"cjk one token per character", "日本語のテキスト", []string{"日", "本", "語", "の", "テ", "キ", "ス", "ト"}},
		{"cjk next to latin", "Go言語abc", []string{"Go", "言", "語", "abc"}},
		{"hangul", "한국어 텍스트", []string{"한", "국", "어", "텍", "스", "트"}},
		{"invalid utf-8 separates", "ab\xffcd\xc3", []string{"ab", "cd"}},
		{"soft hyphen joins", "extra\u00adordinary", []string{"extra\u00adordinary"}},
		{"digits and letters", "abc123 x86_64", []string{"abc123", "x86", "64"}},
		{"greek and cyrillic", "Λόγος слово", []string{"Λόγος", "слово"}},
		{"hyphen at a line end joins", "an exam-\nple here", []string{"an", "exam-\nple", "here"}},
		{"hyphen, spaces and crlf join", "exam- \r\n\t ple", []string{"exam- \r\n\t ple"}},
		{"unicode hyphen at a line end joins", "exam\u2010\nple", []string{"exam\u2010\nple"}},
		{"non-ascii word hyphenated", "über-\nlegen", []string{"über-\nlegen"}},
		{"capital after the break splits", "Jean-\nPaul", []string{"Jean", "Paul"}},
		{"blank line after the hyphen splits", "exam-\n\nple", []string{"exam", "ple"}},
		{"digit after the break splits", "pages 10-\n12", []string{"pages", "10", "12"}},
		{"hyphen at the end of the text", "exam-\n", []string{"exam"}},
		{"two hyphens split", "exam--\nple", []string{"exam", "ple"}},
		{"zero width space joins", "exam\u200bple", []string{"exam\u200bple"}},
		{"zero width no-break space joins", "exam\ufeffple", []string{"exam\ufeffple"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := words(tc.text, Tokenize(tc.text))
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestTokenizeNormalisation(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"case", "Hello", "hELLO", true},
		{"full case folding", "STRASSE", "straße", true},
		{"apostrophe forms", "don't", "don’t", true},
		{"apostrophe dropped", "don't", "dont", true},
		{"nfc vs nfd", "caf\u00e9", "cafe\u0301", true},
		{"fullwidth", "ＡＢＣ", "abc", true},
		{"ligature", "\ufb01ne", "fine", true},
		{"kelvin sign", "\u212a", "k", true},
		{"greek final sigma", "ΣΟΦΟΣ", "σοφος", true},
		{"different words", "cat", "cot", false},
		{"accent matters", "resume", "résumé", false},
		{"soft hyphen dropped", "extra\u00adordinary", "extraordinary", true},
		{"line-end hyphen dropped", "exam-\nple", "example", true},
		{"line-end hyphen, non-ascii", "Über-\r\n  legung", "überlegung", true},
		{"zero width space dropped", "exam\u200bple", "example", true},
		{"curly and straight apostrophes", "o’clock", "o'clock", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := Tokenize(tc.a), Tokenize(tc.b)
			if len(a) != 1 || len(b) != 1 {
				t.Fatalf("want one token each, got %d and %d", len(a), len(b))
			}
			if (a[0].Hash == b[0].Hash) != tc.same {
				t.Errorf("hash(%q) == hash(%q) is %v, want %v", tc.a, tc.b, !tc.same, tc.same)
			}
		})
	}
}

// TestTokenHashStable pins token hashes (xxhash64 of "the", "quick",
// "brown", "fox"): they are stored, so a change here
// needs a Version bump.
func TestTokenHashStable(t *testing.T) {
	toks := Tokenize("The Quick brown-fox")
	want := []uint64{0x4b1b03a21f8b5f26, 0x5d33f7629a5184a6, 0x70212f2e5296ad88, 0xbce6c02d5136f238}
	for i, tok := range toks {
		if tok.Hash != want[i] {
			t.Errorf("token %d hash = %#x, want %#x", i, tok.Hash, want[i])
		}
	}
}

func TestTokenizerReuse(t *testing.T) {
	var tz Tokenizer
	first := tz.Append(nil, "Straße über ÄRGER")
	tz.Append(nil, "something else entirely, with ünïcödé")
	again := tz.Append(nil, "Straße über ÄRGER")
	for i := range first {
		if first[i] != again[i] {
			t.Fatalf("token %d differs after reuse: %v vs %v", i, first[i], again[i])
		}
	}
}

// checkSpans fails unless every token is a non-empty, increasing span of
// text whose ends are rune boundaries (an invalid byte counts as a rune).
func checkSpans(tb testing.TB, text string, toks []Token) {
	tb.Helper()
	bound := runeBounds(text)
	prev := int32(0)
	for i, tok := range toks {
		if tok.Start < prev || tok.End <= tok.Start || int(tok.End) > len(text) {
			tb.Fatalf("token %d span [%d,%d) invalid (prev end %d, len %d)", i, tok.Start, tok.End, prev, len(text))
		}
		if !bound[tok.Start] || !bound[tok.End] {
			tb.Fatalf("token %d span [%d,%d) not on rune boundaries", i, tok.Start, tok.End)
		}
		prev = tok.End
	}
}

// runeBounds marks the offsets where a rune (or an invalid byte) starts,
// and len(text).
func runeBounds(text string) []bool {
	b := make([]bool, len(text)+1)
	for i := range text {
		b[i] = true
	}
	b[len(text)] = true
	return b
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "don't stop", "\ufeffa\r\nb", "日本語", "ab\xffcd", "ab\x80", "x\u0301\u00ad'y", "'\u200d'", "ǅ\u0345ΐ ß", "exam-\r\n ple", "a-\n\u0301b-\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		toks := Tokenize(text)
		checkSpans(t, text, toks)
		hashes := Shingles(nil, toks, DefaultK)
		prints := Winnow(nil, hashes, DefaultW)
		fp := Fingerprints{Params: DefaultParams(), Tokens: len(toks), Prints: prints}
		got, err := Decode(Encode(fp))
		if err != nil || len(got.Prints) != len(prints) {
			t.Fatalf("round trip: %v, %d prints want %d", err, len(got.Prints), len(prints))
		}
	})
}
