package redis

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/attrib/attrib/store"
)

// A match is stored as one field of its (scan, work) hash. The field is the
// rest of the upsert key; the value everything else, in a compact binary
// form that decodes several times faster than JSON and keeps every byte of
// passages as stored.

// matchField returns the field of m: the found URL and dataset,
// length-prefixed, then the record, so that any bytes in them stay
// unambiguous.
func matchField(m store.Match) string {
	b := make([]byte, 0, len(m.FoundURL)+len(m.Dataset)+len(m.Record)+4)
	b = appendString(b, m.FoundURL)
	b = appendString(b, m.Dataset)
	return string(append(b, m.Record...))
}

// parseMatchField sets m's found URL, dataset and record from f.
func parseMatchField(f string, m *store.Match) error {
	r := reader{s: f}
	m.FoundURL, m.Dataset = r.string(), r.string()
	m.Record = r.s
	if r.err != nil {
		return fmt.Errorf("match key: %w", r.err)
	}
	return nil
}

// matchFormat is the first byte of every encoded match value.
const matchFormat = 1

// Flags of an encoded match value.
const (
	flagPage     = 1 << iota // the page URL differs from the found URL and follows
	flagDistance             // Evidence.Distance is set
	flagOptOut               // OptOut is set
)

// encodeMatch encodes everything of m but the work ID and the upsert key:
// format, flags, [page], method, score, work and found coverage (float64
// bits), evidence (algorithm, bits, transform, [distance], passages),
// [opt-out (reserved, signals)].
func encodeMatch(m store.Match) string {
	var flags byte
	if m.PageURL != m.FoundURL {
		flags |= flagPage
	}
	e := m.Evidence
	if e.Distance != nil {
		flags |= flagDistance
	}
	if m.OptOut != nil {
		flags |= flagOptOut
	}
	b := make([]byte, 0, 64+passagesLen(e.Passages))
	b = append(b, matchFormat, flags)
	if flags&flagPage != 0 {
		b = appendString(b, m.PageURL)
	}
	b = appendString(b, m.Method)
	for _, f := range []float64{m.Score, m.WorkCoverage, m.FoundCoverage} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	b = appendString(b, e.Algorithm)
	b = binary.AppendVarint(b, int64(e.Bits))
	b = appendString(b, e.Transform)
	if e.Distance != nil {
		b = binary.AppendVarint(b, int64(*e.Distance))
	}
	b = binary.AppendUvarint(b, uint64(len(e.Passages)))
	for _, p := range e.Passages {
		for _, n := range []int{p.WorkStart, p.WorkEnd, p.FoundStart, p.FoundEnd} {
			b = binary.AppendVarint(b, int64(n))
		}
		b = appendString(b, p.Text)
	}
	if m.OptOut != nil {
		b = append(b, boolByte(m.OptOut.Reserved))
		b = binary.AppendUvarint(b, uint64(len(m.OptOut.Signals)))
		for _, s := range m.OptOut.Signals {
			b = appendString(appendString(appendString(b, s.Kind), s.Value), s.Source)
		}
	}
	return string(b)
}

func passagesLen(ps []store.Passage) int {
	n := 0
	for _, p := range ps {
		n += len(p.Text) + 16
	}
	return n
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// decodeMatch fills m from a value written by encodeMatch; m's upsert key
// must already be set.
func decodeMatch(s string, m *store.Match) error {
	r := reader{s: s}
	if f := r.byte(); f != matchFormat && r.err == nil {
		return fmt.Errorf("match value format %d: %w", f, errCorrupt)
	}
	flags := r.byte()
	if flags&^(flagPage|flagDistance|flagOptOut) != 0 {
		r.fail()
	}
	m.PageURL = m.FoundURL
	if flags&flagPage != 0 {
		m.PageURL = r.string()
	}
	m.Method = r.string()
	m.Score, m.WorkCoverage, m.FoundCoverage = r.float(), r.float(), r.float()
	e := &m.Evidence
	e.Algorithm, e.Bits, e.Transform = r.string(), r.int(), r.string()
	if flags&flagDistance != 0 {
		d := r.int()
		e.Distance = &d
	}
	if n := r.count(); n > 0 {
		e.Passages = make([]store.Passage, n)
		for i := range e.Passages {
			p := &e.Passages[i]
			p.WorkStart, p.WorkEnd, p.FoundStart, p.FoundEnd = r.int(), r.int(), r.int(), r.int()
			p.Text = r.string()
		}
	}
	if flags&flagOptOut != 0 {
		m.OptOut = &store.OptOut{Reserved: r.byte() == 1}
		if n := r.count(); n > 0 {
			m.OptOut.Signals = make([]store.OptOutSignal, n)
			for i := range m.OptOut.Signals {
				sig := &m.OptOut.Signals[i]
				sig.Kind, sig.Value, sig.Source = r.string(), r.string(), r.string()
			}
		}
	}
	if r.err == nil && len(r.s) != 0 {
		r.err = errCorrupt
	}
	if r.err != nil {
		return fmt.Errorf("match value: %w", r.err)
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// reader decodes what the append functions wrote, from a string: decoded
// strings share its memory. The first error sticks: later reads return zero
// values.
type reader struct {
	s   string
	err error
}

func (r *reader) fail() { r.err, r.s = errCorrupt, "" }

func (r *reader) byte() byte {
	if len(r.s) == 0 {
		r.fail()
		return 0
	}
	c := r.s[0]
	r.s = r.s[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	var v uint64
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // overflows 64 bits
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.s = r.s[i+1:]
			return v
		}
	}
	r.fail()
	return 0
}

func (r *reader) int() int {
	u := r.uvarint()
	v := int64(u >> 1) // zig-zag, as binary.AppendVarint writes
	if u&1 != 0 {
		v = ^v
	}
	return int(v)
}

// count reads a slice length, bounded by the bytes left (each element takes
// at least one), so that a corrupt value cannot make a huge allocation.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail()
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *reader) float() float64 {
	if len(r.s) < 8 {
		r.fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64([]byte(r.s[:8])))
	r.s = r.s[8:]
	if math.IsNaN(f) || math.IsInf(f, 0) { // PutMatches never stores them
		r.fail()
		return 0
	}
	return f
}
