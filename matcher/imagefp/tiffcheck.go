package imagefp

import (
	"encoding/binary"
	"errors"
)

// errTIFFData reports a TIFF tag whose value lies past the end of the file.
var errTIFFData = errors.New("tiff: tag data beyond end of file")

// tiffTypeSize is the byte size of the TIFF field types x/image/tiff
// reads (BYTE, ASCII, SHORT, LONG, RATIONAL); other types it rejects
// before reading, so they need no check.
var tiffTypeSize = [...]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8}

// tiffOrder returns the byte order of a TIFF header (as in TIFF files and
// EXIF blocks), or nil when data does not start with one.
func tiffOrder(data []byte) binary.ByteOrder {
	if len(data) < 8 {
		return nil
	}
	switch string(data[:4]) {
	case "II*\x00":
		return binary.LittleEndian
	case "MM\x00*":
		return binary.BigEndian
	}
	return nil
}

// checkTIFF rejects a TIFF whose first IFD points outside data. x/image/tiff
// allocates the size a tag claims before reading it (up to 10 MB per tag),
// so a 20-byte file could make it allocate megabytes; this bounds every
// read by the file's length. Data that is not TIFF passes.
func checkTIFF(data []byte) error {
	order := tiffOrder(data)
	if order == nil {
		return nil
	}
	size := uint64(len(data))
	ifd := uint64(order.Uint32(data[4:]))
	if ifd+2 > size {
		return errTIFFData
	}
	n := uint64(order.Uint16(data[ifd:]))
	if ifd+2+12*n > size {
		return errTIFFData
	}
	for i := range n {
		e := data[ifd+2+12*i:]
		typ, count := order.Uint16(e[2:]), uint64(order.Uint32(e[4:]))
		if int(typ) >= len(tiffTypeSize) {
			continue
		}
		if l := tiffTypeSize[typ] * count; l > 4 && uint64(order.Uint32(e[8:]))+l > size {
			return errTIFFData
		}
	}
	return nil
}
