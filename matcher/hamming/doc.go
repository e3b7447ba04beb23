// Package hamming is an in-memory index of perceptual image hashes
// answering radius queries: which stored hashes lie within a given Hamming
// distance of a query. Index holds 64-bit hashes (pHash) and Index256
// 256-bit ones (PDQ). Both use multi-index hashing (Norouzi et al., "Fast
// Search in Hamming Space with Multi-Index Hashing", CVPR 2012) for radii
// up to the bound fixed at construction and a linear scan beyond it.
package hamming
