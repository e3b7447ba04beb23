package textfp

import (
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxTextBytes is the longest text Tokenize reads: token spans are int32, so
// anything past the first 2 GiB - 1 bytes is ignored.
const MaxTextBytes = math.MaxInt32

// Token is one word of a text: its byte span [Start, End) in the original
// text and the 64-bit hash of its normalised form (NFKC, case folded, with
// in-word apostrophes and soft hyphens removed).
type Token struct {
	Start int32
	End   int32
	Hash  uint64
}

// Tokenize splits text into tokens. See Tokenizer for the rules.
func Tokenize(text string) []Token {
	var t Tokenizer
	return t.Append(make([]Token, 0, len(text)/6+1), text)
}

// Tokenizer splits text into tokens, reusing its scratch buffers between
// calls. The zero value is ready to use; a Tokenizer is not safe for
// concurrent use.
//
// Tokens are maximal runs of letters and decimal digits, with combining marks
// kept inside the word. An apostrophe (' ’ ‘ ʼ ＇), soft hyphen, zero-width
// space, (non-)joiner or no-break space (U+FEFF) between two word characters
// joins them and is dropped from the normalised form, so "don't", "don’t"
// and "dont" are the same one token. So is a hyphen at a line end when the
// next line starts with a lowercase letter: "exam-\nple" is "example", its
// span covering the hyphen and line break.
// Characters of scripts written without spaces (Han, Hiragana, Katakana,
// Hangul, Thai, Lao, Khmer, Myanmar) are one token each, with their
// combining marks. Everything else, including invalid UTF-8, a BOM and line
// ends, separates tokens.
type Tokenizer struct {
	raw   []byte // token bytes without joiners, ASCII lowercased
	nfkc  []byte
	fold  []byte
	ascii bool // t.raw is all ASCII
	caser cases.Caser
	ready bool // caser initialised
}

// Append appends the tokens of text to dst and returns the extended slice.
func (t *Tokenizer) Append(dst []Token, text string) []Token {
	if len(text) > MaxTextBytes {
		text = text[:MaxTextBytes]
	}
	for i := 0; i < len(text); {
		r, size := decode(text, i)
		switch classify(r) {
		case classWord:
			end := t.word(text, i)
			dst = append(dst, Token{Start: int32(i), End: int32(end), Hash: t.hash()})
			i = end
		case classSolo:
			end := t.solo(text, i, size)
			dst = append(dst, Token{Start: int32(i), End: int32(end), Hash: t.hash()})
			i = end
		default:
			i += size
		}
	}
	return dst
}

// word collects the word starting at i into t.raw and returns its end.
func (t *Tokenizer) word(text string, i int) int {
	t.raw, t.ascii = t.raw[:0], true
	for i < len(text) {
		if c := text[i]; c < utf8.RuneSelf && asciiClass[c] == classWord {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			t.raw = append(t.raw, c)
			i++
			continue
		}
		if c := text[i]; c == '-' || c == 0xe2 { // U+2010 starts with 0xe2
			if next := lineBreakHyphen(text, i); next > 0 {
				i = next // "exam-\nple" is "example"
				continue
			}
		}
		r, size := decode(text, i)
		switch classify(r) {
		case classWord, classMark:
			t.raw, t.ascii = append(t.raw, text[i:i+size]...), false
			i += size
		case classJoiner:
			if i+size >= len(text) {
				return i
			}
			if next, _ := decode(text, i+size); classify(next) != classWord {
				return i
			}
			i += size // joined, not part of the normalised form
		default:
			return i
		}
	}
	return i
}

// maxHyphenSpace bounds the spaces read around a line break after a hyphen.
const maxHyphenSpace = 16

// lineBreakHyphen returns the index of the word character that continues a
// word hyphenated across a line break at text[i] (a hyphen, optional spaces,
// one line break, optional spaces, a lowercase letter), or 0 when text[i]
// is not such a hyphen. A capital after the break ("Jean-\nPaul") keeps
// the words apart.
func lineBreakHyphen(text string, i int) int {
	r, size := decode(text, i)
	if r != '-' && r != '\u2010' {
		return 0
	}
	j := skipSpaces(text, i+size)
	if j < len(text) && text[j] == '\r' {
		j++
	}
	if j >= len(text) || text[j] != '\n' {
		return 0
	}
	j = skipSpaces(text, j+1)
	if j >= len(text) {
		return 0
	}
	if next, _ := decode(text, j); !unicode.IsLower(next) || classify(next) != classWord {
		return 0
	}
	return j
}

// skipSpaces returns the index after at most maxHyphenSpace spaces and tabs
// from i.
func skipSpaces(text string, i int) int {
	for n := 0; i < len(text) && n < maxHyphenSpace && (text[i] == ' ' || text[i] == '\t'); n++ {
		i++
	}
	return i
}

// solo collects one character of an unspaced script and its marks.
func (t *Tokenizer) solo(text string, i, size int) int {
	t.raw, t.ascii = append(t.raw[:0], text[i:i+size]...), false
	i += size
	for i < len(text) {
		r, size := decode(text, i)
		if classify(r) != classMark {
			break
		}
		t.raw = append(t.raw, text[i:i+size]...)
		i += size
	}
	return i
}

// hash returns the hash of the normalised form of t.raw.
func (t *Tokenizer) hash() uint64 {
	if t.ascii {
		return xxhash.Sum64(t.raw) // NFKC and folding of lowercase ASCII are the identity
	}
	t.nfkc = norm.NFKC.Append(t.nfkc[:0], t.raw...)
	return xxhash.Sum64(t.foldNFKC())
}

// foldNFKC applies full Unicode case folding to t.nfkc.
func (t *Tokenizer) foldNFKC() []byte {
	if !t.ready {
		t.caser, t.ready = cases.Fold(), true
	}
	if cap(t.fold) < 3*len(t.nfkc)+16 {
		t.fold = make([]byte, 3*len(t.nfkc)+16)
	}
	buf := t.fold[:cap(t.fold)]
	for {
		t.caser.Reset()
		n, _, err := t.caser.Transform(buf, t.nfkc, true)
		switch err {
		case nil:
			t.fold = buf
			return buf[:n]
		case transform.ErrShortDst:
			buf = make([]byte, 2*len(buf))
		default:
			return t.nfkc // cannot happen for valid UTF-8; stay deterministic
		}
	}
}

// decode returns the rune at text[i] and its size; invalid UTF-8 decodes to
// utf8.RuneError with size 1, which classifies as a separator.
func decode(text string, i int) (rune, int) {
	if c := text[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(text[i:])
}

// Character classes.
const (
	classSep    = iota // separates tokens
	classWord          // letter or digit
	classMark          // combining mark: part of the preceding token
	classJoiner        // apostrophe and invisible joiners between word characters
	classSolo          // a character that is a token on its own
)

// asciiClass classifies the ASCII range.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = classWord
		case c == '\'':
			t[c] = classJoiner
		}
	}
	return t
}()

// soloScripts are scripts written without spaces between words.
var soloScripts = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar,
}

func classify(r rune) uint8 {
	if r < utf8.RuneSelf {
		return asciiClass[r]
	}
	switch r {
	case '’', '‘', 'ʼ', '＇', '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return classJoiner
	case utf8.RuneError:
		return classSep
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		if r >= 0x0e00 && unicode.IsOneOf(soloScripts, r) {
			return classSolo
		}
		return classWord
	}
	if unicode.IsMark(r) {
		return classMark
	}
	return classSep
}
