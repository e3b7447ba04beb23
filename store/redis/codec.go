package redis

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/attrib/attrib/store"
)

// millis is t as Unix milliseconds, truncated (floored, also before 1970).
func millis(t time.Time) int64 {
	return t.Unix()*1000 + int64(t.Nanosecond()/int(time.Millisecond))
}

// stamp normalises t to what the store keeps: UTC, milliseconds, no
// monotonic reading. The zero time stays zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(millis(t)).UTC()
}

// timeArg encodes t as decimal Unix milliseconds, or "" for the zero time.
func timeArg(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(millis(t), 10)
}

// timeOf decodes a value written by timeArg.
func timeOf(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("decode time %q: %w", s, err)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// encodeFingerprints groups fps by algorithm; each algorithm's value is the
// concatenation of varint(version) uvarint(len(data)) data.
func encodeFingerprints(fps []store.Fingerprint) map[string][]byte {
	if len(fps) == 0 {
		return nil
	}
	out := map[string][]byte{}
	for _, fp := range fps {
		b := binary.AppendVarint(out[fp.Algorithm], int64(fp.Version))
		b = binary.AppendUvarint(b, uint64(len(fp.Data)))
		out[fp.Algorithm] = append(b, fp.Data...)
	}
	return out
}

var errCorrupt = errors.New("corrupt value")

// decodeFingerprints calls fn for each record of one algorithm's value.
func decodeFingerprints(workID, algorithm string, b []byte, fn func(store.Fingerprint) error) error {
	for len(b) > 0 {
		v, n := binary.Varint(b)
		if n <= 0 {
			return fmt.Errorf("fingerprints %s of %s: %w", algorithm, workID, errCorrupt)
		}
		b = b[n:]
		size, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < size {
			return fmt.Errorf("fingerprints %s of %s: %w", algorithm, workID, errCorrupt)
		}
		b = b[n:]
		fp := store.Fingerprint{WorkID: workID, Algorithm: algorithm, Version: int(v)}
		if size > 0 {
			fp.Data = b[:size:size] // b is the caller's fresh copy: no clone needed
		}
		b = b[size:]
		if err := fn(fp); err != nil {
			return err
		}
	}
	return nil
}
