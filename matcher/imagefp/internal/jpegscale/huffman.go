// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Forked from Go 1.26.8 src/image/jpeg/huffman.go. The bit buffer is 64
// bits wide and refilled from the byte slice up to 8 bytes at a time, and
// well-formed tables are decoded through a 9-bit look-up table. Tables that
// over-subscribe the code space (hostile input) keep image/jpeg's 8-bit
// table and bit-by-bit path exactly, so both decoders agree on every input.

package jpegscale

import (
	"encoding/binary"
)

// maxCodeLength is the maximum (inclusive) number of bits in a Huffman code.
const maxCodeLength = 16

// maxNCodes is the maximum (inclusive) number of codes in a Huffman tree.
const maxNCodes = 256

// lutSize is the log-2 size of image/jpeg's look-up table, kept for tables
// that over-subscribe the code space.
const lutSize = 8

// fastBits is the log-2 size of the look-up table of well-formed tables.
const fastBits = 9

// huffman is a Huffman decoder, specified in section C.
type huffman struct {
	// length is the number of codes in the tree.
	nCodes int32
	// overfull is set when the code lengths over-subscribe the code space;
	// such a table is decoded exactly as image/jpeg decodes it.
	overfull bool
	// fast is the look-up table for the next fastBits bits of a well-formed
	// table: the encoded value in the high 8 bits, the code length in the
	// low 8, or 0 for codes longer than fastBits (or no code).
	fast [1 << fastBits]uint16
	// fastAC, for AC tables, decodes a code and its extra bits at once
	// when both fit in the next fastBits bits: the extended coefficient in
	// the high 16 bits, the run of zeros in bits 8-11 and the number of
	// bits used in the low 8; 0 when they do not fit.
	fastAC [1 << fastBits]int32
	// lut is image/jpeg's look-up table for the next lutSize bits in the
	// bit-stream. The high 8 bits of the uint16 are the encoded value. The
	// low 8 bits are 1 plus the code length, or 0 if the value is too large
	// to fit in lutSize bits.
	lut [1 << lutSize]uint16
	// vals are the decoded values, sorted by their encoding.
	vals [maxNCodes]uint8
	// minCodes[i] is the minimum code of length i, or -1 if there are no
	// codes of that length.
	minCodes [maxCodeLength]int32
	// maxCodes[i] is the maximum code of length i, or -1 if there are no
	// codes of that length.
	maxCodes [maxCodeLength]int32
	// valsIndices[i] is the index into vals of minCodes[i].
	valsIndices [maxCodeLength]int32
}

// errShortHuffmanData means that an unexpected EOF occurred while decoding
// Huffman data.
var errShortHuffmanData = FormatError("short Huffman data")

// errMissingFF00 means that the entropy-coded data ended (at a marker)
// before the decoder had the bits it needed.
var errMissingFF00 = FormatError("missing 0xff00 sequence")

// hasFF reports whether any byte of w is 0xff.
func hasFF(w uint64) bool {
	v := ^w
	return (v-0x0101010101010101)&^v&0x8080808080808080 != 0
}

// refill tops d.bits up to at least 57 bits, or as many as the
// entropy-coded segment still holds: it stops before a marker (0xff not
// followed by 0x00) and at the end of the data, leaving the bits below the
// buffered ones zero, as libjpeg does.
func (d *decoder) refill() {
	if d.pos+8 <= len(d.data) {
		w := binary.BigEndian.Uint64(d.data[d.pos:])
		if !hasFF(w) {
			k := (63 - d.bits.n) >> 3 // whole bytes that fit
			d.bits.a |= (w &^ (^uint64(0) >> (8 * k))) >> d.bits.n
			d.bits.n += 8 * k
			d.pos += int(k)
			return
		}
	}
	for d.bits.n <= 56 {
		if d.pos >= len(d.data) {
			return
		}
		c := d.data[d.pos]
		if c == 0xff {
			if d.pos+1 >= len(d.data) || d.data[d.pos+1] != 0x00 {
				return // a marker: the segment ends here
			}
			d.pos += 2
		} else {
			d.pos++
		}
		d.bits.a |= uint64(c) << (56 - d.bits.n)
		d.bits.n += 8
	}
}

