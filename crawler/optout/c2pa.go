package optout

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// box is one ISO BMFF-style box of a JUMBF structure (ISO/IEC 19566-5).
type box struct {
	typ     string
	payload []byte
}

// maxBoxes bounds the boxes read at one level of a JUMBF structure.
const maxBoxes = 4096

// readBoxes splits b into boxes: LBox (4 bytes, big endian), TBox (4),
// XLBox (8) when LBox is 1, then the payload; LBox 0 runs to the end. A
// truncated or over-long box ends the list.
func readBoxes(b []byte) []box {
	var out []box
	for len(b) >= 8 && len(out) < maxBoxes {
		size, hdr := uint64(binary.BigEndian.Uint32(b)), 8
		typ := string(b[4:8])
		switch size {
		case 0:
			size = uint64(len(b))
		case 1:
			if len(b) < 16 {
				return out
			}
			size, hdr = binary.BigEndian.Uint64(b[8:]), 16
		}
		if size < uint64(hdr) || size > uint64(len(b)) {
			return out
		}
		out = append(out, box{typ: typ, payload: b[hdr:size]})
		b = b[size:]
	}
	return out
}

// superbox is a JUMBF superbox ("jumb"): its description label and its
// content boxes.
type superbox struct {
	label   string
	content []box
}

// jumbSuperbox reads a "jumb" box: a description box "jumd" (type UUID,
// toggles, and the label, null-terminated, when toggle bit 0x02 is set)
// followed by the content boxes.
func jumbSuperbox(b box) (superbox, bool) {
	if b.typ != "jumb" {
		return superbox{}, false
	}
	boxes := readBoxes(b.payload)
	if len(boxes) == 0 || boxes[0].typ != "jumd" || len(boxes[0].payload) < 17 {
		return superbox{}, false
	}
	d := boxes[0].payload
	sb := superbox{content: boxes[1:]}
	if d[16]&0x02 != 0 {
		label, _, _ := bytes.Cut(d[17:], []byte{0})
		sb.label = string(label)
	}
	return sb, true
}

// children returns the superboxes among sb's content.
func (sb superbox) children() []superbox {
	var out []superbox
	for _, b := range sb.content {
		if c, ok := jumbSuperbox(b); ok {
			out = append(out, c)
		}
	}
	return out
}

// c2paSignals returns the reservation of a C2PA manifest store: the
// "c2pa" superbox whose last manifest is the active one. Its assertion
// store ("c2pa.assertions") is searched for a training-and-data-mining
// assertion, labelled c2pa.training-mining (C2PA 1.x) or
// cawg.training-mining (CAWG), with an optional version (".v2") or
// instance ("__1") suffix, in CBOR or JSON. The assertion reserves when an
// entry for AI training, generative AI training or data mining
// ({c2pa,cawg}.ai_training, .ai_generative_training, .data_mining) has
// use "notAllowed" or "constrained". The signal, kind c2pa, has the value
// "<label>: <entry>=<use>[ (<constraint_info>)], ..." listing every
// restricted entry, c2pa.ai_inference included; an assertion restricting
// only inference (use as model input) does not reserve training and gives
// none. Manifests of ingredients are not the asset's and are not read;
// the claim signature is not validated.
func c2paSignals(jumbf []byte, source string) []Signal {
	var s Set
	for _, b := range readBoxes(jumbf) {
		store, ok := jumbSuperbox(b)
		if !ok || store.label != "c2pa" {
			continue
		}
		manifests := store.children()
		if len(manifests) == 0 {
			continue
		}
		for _, as := range manifests[len(manifests)-1].children() {
			if as.label != "c2pa.assertions" {
				continue
			}
			for _, a := range as.children() {
				if v, ok := trainingMining(a); ok {
					s.Add(Signal{Kind: KindC2PA, Value: clip(v), Source: source})
				}
			}
		}
	}
	return s.List()
}

// trainingMiningLabel reports whether an assertion label is a
// training-and-data-mining assertion, and its base label.
func trainingMiningLabel(label string) (string, bool) {
	base, _, _ := strings.Cut(label, "__") // instance suffix
	for _, want := range [...]string{"c2pa.training-mining", "cawg.training-mining"} {
		if base == want || strings.HasPrefix(base, want+".v") {
			return want, true
		}
	}
	return "", false
}

// trainingMining returns the value of a reserving training-mining
// assertion superbox.
func trainingMining(a superbox) (string, bool) {
	label, ok := trainingMiningLabel(a.label)
	if !ok {
		return "", false
	}
	for _, c := range a.content {
		var doc any
		switch c.typ {
		case "cbor":
			v, err := decodeCBOR(c.payload)
			if err != nil {
				continue
			}
			doc = v
		case "json":
			if json.Unmarshal(c.payload, &doc) != nil {
				continue
			}
		default:
			continue
		}
		if v, ok := restrictedEntries(doc); ok {
			return label + ": " + v, true
		}
	}
	return "", false
}

// restrictedEntries reads {"entries": {key: {"use": ..., "constraint_info":
// ...}}} and lists the restricted entries when one concerns training or
// mining.
func restrictedEntries(doc any) (string, bool) {
	m, _ := doc.(map[string]any)
	entries, _ := m["entries"].(map[string]any)
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	reserves := false
	for _, k := range keys {
		e, _ := entries[k].(map[string]any)
		use, _ := e["use"].(string)
		if use != "notAllowed" && use != "constrained" {
			continue
		}
		part := k + "=" + use
		if info, _ := e["constraint_info"].(string); info != "" && use == "constrained" {
			part += fmt.Sprintf(" (%s)", clipShort(info))
		}
		parts = append(parts, part)
		reserves = reserves || trainingEntry(k)
	}
	return strings.Join(parts, ", "), reserves
}

// trainingEntry reports whether an entry key is AI training, generative
// AI training or data mining, in the C2PA or the CAWG namespace.
func trainingEntry(k string) bool {
	ns, name, ok := strings.Cut(k, ".")
	if !ok || (ns != "c2pa" && ns != "cawg") {
		return false
	}
	switch name {
	case "ai_training", "ai_generative_training", "data_mining":
		return true
	}
	return false
}

func clipShort(s string) string {
	if len(s) <= 80 {
		return s
	}
	return strings.ToValidUTF8(s[:80], "") + "…"
}
