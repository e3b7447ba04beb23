package pdq

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
)

// Bits is the length of a PDQ hash in bits.
const Bits = 256

// MatchDistance is the largest Hamming distance at which the reference
// (ThreatExchange) treats two PDQ hashes as the same picture.
const MatchDistance = 31

// MinQuality is the quality below which the reference discards a hash: the
// image is too flat for its hash to be meaningful.
const MinQuality = 50

// ErrHex: a string is not 64 hexadecimal digits.
var ErrHex = errors.New("malformed pdq hash")

// Hash is a PDQ hash as a big-endian 256-bit number: bit k (k = 16*row +
// column of the 16×16 DCT block) has the value 2^k, so Hash[31] holds bits
// 0-7 and Hash[0] bits 248-255. This is the order in which the reference
// prints it.
type Hash [32]byte

// Hex returns the hash as 64 lowercase hexadecimal digits, most significant
// first, exactly as the reference formats it.
func (h Hash) Hex() string { return hex.EncodeToString(h[:]) }

// String returns Hex.
func (h Hash) String() string { return h.Hex() }

// ParseHex parses 64 hexadecimal digits (either case) as written by Hex or
// by the reference.
func ParseHex(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("%w: %d characters, want %d", ErrHex, len(s), 2*len(h))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, fmt.Errorf("%w: %w", ErrHex, err)
	}
	return h, nil
}

// Bit reports whether bit k (0..255) is set.
func (h Hash) Bit(k int) bool { return h[31-k/8]>>(k%8)&1 == 1 }

// setBit sets bit k (0..255).
func (h *Hash) setBit(k int) { h[31-k/8] |= 1 << (k % 8) }

// Distance is the Hamming distance between two hashes (0..256).
func Distance(a, b Hash) int {
	n := 0
	for i := 0; i < len(a); i += 8 {
		n += bits.OnesCount64(binary.BigEndian.Uint64(a[i:]) ^ binary.BigEndian.Uint64(b[i:]))
	}
	return n
}

// MarshalText encodes the hash as Hex, so JSON and YAML carry it as the
// reference's 64-digit string.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.Hex()), nil }

// UnmarshalText parses the form MarshalText writes.
func (h *Hash) UnmarshalText(text []byte) error {
	v, err := ParseHex(string(text))
	if err != nil {
		return err
	}
	*h = v
	return nil
}
