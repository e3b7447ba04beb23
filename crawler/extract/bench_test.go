package extract

import (
	"bytes"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// benchPages are real pages of the Python documentation: a typical one and
// the largest (2.6 MB, 13,962 links).
var benchPages = []struct{ name, rel string }{
	{"json.html", "site-pydoc/library/json.html"},
	{"contents.html", "site-pydoc/contents.html"},
}

// BenchmarkFromSelection measures extraction from an already parsed
// document, as the crawler calls it from colly's OnHTML("html").
func BenchmarkFromSelection(b *testing.B) {
	for _, p := range benchPages {
		b.Run(p.name, func(b *testing.B) {
			data := readFile(b, sharedData(b, p.rel))
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			base, _ := url.Parse("https://docs.python.org/3/library/json.html")
			sel := doc.Find("html")
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				FromSelection(sel, base)
			}
		})
	}
}

// BenchmarkFromReader measures parsing plus extraction, for comparison: the
// difference is what re-parsing a page would cost.
func BenchmarkFromReader(b *testing.B) {
	for _, p := range benchPages {
		b.Run(p.name, func(b *testing.B) {
			data := readFile(b, sharedData(b, p.rel))
			base, _ := url.Parse("https://docs.python.org/3/library/json.html")
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FromReader(bytes.NewReader(data), base, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
