package redis

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
)

func intp(i int) *int { return &i }

func codecMatches() map[string]store.Match {
	return map[string]store.Match{
		"zero": {},
		"text": {FoundURL: "http://a.test/p", PageURL: "http://a.test/p", Method: "text", Score: 1.0 / 3, WorkCoverage: 0.5,
			FoundCoverage: math.SmallestNonzeroFloat64, Evidence: store.Evidence{Algorithm: "text-winnow", Passages: []store.Passage{
				{WorkStart: 0, WorkEnd: 5, FoundStart: 1 << 40, FoundEnd: 1<<40 + 5, Text: "pöém \"quoted\" <b>"},
				{Text: "invalid utf-8 \xff\xfe kept"},
			}}},
		"image": {FoundURL: "http://a.test/i.jpg", PageURL: "http://a.test/", Method: "image", Score: 1,
			Evidence: store.Evidence{Algorithm: "pdq", Distance: intp(0), Bits: 256, Transform: "rot90"},
			OptOut:   &store.OptOut{}},
		"negative distance, empty page": {FoundURL: "x", Evidence: store.Evidence{Distance: intp(-7)},
			OptOut: &store.OptOut{Reserved: true, Signals: []store.OptOutSignal{{Kind: "robots", Value: "noai", Source: "s"}, {}}}},
		"dataset": {Dataset: "/data/a.warc.gz", Record: "urn:uuid:1\x00with nul", Method: "exact"},
	}
}

func TestMatchCodecRoundTrip(t *testing.T) {
	for name, m := range codecMatches() {
		t.Run(name, func(t *testing.T) {
			var got store.Match
			if err := parseMatchField(matchField(m), &got); err != nil {
				t.Fatal(err)
			}
			if err := decodeMatch(encodeMatch(m), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, m) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, m)
			}
		})
	}
}

// TestMatchCodecCorrupt shows that every truncation of a value and a value
// with trailing bytes fail with errCorrupt instead of decoding wrongly.
func TestMatchCodecCorrupt(t *testing.T) {
	for name, m := range codecMatches() {
		v := encodeMatch(m)
		for n := range len(v) {
			var got store.Match
			if err := decodeMatch(v[:n], &got); !errors.Is(err, errCorrupt) {
				t.Errorf("%s: %d of %d bytes decoded with %v, want errCorrupt", name, n, len(v), err)
			}
		}
		var got store.Match
		if err := decodeMatch(v+"x", &got); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: trailing byte decoded with %v", name, err)
		}
	}
	var got store.Match
	if err := decodeMatch("\x02\x00", &got); !errors.Is(err, errCorrupt) {
		t.Errorf("unknown format decoded with %v", err)
	}
	if err := parseMatchField("\x05ab", &got); !errors.Is(err, errCorrupt) {
		t.Errorf("short field decoded with %v", err)
	}
}

func FuzzDecodeMatch(f *testing.F) {
	for _, m := range codecMatches() {
		f.Add(encodeMatch(m))
	}
	// Decoding never panics, and what decodes survives a round trip.
	f.Fuzz(func(t *testing.T, v string) {
		m := store.Match{FoundURL: "http://found.test/"}
		if decodeMatch(v, &m) != nil {
			return
		}
		again := store.Match{FoundURL: m.FoundURL}
		if err := decodeMatch(encodeMatch(m), &again); err != nil || !reflect.DeepEqual(again, m) {
			t.Errorf("%q decodes to %+v, which round-trips to %+v, %v", v, m, again, err)
		}
	})
}

func TestFingerprintCodec(t *testing.T) {
	fps := []store.Fingerprint{
		{Algorithm: "a", Version: 1, Data: []byte{1, 2}},
		{Algorithm: "a", Version: -3},
		{Algorithm: "b", Version: 1 << 40, Data: make([]byte, 300)},
	}
	enc := encodeFingerprints(fps)
	var got []store.Fingerprint
	for _, alg := range []string{"a", "b"} {
		err := decodeFingerprints("w_1", alg, []byte(enc[alg]), func(fp store.Fingerprint) error {
			got = append(got, fp)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range fps {
		fps[i].WorkID = "w_1"
	}
	if !reflect.DeepEqual(got, fps) {
		t.Errorf("round trip = %+v, want %+v", got, fps)
	}
	if err := decodeFingerprints("w_1", "a", enc["a"][:3], func(store.Fingerprint) error { return nil }); !errors.Is(err, errCorrupt) {
		t.Errorf("truncated fingerprints decoded with %v", err)
	}
}

func TestMillisTruncates(t *testing.T) {
	tests := []struct {
		in   time.Time
		want int64
	}{
		{time.UnixMilli(1_795_000_000_123).Add(999_999), 1_795_000_000_123},
		{time.Unix(0, 0), 0},
		{time.Unix(-1, 999_999_999), -1}, // 1 ns before 1970: floored
		{time.Unix(-1, 0), -1000},
	}
	for _, tc := range tests {
		if got := millis(tc.in); got != tc.want {
			t.Errorf("millis(%v) = %d, want %d", tc.in, got, tc.want)
		}
		if !stamp(tc.in).Equal(tc.in.Truncate(time.Millisecond)) {
			t.Errorf("stamp(%v) = %v, want %v", tc.in, stamp(tc.in), tc.in.Truncate(time.Millisecond))
		}
	}
}

// TestPageStateCodec: states round-trip with nil and empty links kept
// apart; a record of the first encoding (no links) still decodes, with
// Links nil; truncated or padded records are corrupt.
func TestPageStateCodec(t *testing.T) {
	at := time.UnixMilli(1_790_000_000_123).UTC()
	states := map[string]store.PageState{
		"no links":    {URL: "u", ETag: `W/"e"`, LastModified: "Wed, 21 Oct 2026 07:28:00 GMT", ScanID: "s_1", CheckedAt: at},
		"empty links": {URL: "u", ScanID: "s_1", Links: []string{}},
		"links":       {URL: "u", ScanID: "s_1", Links: []string{"http://a.test/", "", "http://a.test/ü\n"}},
	}
	for name, want := range states {
		t.Run(name, func(t *testing.T) {
			got, err := decodePageState("u", encodePageState(want))
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("decode(encode(%+v)) = %+v, %v", want, got, err)
			}
		})
	}

	// The first encoding, written by hand: four strings, nothing after.
	old := []byte("\x0d1790000000123\x05W/\"e\"\x00\x03s_1")
	got, err := decodePageState("u", old)
	want := store.PageState{URL: "u", ETag: `W/"e"`, ScanID: "s_1", CheckedAt: at}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("decode(first encoding) = %+v, %v; want %+v", got, err, want)
	}

	full := encodePageState(states["links"])
	corrupt := map[string][]byte{
		"cut in a link":     full[:len(full)-1],
		"trailing byte":     append(slices.Clone(full), 0),
		"count beyond data": append(slices.Clone(old), 5, 0),
		"count over cap":    binary.AppendUvarint(slices.Clone(old), store.MaxPageLinks+1),
	}
	for name, b := range corrupt {
		if _, err := decodePageState("u", b); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: decode = %v, want errCorrupt", name, err)
		}
	}
}