// consume drops the next n buffered bits; the caller checks n <= d.bits.n.
func (d *decoder) consume(n int32) {
	d.bits.a <<= uint(n)
	d.bits.n -= n
}

// segmentEnd is the error for a decoder that needs more bits than the
// segment has.
func (d *decoder) segmentEnd() error {
	if d.pos >= len(d.data) {
		return errShortHuffmanData
	}
	return errMissingFF00
}

// receiveExtend is the composition of RECEIVE and EXTEND, specified in section
// F.2.2.1.
func (d *decoder) receiveExtend(t uint8) (int32, error) {
	if t == 0 {
		return 0, nil
	}
	if d.bits.n < int32(t) {
		d.refill()
		if d.bits.n < int32(t) {
			return 0, d.segmentEnd()
		}
	}
	x := int32(d.bits.a >> (64 - uint(t)))
	d.consume(int32(t))
	if x < 1<<(t-1) {
		x += ((-1) << t) + 1
	}
	return x, nil
}

// processDHT processes a Define Huffman Table marker, and initializes a huffman
// struct from its contents. Specified in section B.2.4.2.
func (d *decoder) processDHT(n int) error {
	for n > 0 {
		if n < 17 {
			return FormatError("DHT has wrong length")
		}
		if err := d.readFull(d.tmp[:17]); err != nil {
			return err
		}
		tc := d.tmp[0] >> 4
		if tc > maxTc {
			return FormatError("bad Tc value")
		}
		th := d.tmp[0] & 0x0f
		// The baseline th <= 1 restriction is specified in table B.5.
		if th > maxTh || (d.baseline && th > 1) {
			return FormatError("bad Th value")
		}
		h := &d.huff[tc][th]

		// Read nCodes and h.vals (and derive h.nCodes).
		// nCodes[i] is the number of codes with code length i.
		// h.nCodes is the total number of codes.
		h.nCodes = 0
		var nCodes [maxCodeLength]int32
		for i := range nCodes {
			nCodes[i] = int32(d.tmp[i+1])
			h.nCodes += nCodes[i]
		}
		if h.nCodes == 0 {
			return FormatError("Huffman table has zero length")
		}
		if h.nCodes > maxNCodes {
			return FormatError("Huffman table has excessive length")
		}
		n -= int(h.nCodes) + 17
		if n < 0 {
			return FormatError("DHT has wrong length")
		}
		if err := d.readFull(h.vals[:h.nCodes]); err != nil {
			return err
		}
		h.build(&nCodes, tc == acTable)
	}
	return nil
}

// build derives the look-up tables and code ranges from the number of
// codes of each length.
func (h *huffman) build(nCodes *[maxCodeLength]int32, ac bool) {
	// Kraft's inequality: the codes fit in the code space.
	var space int64
	for i, n := range nCodes {
		space += int64(n) << (maxCodeLength - 1 - i)
	}
	h.overfull = space > 1<<maxCodeLength

	// image/jpeg's look-up table.
	clear(h.lut[:])
	var x, code uint32
	for i := uint32(0); i < lutSize; i++ {
		code <<= 1
		for j := int32(0); j < nCodes[i]; j++ {
			// The codeLength is 1+i, so shift code by 8-(1+i) to
			// calculate the high bits for every 8-bit sequence
			// whose codeLength's high bits matches code.
			// The high 8 bits of lutValue are the encoded value.
			// The low 8 bits are 1 plus the codeLength.
			base := uint8(code << (7 - i))
			lutValue := uint16(h.vals[x])<<8 | uint16(2+i)
			for k := uint8(0); k < 1<<(7-i); k++ {
				h.lut[base|k] = lutValue
			}
			code++
			x++
		}
	}

	// The wider table, for well-formed tables only: their codes are
	// prefix-free, so any correct decoder finds the same symbols.
	clear(h.fast[:])
	if !h.overfull {
		x, code = 0, 0
		for i := uint32(0); i < fastBits; i++ {
			code <<= 1
			for j := int32(0); j < nCodes[i]; j++ {
				base := code << (fastBits - 1 - i)
				v := uint16(h.vals[x])<<8 | uint16(1+i)
				for k := uint32(0); k < 1<<(fastBits-1-i); k++ {
					h.fast[base|k] = v
				}
				code++
				x++
			}
		}
	}

	clear(h.fastAC[:])
	if ac {
		h.buildFastAC()
	}

	// Derive minCodes, maxCodes, and valsIndices.
	var c, index int32
	for i, n := range nCodes {
		if n == 0 {
			h.minCodes[i] = -1
			h.maxCodes[i] = -1
			h.valsIndices[i] = -1
		} else {
			h.minCodes[i] = c
			h.maxCodes[i] = c + n - 1
			h.valsIndices[i] = index
			c += n
			index += n
		}
		c <<= 1
	}
}

