// Copyright 2012 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Forked from Go 1.26.8 src/image/jpeg/scan.go. Changes: scans that cannot
// change the output are skipped (skipScan), coefficients past d.maxZig are
// decoded but not stored, components the output does not need are decoded
// but not reconstructed, and blocks are reconstructed at d.scale.

package jpegscale

import "math/bits"

// Specified in section B.2.3.
func (d *decoder) processSOS(n int) error {
	if d.nComp == 0 {
		return FormatError("missing SOF marker")
	}
	if n < 6 || 4+2*d.nComp < n || n%2 != 0 {
		return FormatError("SOS has wrong length")
	}
	if err := d.readFull(d.tmp[:n]); err != nil {
		return err
	}
	nComp := int(d.tmp[0])
	if n != 4+2*nComp {
		return FormatError("SOS length inconsistent with number of components")
	}
	var scan [maxComponents]scanComp
	totalHV := 0
	for i := 0; i < nComp; i++ {
		cs := d.tmp[1+2*i] // Component selector.
		compIndex := -1
		for j, comp := range d.comp[:d.nComp] {
			if cs == comp.c {
				compIndex = j
			}
		}
		if compIndex < 0 {
			return FormatError("unknown component selector")
		}
		scan[i].compIndex = uint8(compIndex)
		// Section B.2.3 states that "the value of Cs_j shall be different from
		// the values of Cs_1 through Cs_(j-1)". Since we have previously
		// verified that a frame's component identifiers (C_i values in section
		// B.2.2) are unique, it suffices to check that the implicit indexes
		// into d.comp are unique.
		for j := 0; j < i; j++ {
			if scan[i].compIndex == scan[j].compIndex {
				return FormatError("repeated component selector")
			}
		}
		totalHV += d.comp[compIndex].h * d.comp[compIndex].v

		// The baseline t <= 1 restriction is specified in table B.3.
		scan[i].td = d.tmp[2+2*i] >> 4
		if t := scan[i].td; t > maxTh || (d.baseline && t > 1) {
			return FormatError("bad Td value")
		}
		scan[i].ta = d.tmp[2+2*i] & 0x0f
		if t := scan[i].ta; t > maxTh || (d.baseline && t > 1) {
			return FormatError("bad Ta value")
		}
	}
	// Section B.2.3 states that if there is more than one component then the
	// total H*V values in a scan must be <= 10.
	if d.nComp > 1 && totalHV > 10 {
		return FormatError("total sampling factors too large")
	}

	// zigStart and zigEnd are the spectral selection bounds.
	// ah and al are the successive approximation high and low values.
	// The spec calls these values Ss, Se, Ah and Al.
	// For sequential JPEGs, these parameters are hard-coded to 0/63/0/0, as
	// per table B.3.
	zigStart, zigEnd, ah, al := int32(0), int32(blockSize-1), uint32(0), uint32(0)
	if d.progressive {
		zigStart = int32(d.tmp[1+2*nComp])
		zigEnd = int32(d.tmp[2+2*nComp])
		ah = uint32(d.tmp[3+2*nComp] >> 4)
		al = uint32(d.tmp[3+2*nComp] & 0x0f)
		if (zigStart == 0 && zigEnd != 0) || zigStart > zigEnd || blockSize <= zigEnd {
			return FormatError("bad spectral selection bounds")
		}
		if zigStart != 0 && nComp != 1 {
			return FormatError("progressive AC coefficients for more than one component")
		}
		if ah != 0 && ah != al+1 {
			return FormatError("bad successive approximation values")
		}
	}

	// mxx and myy are the number of MCUs (Minimum Coded Units) in the image.
	h0, v0 := d.comp[0].h, d.comp[0].v // The h and v values from the Y components.
	mxx := (d.width + 8*h0 - 1) / (8 * h0)
	myy := (d.height + 8*v0 - 1) / (8 * v0)
	if d.img1 == nil && d.img3 == nil {
		d.makeImg(mxx, myy)
	}
	needed := false
	for i := range nComp {
		keep := d.keeps(int(scan[i].compIndex))
		needed = needed || keep
		// An AC scan's coefficients are needed by later refinement scans
		// even when the output does not need the component.
		scan[i].store = keep || (d.progressive && zigStart > 0)
	}
	if !d.noSkip && (!needed || (d.progressive && d.scale == 8 && zigStart > 0)) {
		// Nothing this scan holds reaches the output: chroma when only
		// luminance is wanted, AC coefficients at 1/8 scale.
		d.skipScan()
		d.skipped++
		d.eobRun = 0 // as it is at the end of a well-formed scan
		return nil
	}
	if d.progressive {
		for i := 0; i < nComp; i++ {
			compIndex := scan[i].compIndex
			if scan[i].store && d.progCoeffs[compIndex] == nil {
				nBlocks := mxx * myy * d.comp[compIndex].h * d.comp[compIndex].v
				d.progCoeffs[compIndex] = make([]block, nBlocks)
				d.progNonZero[compIndex] = make([]uint64, nBlocks)
			}
		}
	}
	s := scanParams{zigStart: zigStart, zigEnd: zigEnd, ah: ah, al: al, mxx: mxx, myy: myy}
	return d.decodeScan(scan[:nComp], &s)
}

