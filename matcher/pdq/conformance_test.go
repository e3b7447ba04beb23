package pdq

import (
	"bufio"
	"bytes"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

// refVector is one reference image with its expected hashes.
type refVector struct {
	file    string
	cpp     Hash // C++ reference (expected-cpp.tsv)
	py      Hash // Python port (expected.tsv)
	quality int  // Python port's quality
}

// readTSV returns the rows of a tab-separated file without its header.
func readTSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for first := true; sc.Scan(); first = false {
		if !first && strings.TrimSpace(sc.Text()) != "" {
			rows = append(rows, strings.Split(sc.Text(), "\t"))
		}
	}
	return rows
}

// mustParse parses a hex hash or fails tb.
func mustParse(tb testing.TB, s string) Hash {
	tb.Helper()
	h, err := ParseHex(s)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// loadVectors joins expected-cpp.tsv and expected.tsv by file name.
func loadVectors(tb testing.TB) []refVector {
	tb.Helper()
	py := map[string]refVector{}
	for _, r := range readTSV(tb, shareddata.Path(tb, "pdq/expected.tsv")) {
		q, err := strconv.Atoi(r[2])
		if err != nil {
			tb.Fatal(err)
		}
		py[r[0]] = refVector{py: mustParse(tb, r[1]), quality: q}
	}
	var vs []refVector
	for _, r := range readTSV(tb, shareddata.Path(tb, "pdq/expected-cpp.tsv")) {
		v, ok := py[r[0]]
		if !ok {
			tb.Fatalf("%s: in expected-cpp.tsv but not expected.tsv", r[0])
		}
		v.file, v.cpp = r[0], mustParse(tb, r[1])
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		tb.Fatal("no reference vectors")
	}
	return vs
}

// decodeFile decodes an image file or fails tb.
func decodeFile(tb testing.TB, path string) image.Image {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return img
}

// TestConformance checks Meta's definition of a correct PDQ implementation
// on ThreatExchange's vectors: every image of quality ≥ 80 hashes within 10
// bits of the C++ reference.
func TestConformance(t *testing.T) {
	dir := shareddata.Path(t, "pdq")
	exact, worst := 0, 0
	for _, v := range loadVectors(t) {
		t.Run(strings.TrimSuffix(filepath.Base(v.file), ".jpg"), func(t *testing.T) {
			img := decodeFile(t, filepath.Join(dir, filepath.FromSlash(v.file)))
			h, q := HashImage(img)
			dc, dp := Distance(h, v.cpp), Distance(h, v.py)
			t.Logf("%dx%d: distance to C++ %d, to Python %d; quality %d (Python %d)",
				img.Bounds().Dx(), img.Bounds().Dy(), dc, dp, q, v.quality)
			if dc == 0 {
				exact++
			}
			worst = max(worst, dc)
			if q >= 80 && dc > 10 {
				t.Errorf("distance to the C++ reference is %d > 10\n got %s\nwant %s", dc, h.Hex(), v.cpp.Hex())
			}
			if abs := absInt(q - v.quality); abs > 10 {
				t.Errorf("quality %d, Python reference %d", q, v.quality)
			}
		})
	}
	t.Logf("exact matches with the C++ reference: %d; largest distance %d", exact, worst)
}
