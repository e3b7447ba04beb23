// Copyright 2012 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Forked from Go 1.26.8 src/image/jpeg/scan.go (refine, refineNonZeroes):
// the same decoding, with the bit buffer in locals and the one-bit reads
// inlined, as a progressive image's refinement scans read a bit for every
// non-zero coefficient of every block.

package jpegscale

import "math/bits"

// refine decodes a successive approximation refinement block, as specified in
// section G.1.2.
func (d *decoder) refine(b *block, nonZero *uint64, h *huffman, zigStart, zigEnd, delta int32) error {
	// Refining a DC component is trivial.
	if zigStart == 0 {
		if zigEnd != 0 {
			panic("unreachable")
		}
		bit, err := d.decodeBit()
		if err != nil {
			return err
		}
		if bit {
			b[0] |= delta
		}
		return nil
	}

	// Refining AC components is more complicated; see sections G.1.2.2 and G.1.2.3.
	zig := zigStart
	if d.eobRun == 0 {
		acc, n := d.bits.a, d.bits.n
	loop:
		for ; zig <= zigEnd; zig++ {
			z := int32(0)
			var value uint8
			if n < maxCodeLength {
				d.bits.a, d.bits.n = acc, n
				d.refill()
				acc, n = d.bits.a, d.bits.n
			}
			if v := h.fast[acc>>(64-fastBits)]; v != 0 && int32(v&0xff) <= n {
				acc <<= v & 0xff & 63
				n -= int32(v & 0xff)
				value = uint8(v >> 8)
			} else {
				d.bits.a, d.bits.n = acc, n
				var err error
				if value, err = d.decodeHuffmanSlow(h); err != nil {
					return err
				}
				acc, n = d.bits.a, d.bits.n
			}
			val0 := value >> 4
			val1 := value & 0x0f

			switch val1 {
			case 0:
				if val0 != 0x0f {
					d.bits.a, d.bits.n = acc, n
					d.eobRun = uint16(1 << val0)
					if val0 != 0 {
						extra, err := d.decodeBits(int32(val0))
						if err != nil {
							return err
						}
						d.eobRun |= uint16(extra)
					}
					acc, n = d.bits.a, d.bits.n
					break loop
				}
			case 1:
				z = delta
				if n == 0 {
					d.bits.a, d.bits.n = acc, n
					d.refill()
					if acc, n = d.bits.a, d.bits.n; n == 0 {
						return d.segmentEnd()
					}
				}
				if acc>>63 == 0 {
					z = -z
				}
				acc <<= 1
				n--
			default:
				d.bits.a, d.bits.n = acc, n
				return FormatError("unexpected Huffman code")
			}

			var err error
			zig, acc, n, err = d.refineNonZeroes(b, *nonZero, zig, zigEnd, int32(val0), delta, acc, n)
			if err != nil {
				return err
			}
			if zig > zigEnd {
				d.bits.a, d.bits.n = acc, n
				return FormatError("too many coefficients")
			}
			if z != 0 {
				b[unzig[zig&63]&63] = z
				*nonZero |= 1 << (zig & 63)
			}
		}
		d.bits.a, d.bits.n = acc, n
	}
	if d.eobRun > 0 {
		d.eobRun--
		_, acc, n, err := d.refineNonZeroes(b, *nonZero, zig, zigEnd, -1, delta, d.bits.a, d.bits.n)
		if err != nil {
			return err
		}
		d.bits.a, d.bits.n = acc, n
	}
	return nil
}

// refineNonZeroes refines non-zero entries of b in zig-zag order. If nz >= 0,
// the first nz zero entries are skipped over, and it stops at the next zero
// entry. nonZero is the mask of b's non-zero entries: it visits those only,
// instead of every entry as image/jpeg does, with the same result. acc and
// n are the bit buffer, returned updated.
func (d *decoder) refineNonZeroes(b *block, nonZero uint64, zig, zigEnd, nz, delta int32, acc uint64, n int32) (int32, uint64, int32, error) {
	if zig > zigEnd {
		return zig, acc, n, nil
	}
	band := ^uint64(0) << (zig & 63) & (^uint64(0) >> (63 - zigEnd&63))
	end := zigEnd + 1
	if nz >= 0 {
		zeros := ^nonZero & band
		for ; nz > 0 && zeros != 0; nz-- {
			zeros &= zeros - 1
		}
		if zeros != 0 {
			end = int32(bits.TrailingZeros64(zeros))
		}
	}
	for todo := nonZero & band & (1<<uint(end) - 1); todo != 0; todo &= todo - 1 {
		if n == 0 {
			d.bits.a, d.bits.n = acc, n
			d.refill()
			if acc, n = d.bits.a, d.bits.n; n == 0 {
				return 0, acc, n, d.segmentEnd()
			}
		}
		bit := int32(acc >> 63)
		acc <<= 1
		n--
		// b[u] moves away from zero by delta when the bit is set.
		u := unzig[bits.TrailingZeros64(todo)] & 63
		sign := b[u] >> 31
		b[u] += ((delta ^ sign) - sign) & -bit
	}
	return end, acc, n, nil
}
