package optout

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"sort"
)

// Bounds of image metadata scanning. Only the container's segment or chunk
// headers are walked; payloads are read where they lie.
const (
	maxSegments  = 4096     // JPEG segments, PNG or WebP chunks walked
	maxXMPBytes  = 4 << 20  // XMP kept per image, extended XMP included
	maxJUMBF     = 16 << 20 // C2PA manifest store bytes kept per image
	maxXMPInflat = 4 << 20  // a compressed PNG iTXt inflates to at most this
)

// ImageSignals returns the reservations embedded in an image's metadata,
// source being the image's URL:
//   - kind iptc: an XMP plus:DataMining value that prohibits mining or AI
//     training (see xmpSignals), from JPEG APP1 (extended XMP included),
//     PNG iTXt "XML:com.adobe.xmp" or the WebP "XMP " chunk;
//   - kind c2pa: a C2PA or CAWG training-and-data-mining assertion of the
//     active manifest (see c2paSignals), from JPEG APP11 JUMBF, the PNG
//     caBX chunk or the WebP "C2PA" chunk.
//
// C2PA signatures are not validated: a manifest says what whoever embedded
// it declared, not who that was. Other formats yield nothing.
func ImageSignals(data []byte, source string) []Signal {
	var m imageMeta
	switch {
	case len(data) > 3 && data[0] == 0xFF && data[1] == 0xD8:
		m.jpeg(data)
	case bytes.HasPrefix(data, pngMagic):
		m.png(data)
	case len(data) > 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		m.webp(data)
	default:
		return nil
	}
	var s Set
	for _, x := range m.xmp {
		s.Add(xmpSignals(x, source)...)
	}
	if len(m.jumbf) > 0 {
		s.Add(c2paSignals(m.jumbf, source)...)
	}
	return s.List()
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// imageMeta collects an image's XMP packets and its JUMBF boxes.
type imageMeta struct {
	xmp      [][]byte
	xmpBytes int
	jumbf    []byte
	ext      map[string]*extendedXMP // JPEG extended XMP by GUID
	packets  map[uint16][]app11Part  // JPEG APP11 JUMBF packets by box instance
}

func (m *imageMeta) addXMP(b []byte) {
	if m.xmpBytes+len(b) > maxXMPBytes {
		return
	}
	m.xmpBytes += len(b)
	m.xmp = append(m.xmp, b)
}

func (m *imageMeta) addJUMBF(b []byte) {
	if len(m.jumbf)+len(b) <= maxJUMBF {
		m.jumbf = append(m.jumbf, b...)
	}
}

var (
	xmpAPP1    = []byte("http://ns.adobe.com/xap/1.0/\x00")
	xmpExtAPP1 = []byte("http://ns.adobe.com/xmp/extension/\x00")
)

// jpeg walks the segments before the scan data.
func (m *imageMeta) jpeg(data []byte) {
	pos := 2
	for n := 0; n < maxSegments && pos+4 <= len(data); n++ {
		if data[pos] != 0xFF {
			return
		}
		marker := data[pos+1]
		switch {
		case marker == 0xFF: // fill byte
			pos++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD8: // no length
			pos += 2
			continue
		case marker == 0xDA || marker == 0xD9: // scan data or end
			m.finishJPEG()
			return
		}
		l := int(binary.BigEndian.Uint16(data[pos+2:]))
		if l < 2 || pos+2+l > len(data) {
			break
		}
		seg := data[pos+4 : pos+2+l]
		switch marker {
		case 0xE1:
			m.app1(seg)
		case 0xEB:
			m.app11(seg)
		}
		pos += 2 + l
	}
	m.finishJPEG()
}

func (m *imageMeta) app1(seg []byte) {
	switch {
	case bytes.HasPrefix(seg, xmpAPP1):
		m.addXMP(seg[len(xmpAPP1):])
	case bytes.HasPrefix(seg, xmpExtAPP1):
		m.extendedXMP(seg[len(xmpExtAPP1):])
	}
}

// extendedXMP is one extended XMP packet being reassembled (XMP
// specification part 3, 1.1.3.1): chunks of a GUID's packet at offsets.
type extendedXMP struct {
	size  uint32
	parts map[uint32][]byte
	bytes int
}

func (m *imageMeta) extendedXMP(b []byte) {
	if len(b) < 40 {
		return
	}
	guid, size, off, chunk := string(b[:32]), binary.BigEndian.Uint32(b[32:]), binary.BigEndian.Uint32(b[36:]), b[40:]
	if size > maxXMPBytes {
		return
	}
	if m.ext == nil {
		m.ext = map[string]*extendedXMP{}
	}
	e := m.ext[guid]
	if e == nil {
		if len(m.ext) >= 4 {
			return
		}
		e = &extendedXMP{size: size, parts: map[uint32][]byte{}}
		m.ext[guid] = e
	}
	if e.bytes+len(chunk) > maxXMPBytes {
		return
	}
	e.bytes += len(chunk)
	e.parts[off] = chunk
}

// app11Part is one APP11 packet of a JUMBF box: its sequence number and
// the box bytes it carries.
type app11Part struct {
	seq  uint32
	data []byte
}

// app11 keeps a JPEG XT APP11 packet: "JP", box instance (2), sequence
// number (4), then the box; continuation packets repeat the box header
// (LBox, TBox, and XLBox when LBox is 1), which is dropped.
func (m *imageMeta) app11(seg []byte) {
	if len(seg) < 16 || seg[0] != 'J' || seg[1] != 'P' {
		return
	}
	en, seq, box := binary.BigEndian.Uint16(seg[2:]), binary.BigEndian.Uint32(seg[4:]), seg[8:]
	if m.packets == nil {
		m.packets = map[uint16][]app11Part{}
	}
	if len(m.packets) >= 64 && m.packets[en] == nil {
		return
	}
	m.packets[en] = append(m.packets[en], app11Part{seq: seq, data: box})
}

// finishJPEG reassembles extended XMP and APP11 JUMBF boxes.
func (m *imageMeta) finishJPEG() {
	for _, e := range m.ext {
		offs := make([]uint32, 0, len(e.parts))
		for o := range e.parts {
			offs = append(offs, o)
		}
		sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
		var b []byte
		for _, o := range offs {
			b = append(b, e.parts[o]...)
		}
		m.addXMP(b)
	}
	ens := make([]int, 0, len(m.packets))
	for en := range m.packets {
		ens = append(ens, int(en))
	}
	sort.Ints(ens)
	for _, en := range ens {
		parts := m.packets[uint16(en)]
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].seq < parts[j].seq })
		for i, p := range parts {
			if i == 0 {
				m.addJUMBF(p.data)
				continue
			}
			hdr := 8
			if len(p.data) >= 4 && binary.BigEndian.Uint32(p.data) == 1 {
				hdr = 16
			}
			if len(p.data) > hdr {
				m.addJUMBF(p.data[hdr:])
			}
		}
	}
}

