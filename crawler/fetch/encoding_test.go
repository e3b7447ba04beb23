package fetch

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// encodingCase is a page text in a legacy encoding.
type encodingCase struct {
	name    string
	charset string // as a page declares it
	enc     encoding.Encoding
	text    string // UTF-8; every character encodable in enc
}

var encodingCases = []encodingCase{
	{"euc-jp", "EUC-JP", japanese.EUCJP, "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"},
	{"shift_jis", "Shift_JIS", japanese.ShiftJIS, "国境の長いトンネルを抜けると雪国であった。夜の底が白くなった。"},
	// GB2312 text is served as its EUC-CN bytes, which GBK encodes
	// identically (WHATWG maps the label "gb2312" to GBK).
	{"gb2312", "GB2312", simplifiedchinese.GBK, "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"},
	{"gbk", "GBK", simplifiedchinese.GBK, "床前明月光，疑是地上霜。举头望明月，低头思故乡。"},
	{"latin-1", "ISO-8859-1", charmap.ISO8859_1, "Déjà vu: l'élève naïf mangea une crème brûlée à Noël."},
	{"windows-1252", "windows-1252", charmap.Windows1252, "“Smart quotes” — and a euro sign € in façade."},
}

// encode returns text in enc, failing the test when it cannot be encoded.
func encode(tb testing.TB, enc encoding.Encoding, text string) []byte {
	tb.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(text))
	if err != nil {
		tb.Fatalf("encode %q: %v", text, err)
	}
	if utf8.Valid(b) {
		tb.Fatalf("encoded %q is valid UTF-8: the test would prove nothing", text)
	}
	return b
}

// TestFetchLegacyEncodings serves pages in legacy encodings, declared by the
// Content-Type header, by <meta charset> or by <meta http-equiv>, and
// checks that the extracted text is the original, as UTF-8.
func TestFetchLegacyEncodings(t *testing.T) {
	declarations := []struct {
		name  string
		ctype func(cs string) string
		head  func(cs string) string
	}{
		{"header", func(cs string) string { return "text/html; charset=" + cs }, func(string) string { return "" }},
		{"meta charset", func(string) string { return "text/html" }, func(cs string) string { return `<meta charset="` + cs + `">` }},
		{"meta http-equiv", func(string) string { return "text/html" },
			func(cs string) string {
				return `<meta http-equiv="Content-Type" content="text/html; charset=` + cs + `">`
			}},
	}
	mux := http.NewServeMux()
	type want struct{ path, text, title string }
	var wants []want
	for _, c := range encodingCases {
		for _, d := range declarations {
			path := "/" + c.name + "/" + strings.ReplaceAll(d.name, " ", "-")
			title := []rune(c.text)[:6]
			page := "<html><head>" + d.head(c.charset) + "<title>" + string(title) + "</title></head><body><p>" + c.text + "</p></body></html>"
			body := encode(t, c.enc, page)
			ctype := d.ctype(c.charset)
			mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ctype)
				w.Write(body)
			})
			wants = append(wants, want{path, c.text, string(title)})
		}
	}
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	for _, w := range wants {
		t.Run(strings.TrimPrefix(w.path, "/"), func(t *testing.T) {
			p, err := f.FetchPage(context.Background(), srv.URL+w.path)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.ValidString(p.Text) || !strings.Contains(p.Text, w.text) {
				t.Errorf("text %q, want it to contain %q", p.Text, w.text)
			}
			if p.Title != w.title {
				t.Errorf("title %q, want %q", p.Title, w.title)
			}
		})
	}
}

// TestFetchLegacyEncodingPlainText serves texts published as files
// (text/plain) with a declared charset.
func TestFetchLegacyEncodingPlainText(t *testing.T) {
	mux := http.NewServeMux()
	cases := encodingCases
	for _, c := range cases {
		body := encode(t, c.enc, c.text)
		cs := c.charset
		mux.HandleFunc("/"+c.name+".txt", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset="+cs)
			w.Write(body)
		})
	}
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := f.FetchPage(context.Background(), srv.URL+"/"+c.name+".txt")
			if err != nil {
				t.Fatal(err)
			}
			if p.Text != c.text {
				t.Errorf("text %q, want %q", p.Text, c.text)
			}
		})
	}
}

// TestFetchEncodingPrecedence checks the WHATWG rules real pages rely on:
// the Content-Type charset wins over a <meta> one, and a page labelled
// ISO-8859-1 is decoded as windows-1252, whose curly quotes and dashes
// (bytes 0x80-0x9f) old pages use under that label.
func TestFetchEncodingPrecedence(t *testing.T) {
	mux := http.NewServeMux()
	sjis := encode(t, japanese.ShiftJIS, `<html><head><meta charset="EUC-JP"><title>t</title></head><body><p>雪国であった。</p></body></html>`)
	mux.HandleFunc("/header-wins", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=Shift_JIS")
		w.Write(sjis)
	})
	mux.HandleFunc("/latin1-label", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
		w.Write([]byte("<p>\x93Quoted\x94 \x96 it\x92s na\xefve</p>"))
	})
	srv := newServer(t, mux)
	f := newFetcher(t, Options{})
	for _, tc := range []struct{ path, want string }{
		{"/header-wins", "雪国であった。"},
		{"/latin1-label", "“Quoted” – it’s naïve"},
	} {
		p, err := f.FetchPage(context.Background(), srv.URL+tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.Text, tc.want) {
			t.Errorf("%s: text %q, want it to contain %q", tc.path, p.Text, tc.want)
		}
	}
}

// Pages that declare no charset at all: the encoding is detected.
func TestFetchUndeclaredEncoding(t *testing.T) {
	for _, tc := range encodingCases {
		for _, ctype := range []string{"text/html", "text/plain"} {
			t.Run(tc.name+" "+ctype, func(t *testing.T) {
				text := strings.Repeat(tc.text+" ", 8) // detection needs a few sentences
				body := encode(t, tc.enc, text)
				if ctype == "text/html" {
					body = append(append([]byte("<html><body><p>"), body...), "</p></body></html>"...)
				}
				mux := http.NewServeMux()
				mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", ctype)
					_, _ = w.Write(body)
				})
				srv := newServer(t, mux)
				p, err := newFetcher(t, Options{}).FetchPage(context.Background(), srv.URL+"/")
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(p.Text, tc.text) {
					t.Errorf("text %q, want it to contain %q", p.Text, tc.text)
				}
			})
		}
	}
}
