package extract_test

import (
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/attrib/attrib/crawler/extract"
)

// In the crawler, colly's OnHTML("html") callback passes e.DOM, the <html>
// selection of the document colly already parsed.
func ExampleFromSelection() {
	page := `<html><head><title>Poem</title><meta name="robots" content="noai"></head>
<body><nav><a href="/">Home</a></nav>
<main><h1>Ode</h1><p>First <em>line</em>,</p><p>second line.</p><img srcset="s.jpg 1x, l.jpg 2x"></main>
<footer>© Poet</footer></body></html>`
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		log.Fatal(err)
	}
	base, _ := url.Parse("https://poet.example/poems/ode.html")
	res := extract.FromSelection(doc.Find("html"), base)
	header := http.Header{"X-Robots-Tag": {"GPTBot: noimageai"}}
	signals := append(res.Signals, extract.HeaderSignals(header, base.String())...)

	fmt.Printf("%s\n---\n%s\n---\n", res.Title, res.Text)
	fmt.Println(res.Links, res.Images)
	for _, s := range signals {
		fmt.Println(s.Kind, s.Value)
	}
	// Output:
	// Poem
	// ---
	// Ode
	//
	// First line,
	//
	// second line.
	// ---
	// [https://poet.example/] [https://poet.example/poems/l.jpg]
	// meta noai
	// x-robots-tag gptbot: noimageai
}
