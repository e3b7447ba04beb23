package optout

// Builders of real images with embedded metadata, for these tests and for
// the loopback site test (package optout_test sees the exported ones).

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// testImage is a small picture of random blocks, distinct per seed even to
// perceptual hashes.
func testImage(seed int) image.Image {
	rng := rand.New(rand.NewPCG(uint64(seed), 42))
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for by := range 6 {
		for bx := range 8 {
			c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			for y := by * 8; y < by*8+8; y++ {
				for x := bx * 8; x < bx*8+8; x++ {
					img.Set(x, y, c)
				}
			}
		}
	}
	return img
}

// XMPPacket returns an XMP packet stating plus:DataMining = value, in one
// of the forms writers use: "attr", "element" (under the prefix "p") or
// "resource" (rdf:resource).
func XMPPacket(value, form string) []byte {
	var body string
	switch form {
	case "attr":
		body = `<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:DataMining="` + value + `"/>`
	case "element":
		body = `<rdf:Description rdf:about="" xmlns:p="http://ns.useplus.org/ldf/xmp/1.0/"><p:DataMining>` + value + `</p:DataMining></rdf:Description>`
	case "resource":
		body = `<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:DataMining rdf:resource="` + value + `"/></rdf:Description>`
	case "wrongns":
		body = `<rdf:Description rdf:about="" xmlns:plus="http://example.com/not-plus/" plus:DataMining="` + value + `"/>`
	}
	return []byte(`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>` +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		body + `</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
}

// JPEGWith encodes a real JPEG and inserts segs (marker, payload) after SOI.
func JPEGWith(t testing.TB, seed int, segs ...JPEGSegment) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(seed), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	out := append([]byte{}, b[:2]...)
	for _, s := range segs {
		if len(s.Payload)+2 > math.MaxUint16 {
			t.Fatalf("segment of %d bytes", len(s.Payload))
		}
		out = append(out, 0xFF, s.Marker)
		out = binary.BigEndian.AppendUint16(out, uint16(len(s.Payload)+2))
		out = append(out, s.Payload...)
	}
	return append(out, b[2:]...)
}

// JPEGSegment is a marker segment to insert.
type JPEGSegment struct {
	Marker  byte
	Payload []byte
}

// XMPSegment is the APP1 segment of an XMP packet.
func XMPSegment(packet []byte) JPEGSegment {
	return JPEGSegment{0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), packet...)}
}

// extendedXMPSegments splits packet into APP1 extended XMP segments of at
// most chunk bytes, in reverse order (readers must order by offset).
func extendedXMPSegments(packet []byte, chunk int) []JPEGSegment {
	guid := []byte("0123456789ABCDEF0123456789ABCDEF")
	var segs []JPEGSegment
	for off := 0; off < len(packet); off += chunk {
		p := append([]byte("http://ns.adobe.com/xmp/extension/\x00"), guid...)
		p = binary.BigEndian.AppendUint32(p, uint32(len(packet)))
		p = binary.BigEndian.AppendUint32(p, uint32(off))
		p = append(p, packet[off:min(off+chunk, len(packet))]...)
		segs = append([]JPEGSegment{{0xE1, p}}, segs...)
	}
	return segs
}

// APP11Segments splits a JUMBF box into JPEG XT APP11 packets whose box
// payload parts are at most part bytes, repeating the box header in each
// continuation as the standard does.
func APP11Segments(box []byte, part int) []JPEGSegment {
	hdr, payload := box[:8], box[8:]
	var segs []JPEGSegment
	for seq, off := uint32(1), 0; off < len(payload) || seq == 1; seq++ {
		p := []byte{'J', 'P', 0, 1}
		p = binary.BigEndian.AppendUint32(p, seq)
		p = append(p, hdr...)
		end := min(off+part, len(payload))
		p = append(p, payload[off:end]...)
		segs = append(segs, JPEGSegment{0xEB, p})
		off = end
	}
	return segs
}

// PNGWith encodes a real PNG and inserts chunks (type, data) before IEND.
func PNGWith(t testing.TB, seed int, chunks ...PNGChunk) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(seed)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	iend := len(b) - 12
	out := append([]byte{}, b[:iend]...)
	for _, c := range chunks {
		out = binary.BigEndian.AppendUint32(out, uint32(len(c.Data)))
		td := append([]byte(c.Type), c.Data...)
		out = append(out, td...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(td))
	}
	return append(out, b[iend:]...)
}

// PNGChunk is a chunk to insert.
type PNGChunk struct {
	Type string
	Data []byte
}

// ITXtXMP is the iTXt chunk of an XMP packet, zlib-compressed or not.
func ITXtXMP(t testing.TB, packet []byte, compressed bool) PNGChunk {
	t.Helper()
	d := []byte("XML:com.adobe.xmp\x00")
	if !compressed {
		d = append(d, 0, 0, 0, 0)
		return PNGChunk{"iTXt", append(d, packet...)}
	}
	d = append(d, 1, 0, 0, 0)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(packet)
	zw.Close()
	return PNGChunk{"iTXt", append(d, z.Bytes()...)}
}

// WebPWith turns the simple lossless WebP of testdata into the extended
// format (VP8X) and appends chunks (type, data).
func WebPWith(t testing.TB, chunks ...PNGChunk) []byte {
	t.Helper()
	simple := readFixture(t, "images/gopher.lossless.webp")
	vp8l := simple[12:] // "VP8L" chunk
	bits := binary.LittleEndian.Uint32(vp8l[9:])
	w, h := bits&0x3fff, (bits>>14)&0x3fff
	flags := byte(0x04) // XMP
	if bits&(1<<28) != 0 {
		flags |= 0x10 // alpha
	}
	x := []byte{flags, 0, 0, 0}
	x = append(x, byte(w), byte(w>>8), byte(w>>16), byte(h), byte(h>>8), byte(h>>16))
	body := append([]byte("WEBPVP8X"), 10, 0, 0, 0)
	body = append(body, x...)
	body = append(body, vp8l...)
	for _, c := range chunks {
		body = append(body, c.Type...)
		body = binary.LittleEndian.AppendUint32(body, uint32(len(c.Data)))
		body = append(body, c.Data...)
		if len(c.Data)%2 == 1 {
			body = append(body, 0)
		}
	}
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...)
}

// Box is a JUMBF box: LBox, TBox, payload.
func Box(typ string, payload ...[]byte) []byte {
	n := 8
	for _, p := range payload {
		n += len(p)
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(n))
	b = append(b, typ...)
	for _, p := range payload {
		b = append(b, p...)
	}
	return b
}

// C2PA content-type UUIDs (C2PA specification, JUMBF chapter): the first
// four bytes name the type, the rest is the ISO common suffix.
func c2paUUID(name string) []byte {
	return append([]byte(name), 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71)
}

// Superbox is a "jumb" box: a description box (type UUID, toggles
// requestable+label, label) and content boxes.
func Superbox(uuidName, label string, content ...[]byte) []byte {
	d := append(c2paUUID(uuidName), 0x03)
	d = append(d, label...)
	d = append(d, 0)
	return Box("jumb", append([][]byte{Box("jumd", d)}, content...)...)
}

// TrainingMining returns an assertion superbox labelled label holding
// {"entries": {key: {"use": use}}} in CBOR ("cbor") or JSON ("json").
func TrainingMining(label, format string, uses map[string]string) []byte {
	entries := map[string]any{}
	for k, u := range uses {
		e := map[string]any{"use": u}
		if u == "constrained" {
			e["constraint_info"] = "licence required"
		}
		entries[k] = e
	}
	doc := map[string]any{"entries": entries}
	if format == "json" {
		return Superbox("json", label, Box("json", jsonBytes(doc)))
	}
	return Superbox("cbor", label, Box("cbor", cborEncode(doc)))
}

// ManifestStore returns a C2PA manifest store whose manifests each hold
// an assertion store with the given assertions; the last is the active
// one. A claim and a signature box stand where real manifests have them.
func ManifestStore(manifests ...[][]byte) []byte {
	var ms [][]byte
	for i, assertions := range manifests {
		ms = append(ms, Superbox("c2ma", "urn:uuid:00000000-0000-4000-8000-00000000000"+string(rune('0'+i)),
			Superbox("c2as", "c2pa.assertions", assertions...),
			Superbox("c2cl", "c2pa.claim", Box("cbor", cborEncode(map[string]any{"claim_generator": "attrib-test"}))),
			Superbox("c2cs", "c2pa.signature", Box("cbor", []byte{0x80})),
		))
	}
	return Superbox("c2pa", "c2pa", ms...)
}

// cborEncode encodes maps with string keys (sorted), strings, []byte and
// small ints, definite lengths.
func cborEncode(v any) []byte {
	head := func(major byte, n int) []byte {
		switch {
		case n < 24:
			return []byte{major<<5 | byte(n)}
		case n < 256:
			return []byte{major<<5 | 24, byte(n)}
		}
		return binary.BigEndian.AppendUint16([]byte{major<<5 | 25}, uint16(n))
	}
	switch x := v.(type) {
	case string:
		return append(head(3, len(x)), x...)
	case []byte:
		return append(head(2, len(x)), x...)
	case int:
		return head(0, x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b := head(5, len(x))
		for _, k := range keys {
			b = append(b, cborEncode(k)...)
			b = append(b, cborEncode(x[k])...)
		}
		return b
	}
	panic("cborEncode: unsupported type")
}

func jsonBytes(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
