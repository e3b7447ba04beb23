package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gocolly/colly/v2"
	"github.com/saintfish/chardet"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"

	"github.com/attrib/attrib/crawler/extract"
)

// callKey is the colly.Context key of a call's *call.
const callKey = "attrib.fetch.call"

// call is the state of one FetchPage or FetchImage. The collector is
// synchronous, so the callbacks run in the calling goroutine: no lock.
type call struct {
	image    bool
	robots   bool // a robots.txt: any status, any type, body kept
	maxBytes int64
	received func()     // from OnReceived; nil: none
	cond     Validators // sent with the request; a 304 is then ErrNotModified

	final       string // URL after redirects
	status      int
	contentType string
	header      http.Header
	size        int64
	body        []byte // images and robots.txt only
	sha256      string // hex SHA-256 of a page's body as received
	plain       bool   // the page is text/plain or text/markdown, not HTML
	result      extract.Result
	parsed      bool
	err         error // why the call failed in a callback
}

func callOf(ctx *colly.Context) *call {
	cl, _ := ctx.GetAny(callKey).(*call)
	return cl
}

// onHeaders records the response and aborts the transfer, before reading
// the body, when it cannot be used.
func onHeaders(r *colly.Response) {
	cl := callOf(r.Ctx)
	if cl == nil {
		return
	}
	cl.final = r.Request.URL.String()
	cl.status = r.StatusCode
	cl.header = *r.Headers
	cl.contentType = r.Headers.Get("Content-Type")
	check := cl.check
	if cl.robots {
		check = cl.checkRobots
	}
	if err := check(r); err != nil {
		cl.err = err
		r.Request.Abort()
	}
}

func (cl *call) check(r *colly.Response) error {
	if r.StatusCode == http.StatusNotModified && !cl.cond.IsZero() {
		return ErrNotModified
	}
	if r.StatusCode < 200 || r.StatusCode > 299 {
		return &StatusError{Code: r.StatusCode, URL: cl.final}
	}
	if err := cl.checkType(); err != nil {
		return err
	}
	// The transport undoes the gzip it asks for and drops the header; colly
	// would gunzip anything else (and *.xml.gz) without a bound.
	ce := strings.TrimSpace(strings.ToLower(r.Headers.Get("Content-Encoding")))
	if (ce != "" && ce != "identity") || strings.HasSuffix(strings.ToLower(r.Request.URL.Path), ".xml.gz") {
		return fmt.Errorf("%w %q", ErrEncoding, ce)
	}
	if n, err := strconv.ParseInt(r.Headers.Get("Content-Length"), 10, 64); err == nil && n > cl.maxBytes {
		return fmt.Errorf("%w: content-length %d exceeds %d bytes", ErrTooLarge, n, cl.maxBytes)
	}
	return nil
}

// checkRobots refuses a robots.txt colly would decompress without a bound
// (gzip it did not ask for, or a gzip content type).
func (cl *call) checkRobots(r *colly.Response) error {
	ce := strings.TrimSpace(strings.ToLower(r.Headers.Get("Content-Encoding")))
	if (ce != "" && ce != "identity") || strings.Contains(strings.ToLower(cl.contentType), "gzip") {
		return fmt.Errorf("%w %q", ErrEncoding, ce)
	}
	return nil
}

// checkType accepts HTML for pages (an empty type is sniffed by colly) and
// raster image types for images.
func (cl *call) checkType() error {
	if cl.contentType == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(cl.contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(cl.contentType, ";")[0]))
	}
	switch {
	case cl.image && strings.HasPrefix(mt, "image/") && mt != "image/svg+xml":
		return nil
	case cl.image:
		return fmt.Errorf("%w (content type %q)", ErrNotImage, cl.contentType)
	case mt == "text/html" || mt == "application/xhtml+xml":
		return nil
	case mt == "text/plain" || mt == "text/markdown":
		// Texts published as files (a poem.txt, a README.md) are pages too.
		cl.plain = true
		return nil
	}
	return fmt.Errorf("%w (content type %q)", ErrNotHTML, cl.contentType)
}

// onResponse checks the body against the cap: colly reads at most cap+1
// bytes, so a longer body was cut and is refused, not parsed.
func onResponse(r *colly.Response) {
	cl := callOf(r.Ctx)
	if cl == nil {
		return
	}
	cl.size = int64(len(r.Body))
	if cl.received != nil {
		cl.received()
	}
	if cl.robots {
		cl.body = r.Body // colly cut it at maxRobotsBytes
		return
	}
	if cl.size > cl.maxBytes {
		cl.err = fmt.Errorf("%w: body exceeds %d bytes", ErrTooLarge, cl.maxBytes)
		r.Body = nil // nothing for colly to parse
		return
	}
	if cl.image {
		cl.body = r.Body
		return
	}
	sum := sha256.Sum256(r.Body)
	cl.sha256 = hex.EncodeToString(sum[:])
	if cl.plain {
		cl.parsed = true
		cl.result = extract.Result{Text: strings.ToValidUTF8(string(toUTF8(r.Body, cl.contentType)), "\uFFFD")}
		return
	}
	r.Body = toUTF8(r.Body, cl.contentType)
}

// toUTF8 decodes a body that is not UTF-8 and whose Content-Type names no
// charset (colly converts those that do): by its BOM or <meta> charset, else
// by statistical detection (ICU's, via chardet), else as windows-1252. The
// result is at most 3 times as long.
func toUTF8(body []byte, contentType string) []byte {
	if utf8.Valid(body) || strings.Contains(strings.ToLower(contentType), "charset") {
		return body
	}
	e, name, certain := charset.DetermineEncoding(body, "text/html")
	if !certain && name == "windows-1252" {
		if guess := detectCharset(body, contentType); guess != nil {
			e, name = guess, ""
		}
	}
	if name == "utf-8" {
		return body
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return body
	}
	return out
}

// detectCharset guesses the encoding of an undeclared body from its first
// 64 KB; nil when unsure.
func detectCharset(body []byte, contentType string) encoding.Encoding {
	d := chardet.NewHtmlDetector()
	if strings.HasPrefix(strings.ToLower(contentType), "text/plain") {
		d = chardet.NewTextDetector()
	}
	r, err := d.DetectBest(body[:min(len(body), 64<<10)])
	if err != nil || r.Confidence < 50 {
		return nil
	}
	name := r.Charset
	if name == "GB-18030" { // ICU's name; WHATWG's label is gb18030
		name = "gb18030"
	}
	e, _ := charset.Lookup(name)
	return e
}

// onHTML extracts the page from colly's parsed document.
func onHTML(e *colly.HTMLElement) {
	cl := callOf(e.Response.Ctx)
	if cl == nil || cl.image || cl.err != nil || cl.parsed {
		return
	}
	cl.parsed = true
	cl.result = extract.FromSelection(e.DOM, e.Request.URL)
}
