package warc

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

func TestRealFiles(t *testing.T) {
	tests := []struct {
		file     string
		want     map[string]int // records by kind, and errors
		firstLoc []string
		errLoc   string // the locator of the one error, if any
	}{
		// 343 records: 48 responses (18 HTML pages incl. two 302 pages with a
		// body, 1 PNG; CSS, JS, fonts, SVG, an icon and empty 302s are other),
		// 123 revisits, 171 requests, 1 warcinfo.
		{file: "iana.warc.gz", want: map[string]int{"html": 18, "image": 1, "other": 324},
			firstLoc: []string{"offset:0", "offset:334", "offset:2592", "offset:3074"}},
		{file: "whirlwind.warc.gz", want: map[string]int{"html": 1, "other": 3},
			firstLoc: []string{"offset:0", "offset:516", "offset:1023", "offset:18374"}},
		{file: "whirlwind.warc.wet.gz", want: map[string]int{"text": 1, "other": 1},
			firstLoc: []string{"offset:0", "offset:466"}},
		{file: "whirlwind.warc.wat.gz", want: map[string]int{"other": 2},
			firstLoc: []string{"offset:0", "offset:443"}},
		{file: "gowarc-test.warc.gz", want: map[string]int{"other": 3},
			firstLoc: []string{"offset:0", "offset:343", "offset:711"}},
		// gowarc's files are whole-file gzip: one member, records inside it.
		{file: "gowarc-bad/good.warc.gz.open", want: map[string]int{"html": 50},
			firstLoc: []string{"offset:0", "offset:0+747", "offset:0+1494"}},
		{file: "gowarc-bad/single-record.warc.gz.open", want: map[string]int{"html": 1},
			firstLoc: []string{"offset:0"}},
		{file: "gowarc-bad/skip-non-open.warc.gz", want: map[string]int{"html": 10}},
		{file: "gowarc-bad/empty.warc.gz.open", want: map[string]int{}},
		// 12 (30) good records, then bytes that are no gzip member: one error at them.
		{file: "gowarc-bad/corrupted-mid-record.warc.gz.open", want: map[string]int{"html": 12, "error": 1}, errLoc: "offset:1219"},
		{file: "gowarc-bad/corrupted-trailing-bytes.warc.gz.open", want: map[string]int{"html": 30, "error": 1}, errLoc: "offset:2362"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rs := readFile(t, warcPath(t, tt.file), dataset.Limits{})
			if got := tally(rs); !maps.Equal(got, tt.want) {
				t.Errorf("records by kind = %v, want %v", got, tt.want)
			}
			locs := locators(rs)
			if len(locs) < len(tt.firstLoc) || !slices.Equal(locs[:len(tt.firstLoc)], tt.firstLoc) {
				t.Errorf("first locators = %v, want %v", locs[:min(len(locs), len(tt.firstLoc))], tt.firstLoc)
			}
			if tt.errLoc != "" && !slices.Contains(locs, "error@"+tt.errLoc) {
				t.Errorf("locators %v lack error@%s", locs, tt.errLoc)
			}
		})
	}
}

// The locator of every record in a per-record gzip file is the offset of
// its gzip member, as the standard library splits the file.
func TestLocatorsAreMemberOffsets(t *testing.T) {
	for _, file := range []string{"iana.warc.gz", "whirlwind.warc.gz", "gowarc-test.warc.gz"} {
		t.Run(file, func(t *testing.T) {
			path := warcPath(t, file)
			offsets, _ := members(t, readBytes(t, path))
			var want []string
			for _, o := range offsets {
				want = append(want, formatLocator(o, 0))
			}
			if got := locators(readFile(t, path, dataset.Limits{})); !slices.Equal(got, want) {
				t.Errorf("locators = %v\nwant member offsets %v", got, want)
			}
		})
	}
}

