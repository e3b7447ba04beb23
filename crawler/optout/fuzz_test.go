package optout

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for every parser. Their seeds are the testdata fixtures
// plus the corpus in testdata/fuzz; CI runs each for a few seconds.

func addFixtures(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(readFixture(f, n), "/a/b.jpg?q=1")
	}
}

func checkSignals(t *testing.T, sigs []Signal, src string, kinds ...string) {
	if len(sigs) > MaxSignals {
		t.Fatalf("%d signals", len(sigs))
	}
	for _, s := range sigs {
		if s.Source != src || !contains(kinds, s.Kind) || s.Value == "" {
			t.Fatalf("bad signal %+v", s)
		}
	}
}

func fuzzURL(path string) *url.URL {
	u, err := url.Parse("https://x.example/" + strings.TrimPrefix(path, "/"))
	if err != nil {
		u = &url.URL{Scheme: "https", Host: "x.example", Path: "/"}
	}
	return u
}

func FuzzParseRobots(f *testing.F) {
	addFixtures(f, "robots/news.txt", "robots/cloudflare.txt", "robots/aipref.txt", "robots/staronly.txt", "robots/tricky.txt")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		r := ParseRobots(body)
		sigs := r.RobotsSignals(fuzzURL(path), []string{"GPTBot", "x*", ""}, "s")
		checkSignals(t, sigs, "s", KindRobots, KindContentUsage, KindContentSignal)
		if len(sigs) > maxFileSignals {
			t.Fatalf("%d signals from one file", len(sigs))
		}
	})
}

func FuzzParseAITxt(f *testing.F) {
	addFixtures(f, "aitxt/spawning.txt", "aitxt/jetpack.txt", "aitxt/allowall.txt")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		checkSignals(t, ParseAITxt(body).AITxtSignals(fuzzURL(path), "s"), "s", KindAITxt)
	})
}

func FuzzParseTDMRep(f *testing.F) {
	addFixtures(f, "tdmrep/site.json", "tdmrep/unreserved.json", "tdmrep/invalid.json")
	base, _ := url.Parse("https://x.example/.well-known/tdmrep.json")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		rep, err := ParseTDMRep(body, base)
		if err != nil {
			return
		}
		sigs := rep.Signals(fuzzURL(path), "s")
		checkSignals(t, sigs, "s", KindTDMRep)
		if len(sigs) > 1 {
			t.Fatalf("%d signals: the first matching rule decides", len(sigs))
		}
	})
}

func FuzzHeaderSignals(f *testing.F) {
	f.Add("GPTBot: noindex, noai", "train-ai=n", "search=yes, ai-train=no", "1")
	f.Add("unavailable_after: 25 Jun 2010 15:00:00 PST", `a="x", b=(1 2);p, c=?1`, "ai-train = NO", "0")
	f.Add(",:,noai:", "train-ai=n,", "", "")
	f.Fuzz(func(t *testing.T, xrt, usage, signal, tdm string) {
		h := http.Header{"X-Robots-Tag": {xrt}, "Content-Usage": {usage}, "Content-Signal": {signal}, "Tdm-Reservation": {tdm}}
		checkSignals(t, HeaderSignals(h, "s"), "s", KindXRobotsTag, KindContentUsage, KindContentSignal, KindTDMRep)
		if d, ok := parseDictionary(usage); ok && UsageReservesTraining(usage) != (d["train-ai"] == "n" || d["train-genai"] == "n" || d["tdm"] == "n" || d["ai"] == "n" || d["genai"] == "n") {
			t.Fatal("UsageReservesTraining disagrees with the dictionary")
		}
	})
}

func FuzzImageSignals(f *testing.F) {
	packet := XMPPacket("http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED", "element")
	store := ManifestStore([][]byte{TrainingMining("c2pa.training-mining", "cbor", map[string]string{"c2pa.ai_training": "notAllowed"})})
	f.Add(JPEGWith(f, 1, append([]JPEGSegment{XMPSegment(packet)}, APP11Segments(store, 64)...)...))
	f.Add(PNGWith(f, 2, ITXtXMP(f, packet, true), PNGChunk{"caBX", store}))
	f.Add(WebPWith(f, PNGChunk{"XMP ", packet}, PNGChunk{"C2PA", store}))
	f.Add(readFixture(f, "images/gopher.lossless.webp"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSignals(t, ImageSignals(data, "s"), "s", KindIPTC, KindC2PA)
	})
}

func FuzzXMP(f *testing.F) {
	for _, form := range []string{"attr", "element", "resource", "wrongns"} {
		f.Add(XMPPacket("http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING", form))
	}
	f.Fuzz(func(t *testing.T, packet []byte) {
		checkSignals(t, xmpSignals(packet, "s"), "s", KindIPTC)
	})
}

func FuzzC2PA(f *testing.F) {
	f.Add(ManifestStore([][]byte{TrainingMining("cawg.training-mining", "json", map[string]string{"cawg.ai_training": "constrained"})}))
	f.Add(ManifestStore([][]byte{TrainingMining("c2pa.training-mining", "cbor", map[string]string{"c2pa.data_mining": "notAllowed"})}))
	f.Fuzz(func(t *testing.T, jumbf []byte) {
		checkSignals(t, c2paSignals(jumbf, "s"), "s", KindC2PA)
	})
}

func FuzzDecodeCBOR(f *testing.F) {
	f.Add(cborEncode(map[string]any{"entries": map[string]any{"c2pa.ai_training": map[string]any{"use": "notAllowed"}}}))
	f.Add([]byte{0xBF, 0x63, 'u', 's', 'e', 0x7F, 0x62, 'n', 'o', 0xFF, 0xFF})
	f.Add([]byte{0xFB, 0x3F, 0xF1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A})
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeCBOR(b) // must not panic or over-allocate
	})
}

// FuzzGlobMatch checks globMatch against a regular expression built from
// the pattern.
func FuzzGlobMatch(f *testing.F) {
	f.Add("/a*b*c$", "/a1b2c")
	f.Add("/*.php$", "/x.php?y")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, pat, path string) {
		if len(pat) > 64 || len(path) > 256 || !utf8.ValidString(pat) || !utf8.ValidString(path) {
			return
		}
		body, anchored := strings.CutSuffix(pat, "$")
		parts := strings.Split(body, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		expr := "^(?s:" + strings.Join(parts, ".*") + ")"
		if anchored {
			expr += "$"
		}
		want := regexp.MustCompile(expr).MatchString(path)
		if got := globMatch(pat, path); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, regexp %q says %v", pat, path, got, expr, want)
		}
	})
}
