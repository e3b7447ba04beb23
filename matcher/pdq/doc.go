// Package pdq computes Meta's PDQ perceptual hash (256 bits) of images and
// its eight dihedral variants, following the C++ reference of ThreatExchange
// (pdq/cpp): large images are sampled to 512×512 by nearest neighbour, the
// luminance is blurred by two Jarosz box-filter passes and decimated to
// 64×64, a 16×16 block of its DCT is thresholded at its median.
package pdq
