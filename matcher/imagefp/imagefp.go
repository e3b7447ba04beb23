package imagefp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"math/bits"

	// Decoders registered with image.Decode: the formats attrib accepts.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	"github.com/corona10/goimagehash"

	"github.com/attrib/attrib/matcher/pdq"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// Version is the version of the fingerprint format computed here. Bump it
// when a change makes new hashes incomparable with stored ones. Box-filtering
// large images before hashing (added after the first cut) left 144 of the
// 155 decodable shared test images with the same hash and moved the rest by
// 2 or 4 bits (TestReferenceAgreement), so it kept version 1. Applying EXIF
// orientation changes only the hashes of photos stored sideways; PDQ's
// stored flips and rotations still match those, so it kept version 1 too.
const Version = 1

// PHashBits is the length of the perceptual hash in bits.
const PHashBits = 64

// DefaultMaxDistance is the largest Hamming distance between two pHashes
// that the matcher should treat as the same picture. It was chosen from the
// shared test images (TestNearDuplicates, TestDistinctPhotos):
//
//   - copies resized to 25-200%, re-encoded as JPEG at quality 50 or 85,
//     converted between PNG and JPEG, brightened or darkened by 16 levels,
//     or cropped by up to 2% on each side stayed within 8 bits of the
//     original (without crops, within 4);
//   - among 30 distinct photos (435 pairs) the closest pair was 18 bits
//     apart, the median pair 32.
//
// 12 leaves a margin of 4 bits on the near side and 6 on the far side.
// pHash does not survive larger crops: 3% off each side reached 14 bits,
// 5% reached 18, and 5% off one edge 12.
const DefaultMaxDistance = 12

// Errors returned by Compute; test with errors.Is.
var (
	// ErrTooLarge: the encoded size or the pixel count exceeds Limits.
	ErrTooLarge = errors.New("image too large")
	// ErrDecode: the bytes are not an image attrib can decode.
	ErrDecode = errors.New("cannot decode image")
)

// Limits bound the work done on one image. A zero field means no bound.
type Limits struct {
	MaxBytes  int64 // encoded bytes
	MaxPixels int64 // width*height from the header, checked before decoding
}

// DefaultLimits returns bounds that fit photos from cameras (≤ 50 MP) and
// keep one decode under ~200 MB of memory.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 20 << 20, MaxPixels: 50_000_000}
}

// Hashes is the fingerprint of one image.
type Hashes struct {
	SHA256 string // lowercase hex of the encoded bytes
	PHash  uint64 // 64-bit DCT perceptual hash
	Width  int
	Height int
	Format string // decoder name: "jpeg", "png", ...
	// PDQ is Meta's 256-bit perceptual hash and PDQQuality its quality
	// (0..100; below pdq.MinQuality the hash is unreliable).
	PDQ        pdq.Hash
	PDQQuality int
	// PDQDihedral holds the PDQ hashes of the image's 8 flips and
	// rotations (index: pdq.Transform), computed by ComputeWork for
	// registered works so a flipped or rotated copy is found.
	PDQDihedral *[pdq.NumTransforms]pdq.Hash
	// PDQWindows are PDQ-style hashes of the whole image and of windows
	// of it, hashed from an area-averaged plane (parts.go), so that crops,
	// borders and copies whose reference hash drifted still match: for a
	// registered work (ComputeWork) windows that a crop keeps, for a found
	// image (Compute) windows that may be the whole work or a window of it
	// (windows.go). Parts of PDQ quality below pdq.MinQuality are left out.
	PDQWindows []Part
	// PDQRegions are PDQ hashes of the rectangles of a found image that
	// look like a picture placed inside it: bounded by long straight edges
	// or its border (regions.go). Only Compute fills them.
	PDQRegions []Part
}

// Compute decodes data within lim and fingerprints it. The pixel bound is
// checked from the header before any pixel buffer is allocated. Errors wrap
// ErrTooLarge or ErrDecode; a decoder that panics on hostile input yields
// ErrDecode. Except for ErrTooLarge on the byte size, the returned Hashes
// carries SHA256 even when err is not nil.
func Compute(data []byte, lim Limits) (Hashes, error) { return compute(data, lim, false) }

// ComputeWork is Compute for an image being registered: it also computes
// the PDQ hashes of its 8 flips and rotations (pdq.DihedralExact, about 4
// times the cost of one hash), so that matching needs one hash per found
// image.
func ComputeWork(data []byte, lim Limits) (Hashes, error) { return compute(data, lim, true) }

func compute(data []byte, lim Limits, dihedral bool) (Hashes, error) {
	return computeThumb(data, lim, dihedral, nil)
}