// png walks the chunks.
func (m *imageMeta) png(data []byte) {
	pos := len(pngMagic)
	for n := 0; n < maxSegments && pos+12 <= len(data); n++ {
		l := int(binary.BigEndian.Uint32(data[pos:]))
		typ := string(data[pos+4 : pos+8])
		if l < 0 || l > len(data)-pos-12 {
			return
		}
		chunk := data[pos+8 : pos+8+l]
		switch typ {
		case "iTXt":
			if x, ok := pngXMP(chunk); ok {
				m.addXMP(x)
			}
		case "caBX":
			m.addJUMBF(chunk)
		case "IEND":
			return
		}
		pos += 12 + l
	}
}

// pngXMP returns the XMP packet of an iTXt chunk with keyword
// "XML:com.adobe.xmp": keyword, 0, compression flag, method, language
// tag, 0, translated keyword, 0, text (zlib when the flag is 1).
func pngXMP(c []byte) ([]byte, bool) {
	kw, rest, ok := bytes.Cut(c, []byte{0})
	if !ok || string(kw) != "XML:com.adobe.xmp" || len(rest) < 2 {
		return nil, false
	}
	compressed := rest[0] == 1
	rest = rest[2:]
	if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok { // language tag
		return nil, false
	}
	if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok { // translated keyword
		return nil, false
	}
	if !compressed {
		return rest, true
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil, false
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, maxXMPInflat+1))
	if (err != nil && !errors.Is(err, io.ErrUnexpectedEOF)) || len(out) > maxXMPInflat {
		return nil, false
	}
	return out, true
}

// webp walks the RIFF chunks.
func (m *imageMeta) webp(data []byte) {
	end := min(len(data), 8+int(binary.LittleEndian.Uint32(data[4:])))
	pos := 12
	for n := 0; n < maxSegments && pos+8 <= end; n++ {
		typ := string(data[pos : pos+4])
		l := int(binary.LittleEndian.Uint32(data[pos+4:]))
		if l < 0 || l > end-pos-8 {
			return
		}
		chunk := data[pos+8 : pos+8+l]
		switch typ {
		case "XMP ":
			m.addXMP(chunk)
		case "C2PA":
			m.addJUMBF(chunk)
		}
		pos += 8 + l + l&1
	}
}
