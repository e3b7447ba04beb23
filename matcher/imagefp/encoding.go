package imagefp

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/attrib/attrib/matcher/pdq"
)

// Algorithm names the fingerprints made here in store.Fingerprint.Algorithm;
// store.Fingerprint.Version is Version and Data is Encode's output.
const Algorithm = "image-phash"

// Errors returned by Decode; test with errors.Is.
var (
	// ErrEncodingVersion: the data was written by another fingerprint
	// version; recompute it from the image.
	ErrEncodingVersion = errors.New("unknown fingerprint encoding version")
	// ErrCorrupt: the data is truncated, too long or malformed.
	ErrCorrupt = errors.New("corrupt fingerprint encoding")
)

// Layout of Encode's output, version 1:
//
//	byte     Version
//	8 bytes  PHash, big-endian
//	byte     flags: bit 0 = a 32-byte SHA-256 follows
//	32 bytes SHA-256 (raw), if flagged
//	uvarint  Width
//	uvarint  Height
//	uvarint  len(Format), then Format's bytes
//	if flags bit 1: byte PDQ quality, byte n, then n 32-byte PDQ hashes:
//	the image's alone (n = 1), or its 8 dihedral variants in pdq.Transform
//	order followed by its window hashes (n = 8 + windows)
//
// The PDQ part is an extension flag, not a new version: data without it
// still decodes, so works registered before PDQ keep matching by pHash.
const (
	flagSHA256   = 1 << 0
	flagPDQ      = 1 << 1
	maxWindows   = 16 // window hashes stored after the dihedral ones
	maxFormatLen = 32
	maxDimension = 1<<31 - 1
)

// PHashHex returns h.PHash as 16 lowercase hex digits.
func (h Hashes) PHashHex() string {
	return fmt.Sprintf("%016x", h.PHash)
}

// ParsePHash parses 16 hex digits (either case), as PHashHex writes them.
func ParsePHash(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("invalid phash %q: want 16 hex digits", s)
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid phash %q: %w", s, err)
	}
	return v, nil
}

// Encode returns the compact, versioned binary form of h for the store
// (about 50 bytes). SHA256 is kept as 32 raw bytes when it is 64 hex
// digits, as Compute makes it, and dropped otherwise; negative sizes are
// written as 0.
func Encode(h Hashes) []byte {
	buf := make([]byte, 0, 1+8+1+32+2*binary.MaxVarintLen32+1+len(h.Format))
	buf = append(buf, Version)
	buf = binary.BigEndian.AppendUint64(buf, h.PHash)
	sum, err := hex.DecodeString(h.SHA256)
	if err == nil && len(sum) == 32 {
		buf = append(buf, flagSHA256)
		buf = append(buf, sum...)
	} else {
		buf = append(buf, 0)
	}
	buf = binary.AppendUvarint(buf, uint64(max(h.Width, 0)))
	buf = binary.AppendUvarint(buf, uint64(max(h.Height, 0)))
	buf = binary.AppendUvarint(buf, uint64(len(h.Format)))
	buf = append(buf, h.Format...)
	if hs := h.pdqHashes(); len(hs) > 0 {
		buf[9] |= flagPDQ
		buf = append(buf, byte(min(max(h.PDQQuality, 0), 100)), byte(len(hs)))
		for _, x := range hs {
			buf = append(buf, x[:]...)
		}
	}
	return buf
}

// pdqHashes returns the PDQ hashes to store: the dihedral variants when
// computed, else the plain hash, else none.
func (h Hashes) pdqHashes() []pdq.Hash {
	switch {
	case h.PDQDihedral != nil:
		return append(h.PDQDihedral[:], h.PDQWindows...)
	case h.PDQ != (pdq.Hash{}):
		return []pdq.Hash{h.PDQ}
	}
	return nil
}

// Decode parses Encode's output. Data from another version fails with
// ErrEncodingVersion, anything malformed with ErrCorrupt.
func Decode(data []byte) (Hashes, error) {
	if len(data) == 0 {
		return Hashes{}, fmt.Errorf("%w: empty", ErrCorrupt)
	}
	if data[0] != Version {
		return Hashes{}, fmt.Errorf("%w: got %d, this build reads %d", ErrEncodingVersion, data[0], Version)
	}
	r := reader{buf: data[1:]}
	var h Hashes
	h.PHash = binary.BigEndian.Uint64(r.next(8))
	flags := r.next(1)[0]
	if flags&^(flagSHA256|flagPDQ) != 0 {
		return Hashes{}, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, flags)
	}
	if flags&flagSHA256 != 0 {
		h.SHA256 = hex.EncodeToString(r.next(32))
	}
	h.Width = int(r.uvarint(maxDimension))
	h.Height = int(r.uvarint(maxDimension))
	h.Format = string(r.next(int(r.uvarint(maxFormatLen))))
	if flags&flagPDQ != 0 {
		readPDQ(&r, &h)
	}
	if r.err == nil && len(r.buf) > 0 {
		r.fail("%d trailing bytes", len(r.buf))
	}
	if r.err != nil {
		return Hashes{}, r.err
	}
	return h, nil
}

// readPDQ reads the PDQ extension: quality, count (1 or 8), hashes.
func readPDQ(r *reader, h *Hashes) {
	h.PDQQuality = int(r.next(1)[0])
	n := int(r.next(1)[0])
	if r.err == nil && (n != 1 && (n < pdq.NumTransforms || n > pdq.NumTransforms+maxWindows) || h.PDQQuality > 100) {
		r.fail("bad pdq extension: %d hashes, quality %d", n, h.PDQQuality)
		return
	}
	for i := range n {
		copy(h.PDQ[:], r.next(32))
		switch {
		case n == 1:
		case i < pdq.NumTransforms:
			if h.PDQDihedral == nil {
				h.PDQDihedral = new([pdq.NumTransforms]pdq.Hash)
			}
			h.PDQDihedral[i] = h.PDQ
		default:
			h.PDQWindows = append(h.PDQWindows, h.PDQ)
		}
	}
	if h.PDQDihedral != nil {
		h.PDQ = h.PDQDihedral[pdq.None]
	}
}

// reader consumes a byte slice; after the first error it returns zeros
// and keeps that error.
type reader struct {
	buf []byte
	err error
}

// next returns the next n bytes, or n zero bytes once data ran out.
func (r *reader) next(n int) []byte {
	if r.err != nil || len(r.buf) < n {
		r.fail("truncated")
		return make([]byte, n)
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}

// uvarint reads a minimally encoded unsigned varint no greater than
// limit; minimal encoding keeps one byte string per fingerprint.
func (r *reader) uvarint(limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf)
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) {
		r.fail("bad varint")
		return 0
	}
	r.buf = r.buf[n:]
	if v > limit {
		r.fail("value %d exceeds %d", v, limit)
		return 0
	}
	return v
}

// fail records the first error.
func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
}
