package transparency

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/attrib/attrib/store"
)

// Entry types.
const (
	TypeRegistration = "registration"
	TypeScan         = "scan"
)

// Entry is one leaf of the log. A registration records who registered
// what: the work, its creator, the SHA-256 of the registered file and a
// digest of the work's stored fingerprints. A scan records the SHA-256 of a
// scan's JSON report (without its transparency field). Time is when the
// entry was appended, in UTC with millisecond precision.
//
// The leaf's data is the entry's canonical encoding (Encode): compact JSON
// in the field order below, fields that do not apply omitted. The leaf hash
// is RFC 9162's SHA-256(0x00 || data).
type Entry struct {
	Type string `json:"type"`
	// Registration fields.
	WorkID       string `json:"work_id,omitempty"`
	Creator      string `json:"creator,omitempty"`
	Title        string `json:"title,omitempty"`
	Kind         string `json:"kind,omitempty"`
	SHA256       string `json:"sha256,omitempty"`       // of the registered file's bytes
	Fingerprints string `json:"fingerprints,omitempty"` // FingerprintDigest of the stored fingerprints
	// Scan fields.
	ScanID       string `json:"scan_id,omitempty"`
	ReportSHA256 string `json:"report_sha256,omitempty"` // ReportDigest of the scan's JSON report
	Time         string `json:"time"`                    // RFC 3339, UTC, milliseconds (timeLayout)
}

// timeLayout is the one time format of entries and tree heads.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil || formatTime(t) != s {
		return time.Time{}, fmt.Errorf("time %q: want UTC with milliseconds like %s", s, timeLayout)
	}
	return t, nil
}

// Encode returns the entry's canonical encoding, the leaf's data.
func (e Entry) Encode() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		// A struct of strings always encodes.
		panic(fmt.Sprintf("encode log entry: %v", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// DecodeEntry parses leaf data and checks that it is the canonical encoding
// of a well-formed entry.
func DecodeEntry(data []byte) (Entry, error) {
	var e Entry
	if err := strictUnmarshal(data, &e); err != nil {
		return Entry{}, fmt.Errorf("log entry: %w", err)
	}
	if !bytes.Equal(e.Encode(), data) {
		return Entry{}, fmt.Errorf("log entry is not in canonical form")
	}
	return e, e.validate()
}

// validate checks the fields an entry of its type needs.
func (e Entry) validate() error {
	if _, err := parseTime(e.Time); err != nil {
		return fmt.Errorf("log entry: %w", err)
	}
	switch e.Type {
	case TypeRegistration:
		if e.WorkID == "" || e.Creator == "" || e.ScanID != "" || e.ReportSHA256 != "" {
			return fmt.Errorf("log entry: a registration needs work_id and creator and no scan fields")
		}
		if !isHexDigest(e.SHA256) || !isHexDigest(e.Fingerprints) {
			return fmt.Errorf("log entry: sha256 and fingerprints must be 64 lowercase hex digits")
		}
	case TypeScan:
		if e.ScanID == "" || e.WorkID != "" || e.Creator != "" || e.Title != "" || e.Kind != "" || e.SHA256 != "" || e.Fingerprints != "" {
			return fmt.Errorf("log entry: a scan entry needs scan_id and no registration fields")
		}
		if !isHexDigest(e.ReportSHA256) {
			return fmt.Errorf("log entry: report_sha256 must be 64 lowercase hex digits")
		}
	default:
		return fmt.Errorf("log entry: unknown type %q", e.Type)
	}
	return nil
}

func isHexDigest(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// RegistrationEntry returns the entry of a registered work and its stored
// fingerprints.
func RegistrationEntry(w store.Work, fps []store.Fingerprint, at time.Time) Entry {
	return Entry{
		Type: TypeRegistration, WorkID: w.ID, Creator: w.Creator, Title: w.Title, Kind: string(w.Kind),
		SHA256: w.SHA256, Fingerprints: FingerprintDigest(fps), Time: formatTime(at),
	}
}

// FingerprintDigest is the SHA-256 (lowercase hex) over a work's
// fingerprints in a canonical order: sorted by algorithm, version, then
// data; each contributes its algorithm (4-byte big-endian length, bytes),
// version (4-byte big-endian) and data (8-byte big-endian length, bytes).
// WorkID is not part of it: the digest says what was indexed, not where.
func FingerprintDigest(fps []store.Fingerprint) string {
	sorted := slices.Clone(fps)
	slices.SortFunc(sorted, func(a, b store.Fingerprint) int {
		return cmp.Or(cmp.Compare(a.Algorithm, b.Algorithm), cmp.Compare(a.Version, b.Version), bytes.Compare(a.Data, b.Data))
	})
	h := sha256.New()
	var n [8]byte
	for _, fp := range sorted {
		binary.BigEndian.PutUint32(n[:4], uint32(len(fp.Algorithm)))
		h.Write(n[:4])
		h.Write([]byte(fp.Algorithm))
		binary.BigEndian.PutUint32(n[:4], uint32(fp.Version))
		h.Write(n[:4])
		binary.BigEndian.PutUint64(n[:], uint64(len(fp.Data)))
		h.Write(n[:])
		h.Write(fp.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// strictUnmarshal decodes exactly one JSON value into v, refusing unknown
// fields and trailing data.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) != 0 {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