// scanComp is one component of a scan.
type scanComp struct {
	compIndex uint8
	td        uint8 // DC table selector.
	ta        uint8 // AC table selector.
	store     bool  // coefficients are kept: for the output or later scans
}

// scanParams are a scan's spectral selection, successive approximation
// and MCU grid.
type scanParams struct {
	zigStart, zigEnd int32
	ah, al           uint32
	mxx, myy         int
}

// keeps reports whether the output needs component i.
func (d *decoder) keeps(i int) bool {
	return !d.lumaOnly || i == 0
}

// skipScan moves past a scan's entropy-coded data without decoding it: to
// the next marker that is not a restart marker.
func (d *decoder) skipScan() {
	for p := d.pos; p+1 < len(d.data); p++ {
		if d.data[p] != 0xff {
			continue
		}
		if m := d.data[p+1]; m != 0x00 && m != 0xff && (m < rst0Marker || m > rst7Marker) {
			d.pos = p
			return
		}
	}
	d.pos = len(d.data)
}

// decodeScan decodes the entropy-coded data of a scan.
func (d *decoder) decodeScan(scan []scanComp, s *scanParams) error {
	nComp := len(scan)
	// Baseline blocks keep only the coefficients the output reads;
	// progressive ones keep all, as refinement scans need to know which
	// coefficients are not zero.
	limit := d.maxZig
	if d.progressive {
		limit = blockSize - 1
	}
	d.bits = bitBuffer{}
	mcu, expectedRST := 0, uint8(rst0Marker)
	var (
		// b is the decoded coefficients, in natural (not zig-zag) order.
		b block
		// nonZero is the mask of non-zero AC coefficients of b.
		nonZero uint64
		dc      [maxComponents]int32
		// bx and by are the location of the current block, in units of 8x8
		// blocks: the third block in the first row has (bx, by) = (2, 0).
		bx, by int
		// nx and ny are the next block of a non-interleaved scan.
		nx, ny int
	)
	for my := 0; my < s.myy; my++ {
		for mx := 0; mx < s.mxx; mx++ {
			for i := 0; i < nComp; i++ {
				compIndex := scan[i].compIndex
				hi := d.comp[compIndex].h
				vi := d.comp[compIndex].v
				store := scan[i].store
				keep := d.keeps(int(compIndex))
				for j, jx, jy := 0, 0, 0; j < hi*vi; j, jx = j+1, jx+1 {
					if jx == hi {
						jx, jy = 0, jy+1
					}
					// The blocks are traversed one MCU at a time. For 4:2:0 chroma
					// subsampling, there are four Y 8x8 blocks in every 16x16 MCU.
					// Non-interleaved scans are traversed left to right, top to
					// bottom, and hold no data for blocks outside the image at the
					// pixel level (see image/jpeg's scan.go for examples).
					if nComp != 1 {
						bx = hi*mx + jx
						by = vi*my + jy
					} else {
						bx, by = nx, ny
						if nx++; nx == s.mxx*hi {
							nx, ny = 0, ny+1
						}
						if bx*8 >= d.width || by*8 >= d.height {
							continue
						}
					}

					// Load the previous partially decoded coefficients, if applicable.
					pb, pnz := &b, &nonZero // baseline, or decoded and dropped
					switch {
					case d.progressive && store:
						k := by*s.mxx*hi + bx
						pb, pnz = &d.progCoeffs[compIndex][k], &d.progNonZero[compIndex][k]
					case d.scale == 1:
						b = block{} // image/jpeg's IDCT works in place
					}

					if s.ah != 0 {
						if err := d.refine(pb, pnz, &d.huff[acTable][scan[i].ta], s.zigStart, s.zigEnd, 1<<s.al); err != nil {
							return err
						}
					} else {
						dcH, acH := &d.huff[dcTable][scan[i].td], &d.huff[acTable][scan[i].ta]
						if err := d.decodeBlock(pb, pnz, dcH, &dc[compIndex], acH, s.zigStart, s.zigEnd, s.al, limit); err != nil {
							return err
						}
					}

					if d.progressive {
						// Progressive images are reconstructed after their last
						// scan (reconstructProgressiveImage).
						continue
					}
					if keep {
						if err := d.reconstructBlock(pb, nonZero, bx, by, int(compIndex)); err != nil {
							return err
						}
					}
					if d.scale != 1 {
						// Zero the few coefficients stored, for the next block.
						b[0] = 0
						for m := nonZero; m != 0; m &= m - 1 {
							b[unzig[bits.TrailingZeros64(m)]&63] = 0
						}
					}
					nonZero = 0
				} // for j
			} // for i
			mcu++
			if d.ri > 0 && mcu%d.ri == 0 && mcu < s.mxx*s.myy {
				if err := d.restart(expectedRST); err != nil {
					return err
				}
				expectedRST++
				if expectedRST == rst7Marker+1 {
					expectedRST = rst0Marker
				}
				// Reset the DC components, as per section F.2.1.3.1.
				dc = [maxComponents]int32{}
			}
		} // for mx
	} // for my

	return nil
}

