package optout

import (
	"testing"
)

// BenchmarkPolicySignals evaluates the three policy files of a site for
// one URL, as the resolver does per page once they are cached.
func BenchmarkPolicySignals(b *testing.B) {
	robots := ParseRobots(readFixture(b, "robots/news.txt"))
	ai := ParseAITxt(readFixture(b, "aitxt/spawning.txt"))
	base := mustURL(b, "https://site.example/.well-known/tdmrep.json")
	tdm, err := ParseTDMRep(readFixture(b, "tdmrep/site.json"), base)
	if err != nil {
		b.Fatal(err)
	}
	u := mustURL(b, "https://site.example/archive/2020/05/story.html?page=2")
	for b.Loop() {
		robots.RobotsSignals(u, nil, "r")
		ai.AITxtSignals(u, "a")
		tdm.Signals(u, "t")
	}
}

// BenchmarkParseRobots parses a 500 KiB robots.txt of many groups.
func BenchmarkParseRobots(b *testing.B) {
	body := hostileRobots()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		ParseRobots(body)
	}
}

// BenchmarkImageSignals scans a JPEG with XMP and a C2PA manifest store.
func BenchmarkImageSignals(b *testing.B) {
	store := ManifestStore([][]byte{TrainingMining("c2pa.training-mining", "cbor", map[string]string{"c2pa.ai_training": "notAllowed"})})
	img := JPEGWith(b, 1, append([]JPEGSegment{XMPSegment(XMPPacket(dmi+"DMI-PROHIBITED", "attr"))}, APP11Segments(store, 1<<15)...)...)
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		if len(ImageSignals(img, "s")) != 2 {
			b.Fatal("signals missing")
		}
	}
}

// BenchmarkImageSignalsPlain scans a JPEG without metadata: the cost every
// crawled image pays.
func BenchmarkImageSignalsPlain(b *testing.B) {
	img := JPEGWith(b, 1)
	for b.Loop() {
		ImageSignals(img, "s")
	}
}