// buildFastAC fills h.fastAC from h.fast.
func (h *huffman) buildFastAC() {
	for p, v := range h.fast {
		size, run := int32(v&0x0f00>>8), int32(v>>12)
		n := int32(v & 0xff)
		if v == 0 || size == 0 || n+size > fastBits {
			continue
		}
		x := int32(p>>(fastBits-n-size)) & (1<<size - 1)
		h.fastAC[p] = extend(x, size)<<16 | run<<8 | (n + size)
	}
}

// extend is EXTEND of section F.2.2.1: the value of the size-bit
// magnitude x, branch-free (the sign is unpredictable).
func extend(x, size int32) int32 {
	neg := (x - 1<<(size-1)) >> 31 // -1 when the top bit of x is 0
	return x + neg&((-1)<<size+1)
}

// decodeHuffman returns the next Huffman-coded value from the bit-stream,
// decoded according to h.
func (d *decoder) decodeHuffman(h *huffman) (uint8, error) {
	if d.bits.n < maxCodeLength {
		d.refill()
	}
	if v := h.fast[d.bits.a>>(64-fastBits)]; v != 0 {
		if n := int32(v & 0xff); n <= d.bits.n {
			d.consume(n)
			return uint8(v >> 8), nil
		}
	}
	return d.decodeHuffmanSlow(h)
}

// decodeHuffmanSlow is image/jpeg's decodeHuffman: its 8-bit table when 8
// bits are buffered, else (or on a miss) one bit at a time.
func (d *decoder) decodeHuffmanSlow(h *huffman) (uint8, error) {
	if h.nCodes == 0 {
		return 0, FormatError("uninitialized Huffman table")
	}
	if d.bits.n >= 8 {
		if v := h.lut[d.bits.a>>56]; v != 0 {
			d.consume(int32(v&0xff) - 1)
			return uint8(v >> 8), nil
		}
	}
	for i, code := 0, int32(0); i < maxCodeLength; i++ {
		if d.bits.n == 0 {
			d.refill()
			if d.bits.n == 0 {
				return 0, d.segmentEnd()
			}
		}
		code |= int32(d.bits.a >> 63)
		d.consume(1)
		if code <= h.maxCodes[i] {
			return h.vals[h.valsIndices[i]+code-h.minCodes[i]], nil
		}
		code <<= 1
	}
	return 0, FormatError("bad Huffman code")
}

func (d *decoder) decodeBit() (bool, error) {
	if d.bits.n == 0 {
		d.refill()
		if d.bits.n == 0 {
			return false, d.segmentEnd()
		}
	}
	ret := d.bits.a>>63 != 0
	d.consume(1)
	return ret, nil
}

func (d *decoder) decodeBits(n int32) (uint32, error) {
	if d.bits.n < n {
		d.refill()
		if d.bits.n < n {
			return 0, d.segmentEnd()
		}
	}
	ret := uint32(d.bits.a >> (64 - uint(n)))
	d.consume(n)
	return ret, nil
}
