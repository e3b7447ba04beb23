// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Forked from Go 1.26.8 src/image/jpeg/reader.go: input is a byte slice,
// Decode takes Options (scale, luminance only), and the output is built at
// the requested scale. Marker parsing is unchanged.

package jpegscale

import (
	"errors"
	"image"
	"io"
)

// A FormatError reports that the input is not a valid JPEG.
type FormatError string

func (e FormatError) Error() string { return "invalid JPEG format: " + string(e) }

// An UnsupportedError reports that the input uses a valid but unimplemented JPEG feature.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "unsupported JPEG feature: " + string(e) }

var errUnsupportedSubsamplingRatio = UnsupportedError("luma/chroma subsampling ratio")

// errColourNeeded stops a luminance-only decode that learnt too late (an
// APP marker after the first scan) that the image is RGB, whose luminance
// needs all three components; Decode then starts again in colour.
var errColourNeeded = errors.New("jpegscale: colour decode needed")

// Component specification, specified in section B.2.2.
type component struct {
	h  int   // Horizontal sampling factor.
	v  int   // Vertical sampling factor.
	c  uint8 // Component identifier.
	tq uint8 // Quantization table destination selector.
}

const (
	dcTable = 0
	acTable = 1
	maxTc   = 1
	maxTh   = 3
	maxTq   = 3

	maxComponents = 4
)

const (
	sof0Marker = 0xc0 // Start Of Frame (Baseline Sequential).
	sof1Marker = 0xc1 // Start Of Frame (Extended Sequential).
	sof2Marker = 0xc2 // Start Of Frame (Progressive).
	dhtMarker  = 0xc4 // Define Huffman Table.
	rst0Marker = 0xd0 // ReSTart (0).
	rst7Marker = 0xd7 // ReSTart (7).
	soiMarker  = 0xd8 // Start Of Image.
	eoiMarker  = 0xd9 // End Of Image.
	sosMarker  = 0xda // Start Of Scan.
	dqtMarker  = 0xdb // Define Quantization Table.
	driMarker  = 0xdd // Define Restart Interval.
	comMarker  = 0xfe // COMment.
	// "APPlication specific" markers aren't part of the JPEG spec per se,
	// but in practice, their use is described at
	// https://www.sno.phy.queensu.ca/~phil/exiftool/TagNames/JPEG.html
	app0Marker  = 0xe0
	app14Marker = 0xee
	app15Marker = 0xef
)

// See https://www.sno.phy.queensu.ca/~phil/exiftool/TagNames/JPEG.html#Adobe
const (
	adobeTransformUnknown = 0
	adobeTransformYCbCr   = 1
	adobeTransformYCbCrK  = 2
)

