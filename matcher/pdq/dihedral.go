package pdq

import "fmt"

// Transform is one of the eight symmetries of the square: a rotation by a
// multiple of 90° (counter-clockwise, as in the reference and in
// mathematics) or a mirror. Its String is the evidence "transform" value of
// the report contract.
type Transform int

// The eight transforms. Dihedral returns one hash per transform, indexed by
// these values.
const (
	None       Transform = iota // unchanged
	Rot90                       // rotated 90° counter-clockwise (the reference's Rotate90)
	Rot180                      // rotated 180°
	Rot270                      // rotated 270° counter-clockwise, i.e. 90° clockwise
	HFlip                       // mirrored left-right (the reference's FlipY)
	VFlip                       // mirrored top-bottom (the reference's FlipX)
	Transpose                   // mirrored about the main diagonal (FlipPlus1)
	Transverse                  // mirrored about the anti-diagonal (FlipMinus1)
)

// NumTransforms is the number of transforms, None through Transverse.
const NumTransforms = 8

// String returns the contract's name: "none", "rot90", "rot180", "rot270",
// "hflip", "vflip", "transpose" or "transverse".
func (t Transform) String() string {
	switch t {
	case None:
		return "none"
	case Rot90:
		return "rot90"
	case Rot180:
		return "rot180"
	case Rot270:
		return "rot270"
	case HFlip:
		return "hflip"
	case VFlip:
		return "vflip"
	case Transpose:
		return "transpose"
	case Transverse:
		return "transverse"
	}
	return fmt.Sprintf("transform(%d)", int(t))
}

// ParseTransform is the inverse of String.
func ParseTransform(s string) (Transform, error) {
	for t := range Transform(NumTransforms) {
		if t.String() == s {
			return t, nil
		}
	}
	return None, fmt.Errorf("unknown transform %q", s)
}

// transformDCT writes to out the DCT block of the image transformed by t,
// given the block a of the original. Mirroring a 64-sample axis multiplies
// the coefficient of frequency k+1 by (-1)^(k+1); swapping the axes
// transposes the block.
func transformDCT(t Transform, a, out *[16][16]float32) {
	negRow, negCol, swap := t.rule()
	for i := range a {
		for j, v := range a[i] {
			// Signs are decided by the indices in the output block.
			oi, oj := i, j
			if swap {
				oi, oj = j, i
			}
			if negRow && oi%2 == 0 {
				v = -v
			}
			if negCol && oj%2 == 0 {
				v = -v
			}
			out[oi][oj] = v
		}
	}
}

// rule gives t as an optional transposition followed by optional vertical
// (negRow) and horizontal (negCol) mirrors.
func (t Transform) rule() (negRow, negCol, swap bool) {
	switch t {
	case Rot90: // transpose, then mirror top-bottom
		return true, false, true
	case Rot180:
		return true, true, false
	case Rot270: // transpose, then mirror left-right
		return false, true, true
	case HFlip:
		return false, true, false
	case VFlip:
		return true, false, false
	case Transpose:
		return false, false, true
	case Transverse:
		return true, true, true
	}
	return false, false, false
}
