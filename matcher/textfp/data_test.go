package textfp

import (
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

// readData reads a file of the shared test data.
func readData(tb testing.TB, rel string) string {
	tb.Helper()
	return string(shareddata.Read(tb, rel))
}

// TestTokenizeCRLFAndBOM: pg1661 ships with a BOM and CRLF line ends;
// without them the tokens hash the same and every span is valid in its own
// text.
func TestTokenizeCRLFAndBOM(t *testing.T) {
	orig := readData(t, "texts/pg1661.txt")
	if !strings.HasPrefix(orig, "\ufeff") || !strings.Contains(orig, "\r\n") {
		t.Fatal("pg1661.txt is expected to have a BOM and CRLF line ends")
	}
	plain := strings.ReplaceAll(strings.TrimPrefix(orig, "\ufeff"), "\r\n", "\n")
	a, b := Tokenize(orig), Tokenize(plain)
	checkSpans(t, orig, a)
	checkSpans(t, plain, b)
	if len(a) != len(b) || len(a) < 100000 {
		t.Fatalf("%d tokens with CRLF and BOM, %d without", len(a), len(b))
	}
	for i := range a {
		if a[i].Hash != b[i].Hash || orig[a[i].Start:a[i].End] != plain[b[i].Start:b[i].End] {
			t.Fatalf("token %d differs: %q vs %q", i, orig[a[i].Start:a[i].End], plain[b[i].Start:b[i].End])
		}
	}
	if first := orig[a[0].Start:a[0].End]; first != "Project" || a[0].Start != 3 {
		t.Errorf("first token %q at %d, want \"Project\" at 3 (after the BOM)", first, a[0].Start)
	}
}

func benchText(b *testing.B) string {
	return readData(b, "texts/pg1661.txt")
}

func BenchmarkTokenize(b *testing.B) {
	text := benchText(b)
	var tz Tokenizer
	var toks []Token
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		toks = tz.Append(toks[:0], text)
	}
}

func BenchmarkShinglesWinnow(b *testing.B) {
	text := benchText(b)
	toks := Tokenize(text)
	var hashes []uint64
	var prints []Print
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		hashes = Shingles(hashes[:0], toks, DefaultK)
		prints = Winnow(prints[:0], hashes, DefaultW)
	}
}

// BenchmarkCompute is the whole pipeline: tokenise, shingle, winnow.
func BenchmarkCompute(b *testing.B) {
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(text, DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeDecode(b *testing.B) {
	f, _ := Compute(benchText(b), DefaultParams())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(Encode(f)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFingerprinter is what registering a text costs: tokenise,
// shingle, winnow and encode with reused buffers.
func BenchmarkFingerprinter(b *testing.B) {
	text := benchText(b)
	var fp Fingerprinter
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := fp.Encode(text, DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
}
