package jpegscale

import "encoding/binary"

// decodeBlock decodes the coefficients zig..zigEnd of one block (section
// F.2.2; zig 0 is the DC coefficient, predicted from *dcPred), storing
// those up to limit. It is the decoder's hot loop, so the bit buffer lives
// in locals, written back to d.bits around the rare calls that use it, and
// refill's fast path is inlined. Bit i of *nonZero is set for each AC
// coefficient (zig-zag index i) it stores (unless it fails). It behaves as image/jpeg's DC decoding
// followed by its AC loop, EOB runs included.
func (d *decoder) decodeBlock(b *block, nonZero *uint64, dcH *huffman, dcPred *int32, acH *huffman, zig, zigEnd int32, al uint32, limit int32) error {
	if zig != 0 && d.eobRun > 0 {
		d.eobRun--
		return nil
	}
	acc, n, nz := d.bits.a, d.bits.n, *nonZero
	for ; zig <= zigEnd; zig++ {
		if n < 2*maxCodeLength { // room for a code and its extra bits
			if p := d.pos; p+8 <= len(d.data) {
				if w := binary.BigEndian.Uint64(d.data[p:]); !hasFF(w) {
					k := (63 - n) >> 3 // whole bytes that fit
					acc |= (w &^ (^uint64(0) >> (8 * k))) >> n
					n += 8 * k
					d.pos = p + int(k)
					goto filled
				}
			}
			d.bits.a, d.bits.n = acc, n
			d.refill()
			acc, n = d.bits.a, d.bits.n
		}
	filled:
		if zig == 0 {
			// The DC coefficient, as specified in section F.2.2.1.
			var value uint8
			if v := dcH.fast[acc>>(64-fastBits)]; v != 0 && int32(v&0xff) <= n {
				acc <<= v & 0xff & 63
				n -= int32(v & 0xff)
				value = uint8(v >> 8)
			} else {
				d.bits.a, d.bits.n = acc, n
				var err error
				if value, err = d.decodeHuffmanSlow(dcH); err != nil {
					return err
				}
				acc, n = d.bits.a, d.bits.n
			}
			if value > 16 {
				return UnsupportedError("excessive DC component")
			}
			if value != 0 {
				if n < int32(value) {
					d.bits.a, d.bits.n = acc, n
					return d.segmentEnd()
				}
				*dcPred += extend(int32(acc>>(64-value)), int32(value))
				acc <<= value & 63
				n -= int32(value)
			}
			b[0] = *dcPred << al
			if zigEnd > 0 && d.eobRun > 0 {
				d.eobRun--
				break
			}
			continue
		}
		if f := acH.fastAC[acc>>(64-fastBits)]; f != 0 && f&0xff <= n && zig+(f>>8&0x0f) <= zigEnd {
			// A short code and its extra bits, in one look-up.
			acc <<= uint32(f) & 0xff & 63
			n -= f & 0xff
			zig += f >> 8 & 0x0f
			if zig <= limit {
				b[unzig[zig&63]&63] = f >> 16 << al
				nz |= 1 << (zig & 63)
			}
			continue
		}
		var value uint8
		if v := acH.fast[acc>>(64-fastBits)]; v != 0 && int32(v&0xff) <= n {
			acc <<= v & 0xff & 63
			n -= int32(v & 0xff)
			value = uint8(v >> 8)
		} else {
			d.bits.a, d.bits.n = acc, n
			var err error
			if value, err = d.decodeHuffmanSlow(acH); err != nil {
				return err
			}
			acc, n = d.bits.a, d.bits.n
		}
		val0 := value >> 4
		val1 := value & 0x0f
		if val1 != 0 {
			zig += int32(val0)
			if zig > zigEnd {
				break
			}
			// RECEIVE and EXTEND (section F.2.2.1) of val1 bits.
			if n < int32(val1) {
				d.bits.a, d.bits.n = acc, n
				return d.segmentEnd()
			}
			ac := extend(int32(acc>>(64-val1)), int32(val1))
			acc <<= val1 & 63
			n -= int32(val1)
			if zig <= limit {
				b[unzig[zig&63]&63] = ac << al
				nz |= 1 << (zig & 63)
			}
			continue
		}
		if val0 != 0x0f {
			// An end-of-band run (section G.1.2.2), in this block and
			// the next eobRun ones.
			d.bits.a, d.bits.n = acc, n
			d.eobRun = uint16(1 << val0)
			if val0 != 0 {
				extra, err := d.decodeBits(int32(val0))
				if err != nil {
					return err
				}
				d.eobRun |= uint16(extra)
			}
			d.eobRun--
			*nonZero = nz
			return nil
		}
		zig += 0x0f
	}
	d.bits.a, d.bits.n = acc, n
	*nonZero = nz
	return nil
}
