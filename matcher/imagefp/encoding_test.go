package imagefp

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/pdq"
)

func TestPHashHex(t *testing.T) {
	tests := []struct {
		v    uint64
		want string
	}{
		{0, "0000000000000000"},
		{0xdeadbeef, "00000000deadbeef"},
		{^uint64(0), "ffffffffffffffff"},
		{0x8000000000000001, "8000000000000001"},
	}
	for _, tt := range tests {
		got := Hashes{PHash: tt.v}.PHashHex()
		if got != tt.want {
			t.Errorf("PHashHex(%x) = %s, want %s", tt.v, got, tt.want)
		}
		back, err := ParsePHash(got)
		if err != nil || back != tt.v {
			t.Errorf("ParsePHash(%s) = %x, %v", got, back, err)
		}
	}
}

func TestParsePHash(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr bool
	}{
		{in: "00000000DEADBEEF", want: 0xdeadbeef},
		{in: "", wantErr: true},
		{in: "deadbeef", wantErr: true},
		{in: "0x00000000deadbe", wantErr: true},
		{in: "+00000000deadbee", wantErr: true},
		{in: "00000000deadbeeg", wantErr: true},
		{in: "00000000deadbeef0", wantErr: true},
		{in: " 0000000deadbeef", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParsePHash(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParsePHash(%q) = %x, %v; want %x, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	sha := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		name string
		in   Hashes
		want Hashes // zero: same as in
	}{
		{name: "computed", in: Hashes{SHA256: sha, PHash: 0xfedcba9876543210, Width: 2560, Height: 1920, Format: "jpeg"}},
		{name: "zero", in: Hashes{}},
		{name: "max sizes", in: Hashes{SHA256: sha, PHash: ^uint64(0), Width: 1<<31 - 1, Height: 1, Format: "webp"}},
		{
			name: "uppercase sha is canonicalised",
			in:   Hashes{SHA256: strings.ToUpper(sha), Format: "png"},
			want: Hashes{SHA256: sha, Format: "png"},
		},
		{
			name: "malformed sha and negative size are dropped",
			in:   Hashes{SHA256: "xyz", PHash: 7, Width: -3, Height: 4},
			want: Hashes{PHash: 7, Height: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if reflect.DeepEqual(want, Hashes{}) {
				want = tt.in
			}
			data := Encode(tt.in)
			got, err := Decode(data)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("Decode(Encode(%+v)) = %+v, %v; want %+v", tt.in, got, err, want)
			}
		})
	}
	if n := len(Encode(Hashes{SHA256: sha, PHash: 1, Width: 2560, Height: 1920, Format: "jpeg"})); n > 52 {
		t.Errorf("encoding of a typical fingerprint is %d bytes", n)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := Encode(Hashes{SHA256: strings.Repeat("ab", 32), PHash: 42, Width: 300, Height: 200, Format: "png"})
	withVersion := func(v byte) []byte { b := append([]byte(nil), good...); b[0] = v; return b }
	withFlags := func(f byte) []byte { b := append([]byte(nil), good...); b[9] = f; return b }
	longFormat := Encode(Hashes{Format: strings.Repeat("x", maxFormatLen+1)})
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrCorrupt},
		{"version 0", withVersion(0), ErrEncodingVersion},
		{"version 2", withVersion(Version + 1), ErrEncodingVersion},
		{"only version", good[:1], ErrCorrupt},
		{"truncated sha", good[:20], ErrCorrupt},
		{"truncated format", good[:len(good)-1], ErrCorrupt},
		{"trailing byte", append(append([]byte(nil), good...), 0), ErrCorrupt},
		{"unknown flag", withFlags(0x80), ErrCorrupt},
		{"format too long", longFormat, ErrCorrupt},
		{"non-minimal varint", append(good[:42:42], 0x80, 0x00, 1, 1, 0), ErrCorrupt},
		{"overlong varint", append(good[:42:42], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Decode(tt.data)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !reflect.DeepEqual(h, Hashes{}) {
				t.Errorf("got %+v alongside the error", h)
			}
		})
	}
	_, err := Decode(withVersion(9))
	if err == nil || !strings.Contains(err.Error(), "got 9, this build reads 1") {
		t.Errorf("version error %q does not say which versions", err)
	}
}

// FuzzDecode: Decode never panics, and what it accepts re-encodes to the
// same bytes (the encoding is canonical), except data in the layout before
// the parts flag, whose re-encoding is canonical from then on.
func FuzzDecode(f *testing.F) {
	f.Add(Encode(Hashes{SHA256: strings.Repeat("cd", 32), PHash: 9, Width: 10, Height: 20, Format: "gif"}))
	f.Add(Encode(Hashes{}))
	f.Add([]byte{Version})
	f.Add(Encode(partsHashes(true)))
	f.Add(Encode(partsHashes(false)))
	f.Add(legacyEncoding(3))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := Decode(data)
		if err != nil {
			return
		}
		again := Encode(h)
		if string(again) == string(data) {
			return
		}
		if !isLegacy(data) {
			t.Fatalf("Decode accepted %x but re-encodes to %x", data, again)
		}
		if h2, err := Decode(again); err != nil || string(Encode(h2)) != string(again) {
			t.Fatalf("legacy %x re-encodes to %x, which is not canonical (%v)", data, again, err)
		}
	})
}

// isLegacy reports whether data has work windows in the layout before the
// parts flag: PDQ flagged, parts not, more than 8 hashes.
func isLegacy(data []byte) bool {
	if len(data) < 10 || data[9]&flagPDQ == 0 || data[9]&flagParts != 0 {
		return false
	}
	h, err := Decode(data)
	return err == nil && h.PDQDihedral != nil && len(h.PDQWindows) > 0
}

