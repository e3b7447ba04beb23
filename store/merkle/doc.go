// Package merkle implements the Merkle tree of RFC 9162 (Certificate
// Transparency 2.0) as pure functions over leaf hashes: domain-separated
// leaf and node hashing, the root of a tree, inclusion (audit path) and
// consistency proofs, and their verification. It knows nothing about what
// the leaves mean or where they are stored; matcher/transparency builds the
// attrib log on top of it.
package merkle
