// Package imagefp decodes images within strict bounds and computes their
// fingerprints: the SHA-256 of the bytes and a 64-bit perceptual hash (pHash,
// via goimagehash). It owns what a comparable image fingerprint is: how it is
// computed (Compute), compared (Distance, DefaultMaxDistance) and stored
// (Encode, Decode, Algorithm, Version). The crawler and dataset readers call
// it, the matcher compares its output.
//
// Large images are box-filtered to at most 511x511 luminance samples before
// goimagehash resizes them to 64x64, which keeps hashing cheap next to
// decoding. Large JPEGs are decoded at 1/2, 1/4 or 1/8 of their size and as
// luminance only, in the DCT domain (internal/jpegscale, a fork of
// image/jpeg; jpeg.go chooses the scale), as the hashes read no more.
package imagefp
