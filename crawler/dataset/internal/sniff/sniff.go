// Package sniff tells what a dataset record holds from its media type and
// its first bytes, the same way for every dataset format.
package sniff

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/attrib/attrib/crawler/dataset"
)

// Image reports whether b starts like a raster image the image engine may
// decode: JPEG, PNG, GIF, WebP, BMP or TIFF. SVG is not one: it is markup.
func Image(b []byte) bool {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}),
		bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")),
		len(b) >= 12 && bytes.Equal(b[:4], []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WEBP")),
		bytes.HasPrefix(b, []byte("BM")) && len(b) >= 14,
		bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return true
	}
	return false
}

// MediaType returns the lower-case type/subtype of a Content-Type value,
// or "" when there is none. Malformed parameters are ignored: recorded
// headers are often sloppy.
func MediaType(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// Kind classifies content declared as contentType. Raster image bytes are
// images whatever the declaration says; an empty body or an unknown type is
// KindOther; a missing or generic declaration is settled by sniffing.
func Kind(contentType string, body []byte) dataset.Kind {
	if len(body) == 0 {
		return dataset.KindOther
	}
	if Image(body) {
		return dataset.KindImage
	}
	mt := MediaType(contentType)
	switch mt {
	case "", "application/octet-stream", "unknown/unknown", "application/unknown":
		mt = MediaType(http.DetectContentType(body))
		if strings.HasPrefix(mt, "image/") {
			return dataset.KindOther // sniffed, yet not a raster format we decode (an icon...)
		}
		if mt == "application/octet-stream" && Text(body) {
			mt = "text/plain"
		}
	}
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		return dataset.KindHTML
	case mt == "text/plain" || mt == "text/markdown" || mt == "text/x-markdown":
		return dataset.KindText
	case strings.HasPrefix(mt, "image/") && mt != "image/svg+xml":
		return dataset.KindImage // declared an image in a format we do not sniff: let the decoder decide
	}
	return dataset.KindOther
}

// Ext classifies a file by its lower-case extension (with the dot), or
// returns "" when the extension says nothing.
func Ext(ext string) dataset.Kind {
	switch ext {
	case ".html", ".htm", ".xhtml":
		return dataset.KindHTML
	case ".txt", ".md", ".markdown", ".rst", ".text":
		return dataset.KindText
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff":
		return dataset.KindImage
	}
	return ""
}

// Text reports whether b's first 8 KiB look like plain text: valid UTF-8
// without control bytes other than the ones text uses — tab, line ends,
// form feed, backspace (old overstruck text) and escape. net/http's
// sniffer calls backspaced text binary.
func Text(b []byte) bool {
	b = b[:min(len(b), 8<<10)]
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\b' && c != 0x1b && c != '\v' {
			return false
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 && len(b)-i >= utf8.UTFMax {
			return false // invalid, and not a rune cut by the 8 KiB prefix
		}
		i += size
	}
	return len(b) > 0
}
