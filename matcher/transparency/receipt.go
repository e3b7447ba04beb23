package transparency

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/attrib/attrib/store/merkle"
)

// FormatVersion is the version of the receipt and head file formats.
const FormatVersion = 1

// Receipt proves that an entry is in the log: the entry, its leaf index,
// the inclusion proof (audit path, leaf first) and the signed tree head the
// proof leads to. A registration's receipt is written by
// `attrib register --receipt`; a JSON report's transparency field holds the
// receipt of its scan entry.
type Receipt struct {
	Version        int      `json:"version"`
	Entry          Entry    `json:"entry"`
	LeafIndex      uint64   `json:"leaf_index"`
	InclusionProof []string `json:"inclusion_proof"` // lowercase hex hashes; [] for a one-leaf tree
	TreeHead       Head     `json:"tree_head"`
}

// MarshalFile returns the receipt's one valid file form: JSON indented by
// two spaces with a trailing newline.
func (r Receipt) MarshalFile() []byte { return marshalFile(r) }

// compact returns the receipt as compact JSON (for a report's field).
func (r Receipt) compact() json.RawMessage {
	b := marshalFile(r)
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		panic(fmt.Sprintf("compact receipt: %v", err))
	}
	return buf.Bytes()
}

func marshalFile(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only strings, numbers and slices of them: always encodes.
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return buf.Bytes()
}

// parseCanonical decodes data strictly into v and insists that data is
// exactly the form render writes: any other spelling of the same values
// (case of keys, escapes, white space, upper-case hex) is a changed file.
func parseCanonical(what string, data []byte, v any, render func() []byte) error {
	if err := strictUnmarshal(data, v); err != nil {
		return fail("%s is not valid: %v", what, err)
	}
	if !bytes.Equal(render(), data) {
		return fail("%s is not in the exact form attrib writes: it was edited or re-encoded", what)
	}
	return nil
}

// proofHashes parses an inclusion or consistency proof.
func proofHashes(what string, ss []string) ([]merkle.Hash, error) {
	hs := make([]merkle.Hash, len(ss))
	for i, s := range ss {
		h, err := merkle.ParseHash(s)
		if err != nil || h.String() != s {
			return nil, fail("%s[%d]: want 64 lowercase hex digits", what, i)
		}
		hs[i] = h
	}
	return hs, nil
}

func hexHashes(hs []merkle.Hash) []string {
	ss := make([]string, len(hs))
	for i, h := range hs {
		ss[i] = h.String()
	}
	return ss
}

// HeadFile is a signed tree head exported by `attrib log head`, with a
// consistency proof from an older head's size when one was asked for.
type HeadFile struct {
	Version     int          `json:"version"`
	TreeHead    Head         `json:"tree_head"`
	Consistency *Consistency `json:"consistency,omitempty"`
}

// Consistency proves that the tree of FromSize leaves is a prefix of the
// head's tree (RFC 9162 §2.1.4).
type Consistency struct {
	FromSize uint64   `json:"from_size"`
	Proof    []string `json:"proof"` // lowercase hex hashes; [] when FromSize is the head's size
}

// MarshalFile returns the head file's one valid form.
func (h HeadFile) MarshalFile() []byte { return marshalFile(h) }
