package optout

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"testing"

	_ "golang.org/x/image/webp"
)

const (
	dmi     = "http://ns.useplus.org/ldf/vocab/"
	imgSrc  = "https://site.example/i/photo"
	tmLabel = "c2pa.training-mining"
)

// decodes checks that an image with metadata inserted is still an image.
func decodes(t *testing.T, b []byte) {
	t.Helper()
	if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("the test image does not decode: %v", err)
	}
}

func TestImageSignalsXMP(t *testing.T) {
	prohibited := XMPPacket(dmi+"DMI-PROHIBITED-AIMLTRAINING", "attr")
	big := XMPPacket(dmi+"DMI-PROHIBITED-GENAIMLTRAINING"+`" x="`+string(bytes.Repeat([]byte("y"), 150_000)), "attr")
	tests := []struct {
		name string
		img  []byte
		want []string
	}{
		{"jpeg attr", JPEGWith(t, 1, XMPSegment(prohibited)), []string{"iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED-AIMLTRAINING"}},
		{"jpeg element, other prefix", JPEGWith(t, 1, XMPSegment(XMPPacket(dmi+"DMI-PROHIBITED-GENAIMLTRAINING", "element"))), []string{"iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED-GENAIMLTRAINING"}},
		{"jpeg rdf:resource", JPEGWith(t, 1, XMPSegment(XMPPacket(dmi+"DMI-PROHIBITED", "resource"))), []string{"iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED"}},
		{"jpeg bare term", JPEGWith(t, 1, XMPSegment(XMPPacket("DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", "element"))), []string{"iptc|plus:DataMining=DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING"}},
		{"jpeg allowed", JPEGWith(t, 1, XMPSegment(XMPPacket(dmi+"DMI-ALLOWED", "attr"))), nil},
		{"jpeg unspecified", JPEGWith(t, 1, XMPSegment(XMPPacket(dmi+"DMI-UNSPECIFIED", "element"))), nil},
		{"jpeg other namespace", JPEGWith(t, 1, XMPSegment(XMPPacket(dmi+"DMI-PROHIBITED", "wrongns"))), nil},
		{"jpeg extended xmp", JPEGWith(t, 1, extendedXMPSegments(big, 60_000)...), []string{"iptc|plus:DataMining=" + clip(dmi+"DMI-PROHIBITED-GENAIMLTRAINING")}},
		{"jpeg none", JPEGWith(t, 1), nil},
		{"png itxt", PNGWith(t, 2, ITXtXMP(t, prohibited, false)), []string{"iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED-AIMLTRAINING"}},
		{"png compressed itxt", PNGWith(t, 2, ITXtXMP(t, prohibited, true)), []string{"iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED-AIMLTRAINING"}},
		{"png none", PNGWith(t, 2), nil},
		{"webp xmp chunk", WebPWith(t, PNGChunk{"XMP ", prohibited}), []string{"iptc|plus:DataMining=" + dmi + "DMI-PROHIBITED-AIMLTRAINING"}},
		{"webp none", WebPWith(t), nil},
		{"gif", []byte("GIF89a" + string(prohibited)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "gif" {
				decodes(t, tt.img)
			}
			got := kv(t, ImageSignals(tt.img, imgSrc), imgSrc)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestImageSignalsC2PA(t *testing.T) {
	notAllowed := map[string]string{"c2pa.ai_training": "notAllowed", "c2pa.ai_generative_training": "notAllowed", "c2pa.ai_inference": "allowed", "c2pa.data_mining": "allowed"}
	reserving := ManifestStore([][]byte{TrainingMining(tmLabel, "cbor", notAllowed)})
	const wantReserving = "c2pa|c2pa.training-mining: c2pa.ai_generative_training=notAllowed, c2pa.ai_training=notAllowed"
	tests := []struct {
		name string
		img  []byte
		want []string
	}{
		{"jpeg app11", JPEGWith(t, 3, APP11Segments(reserving, 1<<15)...), []string{wantReserving}},
		{"jpeg app11 in many packets", JPEGWith(t, 3, APP11Segments(reserving, 40)...), []string{wantReserving}},
		{"png caBX", PNGWith(t, 4, PNGChunk{"caBX", reserving}), []string{wantReserving}},
		{"webp C2PA chunk", WebPWith(t, PNGChunk{"C2PA", reserving}), []string{wantReserving}},
		{"cawg json constrained", PNGWith(t, 4, PNGChunk{"caBX", ManifestStore([][]byte{TrainingMining("cawg.training-mining", "json",
			map[string]string{"cawg.data_mining": "constrained", "cawg.ai_inference": "notAllowed"})})}),
			[]string{"c2pa|cawg.training-mining: cawg.ai_inference=notAllowed, cawg.data_mining=constrained (licence required)"}},
		{"versioned and instanced label", PNGWith(t, 4, PNGChunk{"caBX", ManifestStore([][]byte{TrainingMining("c2pa.training-mining.v2__1", "cbor",
			map[string]string{"c2pa.data_mining": "notAllowed"})})}), []string{"c2pa|c2pa.training-mining: c2pa.data_mining=notAllowed"}},
		{"inference only", PNGWith(t, 4, PNGChunk{"caBX", ManifestStore([][]byte{TrainingMining(tmLabel, "cbor",
			map[string]string{"c2pa.ai_inference": "notAllowed", "c2pa.ai_training": "allowed"})})}), nil},
		{"all allowed", PNGWith(t, 4, PNGChunk{"caBX", ManifestStore([][]byte{TrainingMining(tmLabel, "cbor",
			map[string]string{"c2pa.ai_training": "allowed"})})}), nil},
		{"reservation only in an ingredient's manifest", PNGWith(t, 4, PNGChunk{"caBX", ManifestStore(
			[][]byte{TrainingMining(tmLabel, "cbor", notAllowed)},
			[][]byte{TrainingMining(tmLabel, "cbor", map[string]string{"c2pa.ai_training": "allowed"})})}), nil},
		{"other assertion label", PNGWith(t, 4, PNGChunk{"caBX", ManifestStore([][]byte{TrainingMining("c2pa.actions", "cbor", notAllowed)})}), nil},
		{"truncated store", PNGWith(t, 4, PNGChunk{"caBX", reserving[:len(reserving)/2]}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decodes(t, tt.img)
			got := kv(t, ImageSignals(tt.img, imgSrc), imgSrc)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDecodeCBOR(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string // fmt.Sprint of the value, or "error"
	}{
		{"uint", []byte{0x18, 0x64}, "100"},
		{"negative", []byte{0x38, 0x63}, "-100"},
		{"text", []byte{0x63, 'a', 'b', 'c'}, "abc"},
		{"map", cborEncode(map[string]any{"use": "notAllowed"}), "map[use:notAllowed]"},
		{"indefinite map and text", []byte{0xBF, 0x63, 'u', 's', 'e', 0x7F, 0x62, 'n', 'o', 0x61, 't', 0xFF, 0xFF}, "map[use:not]"},
		{"indefinite array", []byte{0x9F, 0x01, 0xF5, 0xF6, 0xFF}, "[1 true <nil>]"},
		{"tagged", []byte{0xC1, 0x1A, 0x51, 0x4B, 0x67, 0xB0}, "1363896240"},
		{"half float", []byte{0xF9, 0x3C, 0x00}, "1"},
		{"float64", []byte{0xFB, 0x3F, 0xF1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A}, "1.1"},
		{"non-text key dropped", []byte{0xA2, 0x01, 0x02, 0x61, 'k', 0x03}, "map[k:3]"},
		{"truncated", []byte{0x63, 'a'}, "error"},
		{"huge length", []byte{0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, "error"},
		{"huge array", []byte{0x9B, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00}, "error"},
		{"lone break", []byte{0xFF}, "error"},
		{"reserved info", []byte{0x1C}, "error"},
		{"too deep", bytes.Repeat([]byte{0x81}, 100), "error"},
	}
	for _, tt := range tests {
		v, err := decodeCBOR(tt.in)
		got := fmt.Sprint(v)
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("%s: decodeCBOR = %s (%v), want %s", tt.name, got, err, tt.want)
		}
	}
}
