package transparency

import (
	"bytes"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/merkle"
)

// index adds a leaf to the tree and the lookups. Leaves that do not decode
// (written by a newer version) still count in the tree.
func (l *Log) index(lf store.LogLeaf) {
	l.tree.Append(merkle.LeafHash(lf.Data))
	typ, id, digest, ok := entryKeys(lf.Data)
	if !ok {
		return
	}
	switch typ {
	case TypeRegistration:
		if _, ok := l.works[id]; !ok {
			l.works[id] = lf.Index
		}
	case TypeScan:
		k := reportKey{id, digest}
		if _, ok := l.reports[k]; !ok {
			l.reports[k] = lf.Index
		}
	}
}

// Canonical prefixes of the two entry types: the lookups read the IDs
// straight from them, as a full decode of every leaf costs most of a
// fresh process's start on a large log. Anything unusual is decoded fully.
var (
	registrationPrefix = []byte(`{"type":"registration","work_id":"`)
	scanPrefix         = []byte(`{"type":"scan","scan_id":"`)
	digestField        = []byte(`","report_sha256":"`)
)

// entryKeys returns what the lookups need of a leaf: its type, work or
// scan ID, and report digest.
func entryKeys(data []byte) (typ, id, digest string, ok bool) {
	quoted := func(b []byte) (string, []byte, bool) {
		end := bytes.IndexByte(b, '"')
		if end < 0 || bytes.IndexByte(b[:end], '\\') >= 0 {
			return "", nil, false
		}
		return string(b[:end]), b[end:], true
	}
	switch {
	case bytes.HasPrefix(data, registrationPrefix):
		if id, _, ok := quoted(data[len(registrationPrefix):]); ok {
			return TypeRegistration, id, "", true
		}
	case bytes.HasPrefix(data, scanPrefix):
		id, rest, ok := quoted(data[len(scanPrefix):])
		if ok && bytes.HasPrefix(rest, digestField) {
			if digest, _, ok := quoted(rest[len(digestField):]); ok {
				return TypeScan, id, digest, true
			}
		}
	}
	e, err := DecodeEntry(data)
	if err != nil {
		return "", "", "", false
	}
	if e.Type == TypeScan {
		return e.Type, e.ScanID, e.ReportSHA256, true
	}
	return e.Type, e.WorkID, "", true
}
