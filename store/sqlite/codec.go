package sqlite

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// scanIDLayout is the time part of generated scan IDs.
const scanIDLayout = "20060102T150405Z"

// creatorID derives a creator's ID from its name.
func creatorID(name string) string {
	return "c_" + shortHash(name)
}

// workID derives a work's ID from its identity (creator, content hash).
func workID(creator, sha string) string {
	return "w_" + shortHash(creator+"\x00"+sha)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// newScanID returns "s_" + the start second + "-" + 6 random hex digits.
func newScanID(started time.Time) (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("scan id: %w", err)
	}
	return "s_" + started.UTC().Format(scanIDLayout) + "-" + hex.EncodeToString(b[:]), nil
}

// stamp normalises t to what the store keeps: UTC, microseconds, no
// monotonic reading. The zero time stays zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

// timeArg encodes t as Unix microseconds, or NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeOf decodes a column written by timeArg.
func timeOf(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// jsonArg encodes v for a JSON column.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// jsonOf decodes a JSON column into v, naming col in errors.
func jsonOf(col, s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode %s: %w", col, err)
	}
	return nil
}

// blobArg encodes b for a nullable BLOB column: NULL when empty.
func blobArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// boolArg encodes b for an INTEGER 0/1 column.
func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
}

// newScheduleID returns "sch_" + the creation second + "-" + 6 random hex
// digits, in the form of scan IDs.
func newScheduleID(created time.Time) (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("schedule id: %w", err)
	}
	return "sch_" + created.UTC().Format(scanIDLayout) + "-" + hex.EncodeToString(b[:]), nil
}