// computeThumb is compute that, when thumb is not nil, also sets *thumb to
// a preview made from the same decode (thumb.go).
func computeThumb(data []byte, lim Limits, dihedral bool, thumb *[]byte) (Hashes, error) {
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return Hashes{}, fmt.Errorf("%w: %d bytes exceeds limit of %d", ErrTooLarge, len(data), lim.MaxBytes)
	}
	sum := sha256.Sum256(data)
	h := Hashes{SHA256: hex.EncodeToString(sum[:])}
	cfg, format, err := decodeConfig(data, lim)
	if err != nil {
		return h, err
	}
	img, err := decode(data, cfg, format, lim)
	if err != nil {
		return h, err
	}
	o := exifOrientation(data)
	if o > 1 {
		// Hash the picture as people see it: phone photos are stored
		// sideways with an EXIF Orientation tag.
		img = orient(img, o)
	}
	if thumb != nil {
		// Before cfg is turned: a JPEG preview is decoded from the
		// stored (unturned) size.
		if *thumb, err = makeThumb(data, img, cfg, format, o); err != nil {
			return h, err
		}
	}
	if o >= 5 {
		cfg.Width, cfg.Height = cfg.Height, cfg.Width
	}
	var ph uint64
	err = guard(format+" hash", func() error {
		var err error
		ph, err = perceptionHash(img)
		switch {
		case err != nil:
		case dihedral:
			var d [pdq.NumTransforms]pdq.Hash
			d, h.PDQQuality = pdq.DihedralExact(img)
			h.PDQ, h.PDQDihedral = d[pdq.None], &d
			h.PDQWindows = defaultPlan().workWindows(img, cfg.Width, cfg.Height)
		default:
			h.PDQ, h.PDQQuality = pdq.HashImage(img)
			// Windows and regions carry their own quality: a picture
			// on a blank page is worth finding when the page is not.
			h.PDQWindows, h.PDQRegions = defaultPlan().foundWindows(img, cfg.Width, cfg.Height)
		}
		return err
	})
	if err != nil {
		return h, err
	}
	h.PHash, h.Width, h.Height, h.Format = ph, cfg.Width, cfg.Height, format
	return h, nil
}

// decodeConfig reads only the header and enforces the pixel bound.
func decodeConfig(data []byte, lim Limits) (image.Config, string, error) {
	var cfg image.Config
	var format string
	if err := checkTIFF(data); err != nil {
		return cfg, "tiff", wrapDecode("tiff", err)
	}
	err := guard("header", func() error {
		var err error
		cfg, format, err = image.DecodeConfig(bytes.NewReader(data))
		return err
	})
	if err != nil {
		return cfg, format, wrapDecode(format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cfg, format, fmt.Errorf("%w: %s: empty image %dx%d", ErrDecode, format, cfg.Width, cfg.Height)
	}
	if err := checkPixels(cfg.Width, cfg.Height, lim); err != nil {
		return cfg, format, err
	}
	return cfg, format, nil
}

// decode decodes the pixels and re-checks the bounds of what came out.
// JPEGs are decoded at a reduced scale (decodeJPEG), so the bounds may be
// smaller than cfg's.
func decode(data []byte, cfg image.Config, format string, lim Limits) (image.Image, error) {
	var img image.Image
	err := guard(format+" decoder", func() error {
		var err error
		if format == "jpeg" {
			img, err = decodeJPEG(data, cfg)
			return err
		}
		img, _, err = image.Decode(bytes.NewReader(data))
		return err
	})
	if err != nil {
		return nil, wrapDecode(format, err)
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("%w: %s: decoded an empty image", ErrDecode, format)
	}
	if err := checkPixels(b.Dx(), b.Dy(), lim); err != nil {
		return nil, err
	}
	return img, nil
}

// checkPixels enforces lim.MaxPixels on a width and height.
func checkPixels(w, h int, lim Limits) error {
	if lim.MaxPixels > 0 && int64(w)*int64(h) > lim.MaxPixels {
		return fmt.Errorf("%w: %dx%d exceeds %d pixels", ErrTooLarge, w, h, lim.MaxPixels)
	}
	return nil
}

// wrapDecode marks a decoder's err as ErrDecode unless it already is.
func wrapDecode(format string, err error) error {
	if errors.Is(err, ErrDecode) {
		return err
	}
	if format == "" {
		return fmt.Errorf("%w: %w", ErrDecode, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrDecode, format, err)
}

// guard runs f and turns a panic inside it into an ErrDecode error:
// decoders have panicked on hostile input before.
func guard(stage string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s panicked: %v", ErrDecode, stage, r)
		}
	}()
	return f()
}

// perceptionHash reduces img to a small luminance image and hashes it.
func perceptionHash(img image.Image) (uint64, error) {
	ph, err := goimagehash.PerceptionHash(luminance(img))
	if err != nil {
		return 0, fmt.Errorf("perceptual hash: %w", err)
	}
	return ph.GetHash(), nil
}

// Distance is the Hamming distance between two 64-bit hashes.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
