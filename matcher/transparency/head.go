package transparency

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/attrib/attrib/store"
	"github.com/attrib/attrib/store/merkle"
)

// headContext starts every signed tree-head message, so that an attrib
// signature can never be mistaken for a signature over anything else.
const headContext = "attrib transparency log tree head v1\n"

// headMessage is the byte string the instance key signs for a tree head:
// headContext, the tree size (8 bytes, big-endian), the root hash (32
// bytes) and the timestamp in Unix milliseconds (8 bytes, big-endian).
func headMessage(size uint64, root merkle.Hash, ts time.Time) []byte {
	msg := make([]byte, 0, len(headContext)+8+merkle.Size+8)
	msg = append(msg, headContext...)
	msg = binary.BigEndian.AppendUint64(msg, size)
	msg = append(msg, root[:]...)
	return binary.BigEndian.AppendUint64(msg, uint64(ts.UnixMilli()))
}

// Head is a signed tree head as it appears in receipts, reports and head
// files: the size and root of the log's Merkle tree at a moment, signed by
// the instance key.
type Head struct {
	Size      uint64 `json:"size"`
	RootHash  string `json:"root_hash"` // lowercase hex
	Timestamp string `json:"timestamp"` // RFC 3339, UTC, milliseconds
	Signature string `json:"signature"` // base64 of the ed25519 signature over headMessage
}

// signHead signs the tree of size leaves with root at ts (truncated to
// milliseconds, the precision of the signed form).
func signHead(key ed25519.PrivateKey, size uint64, root merkle.Hash, ts time.Time) store.TreeHead {
	ts = ts.UTC().Truncate(time.Millisecond)
	return store.TreeHead{
		Size: size, RootHash: root[:], Timestamp: ts,
		Signature: ed25519.Sign(key, headMessage(size, root, ts)),
	}
}

// headOf converts a stored head to its file form.
func headOf(h store.TreeHead) Head {
	return Head{
		Size:      h.Size,
		RootHash:  fmt.Sprintf("%x", h.RootHash),
		Timestamp: formatTime(h.Timestamp),
		Signature: base64.StdEncoding.EncodeToString(h.Signature),
	}
}

// verifiedHead is a head whose signature checked out.
type verifiedHead struct {
	Size      uint64
	Root      merkle.Hash
	Timestamp time.Time
}

// verify checks the head's form and signature with pub.
func (h Head) verify(pub ed25519.PublicKey) (verifiedHead, error) {
	root, err := merkle.ParseHash(h.RootHash)
	if err != nil || root.String() != h.RootHash {
		return verifiedHead{}, fail("tree head: root_hash must be 64 lowercase hex digits")
	}
	ts, err := parseTime(h.Timestamp)
	if err != nil {
		return verifiedHead{}, fail("tree head: %v", err)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(h.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize || base64.StdEncoding.EncodeToString(sig) != h.Signature {
		return verifiedHead{}, fail("tree head: signature must be base64 of %d bytes", ed25519.SignatureSize)
	}
	if h.Size == 0 {
		return verifiedHead{}, fail("tree head: size 0")
	}
	if !ed25519.Verify(pub, headMessage(h.Size, root, ts), sig) {
		return verifiedHead{}, fail("tree head (size %d, %s) is not signed by key %s: the head was altered or comes from another instance",
			h.Size, h.Timestamp, EncodePublicKey(pub))
	}
	return verifiedHead{Size: h.Size, Root: root, Timestamp: ts}, nil
}