// partsHashes returns fingerprints with parts: a work's (dihedral hashes
// and windows) or a found image's (its hash, windows and regions), with
// areas that survive the byte quantisation exactly.
func partsHashes(work bool) Hashes {
	hash := func(seed byte) pdq.Hash {
		var x pdq.Hash
		for i := range x {
			x[i] = seed*31 + byte(i)
		}
		return x
	}
	h := Hashes{SHA256: strings.Repeat("ef", 32), PHash: 5, Width: 640, Height: 480, Format: "jpeg", PDQ: hash(1), PDQQuality: 90}
	h.PDQWindows = []Part{{Hash: hash(2), Area: 207.0 / 255}, {Hash: hash(3), Area: 1}}
	if work {
		var d [pdq.NumTransforms]pdq.Hash
		for i := range d {
			d[i] = hash(byte(10 + i))
		}
		h.PDQ, h.PDQDihedral = d[pdq.None], &d
		return h
	}
	h.PDQRegions = []Part{{Hash: hash(4), Area: 64.0 / 255}}
	return h
}

// legacyEncoding returns a work's fingerprint as stored before the parts
// flag: 8 dihedral hashes and n window hashes after them, without areas.
func legacyEncoding(n int) []byte {
	h := partsHashes(true)
	h.PDQWindows = nil
	data := Encode(h)
	data[len(data)-8*32-1] = byte(pdq.NumTransforms + n) // the hash count
	for i := range n {
		data = append(data, make([]byte, 32)...)
		data[len(data)-32] = byte(i + 1)
	}
	return data
}

// Parts round-trip for works and found images; works stored before the
// parts flag decode with the areas of the windows they had, and re-encode
// in the new layout.
func TestEncodeParts(t *testing.T) {
	for _, work := range []bool{true, false} {
		h := partsHashes(work)
		got, err := Decode(Encode(h))
		if err != nil || !reflect.DeepEqual(got, h) {
			t.Errorf("work %v: Decode(Encode(h)) = %+v, %v; want %+v", work, got, err, h)
		}
	}
	old, err := Decode(legacyEncoding(3))
	if err != nil {
		t.Fatal(err)
	}
	if old.PDQDihedral == nil || len(old.PDQWindows) != 3 || old.PDQWindows[2].Hash[0] != 3 {
		t.Fatalf("legacy windows: %+v", old)
	}
	for i, w := range old.PDQWindows {
		if w.Area != legacyWindowAreas[i] {
			t.Errorf("legacy window %d area %v, want %v", i, w.Area, legacyWindowAreas[i])
		}
	}
	again, err := Decode(Encode(old))
	if err != nil || len(again.PDQWindows) != 3 || again.PDQWindows[0].Hash != old.PDQWindows[0].Hash {
		t.Errorf("legacy re-encoded: %+v, %v", again, err)
	}
}

// Malformed parts are ErrCorrupt.
func TestDecodePartsErrors(t *testing.T) {
	good := Encode(partsHashes(false))
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	// Layout after the format: quality, n=1, hash, windows count at off.
	off := len(good) - (1 + 2*33) - (1 + 33)
	tests := []struct {
		name string
		data []byte
	}{
		{"parts without pdq", mutate(func(b []byte) []byte { b[9] &^= flagPDQ; return b })},
		{"zero area", mutate(func(b []byte) []byte { b[off+1] = 0; return b })},
		{"too many windows", mutate(func(b []byte) []byte { b[off] = maxParts + 1; return b })},
		{"truncated region", good[:len(good)-1]},
		{"empty parts", append(Encode(Hashes{PDQ: pdq.Hash{1}, PDQQuality: 60})[:0:0], func() []byte {
			b := Encode(Hashes{PDQ: pdq.Hash{1}, PDQQuality: 60})
			b[9] |= flagParts
			return append(b, 0, 0)
		}()...)},
		{"legacy count beyond parts", mutate(func(b []byte) []byte { return legacyEncoding(maxParts + 1) })},
	}
	for _, tt := range tests {
		if _, err := Decode(tt.data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", tt.name, err)
		}
	}
}

// The PDQ extension round-trips, and data written before it still decodes.
func TestEncodePDQExtension(t *testing.T) {
	var d [pdq.NumTransforms]pdq.Hash
	for i := range d {
		d[i][0], d[i][31] = byte(i+1), byte(200-i)
	}
	base := Hashes{SHA256: strings.Repeat("ab", 32), PHash: 42, Width: 3, Height: 4, Format: "png"}
	plain := base
	plain.PDQ, plain.PDQQuality = d[0], 77
	withD := plain
	withD.PDQDihedral = &d
	for _, h := range []Hashes{base, plain, withD} {
		got, err := Decode(Encode(h))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if got.PDQ != h.PDQ || got.PDQQuality != h.PDQQuality || (h.PDQDihedral == nil) != (got.PDQDihedral == nil) ||
			(h.PDQDihedral != nil && *got.PDQDihedral != *h.PDQDihedral) || got.PHash != h.PHash || got.SHA256 != h.SHA256 {
			t.Errorf("round trip: got %+v, want %+v", got, h)
		}
	}
	bad := Encode(plain)
	bad[len(bad)-33] = 3 // a count that is neither 1 nor 8 (nor 8 + windows)
	if _, err := Decode(bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bad pdq count: %v, want ErrCorrupt", err)
	}
}
