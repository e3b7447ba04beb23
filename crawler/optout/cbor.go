package optout

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// errCBOR is any malformed or over-limit CBOR input.
var errCBOR = errors.New("malformed cbor")

// Bounds of CBOR decoding.
const (
	maxCBORDepth = 32
	maxCBORItems = 100_000
)

// decodeCBOR decodes one CBOR data item (RFC 8949) into Go values: maps
// with text keys as map[string]any (other keys are decoded and dropped),
// arrays as []any, text as string, byte strings as []byte, integers as
// int64 (uint64 above its range), floats as float64, true/false, and nil
// for null and undefined. Tags are skipped to their content. It reads at
// most maxCBORItems items, maxCBORDepth deep, and never allocates more
// than its input can fill.
func decodeCBOR(b []byte) (any, error) {
	d := cborDecoder{b: b}
	v, err := d.item(0)
	if err != nil {
		return nil, err
	}
	return v, nil
}

type cborDecoder struct {
	b     []byte
	i     int
	items int
}

// head reads an initial byte and its argument.
func (d *cborDecoder) head() (major, info byte, arg uint64, err error) {
	if d.i >= len(d.b) {
		return 0, 0, 0, errCBOR
	}
	c := d.b[d.i]
	d.i++
	major, info = c>>5, c&31
	switch {
	case info < 24:
		return major, info, uint64(info), nil
	case info <= 27:
		n := 1 << (info - 24)
		if d.i+n > len(d.b) {
			return 0, 0, 0, errCBOR
		}
		switch n {
		case 1:
			arg = uint64(d.b[d.i])
		case 2:
			arg = uint64(binary.BigEndian.Uint16(d.b[d.i:]))
		case 4:
			arg = uint64(binary.BigEndian.Uint32(d.b[d.i:]))
		default:
			arg = binary.BigEndian.Uint64(d.b[d.i:])
		}
		d.i += n
		return major, info, arg, nil
	case info == 31:
		return major, info, 0, nil
	}
	return 0, 0, 0, errCBOR
}

func (d *cborDecoder) item(depth int) (any, error) {
	if depth > maxCBORDepth {
		return nil, errCBOR
	}
	if d.items++; d.items > maxCBORItems {
		return nil, errCBOR
	}
	major, info, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	if info == 31 {
		return d.indefinite(major, depth)
	}
	switch major {
	case 0:
		if arg > math.MaxInt64 {
			return arg, nil
		}
		return int64(arg), nil
	case 1:
		if arg > math.MaxInt64 {
			return nil, errCBOR
		}
		return -1 - int64(arg), nil
	case 2, 3:
		s, err := d.bytes(arg)
		if err != nil {
			return nil, err
		}
		if major == 2 {
			return s, nil
		}
		return string(s), nil
	case 4:
		return d.array(arg, depth)
	case 5:
		return d.mapping(arg, depth)
	case 6:
		return d.item(depth + 1)
	}
	return d.simple(info, arg)
}

func (d *cborDecoder) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(d.b)-d.i) {
		return nil, errCBOR
	}
	s := d.b[d.i : d.i+int(n)]
	d.i += int(n)
	return s, nil
}

func (d *cborDecoder) array(n uint64, depth int) (any, error) {
	if n > uint64(len(d.b)-d.i) { // each item takes at least a byte
		return nil, errCBOR
	}
	out := make([]any, 0, n)
	for range n {
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *cborDecoder) mapping(n uint64, depth int) (any, error) {
	if n > uint64(len(d.b)-d.i)/2 {
		return nil, errCBOR
	}
	out := make(map[string]any, n)
	for range n {
		if err := d.pair(out, depth); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *cborDecoder) pair(out map[string]any, depth int) error {
	k, err := d.item(depth + 1)
	if err != nil {
		return err
	}
	v, err := d.item(depth + 1)
	if err != nil {
		return err
	}
	if ks, ok := k.(string); ok {
		out[ks] = v
	}
	return nil
}

// brk reports whether the next byte is a break (0xFF) and consumes it.
func (d *cborDecoder) brk() bool {
	if d.i < len(d.b) && d.b[d.i] == 0xFF {
		d.i++
		return true
	}
	return false
}

// indefinite decodes an indefinite-length string, array or map.
func (d *cborDecoder) indefinite(major byte, depth int) (any, error) {
	switch major {
	case 2, 3:
		var s []byte
		for !d.brk() {
			m, info, arg, err := d.head()
			if err != nil || m != major || info == 31 {
				return nil, errCBOR
			}
			chunk, err := d.bytes(arg)
			if err != nil {
				return nil, err
			}
			s = append(s, chunk...)
		}
		if major == 2 {
			return s, nil
		}
		return string(s), nil
	case 4:
		var out []any
		for !d.brk() {
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case 5:
		out := map[string]any{}
		for !d.brk() {
			if err := d.pair(out, depth); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, errCBOR // a break outside an indefinite item, or a bad major type
}

// simple decodes major type 7.
func (d *cborDecoder) simple(info byte, arg uint64) (any, error) {
	switch info {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		return nil, nil
	case 25:
		return halfFloat(uint16(arg)), nil
	case 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case 27:
		return math.Float64frombits(arg), nil
	}
	return "simple(" + strconv.FormatUint(arg, 10) + ")", nil
}

// halfFloat converts an IEEE 754 half-precision float.
func halfFloat(h uint16) float64 {
	exp, mant := int(h>>10)&0x1f, float64(h&0x3ff)
	var v float64
	switch exp {
	case 0:
		v = math.Ldexp(mant, -24)
	case 31:
		v = math.Inf(1)
		if mant != 0 {
			v = math.NaN()
		}
	default:
		v = math.Ldexp(mant+1024, exp-25)
	}
	if h&0x8000 != 0 {
		return -v
	}
	return v
}
