package optout

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// plusNS is the namespace of the PLUS License Data Format XMP properties
// that IPTC Photo Metadata uses for plus:DataMining.
const plusNS = "http://ns.useplus.org/ldf/xmp/1.0/"

// maxXMPTokens bounds the XML tokens read from one XMP packet.
const maxXMPTokens = 100_000

// xmpSignals returns a signal of kind iptc for each plus:DataMining value
// in an XMP packet that prohibits data mining, value
// "plus:DataMining=<value as written>". The PLUS vocabulary
// (http://ns.useplus.org/ldf/vocab/DMI-...) prohibits with every DMI-PROHIBITED
// value: DMI-PROHIBITED, -AIMLTRAINING, -GENAIMLTRAINING,
// -EXCEPTSEARCHENGINEINDEXING, -SEECONSTRAINT, -SEEEMBEDDEDRIGHTSEXPR;
// DMI-ALLOWED and DMI-UNSPECIFIED do not reserve. The property is found as
// an attribute, an element's text or its rdf:resource, under whatever
// prefix the packet binds to the PLUS namespace.
func xmpSignals(packet []byte, source string) []Signal {
	var s Set
	for _, v := range xmpDataMining(packet) {
		if dataMiningProhibits(v) {
			s.Add(Signal{Kind: KindIPTC, Value: "plus:DataMining=" + clip(v), Source: source})
		}
	}
	return s.List()
}

// dataMiningProhibits reports whether a plus:DataMining value is one of the
// DMI-PROHIBITED terms, given as a vocabulary URI or bare.
func dataMiningProhibits(v string) bool {
	term := v[strings.LastIndexByte(v, '/')+1:]
	return strings.HasPrefix(strings.ToUpper(term), "DMI-PROHIBITED")
}

// xmpDataMining returns the plus:DataMining values of an XMP packet. A
// packet that stops parsing part way yields what was read until then.
func xmpDataMining(packet []byte) []string {
	if i := bytes.Index(packet, []byte("<x:xmpmeta")); i > 0 {
		packet = packet[i:] // skip the <?xpacket?> header and any padding
	}
	d := xml.NewDecoder(bytes.NewReader(packet))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var out []string
	var text strings.Builder
	inProp := 0 // depth inside a plus:DataMining element, 0 outside
	for n := 0; n < maxXMPTokens && len(out) < 16; n++ {
		tok, err := d.Token()
		if err != nil { // io.EOF, or a packet broken part way
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if inProp > 0 {
				inProp++
				if v := rdfResource(t); v != "" {
					out = append(out, v)
				}
				continue
			}
			for _, a := range t.Attr {
				if a.Name.Space == plusNS && a.Name.Local == "DataMining" {
					out = append(out, strings.TrimSpace(a.Value))
				}
			}
			if t.Name.Space == plusNS && t.Name.Local == "DataMining" {
				inProp = 1
				text.Reset()
				if v := rdfResource(t); v != "" {
					out = append(out, v)
				}
			}
		case xml.CharData:
			if inProp > 0 && text.Len() < 4096 {
				text.Write(t)
			}
		case xml.EndElement:
			if inProp == 0 {
				continue
			}
			if inProp--; inProp == 0 {
				if v := strings.TrimSpace(text.String()); v != "" {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

const rdfNS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

func rdfResource(t xml.StartElement) string {
	for _, a := range t.Attr {
		if a.Name.Space == rdfNS && a.Name.Local == "resource" {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}