// restart moves past the restart marker that ends a restart interval and
// resets the decoder's state, as per sections F.2.1.3.1 and G.1.2.2.
func (d *decoder) restart(expectedRST uint8) error {
	// For well-formed input, the RST[0-7] restart marker follows
	// immediately. For corrupt input, call findRST to try to
	// resynchronize.
	if err := d.readFull(d.tmp[:2]); err != nil {
		return err
	} else if d.tmp[0] != 0xff || d.tmp[1] != expectedRST {
		if err := d.findRST(expectedRST); err != nil {
			return err
		}
	}
	// Reset the Huffman decoder.
	d.bits = bitBuffer{}
	// Reset the progressive decoder state, as per section G.1.2.2.
	d.eobRun = 0
	return nil
}

// findRST advances past the next RST restart marker that matches expectedRST.
// Other than I/O errors, it is also an error if we encounter an {0xFF, M}
// two-byte marker sequence where M is not 0x00, 0xFF or the expectedRST.
//
// This is similar to libjpeg's jdmarker.c's next_marker function.
// https://github.com/libjpeg-turbo/libjpeg-turbo/blob/2dfe6c0fe9e18671105e94f7cbf044d4a1d157e6/jdmarker.c#L892-L935
//
// Precondition: d.tmp[:2] holds the next two bytes of JPEG-encoded input
// (input in the d.readFull sense).
func (d *decoder) findRST(expectedRST uint8) error {
	for {
		// i is the index such that, at the bottom of the loop, we read 2-i
		// bytes into d.tmp[i:2], maintaining the invariant that d.tmp[:2]
		// holds the next two bytes of JPEG-encoded input. It is either 0 or 1,
		// so that each iteration advances by 1 or 2 bytes (or returns).
		i := 0

		if d.tmp[0] == 0xff {
			if d.tmp[1] == expectedRST {
				return nil
			} else if d.tmp[1] == 0xff {
				i = 1
			} else if d.tmp[1] != 0x00 {
				// Any marker that's not 0x00, 0xff or expectedRST is a fatal
				// FormatError, as in image/jpeg.
				return FormatError("bad RST marker")
			}

		} else if d.tmp[1] == 0xff {
			d.tmp[0] = 0xff
			i = 1
		}

		if err := d.readFull(d.tmp[i:2]); err != nil {
			return err
		}
	}
}