// unzig maps from the zig-zag ordering to the natural ordering. For example,
// unzig[3] is the column and row of the fourth element in zig-zag order. The
// value is 16, which means first column (16%8 == 0) and third row (16/8 == 2).
var unzig = [blockSize]int{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// Options select the size and kind of image Decode returns.
type Options struct {
	// Scale is the denominator of the output size: 1, 2, 4 or 8 (0 means
	// 1). Each side is divided by it and rounded up, as libjpeg does.
	Scale int
	// Gray returns only the luminance, as *image.Gray. For YCbCr and grey
	// JPEGs it is the Y component and chroma is never reconstructed; RGB,
	// CMYK and YCbCrK JPEGs are decoded in colour and converted.
	Gray bool
}

// ScaledSize returns the size of a w×h image decoded at 1/scale.
func ScaledSize(w, h, scale int) (int, int) {
	return (w + scale - 1) / scale, (h + scale - 1) / scale
}

// Decode decodes the JPEG image in data as opts ask.
//
// At scale 1 in colour the result equals image/jpeg's, and so does the error
// or its absence; at other scales and with Gray, too, the verdict is
// image/jpeg's unless a scan was skipped. Scans that cannot change the
// output are skipped without being decoded (progressive AC scans at scale
// 8, and scans of chroma only with Gray), so corruption inside them goes
// unnoticed. As libjpeg does, and image/jpeg does not, a skipped scan is
// taken to end with no end-of-band run pending, so on corrupt input the
// verdict can differ either way.
func Decode(data []byte, opts Options) (image.Image, error) {
	scale := opts.Scale
	switch scale {
	case 0:
		scale = 1
	case 1, 2, 4, 8:
	default:
		return nil, UnsupportedError("scale")
	}
	d := &decoder{data: data, scale: scale, gray: opts.Gray}
	return d.decodeRetrying()
}

// decodeRetrying decodes, starting again in colour when a luminance-only
// decode turns out to need it (errColourNeeded).
func (d *decoder) decodeRetrying() (image.Image, error) {
	img, err := d.decode()
	if err == errColourNeeded {
		*d = decoder{data: d.data, scale: d.scale, gray: true, colourGray: true, noSkip: d.noSkip}
		img, err = d.decode()
	}
	return img, err
}

// bits holds the entropy-coded bits read ahead of the Huffman decoder.
type bitBuffer struct {
	a uint64 // unread bits, most significant first; the bits below them are 0
	n int32  // number of unread bits in a that came from the data
}

type decoder struct {
	data []byte
	pos  int // index in data of the next byte not yet read (into bits or otherwise)
	bits bitBuffer

	width, height int

	// scale and the derived output size of one 8×8 block.
	scale, bs int
	// gray asks for luminance only; lumaOnly is set at the first scan when
	// that means reconstructing component 0 alone (YCbCr and grey images);
	// colourGray forces a colour decode converted to grey.
	gray, lumaOnly, colourGray bool
	// maxZig is the highest zig-zag index whose coefficient reaches the
	// output at this scale.
	maxZig int32
	// skipped counts the scans skipped unread; tests set noSkip to decode
	// them all.
	skipped int
	noSkip  bool
	// blockHook, when set (by tests), sees every block before it is
	// reconstructed: its component, coefficients and quantization table.
	blockHook func(compIndex int, b, qt *block)

	img1        *image.Gray
	img3        *image.YCbCr
	blackPix    []byte
	blackStride int

	ri    int // Restart Interval.
	nComp int

	// As per section 4.5, there are four modes of operation (selected by the
	// SOF? markers): sequential DCT, progressive DCT, lossless and
	// hierarchical, although this implementation does not support the latter
	// two non-DCT modes. Sequential DCT is further split into baseline and
	// extended, as per section 4.11.
	baseline    bool
	progressive bool

	jfif                bool
	adobeTransformValid bool
	adobeTransform      uint8
	eobRun              uint16 // End-of-Band run, specified in section G.1.2.2.

	comp       [maxComponents]component
	progCoeffs [maxComponents][]block // Saved state between progressive-mode scans.
	// progNonZero has, for each block of progCoeffs, bit i set when its
	// coefficient of zig-zag index i (i > 0) is not zero, so refinement
	// scans visit only those.
	progNonZero [maxComponents][]uint64
	huff        [maxTc + 1][maxTh + 1]huffman
	quant       [maxTq + 1]block // Quantization tables, in zig-zag order.
	quantNat    [maxTq + 1]block // The same, in natural order.
	tmp         [2 * blockSize]byte
}

// readByte returns the next byte. It does not care about byte stuffing.
func (d *decoder) readByte() (byte, error) {
	if d.pos >= len(d.data) {
		return 0, io.ErrUnexpectedEOF
	}
	x := d.data[d.pos]
	d.pos++
	return x, nil
}

// readFull reads exactly len(p) bytes into p. It does not care about byte
// stuffing.
func (d *decoder) readFull(p []byte) error {
	n := copy(p, d.data[d.pos:])
	d.pos += n
	if n < len(p) {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// ignore ignores the next n bytes.
func (d *decoder) ignore(n int) error {
	if n > len(d.data)-d.pos {
		d.pos = len(d.data)
		return io.ErrUnexpectedEOF
	}
	d.pos += n
	return nil
}

// decode reads the JPEG image in d.data.
func (d *decoder) decode() (image.Image, error) {
	d.bs = 8 / d.scale
	d.maxZig = maxZigForScale(d.scale)

	// Check for the Start Of Image marker.
	if err := d.readFull(d.tmp[:2]); err != nil {
		return nil, err
	}
	if d.tmp[0] != 0xff || d.tmp[1] != soiMarker {
		return nil, FormatError("missing SOI marker")
	}

	// Process the remaining segments until the End Of Image marker.
	for {
		err := d.readFull(d.tmp[:2])
		if err != nil {
			return nil, err
		}
		for d.tmp[0] != 0xff {
			// Extraneous data is silently ignored, as image/jpeg and libjpeg
			// do (see the comment there).
			d.tmp[0] = d.tmp[1]
			d.tmp[1], err = d.readByte()
			if err != nil {
				return nil, err
			}
		}
		marker := d.tmp[1]
		if marker == 0 {
			// Treat "\xff\x00" as extraneous data.
			continue
		}
		for marker == 0xff {
			// Section B.1.1.2 says, "Any marker may optionally be preceded by any
			// number of fill bytes, which are bytes assigned code X'FF'".
			marker, err = d.readByte()
			if err != nil {
				return nil, err
			}
		}
		if marker == eoiMarker { // End Of Image.
			break
		}
		if rst0Marker <= marker && marker <= rst7Marker {
			// A stray restart marker after the final entropy-coded segment
			// is ignored as a harmless error, as image/jpeg does.
			continue
		}

		// Read the 16-bit length of the segment. The value includes the 2 bytes for the
		// length itself, so we subtract 2 to get the number of remaining bytes.
		if err = d.readFull(d.tmp[:2]); err != nil {
			return nil, err
		}
		n := int(d.tmp[0])<<8 + int(d.tmp[1]) - 2
		if n < 0 {
			return nil, FormatError("short segment length")
		}

		switch marker {
		case sof0Marker, sof1Marker, sof2Marker:
			d.baseline = marker == sof0Marker
			d.progressive = marker == sof2Marker
			err = d.processSOF(n)
		case dhtMarker:
			err = d.processDHT(n)
		case dqtMarker:
			err = d.processDQT(n)
		case sosMarker:
			err = d.processSOS(n)
		case driMarker:
			err = d.processDRI(n)
		case app0Marker:
			err = d.processApp0Marker(n)
		case app14Marker:
			err = d.processApp14Marker(n)
		default:
			if app0Marker <= marker && marker <= app15Marker || marker == comMarker {
				err = d.ignore(n)
			} else if marker < 0xc0 { // See Table B.1 "Marker code assignments".
				err = FormatError("unknown marker")
			} else {
				err = UnsupportedError("unknown marker")
			}
		}
		if err != nil {
			return nil, err
		}
	}

	if d.progressive {
		if err := d.reconstructProgressiveImage(); err != nil {
			return nil, err
		}
	}
	return d.output()
}

// output assembles the decoded planes into the image Decode returns.
func (d *decoder) output() (image.Image, error) {
	if d.img1 != nil {
		if d.lumaOnly && d.isRGB() {
			return nil, errColourNeeded
		}
		return d.img1, nil
	}
	if d.img3 == nil {
		return nil, FormatError("missing SOS marker")
	}
	var (
		img image.Image
		err error
	)
	switch {
	case d.blackPix != nil:
		img, err = d.applyBlack()
	case d.isRGB():
		img, err = d.convertToRGB()
	default:
		img = d.img3
	}
	if err != nil || !d.gray {
		return img, err
	}
	return toGray(img), nil
}

func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobeTransformValid && d.adobeTransform == adobeTransformUnknown {
		// https://www.sno.phy.queensu.ca/~phil/exiftool/TagNames/JPEG.html#Adobe
		// says that 0 means Unknown (and in practice RGB) and 1 means YCbCr.
		return true
	}
	return d.comp[0].c == 'R' && d.comp[1].c == 'G' && d.comp[2].c == 'B'
}
