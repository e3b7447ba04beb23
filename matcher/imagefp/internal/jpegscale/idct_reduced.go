package jpegscale

// Reduced inverse DCTs: a block reconstructed at 4×4 or 2×2 pixels, each
// the mean of the 2×2 or 4×4 pixels of the full 8×8 reconstruction it
// stands for (before rounding and clipping), computed from the
// coefficients directly, as libjpeg 6b's jidctred.c does.
//
// With F(u, v) the dequantized coefficients and C(0) = 1/√2, C(k) = 1, the
// JPEG IDCT is separable: f(x, y) = Σu Σv F(u, v) · b(u, x) · b(v, y) with
// b(u, x) = C(u)/2 · cos((2x+1)uπ/16). The mean over a run of pixels is
// then Σu Σv F(u, v) · m(u, i) · m(v, j), with m(u, i) the mean of b(u, ·)
// over run i:
//
//   - runs of 4 (1/4 scale): m(u, 0) = C(u)/2 · k(u) and m(u, 1) = (-1)^u
//     m(u, 0), where k(u) = ¼ Σx<4 cos((2x+1)uπ/16) is 0 for even u > 0:
//     only the coefficients 0, 1, 3, 5 and 7 of each row and column count;
//   - runs of 2 (1/2 scale): m(u, i) = C(u)/2 · cos((2i+1)uπ/8) · cos(uπ/16),
//     and since cos((2i+1)(8-u)π/8) = -cos((2i+1)uπ/8), the 8 coefficients
//     of a row fold into 4, G(u) = F(u)·cos(uπ/16) - F(8-u)·cos((8-u)π/16),
//     on which a 4-point IDCT (cos((2i+1)uπ/8)) runs.
//
// Constants are fixed point, scaled by 1<<fixBits.
const (
	fixBits     = 15
	fixInvSqrt2 = 23170 // 1/√2
	fixCos1_8   = 30274 // cos(π/8)
	fixCos3_8   = 12540 // cos(3π/8)
)

// fixCos16 holds cos(uπ/16) for u = 0..7.
var fixCos16 = [8]int64{32768, 32138, 30274, 27246, 23170, 18205, 12540, 6393}

// fixRun4 holds k(u) = ¼ Σx<4 cos((2x+1)uπ/16) for odd u (index u/2).
var fixRun4 = [4]int64{20995, -7373, 4926, -4176}

// dequant returns the dequantized coefficient at natural index i; qn is
// the quantization table in natural order.
func dequant(b, qn *block, i int) int64 {
	return int64(b[i&63] * qn[i&63])
}

// rowZigs[v] has bit i set when zig-zag index i lies in row v of a block
// (TestRowZigs checks it against unzig).
var rowZigs = [8]uint64{
	0x000000001800c063,
	0x0000040024012094,
	0x00000a0042021108,
	0x0020110081040a00,
	0x0050208100880400,
	0x1088404200500000,
	0x2904802400200000,
	0xc603001800000000,
}

// idct4x4 writes the 4×4 reconstruction of b (quantized, natural order)
// to dst; nonZero (AC coefficients that may not be zero, by zig-zag index)
// lets it skip rows that are zero.
func idct4x4(b, qn *block, nonZero uint64, dst []byte, stride int) {
	// Rows (v != 4: folded away with the columns): fold u, then the
	// 4-point transform. ws[v][i] is S·r, S = 1<<fixBits.
	var ws [8][4]int64
	for v := range 8 {
		if v == 4 || (v > 0 && nonZero&rowZigs[v] == 0) {
			continue
		}
		var g [4]int64
		g[0] = dequant(b, qn, 8*v) << fixBits
		for u := 1; u < 4; u++ {
			g[u] = fixCos16[u]*dequant(b, qn, 8*v+u) - fixCos16[8-u]*dequant(b, qn, 8*v+8-u)
		}
		o0, o1, o2, o3 := idct4(g[0], g[1], g[2], g[3])
		ws[v] = [4]int64{o0 >> (fixBits + 1), o1 >> (fixBits + 1), o2 >> (fixBits + 1), o3 >> (fixBits + 1)}
	}
	// Columns: fold v, then the transform; outputs are 2·S³·f.
	const shift = 3*fixBits + 1
	for i := range 4 {
		g0 := ws[0][i] << fixBits
		g1 := fixCos16[1]*ws[1][i] - fixCos16[7]*ws[7][i]
		g2 := fixCos16[2]*ws[2][i] - fixCos16[6]*ws[6][i]
		g3 := fixCos16[3]*ws[3][i] - fixCos16[5]*ws[5][i]
		o0, o1, o2, o3 := idct4(g0, g1, g2, g3)
		dst[0*stride+i] = clampPixel64((o0 + 1<<(shift-1)) >> shift)
		dst[1*stride+i] = clampPixel64((o1 + 1<<(shift-1)) >> shift)
		dst[2*stride+i] = clampPixel64((o2 + 1<<(shift-1)) >> shift)
		dst[3*stride+i] = clampPixel64((o3 + 1<<(shift-1)) >> shift)
	}
}

// idct4 is 2·S times the 4-point transform ½·(C(0)·F0 + Σk Fk·cos((2i+1)kπ/8)).
func idct4(f0, f1, f2, f3 int64) (g0, g1, g2, g3 int64) {
	even0 := fixInvSqrt2 * (f0 + f2)
	even1 := fixInvSqrt2 * (f0 - f2)
	odd0 := fixCos1_8*f1 + fixCos3_8*f3
	odd1 := fixCos3_8*f1 - fixCos1_8*f3
	return even0 + odd0, even1 + odd1, even1 - odd1, even0 - odd0
}

// idct2x2 writes the 2×2 reconstruction of b to dst.
func idct2x2(b, qn *block, dst []byte, stride int) {
	// Rows v = 0, 1, 3, 5, 7 (index (v+1)/2): r[.][i] = E ± O, 2·S·r.
	var r [5][2]int64
	for k, v := range [5]int{0, 1, 3, 5, 7} {
		e := fixInvSqrt2 * dequant(b, qn, 8*v)
		o := fixRun4[0]*dequant(b, qn, 8*v+1) + fixRun4[1]*dequant(b, qn, 8*v+3) +
			fixRun4[2]*dequant(b, qn, 8*v+5) + fixRun4[3]*dequant(b, qn, 8*v+7)
		r[k] = [2]int64{e + o, e - o}
	}
	// Columns: outputs are 4·S²·f.
	const shift = 2*fixBits + 2
	for i := range 2 {
		e := fixInvSqrt2 * r[0][i]
		o := fixRun4[0]*r[1][i] + fixRun4[1]*r[2][i] + fixRun4[2]*r[3][i] + fixRun4[3]*r[4][i]
		dst[i] = clampPixel64((e + o + 1<<(shift-1)) >> shift)
		dst[stride+i] = clampPixel64((e - o + 1<<(shift-1)) >> shift)
	}
}

// clampPixel64 is clampPixel for 64-bit intermediates.
func clampPixel64(c int64) uint8 {
	c += 128
	if c < 0 {
		return 0
	}
	if c > 255 {
		return 255
	}
	return uint8(c)
}
