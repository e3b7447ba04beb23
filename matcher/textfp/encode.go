package textfp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Algorithm names the fingerprints of this package in store.Fingerprint.
const Algorithm = "text-winnow"

// Version is the version of the tokenisation, hashing and encoding. Bump it
// whenever a change makes new fingerprints incomparable with stored ones.
// 2: words hyphenated across a line break, and zero-width spaces inside a
// word, join into one token.
const Version = 2

// Defaults: shingles of 5 words and windows of 6 shingles, so every shared
// run of at least 10 words shares a selected fingerprint.
const (
	DefaultK = 5
	DefaultW = 6
)

// MaxParam bounds k and w; larger values are rejected as invalid.
const MaxParam = 64

// Errors returned by Decode and Compute; test with errors.Is.
var (
	// ErrVersion: the data was written by an unknown encoder version.
	ErrVersion = errors.New("unknown text fingerprint version")
	// ErrParams: k or w is out of range.
	ErrParams = errors.New("invalid text fingerprint parameters")
	// ErrCorrupt: the data is truncated or inconsistent.
	ErrCorrupt = errors.New("corrupt text fingerprint data")
)

// Params are the shingle length K (tokens) and the winnowing window W
// (shingles).
type Params struct {
	K int
	W int
}

// DefaultParams returns Params{DefaultK, DefaultW}.
func DefaultParams() Params { return Params{K: DefaultK, W: DefaultW} }

// Validate reports whether both parameters are in [1, MaxParam].
func (p Params) Validate() error {
	if p.K < 1 || p.K > MaxParam || p.W < 1 || p.W > MaxParam {
		return fmt.Errorf("%w: k=%d w=%d (each must be in 1..%d)", ErrParams, p.K, p.W, MaxParam)
	}
	return nil
}

// Fingerprints are the winnowed fingerprints of one text.
type Fingerprints struct {
	Params
	Tokens int     // number of tokens in the text
	Prints []Print // strictly increasing positions
}

// Compute tokenises text and winnows its shingles with p.
func Compute(text string, p Params) (Fingerprints, error) {
	if err := p.Validate(); err != nil {
		return Fingerprints{}, err
	}
	toks := Tokenize(text)
	hashes := Shingles(make([]uint64, 0, len(toks)), toks, p.K)
	prints := Winnow(make([]Print, 0, 2*len(hashes)/(p.W+1)+1), hashes, p.W)
	return Fingerprints{Params: p, Tokens: len(toks), Prints: prints}, nil
}

// Fingerprinter computes fingerprints reusing its buffers between calls;
// the zero value is ready to use. It is not safe for concurrent use.
type Fingerprinter struct {
	tz     Tokenizer
	toks   []Token
	hashes []uint64
	prints []Print
}

// maxKeptTokens: buffers grown past this many tokens are dropped after use.
const maxKeptTokens = 1 << 20

// Encode tokenises text, winnows its shingles with p and returns the
// encoded fingerprints (as Encode(Compute(text, p))) and the token count.
func (fp *Fingerprinter) Encode(text string, p Params) ([]byte, int, error) {
	if err := p.Validate(); err != nil {
		return nil, 0, err
	}
	fp.toks = fp.tz.Append(fp.toks[:0], text)
	fp.hashes = Shingles(fp.hashes[:0], fp.toks, p.K)
	fp.prints = Winnow(fp.prints[:0], fp.hashes, p.W)
	data := Encode(Fingerprints{Params: p, Tokens: len(fp.toks), Prints: fp.prints})
	n := len(fp.toks)
	if cap(fp.toks) > maxKeptTokens {
		fp.toks, fp.hashes, fp.prints = nil, nil, nil
	}
	return data, n, nil
}

// Encode returns the binary form of f: a version byte, then uvarints k, w,
// token count and fingerprint count, then per fingerprint the uvarint gap to
// the previous position (the first position itself) and the hash as 8 bytes
// little endian (uniform 64-bit hashes do not shrink as varints).
func Encode(f Fingerprints) []byte {
	b := make([]byte, 0, 1+4*binary.MaxVarintLen64+len(f.Prints)*10)
	b = append(b, Version)
	b = binary.AppendUvarint(b, uint64(f.K))
	b = binary.AppendUvarint(b, uint64(f.W))
	b = binary.AppendUvarint(b, uint64(f.Tokens))
	b = binary.AppendUvarint(b, uint64(len(f.Prints)))
	prev := int32(0)
	for _, p := range f.Prints {
		b = binary.AppendUvarint(b, uint64(p.Pos-prev))
		b = binary.LittleEndian.AppendUint64(b, p.Hash)
		prev = p.Pos
	}
	return b
}

// Decode parses data written by Encode. It rejects unknown versions
// (ErrVersion), out-of-range parameters (ErrParams) and truncated or
// inconsistent data (ErrCorrupt) without allocating more than len(data)
// allows.
func Decode(data []byte) (Fingerprints, error) {
	if len(data) == 0 {
		return Fingerprints{}, fmt.Errorf("%w: empty", ErrCorrupt)
	}
	if data[0] != Version {
		return Fingerprints{}, fmt.Errorf("%w: %d (this build reads %d)", ErrVersion, data[0], Version)
	}
	d := decoder{b: data[1:]}
	var f Fingerprints
	f.K, f.W = int(d.uvarint(1<<20)), int(d.uvarint(1<<20)) // range checked by Validate
	f.Tokens = int(d.uvarint(MaxTextBytes))
	n := d.uvarint(uint64(len(d.b) / 9))
	if d.err != nil {
		return Fingerprints{}, d.err
	}
	if err := f.Validate(); err != nil {
		return Fingerprints{}, err
	}
	f.Prints = make([]Print, 0, n)
	pos := uint64(0)
	for i := range n {
		gap := d.uvarint(MaxTextBytes)
		if i > 0 && gap == 0 {
			return Fingerprints{}, fmt.Errorf("%w: positions not increasing", ErrCorrupt)
		}
		pos += gap
		h := d.uint64()
		if d.err != nil {
			return Fingerprints{}, d.err
		}
		if pos >= uint64(f.Tokens) {
			return Fingerprints{}, fmt.Errorf("%w: position %d beyond %d tokens", ErrCorrupt, pos, f.Tokens)
		}
		f.Prints = append(f.Prints, Print{Pos: int32(pos), Hash: h})
	}
	if len(d.b) != 0 {
		return Fingerprints{}, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(d.b))
	}
	return f, nil
}

// decoder reads uvarints and fixed words, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint(max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	switch {
	case n <= 0:
		d.err = fmt.Errorf("%w: truncated varint", ErrCorrupt)
		return 0
	case v > max:
		d.err = fmt.Errorf("%w: value %d exceeds %d", ErrCorrupt, v, max)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uint64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = fmt.Errorf("%w: truncated hash", ErrCorrupt)
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}
