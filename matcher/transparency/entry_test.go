package transparency

import (
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/merkle"
)

type timeT = time.Time

func ed25519Key(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = b
	return ed25519.NewKeyFromSeed(seed)
}

// The canonical forms are a format: these pin them.
func TestEntryEncoding(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 123456789, time.UTC)
	tests := []struct {
		name  string
		entry Entry
		want  string
	}{
		{"registration", RegistrationEntry(store.Work{ID: "w1", Creator: "Ada <ada@example.org>", Title: "Notes", Kind: store.KindText,
			SHA256: strings.Repeat("ab", 32)}, []store.Fingerprint{{Algorithm: "a", Version: 1, Data: []byte{1}}}, at),
			`{"type":"registration","work_id":"w1","creator":"Ada <ada@example.org>","title":"Notes","kind":"text","sha256":"` +
				strings.Repeat("ab", 32) + `","fingerprints":"` + FingerprintDigest([]store.Fingerprint{{Algorithm: "a", Version: 1, Data: []byte{1}}}) +
				`","time":"2026-11-27T09:30:00.123Z"}`},
		{"scan", Entry{Type: TypeScan, ScanID: "s1", ReportSHA256: strings.Repeat("cd", 32), Time: formatTime(at)},
			`{"type":"scan","scan_id":"s1","report_sha256":"` + strings.Repeat("cd", 32) + `","time":"2026-11-27T09:30:00.123Z"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(tc.entry.Encode())
			if got != tc.want {
				t.Errorf("Encode =\n%s\nwant\n%s", got, tc.want)
			}
			back, err := DecodeEntry([]byte(got))
			if err != nil || back != tc.entry {
				t.Errorf("DecodeEntry: %+v, %v", back, err)
			}
		})
	}
	for _, bad := range []string{
		`{"type":"scan","scan_id":"s1","report_sha256":"` + strings.Repeat("CD", 32) + `","time":"2026-11-27T09:30:00.123Z"}`,
		`{"type":"scan","scan_id":"s1","report_sha256":"` + strings.Repeat("cd", 32) + `","time":"2026-11-27T09:30:00Z"}`,
		`{"type":"scan", "scan_id":"s1","report_sha256":"` + strings.Repeat("cd", 32) + `","time":"2026-11-27T09:30:00.123Z"}`,
		`{"type":"other","time":"2026-11-27T09:30:00.123Z"}`,
	} {
		if _, err := DecodeEntry([]byte(bad)); err == nil {
			t.Errorf("DecodeEntry(%s) accepted", bad)
		}
	}
}

func TestFingerprintDigestIsOrderFree(t *testing.T) {
	a := store.Fingerprint{WorkID: "x", Algorithm: "text", Version: 2, Data: []byte("abc")}
	b := store.Fingerprint{WorkID: "y", Algorithm: "image", Version: 1, Data: []byte("de")}
	if FingerprintDigest([]store.Fingerprint{a, b}) != FingerprintDigest([]store.Fingerprint{b, a}) {
		t.Error("digest depends on order")
	}
	// Lengths are framed: moving a byte between fields changes the digest.
	c := store.Fingerprint{Algorithm: "tex", Version: 2, Data: []byte("tabc")}
	if FingerprintDigest([]store.Fingerprint{a}) == FingerprintDigest([]store.Fingerprint{c}) {
		t.Error("field boundaries are not part of the digest")
	}
}

func TestHeadMessage(t *testing.T) {
	var root merkle.Hash
	root[0], root[31] = 0xaa, 0xbb
	msg := headMessage(258, root, time.UnixMilli(1_700_000_000_123))
	want := hex.EncodeToString([]byte(headContext)) + "0000000000000102" +
		"aa" + strings.Repeat("00", 30) + "bb" + "0000018bcfe5687b"
	if got := hex.EncodeToString(msg); got != want {
		t.Errorf("headMessage =\n%s\nwant\n%s", got, want)
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "attrib.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", info.Mode(), err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second load gave another key (%v)", err)
	}
	pub := EncodePublicKey(k1.Public().(ed25519.PublicKey))
	if got, err := ParsePublicKey(" " + pub + "\n"); err != nil || !got.Equal(k1.Public()) {
		t.Errorf("ParsePublicKey round trip: %v", err)
	}
	for _, bad := range []string{"", "abc", pub[:40], pub + "AA=="} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key: err = %v", err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.key")
	os.WriteFile(garbage, []byte("not a key"), 0o600)
	if _, err := LoadOrCreateKey(garbage); err == nil || !strings.Contains(err.Error(), "PEM") {
		t.Errorf("garbage key: err = %v", err)
	}
	if _, err := LoadOrCreateKey(""); err == nil {
		t.Error("empty path accepted")
	}
}

// The lookups' fast path reads the same keys as a full decode.
func TestEntryKeysMatchDecode(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	digest := strings.Repeat("ab", 32)
	for _, e := range []Entry{
		RegistrationEntry(store.Work{ID: "w_1", Creator: "Ada", Kind: store.KindText, SHA256: digest}, nil, at),
		RegistrationEntry(store.Work{ID: `w_"quoted"\`, Creator: "Ada", Kind: store.KindText, SHA256: digest}, nil, at),
		{Type: TypeScan, ScanID: "s_20261127", ReportSHA256: digest, Time: formatTime(at)},
		{Type: TypeScan, ScanID: `s "odd" \ id`, ReportSHA256: digest, Time: formatTime(at)},
	} {
		typ, id, dg, ok := entryKeys(e.Encode())
		wantID := e.WorkID + e.ScanID
		if !ok || typ != e.Type || id != wantID || dg != e.ReportSHA256 {
			t.Errorf("entryKeys(%s) = %q %q %q %v", e.Encode(), typ, id, dg, ok)
		}
	}
	if _, _, _, ok := entryKeys([]byte(`{"type":"future"}`)); ok {
		t.Error("unknown entry accepted")
	}
}
