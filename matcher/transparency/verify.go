package transparency

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store/merkle"
)

// Verified describes what a valid file proves.
type Verified struct {
	Entry     Entry     // the log entry (zero for a consistency check)
	LeafIndex uint64    // the entry's leaf
	Size      uint64    // the signed tree's size (the newer one for consistency)
	Root      string    // its root hash
	Signed    time.Time // the signed head's timestamp
	OldSize   uint64    // consistency: the older tree's size
}

// VerifyReceipt checks a receipt file offline with the instance's public
// key: its exact form, the entry, the inclusion proof and the tree head's
// signature. When work is not nil it must be the registered file's bytes.
func VerifyReceipt(data []byte, pub ed25519.PublicKey, work []byte) (Verified, error) {
	var r Receipt
	if err := parseCanonical("receipt", data, &r, r.marshalFileOf); err != nil {
		return Verified{}, err
	}
	v, err := r.verify(pub)
	if err != nil {
		return Verified{}, err
	}
	if r.Entry.Type != TypeRegistration {
		return Verified{}, fail("receipt: the entry is a %q, not a registration (is this a report's proof?)", r.Entry.Type)
	}
	if work != nil {
		sum := sha256.Sum256(work)
		if got := hex.EncodeToString(sum[:]); got != r.Entry.SHA256 {
			return Verified{}, fail("the work file's SHA-256 is %s, the receipt registers %s: the file is not the registered work (or was changed)", got, r.Entry.SHA256)
		}
	}
	return v, nil
}

// marshalFileOf renders the receipt as decoded so far (for parseCanonical).
func (r *Receipt) marshalFileOf() []byte { return r.MarshalFile() }

// verify checks a parsed receipt: entry, proof and head.
func (r Receipt) verify(pub ed25519.PublicKey) (Verified, error) {
	if r.Version != FormatVersion {
		return Verified{}, fail("receipt version %d: this attrib reads version %d", r.Version, FormatVersion)
	}
	if err := r.Entry.validate(); err != nil {
		return Verified{}, fail("receipt: %v", err)
	}
	if r.InclusionProof == nil {
		return Verified{}, fail("receipt: inclusion_proof is missing")
	}
	proof, err := proofHashes("inclusion_proof", r.InclusionProof)
	if err != nil {
		return Verified{}, err
	}
	h, err := r.TreeHead.verify(pub)
	if err != nil {
		return Verified{}, err
	}
	if r.LeafIndex >= h.Size {
		return Verified{}, fail("leaf index %d is outside the signed tree of %d leaves", r.LeafIndex, h.Size)
	}
	leaf := merkle.LeafHash(r.Entry.Encode())
	if err := merkle.VerifyInclusion(r.LeafIndex, h.Size, leaf, proof, h.Root); err != nil {
		return Verified{}, fail("the entry is not leaf %d of the signed tree of %d leaves (entry, leaf index or proof altered): %v", r.LeafIndex, h.Size, err)
	}
	return Verified{Entry: r.Entry, LeafIndex: r.LeafIndex, Size: h.Size, Root: h.Root.String(), Signed: h.Timestamp}, nil
}

// VerifyReport checks a JSON report file offline: its exact form (as
// `attrib report --format json` writes it), that its content is what the
// log recorded for its scan, the inclusion proof and the head's signature.
func VerifyReport(data []byte, pub ed25519.PublicKey) (Verified, error) {
	var rep report.Report
	render := func() []byte {
		var buf bytes.Buffer
		if err := report.Render(&buf, rep, report.FormatJSON); err != nil {
			return nil
		}
		return buf.Bytes()
	}
	if err := parseCanonical("report", data, &rep, render); err != nil {
		return Verified{}, err
	}
	if len(rep.Transparency) == 0 {
		return Verified{}, fail("the report has no transparency field: write it with attrib report --format json")
	}
	var rc Receipt
	if err := strictUnmarshal(rep.Transparency, &rc); err != nil {
		return Verified{}, fail("the report's transparency field is not valid: %v", err)
	}
	// The report's bytes were compared above; the field must also hold
	// exactly the receipt attrib writes, in its compact form.
	var compact bytes.Buffer
	if err := json.Compact(&compact, rep.Transparency); err != nil || !bytes.Equal(compact.Bytes(), rc.compact()) {
		return Verified{}, fail("the report's transparency field is not in the exact form attrib writes: it was edited")
	}
	if rc.Entry.Type != TypeScan {
		return Verified{}, fail("the report's transparency entry is a %q, not a scan report", rc.Entry.Type)
	}
	if rc.Entry.ScanID != rep.Scan.ID {
		return Verified{}, fail("the transparency entry is about scan %q, the report about scan %q", rc.Entry.ScanID, rep.Scan.ID)
	}
	digest, err := ReportDigest(rep)
	if err != nil {
		return Verified{}, fail("report: %v", err)
	}
	if digest != rc.Entry.ReportSHA256 {
		return Verified{}, fail("the report's content (SHA-256 %s) is not what the log recorded for scan %s (%s): the report was changed", digest, rep.Scan.ID, rc.Entry.ReportSHA256)
	}
	return rc.verify(pub)
}

