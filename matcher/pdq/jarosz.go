package pdq

// jaroszPasses is the number of (rows, columns) box-filter pass pairs: two
// make a tent filter.
const jaroszPasses = 2

// windowSize is the reference's box-filter window for reducing an axis of
// n samples to out: half of n/out, rounded up, since two passes are made.
func windowSize(n, out int) int {
	return (n + 2*out - 1) / (2 * out)
}

// blurDecimate runs the reference's Jarosz passes over p (using tmp, of
// the same size, as scratch) and decimates the result to dst. The last
// pair of passes computes only the outputs decimation reads: the running
// sums are kept in full, so every value matches the reference's bit for
// bit, but most divisions and writes are skipped.
func blurDecimate(p lumaPlane, tmp []float32, dst *[64][64]float32) {
	rowWin := windowSize(p.w, 64)
	colWin := windowSize(p.h, 64)
	for range jaroszPasses - 1 {
		for i := range p.h {
			box1D(p.pix[i*p.w:(i+1)*p.w], tmp[i*p.w:(i+1)*p.w], rowWin)
		}
		boxColumns(tmp, p.pix, p.w, p.h, colWin, nil)
	}
	atCol, atRow := centres(p.w), centres(p.h)
	// Last row pass: for each row, only the 64 decimated columns, packed.
	packed := tmp[:64*p.h]
	for i := range p.h {
		box1DAt(p.pix[i*p.w:(i+1)*p.w], packed[i*64:(i+1)*64], rowWin, atCol)
	}
	// Last column pass: the 64 packed columns, only the decimated rows.
	out := make([]float32, 64*64)
	boxColumns(packed, out, 64, p.h, colWin, atRow)
	for i := range dst {
		copy(dst[i][:], out[i*64:(i+1)*64])
	}
}

// centres lists, for each of the 64 decimated samples, the position of an
// axis of n samples the reference reads: int((k+0.5)*n/64). The list is
// non-decreasing; it repeats positions when n < 64.
func centres(n int) []int {
	at := make([]int, 64)
	for k := range at {
		at[k] = int((float64(k) + 0.5) * float64(n) / 64)
	}
	return at
}

// box1D is the reference's running-sum box filter over one vector: the
// window of size win is centred on each output and shrinks at the edges.
// The float32 sums are accumulated in the reference's order so results
// match it bit for bit.
func box1D(in, out []float32, win int) {
	n := len(in)
	half := (win + 2) / 2
	var sum float32
	count, ri, li, oi := 0, 0, 0, 0
	for ; ri < half-1 && ri < n; ri++ {
		sum += in[ri]
		count++
	}
	for k := 0; k < win-half+1 && ri < n; k++ {
		sum += in[ri]
		count++
		out[oi] = sum / float32(count)
		ri, oi = ri+1, oi+1
	}
	if inv, ok := exactInverse(count); ok {
		for ; ri < n; ri++ {
			sum += in[ri]
			sum -= in[li]
			out[oi] = sum * inv
			li, oi = li+1, oi+1
		}
	}
	for ; ri < n; ri++ {
		sum += in[ri]
		sum -= in[li]
		out[oi] = sum / float32(count)
		li, oi = li+1, oi+1
	}
	for ; oi < n; oi++ {
		sum -= in[li]
		count--
		out[oi] = sum / float32(count)
		li++
	}
}

// exactInverse returns 1/n when n is a power of two: multiplying by it
// then gives the same float32 as dividing by n, and is faster.
func exactInverse(n int) (float32, bool) {
	if n <= 0 || n&(n-1) != 0 {
		return 0, false
	}
	return 1 / float32(n), true
}

// box1DAt is box1D writing only the outputs at the positions in at, to
// out[k] for at[k]. The running sum is updated exactly as in box1D.
func box1DAt(in, out []float32, win int, at []int) {
	n := len(in)
	half := (win + 2) / 2
	var sum float32
	count, ri, li, oi, k := 0, 0, 0, 0, 0
	emit := func() {
		for ; k < len(at) && at[k] == oi; k++ {
			out[k] = sum / float32(count)
		}
		oi++
	}
	for ; ri < half-1 && ri < n; ri++ {
		sum += in[ri]
		count++
	}
	for j := 0; j < win-half+1 && ri < n; j++ {
		sum += in[ri]
		count++
		emit()
		ri++
	}
	for ; ri < n; ri++ {
		sum += in[ri]
		sum -= in[li]
		emit()
		li++
	}
	for oi < n {
		sum -= in[li]
		count--
		emit()
		li++
	}
}

// boxColumns runs box1D down every column of the w×h row-major in into
// out. It walks rows in order with one running sum per column, which keeps
// each column's arithmetic identical to box1D. With atRow set, only the
// output rows listed are written: row atRow[k] to row k of out.
func boxColumns(in, out []float32, w, h, win int, atRow []int) {
	half := (win + 2) / 2
	sum := make([]float32, w)
	count, ri, li, oi := 0, 0, 0, 0
	addRow := func(r int) {
		for j, v := range in[r*w : (r+1)*w] {
			sum[j] += v
		}
	}
	subRow := func(r int) {
		for j, v := range in[r*w : (r+1)*w] {
			sum[j] -= v
		}
	}
	k := 0
	put := func(r int) {
		row := out[r*w : (r+1)*w]
		if inv, ok := exactInverse(count); ok {
			for j, s := range sum {
				row[j] = s * inv
			}
			return
		}
		c := float32(count)
		for j, s := range sum {
			row[j] = s / c
		}
	}
	writeRow := func(r int) {
		if atRow == nil {
			put(r)
			return
		}
		for ; k < len(atRow) && atRow[k] == r; k++ {
			put(k)
		}
	}
	for ; ri < half-1 && ri < h; ri++ {
		addRow(ri)
		count++
	}
	for k := 0; k < win-half+1 && ri < h; k++ {
		addRow(ri)
		count++
		writeRow(oi)
		ri, oi = ri+1, oi+1
	}
	for ; ri < h; ri++ {
		addRow(ri)
		subRow(li)
		writeRow(oi)
		li, oi = li+1, oi+1
	}
	for ; oi < h; oi++ {
		subRow(li)
		count--
		writeRow(oi)
		li++
	}
}
