// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package jpegscale decodes JPEG images at 1/1, 1/2, 1/4 or 1/8 of their
// size in the DCT domain, optionally returning only the luminance.
//
// It is a fork of Go 1.26.8's image/jpeg decoder (the encoder is not
// included). imagefp hashes at most 512×512 samples of an image, so fully
// decoding a camera photo spends most of its time on pixels the hashes never
// look at. This fork changes, and only changes:
//
//   - output scale: each 8×8 block is reconstructed as 8/n × 8/n pixels by
//     a reduced inverse DCT of its low-frequency coefficients (1/8: the DC
//     coefficient alone; 1/4 and 1/2: 2- and 4-point IDCTs, as libjpeg's
//     scaled decoding does), so coefficients that cannot show at the
//     output size are never dequantized or transformed;
//   - luminance only (Options.Gray): chroma blocks of YCbCr and grey images
//     are entropy-decoded (interleaved scans require it) but never
//     reconstructed or upsampled;
//   - scans that cannot change the requested output are skipped unread:
//     progressive AC scans at 1/8 scale, and scans of chroma alone with
//     Options.Gray (see Decode for what this means for corrupt input);
//   - input is a byte slice, read through a 64-bit bit buffer with a 9-bit
//     Huffman look-up table, instead of an io.Reader read byte by byte.
//
// At scale 1 and in colour it returns exactly what image/jpeg returns, pixel
// for pixel, and accepts and rejects the same inputs (the tests check both).
// Allocations are bounded by the dimensions in the frame header, as in
// image/jpeg; callers bound those before decoding.
package jpegscale
