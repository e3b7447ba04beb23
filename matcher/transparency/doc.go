// Package transparency owns attrib's append-only transparency log: the
// instance's ed25519 key, the log entries (registrations and scan reports)
// and their canonical encoding, signed tree heads over the RFC 9162 Merkle
// tree of store/merkle, receipts and report proofs, consistency exports, and
// their offline verification with nothing but the instance's public key.
//
// Files this package writes (receipts, tree heads, the transparency field of
// a JSON report) have exactly one valid byte form: verification parses them
// strictly, renders them again and compares the bytes before it checks any
// digest, proof or signature, so no bit of a file can change unnoticed.
package transparency