// Seeking to a record's locator and reading one record gives that record.
func TestSeekToLocator(t *testing.T) {
	for _, file := range []string{"iana.warc.gz", "whirlwind.warc.gz", "whirlwind.warc.wet.gz", "gowarc-bad/good.warc.gz.open"} {
		t.Run(file, func(t *testing.T) {
			path := warcPath(t, file)
			rs := readFile(t, path, dataset.Limits{})
			for _, want := range rs {
				r, err := OpenAt(path, dataset.Limits{}, want.rec.Locator)
				if err != nil {
					t.Fatalf("OpenAt(%s): %v", want.rec.Locator, err)
				}
				got, err := r.Next(context.Background())
				r.Close()
				if err != nil {
					t.Fatalf("Next at %s: %v", want.rec.Locator, err)
				}
				if got.Locator != want.rec.Locator || got.URL != want.rec.URL || got.Kind != want.rec.Kind ||
					!bytes.Equal(got.Body, want.rec.Body) || got.Text != want.rec.Text {
					t.Fatalf("record at %s = %s %s %s, want %s %s %s", want.rec.Locator,
						got.Locator, got.URL, got.Kind, want.rec.Locator, want.rec.URL, want.rec.Kind)
				}
			}
		})
	}
}

func TestRecordContent(t *testing.T) {
	t.Run("iana home page: de-chunked HTML and recorded headers", func(t *testing.T) {
		rec := recordAt(t, warcPath(t, "iana.warc.gz"), "offset:334")
		if rec.URL != "http://www.iana.org/" || rec.Kind != dataset.KindHTML {
			t.Fatalf("got %s %s", rec.URL, rec.Kind)
		}
		if !bytes.HasPrefix(rec.Body, []byte("<!doctype html>")) || len(rec.Body) != 5678 {
			t.Errorf("body = %d bytes starting %q", len(rec.Body), rec.Body[:min(20, len(rec.Body))])
		}
		if got := rec.Header.Get("Content-Type"); got != "text/html; charset=UTF-8" {
			t.Errorf("Content-Type = %q (the sloppy Content-Length: -1 must not lose the headers)", got)
		}
	})
	t.Run("iana PNG is an image", func(t *testing.T) {
		rec := recordAt(t, warcPath(t, "iana.warc.gz"), "offset:55631")
		if rec.Kind != dataset.KindImage || !bytes.HasPrefix(rec.Body, []byte("\x89PNG")) || len(rec.Body) != 27402 {
			t.Errorf("got %s, %d bytes", rec.Kind, len(rec.Body))
		}
	})
	t.Run("Common Crawl response", func(t *testing.T) {
		rec := recordAt(t, warcPath(t, "whirlwind.warc.gz"), "offset:1023")
		if rec.URL != "https://an.wikipedia.org/wiki/Escopete" || rec.Kind != dataset.KindHTML || len(rec.Body) != 72848 {
			t.Errorf("got %s %s %d bytes", rec.URL, rec.Kind, len(rec.Body))
		}
		if rec.Header.Get("X-Crawler-Content-Encoding") != "gzip" {
			t.Errorf("headers = %v", rec.Header)
		}
	})
	t.Run("WET conversion is text", func(t *testing.T) {
		rec := recordAt(t, warcPath(t, "whirlwind.warc.wet.gz"), "offset:466")
		if rec.Kind != dataset.KindText || !strings.Contains(rec.Text, "Escopete") || rec.Body != nil {
			t.Errorf("got %s, text %q…", rec.Kind, rec.Text[:min(60, len(rec.Text))])
		}
	})
}

