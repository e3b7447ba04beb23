package pdq

import (
	"image/color"
	"math"
	"testing"
)

// TestBox1DIsCentredMean: each output is the mean of the window the
// reference describes (win samples, offset -(win-1)/2 .. +win/2, clipped).
func TestBox1DIsCentredMean(t *testing.T) {
	for _, tt := range []struct{ n, win int }{{16, 7}, {16, 8}, {5, 1}, {300, 3}, {512, 4}, {9, 9}} {
		in := make([]float32, tt.n)
		for i := range in {
			in[i] = float32(math.Sin(float64(i)*0.7)*100 + 120)
		}
		out := make([]float32, tt.n)
		box1D(in, out, tt.win)
		half := (tt.win + 2) / 2
		for i := range out {
			lo, hi := max(0, i-(tt.win-half)), min(tt.n-1, i+half-1)
			var s float64
			for k := lo; k <= hi; k++ {
				s += float64(in[k])
			}
			if want := s / float64(hi-lo+1); math.Abs(want-float64(out[i])) > 1e-3 {
				t.Fatalf("n=%d win=%d: out[%d] = %g, want %g", tt.n, tt.win, i, out[i], want)
			}
		}
	}
}

// TestBoxColumnsEqualsBox1D: the row-ordered column pass is bit-identical
// to running box1D down each column, as the reference does.
func TestBoxColumnsEqualsBox1D(t *testing.T) {
	const w, h, win = 7, 41, 4
	in := make([]float32, w*h)
	for i := range in {
		in[i] = float32(math.Cos(float64(i)*1.3) * 97)
	}
	got := make([]float32, w*h)
	boxColumns(in, got, w, h, win, nil)
	col, out := make([]float32, h), make([]float32, h)
	for j := range w {
		for i := range h {
			col[i] = in[i*w+j]
		}
		box1D(col, out, win)
		for i := range h {
			if got[i*w+j] != out[i] {
				t.Fatalf("column %d row %d: %g, box1D %g", j, i, got[i*w+j], out[i])
			}
		}
	}
}

func TestWindowSize(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{512, 4}, {64, 1}, {5, 1}, {1004, 8}, {129, 2}, {128, 1}} {
		if got := windowSize(tt.n, 64); got != tt.want {
			t.Errorf("windowSize(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestNearestSamplesLikeCImg(t *testing.T) {
	xs := nearest(10, 1600)
	if len(xs) != sampleDim || xs[0] != 10 || xs[1] != 13 || xs[511] != 10+511*1600/512 {
		t.Errorf("nearest(10, 1600) = %v...%v", xs[:3], xs[509:])
	}
	up := nearest(0, 300) // a short side is stretched to 512
	if up[511] != 299 || up[1] != 0 || up[2] != 1 {
		t.Errorf("nearest(0, 300) = %v...%v", up[:3], up[509:])
	}
}

// fullBlurDecimate is the reference's pipeline written plainly: full
// passes, then decimation.
func fullBlurDecimate(p lumaPlane) [64][64]float32 {
	tmp := make([]float32, len(p.pix))
	rowWin, colWin := windowSize(p.w, 64), windowSize(p.h, 64)
	for range jaroszPasses {
		for i := range p.h {
			box1D(p.pix[i*p.w:(i+1)*p.w], tmp[i*p.w:(i+1)*p.w], rowWin)
		}
		boxColumns(tmp, p.pix, p.w, p.h, colWin, nil)
	}
	var dst [64][64]float32
	for i := range dst {
		si := int((float64(i) + 0.5) * float64(p.h) / 64)
		for j := range dst[i] {
			sj := int((float64(j) + 0.5) * float64(p.w) / 64)
			dst[i][j] = p.pix[si*p.w+sj]
		}
	}
	return dst
}

// TestBlurDecimateIsExact: computing only the decimated outputs of the last
// passes changes no value, for sizes above and below 64.
func TestBlurDecimateIsExact(t *testing.T) {
	for _, sz := range [][2]int{{512, 512}, {300, 200}, {40, 100}, {5, 7}, {64, 65}} {
		mk := func() lumaPlane {
			p := lumaPlane{pix: make([]float32, sz[0]*sz[1]), w: sz[0], h: sz[1]}
			for i := range p.pix {
				p.pix[i] = float32(128 + 100*math.Sin(float64(i)*0.37+float64(i%sz[0])*0.11))
			}
			return p
		}
		want := fullBlurDecimate(mk())
		p := mk()
		var got [64][64]float32
		blurDecimate(p, make([]float32, max(len(p.pix), 64*p.h)), &got)
		if got != want {
			t.Errorf("%dx%d: blurDecimate differs from the full passes", sz[0], sz[1])
		}
	}
}

func TestYCbCrToRGBMatchesStdlib(t *testing.T) {
	for y := 0; y < 256; y += 3 {
		for cb := 0; cb < 256; cb += 5 {
			for cr := 0; cr < 256; cr += 7 {
				r, g, b := ycbcrToRGB(uint8(y), uint8(cb), uint8(cr))
				wr, wg, wb := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				if r != wr || g != wg || b != wb {
					t.Fatalf("ycbcrToRGB(%d,%d,%d) = %d,%d,%d, want %d,%d,%d", y, cb, cr, r, g, b, wr, wg, wb)
				}
			}
		}
	}
}

// plainBox1D is the reference's four-phase loop with plain division.
func plainBox1D(in, out []float32, win int) {
	half := (win + 2) / 2
	var sum float32
	count, ri, li, oi := 0, 0, 0, 0
	for range half - 1 {
		sum += in[ri]
		count, ri = count+1, ri+1
	}
	for range win - half + 1 {
		sum += in[ri]
		count, ri = count+1, ri+1
		out[oi] = sum / float32(count)
		oi++
	}
	for range len(in) - win {
		sum += in[ri]
		sum -= in[li]
		out[oi] = sum / float32(count)
		ri, li, oi = ri+1, li+1, oi+1
	}
	for range half - 1 {
		sum -= in[li]
		count, li = count-1, li+1
		out[oi] = sum / float32(count)
		oi++
	}
}

// TestBox1DBitExact: box1D (with its power-of-two shortcut) and the column
// pass equal the reference's plain loop bit for bit.
func TestBox1DBitExact(t *testing.T) {
	for _, win := range []int{1, 2, 3, 4, 5, 8} {
		in := make([]float32, 517)
		for i := range in {
			in[i] = float32(math.Sin(float64(i)*0.91)*123.456 + 128)
		}
		want, got := make([]float32, len(in)), make([]float32, len(in))
		plainBox1D(in, want, win)
		box1D(in, got, win)
		cols := make([]float32, len(in))
		boxColumns(in, cols, 1, len(in), win, nil)
		for i := range want {
			if got[i] != want[i] || cols[i] != want[i] {
				t.Fatalf("win %d: out[%d] = %g (columns %g), reference %g", win, i, got[i], cols[i], want[i])
			}
		}
	}
}