// verifyAnyHead fully verifies a file that carries a signed tree head (a
// head file from `attrib log head`, a receipt, or a JSON report with a
// transparency field) and returns the head.
func verifyAnyHead(data []byte, pub ed25519.PublicKey) (verifiedHead, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return verifiedHead{}, fail("not valid JSON: %v", err)
	}
	switch {
	case keys["entry"] != nil:
		var rc Receipt
		if err := parseCanonical("receipt", data, &rc, rc.marshalFileOf); err != nil {
			return verifiedHead{}, err
		}
		v, err := rc.verify(pub)
		return verifiedHead{Size: v.Size, Root: parsedHash(v.Root), Timestamp: v.Signed}, err
	case keys["scan"] != nil:
		v, err := VerifyReport(data, pub)
		return verifiedHead{Size: v.Size, Root: parsedHash(v.Root), Timestamp: v.Signed}, err
	}
	hf, err := parseHeadFile(data)
	if err != nil {
		return verifiedHead{}, err
	}
	return hf.TreeHead.verify(pub)
}

// parsedHash parses a hash this package rendered (zero after a failed check).
func parsedHash(s string) merkle.Hash {
	h, _ := merkle.ParseHash(s)
	return h
}

// parseHeadFile parses a head file in its exact form.
func parseHeadFile(data []byte) (HeadFile, error) {
	var hf HeadFile
	if err := parseCanonical("head file", data, &hf, hf.marshalFileOf); err != nil {
		return HeadFile{}, err
	}
	if hf.Version != FormatVersion {
		return HeadFile{}, fail("head file version %d: this attrib reads version %d", hf.Version, FormatVersion)
	}
	return hf, nil
}

func (h *HeadFile) marshalFileOf() []byte { return h.MarshalFile() }

// VerifyConsistency checks offline that the log was only appended to
// between an older head (oldData: a head file, receipt or report) and a
// newer head file exported with a consistency proof from the older size
// (`attrib log head --from OLD.json`). Two heads of equal size must have
// the same root.
func VerifyConsistency(oldData, newData []byte, pub ed25519.PublicKey) (Verified, error) {
	o, err := verifyAnyHead(oldData, pub)
	if err != nil {
		return Verified{}, fmt.Errorf("OLD: %w", err)
	}
	nf, err := parseHeadFile(newData)
	if err != nil {
		return Verified{}, fmt.Errorf("NEW: %w", err)
	}
	n, err := nf.TreeHead.verify(pub)
	if err != nil {
		return Verified{}, fmt.Errorf("NEW: %w", err)
	}
	out := Verified{Size: n.Size, Root: n.Root.String(), Signed: n.Timestamp, OldSize: o.Size}
	switch {
	case n.Size < o.Size:
		return Verified{}, fail("NEW (size %d) is older than OLD (size %d): swap the files", n.Size, o.Size)
	case n.Size == o.Size && n.Root != o.Root:
		return Verified{}, fail("two signed heads of size %d with different roots: the log was rewritten", n.Size)
	case nf.Consistency == nil && n.Size == o.Size:
		return out, nil
	case nf.Consistency == nil:
		return Verified{}, fail("NEW has no consistency proof: export it with attrib log head --from OLD.json")
	case nf.Consistency.FromSize != o.Size:
		return Verified{}, fail("NEW's consistency proof starts at size %d, OLD has size %d: export NEW with attrib log head --from OLD.json", nf.Consistency.FromSize, o.Size)
	case nf.Consistency.Proof == nil:
		return Verified{}, fail("NEW: consistency proof is missing")
	}
	proof, err := proofHashes("consistency proof", nf.Consistency.Proof)
	if err != nil {
		return Verified{}, err
	}
	if err := merkle.VerifyConsistency(o.Size, n.Size, o.Root, n.Root, proof); err != nil {
		return Verified{}, fail("the log of %d leaves is not an extension of the log of %d leaves (it was rewritten, or the proof was altered): %v", n.Size, o.Size, err)
	}
	return out, nil
}