func recordAt(tb testing.TB, path, loc string) dataset.Record {
	tb.Helper()
	r, err := OpenAt(path, dataset.Limits{}, loc)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	rec, err := r.Next(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// HTTP payloads are decoded as recorded: chunked, gzip, deflate, br, zstd.
func TestPayloadDecoding(t *testing.T) {
	html := []byte("<html><body><p>" + strings.Repeat("decoded words ", 40) + "</p></body></html>")
	tests := []struct {
		name, header string
		body         []byte
		wantKind     dataset.Kind
		wantErr      error
	}{
		{"identity", "Content-Type: text/html\r\n", html, dataset.KindHTML, nil},
		{"chunked", "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n", chunk(html), dataset.KindHTML, nil},
		{"chunked header, stored de-chunked", "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n", html, dataset.KindHTML, nil},
		{"gzip", "Content-Type: text/html\r\nContent-Encoding: gzip\r\n", gzipMember(t, html), dataset.KindHTML, nil},
		{"gzip and chunked", "Content-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", chunk(gzipMember(t, html)), dataset.KindHTML, nil},
		{"gzip header, stored decoded", "Content-Type: text/html\r\nContent-Encoding: gzip\r\n", html, dataset.KindHTML, nil},
		{"deflate", "Content-Type: text/html\r\nContent-Encoding: deflate\r\n", deflate(t, html), dataset.KindHTML, nil},
		{"br", "Content-Type: text/html\r\nContent-Encoding: br\r\n", brotliBytes(t, html), dataset.KindHTML, nil},
		{"zstd", "Content-Type: text/html\r\nContent-Encoding: zstd\r\n", zstdBytes(t, html), dataset.KindHTML, nil},
		{"unknown coding", "Content-Type: text/html\r\nContent-Encoding: compress\r\n", html, "", dataset.ErrRecord},
		{"gzip over the bound", "Content-Type: text/html\r\nContent-Encoding: gzip\r\n", gzipMember(t, bytes.Repeat([]byte("a"), 2<<20)), "", dataset.ErrTooLarge},
		{"plain text", "Content-Type: text/plain; charset=utf-8\r\n", []byte("just words"), dataset.KindText, nil},
		{"no type, sniffed HTML", "", html, dataset.KindHTML, nil},
		{"JPEG declared octet-stream", "Content-Type: application/octet-stream\r\n", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), dataset.KindImage, nil},
		{"SVG is not an image we decode", "Content-Type: image/svg+xml\r\n", []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), dataset.KindOther, nil},
		{"CSS", "Content-Type: text/css\r\n", []byte("p { color: red }"), dataset.KindOther, nil},
		{"empty body", "Content-Type: text/html\r\n", nil, dataset.KindOther, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "p.warc", response("http://example.org/p", tt.header, tt.body))
			rs := readFile(t, path, dataset.Limits{MaxRecordBytes: 1 << 20})
			if len(rs) != 1 {
				t.Fatalf("%d results, want 1", len(rs))
			}
			if tt.wantErr != nil {
				if !errors.Is(rs[0].err, tt.wantErr) || !errors.Is(rs[0].err, dataset.ErrRecord) {
					t.Fatalf("err = %v, want %v and ErrRecord", rs[0].err, tt.wantErr)
				}
				return
			}
			if rs[0].err != nil {
				t.Fatal(rs[0].err)
			}
			rec := rs[0].rec
			if rec.Kind != tt.wantKind {
				t.Fatalf("kind = %s, want %s", rec.Kind, tt.wantKind)
			}
			if tt.wantKind == dataset.KindHTML && !bytes.Equal(rec.Body, html) {
				t.Errorf("body = %q, want the page", rec.Body)
			}
			if rec.URL != "http://example.org/p" || rec.Locator != "offset:0" {
				t.Errorf("url %s locator %s", rec.URL, rec.Locator)
			}
			if tt.header != "" && rec.Header == nil {
				t.Errorf("no recorded headers")
			}
		})
	}
}

func TestResourceAndOtherRecords(t *testing.T) {
	jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00rest")
	data := bytes.Join([][]byte{
		record("warcinfo", "", "application/warc-fields", []byte("software: test\r\n")),
		record("resource", "file:///a.html", "text/html", []byte("<p>a page</p>")),
		record("resource", "file:///b.jpg", "image/jpeg", jpeg),
		record("request", "http://example.org/", "application/http; msgtype=request", []byte("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")),
		record("metadata", "http://example.org/", "application/json", []byte(`{"a":1}`)),
		record("conversion", "http://example.org/", "text/plain", []byte("converted text \xff")),
	}, nil)
	rs := readFile(t, writeTemp(t, "r.warc", data), dataset.Limits{})
	var got []string
	for _, r := range rs {
		if r.err != nil {
			t.Fatal(r.err)
		}
		got = append(got, string(r.rec.Kind)+" "+r.rec.URL)
	}
	want := []string{"other ", "html file:///a.html", "image file:///b.jpg", "other http://example.org/", "other http://example.org/", "text http://example.org/"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if !bytes.Equal(rs[2].rec.Body, jpeg) || rs[5].rec.Text != "converted text \uFFFD" || rs[3].rec.Body != nil {
		t.Errorf("bodies: image %q, text %q, request %q", rs[2].rec.Body, rs[5].rec.Text, rs[3].rec.Body)
	}
}

func chunk(b []byte) []byte {
	var out bytes.Buffer
	for len(b) > 0 {
		n := min(len(b), 100)
		out.WriteString(strings.ToUpper(strconvHex(n)) + "\r\n")
		out.Write(b[:n])
		out.WriteString("\r\n")
		b = b[n:]
	}
	out.WriteString("0\r\n\r\n")
	return out.Bytes()
}
