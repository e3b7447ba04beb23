package imagefp

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
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
//	order (n = 8)
//	if flags bit 2 (only with bit 1): the parts: byte m, then m windows,
//	byte r, then r regions, each as a byte area (the share of the image,
//	times 255, rounded, 1..255) and a 32-byte PDQ hash
//
// The PDQ part and the parts are extension flags, not new versions: data
// without them still decodes, so works registered before PDQ keep matching
// by pHash. Data written before the parts flag stored a work's windows
// after its 8 dihedral hashes (n = 8 + windows, without areas): it still
// decodes, with the areas of the windows then hashed (the centre of the
// work cut by 5, 10 and 20 % per side), and re-encodes in this layout.
const (
	flagSHA256   = 1 << 0
	flagPDQ      = 1 << 1
	flagParts    = 1 << 2
	maxParts     = 32 // windows, and regions, per image
	maxFormatLen = 32
	maxDimension = 1<<31 - 1
)

// legacyWindowAreas are the areas of the windows stored before the parts
// flag, in their order: the centre cut by 5, 10 and 20 % per side.
var legacyWindowAreas = [...]float64{0.9 * 0.9, 0.8 * 0.8, 0.6 * 0.6}

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
		if len(h.PDQWindows)+len(h.PDQRegions) > 0 {
			buf[9] |= flagParts
			buf = appendParts(buf, h.PDQWindows)
			buf = appendParts(buf, h.PDQRegions)
		}
	}
	return buf
}

// appendParts appends a count and the first maxParts parts.
func appendParts(buf []byte, ps []Part) []byte {
	ps = ps[:min(len(ps), maxParts)]
	buf = append(buf, byte(len(ps)))
	for _, p := range ps {
		buf = append(buf, byte(min(255, max(1, math.Round(p.Area*255)))))
		buf = append(buf, p.Hash[:]...)
	}
	return buf
}

// pdqHashes returns the whole-image PDQ hashes to store: the dihedral
// variants when computed, else the plain hash, else none.
func (h Hashes) pdqHashes() []pdq.Hash {
	switch {
	case h.PDQDihedral != nil:
		return h.PDQDihedral[:]
	case h.PDQ != (pdq.Hash{}) || len(h.PDQWindows)+len(h.PDQRegions) > 0:
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
	if flags&^(flagSHA256|flagPDQ|flagParts) != 0 || flags&flagParts != 0 && flags&flagPDQ == 0 {
		return Hashes{}, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, flags)
	}
	if flags&flagSHA256 != 0 {
		h.SHA256 = hex.EncodeToString(r.next(32))
	}
	h.Width = int(r.uvarint(maxDimension))
	h.Height = int(r.uvarint(maxDimension))
	h.Format = string(r.next(int(r.uvarint(maxFormatLen))))
	if flags&flagPDQ != 0 {
		readPDQ(&r, &h, flags&flagParts != 0)
	}
	if r.err == nil && len(r.buf) > 0 {
		r.fail("%d trailing bytes", len(r.buf))
	}
	if r.err != nil {
		return Hashes{}, r.err
	}
	return h, nil
}

// readPDQ reads the PDQ extension: quality, count (1 or 8; before the
// parts flag, 8 + windows), hashes, and the parts when flagged.
func readPDQ(r *reader, h *Hashes, parts bool) {
	h.PDQQuality = int(r.next(1)[0])
	n := int(r.next(1)[0])
	legacy := !parts && n > pdq.NumTransforms && n <= pdq.NumTransforms+maxParts
	if r.err == nil && (n != 1 && n != pdq.NumTransforms && !legacy || h.PDQQuality > 100) {
		r.fail("bad pdq extension: %d hashes, quality %d", n, h.PDQQuality)
		return
	}
	for i := range n {
		var x pdq.Hash
		copy(x[:], r.next(32))
		switch {
		case n == 1:
			h.PDQ = x
		case i < pdq.NumTransforms:
			if h.PDQDihedral == nil {
				h.PDQDihedral = new([pdq.NumTransforms]pdq.Hash)
			}
			h.PDQDihedral[i] = x
		default:
			w := Part{Hash: x}
			if j := i - pdq.NumTransforms; j < len(legacyWindowAreas) {
				w.Area = legacyWindowAreas[j]
			}
			h.PDQWindows = append(h.PDQWindows, w)
		}
	}
	if h.PDQDihedral != nil {
		h.PDQ = h.PDQDihedral[pdq.None]
	}
	if parts {
		h.PDQWindows = readParts(r)
		h.PDQRegions = readParts(r)
		if r.err == nil && len(h.PDQWindows)+len(h.PDQRegions) == 0 {
			r.fail("empty parts extension")
		}
	}
}

// readParts reads a count and that many parts.
func readParts(r *reader) []Part {
	n := int(r.next(1)[0])
	if r.err != nil || n > maxParts {
		r.fail("bad parts count %d", n)
		return nil
	}
	var ps []Part
	for range n {
		a := r.next(1)[0]
		var p Part
		copy(p.Hash[:], r.next(32))
		if r.err == nil && a == 0 {
			r.fail("part of zero area")
		}
		p.Area = float64(a) / 255
		ps = append(ps, p)
	}
	if r.err != nil {
		return nil
	}
	return ps
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
