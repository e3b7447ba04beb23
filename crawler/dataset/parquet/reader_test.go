package parquet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go/compress"

	"github.com/attrib/attrib/crawler/dataset"
)

// want is one expected Next outcome.
type want struct {
	loc  string
	kind dataset.Kind
	text string
	url  string
	body string
	err  error
}

func TestReaderLayouts(t *testing.T) {
	png := "\x89PNG\r\n\x1a\nfake image bytes"
	tests := []struct {
		name        string
		data        func(t *testing.T, c compress.Codec) []byte
		opts        Options
		wantColumns string
		want        []want
	}{
		{
			name: "c4 text and url over row groups, null text yields nothing",
			data: func(t *testing.T, c compress.Codec) []byte {
				return writeParquet(t, []c4Row{
					{Text: ptr("doc zero"), URL: ptr("https://a/0")}, {Text: ptr("doc one")}, {Text: nil, URL: ptr("https://a/2")},
					{Text: ptr("doc three"), URL: ptr("https://a/3")}, {Text: ptr(""), URL: ptr("https://a/4")}, {Text: ptr("doc five"), URL: ptr("https://a/5")},
				}, c, 2)
			},
			wantColumns: "text=text url=url",
			want: []want{
				{loc: "row:0", kind: dataset.KindText, text: "doc zero", url: "https://a/0"},
				{loc: "row:1", kind: dataset.KindText, text: "doc one"},
				{loc: "row:3", kind: dataset.KindText, text: "doc three", url: "https://a/3"},
				{loc: "row:5", kind: dataset.KindText, text: "doc five", url: "https://a/5"},
			},
		},
		{
			name: "content column without url",
			data: func(t *testing.T, c compress.Codec) []byte {
				return writeParquet(t, []contentRow{{Content: "package main", Lang: "go"}, {Content: "print(1)", Lang: "py"}}, c, 10)
			},
			wantColumns: "text=content",
			want:        []want{{loc: "row:0", kind: dataset.KindText, text: "package main"}, {loc: "row:1", kind: dataset.KindText, text: "print(1)"}},
		},
		{
			name: "LAION URL and TEXT: image records by URL with the caption",
			data: func(t *testing.T, c compress.Codec) []byte {
				return writeParquet(t, []laionRow{
					{URL: "https://img/0.jpg", TEXT: "a cat", Width: 640, Hashes: []int64{1, 2}},
					{URL: "", TEXT: "no url"},
					{URL: "https://img/2.jpg", TEXT: "a dog", Width: 320},
				}, c, 2)
			},
			wantColumns: "caption=TEXT url=URL",
			want: []want{
				{loc: "row:0", kind: dataset.KindImage, text: "a cat", url: "https://img/0.jpg"},
				{loc: "row:2", kind: dataset.KindImage, text: "a dog", url: "https://img/2.jpg"},
			},
		},
		{
			name: "HF embedded image bytes",
			data: func(t *testing.T, c compress.Codec) []byte {
				return writeParquet(t, []hfImageRow{
					{Image: hfImage{Bytes: []byte(png), Path: "0.png"}, Caption: "first"},
					{Image: hfImage{Bytes: nil, Path: "missing.png"}, Caption: "no bytes"},
					{Image: hfImage{Bytes: []byte(png + "2"), Path: "2.png"}, Caption: "third"},
				}, c, 3)
			},
			wantColumns: "caption=caption image=image.bytes",
			want: []want{
				{loc: "row:0", kind: dataset.KindImage, text: "first", body: png},
				{loc: "row:2", kind: dataset.KindImage, text: "third", body: png + "2"},
			},
		},
		{
			name: "explicit nested columns with alternatives",
			data: func(t *testing.T, c compress.Codec) []byte {
				rows := make([]nestedRow, 2)
				rows[0].Doc.Body, rows[0].Src = "nested body", "https://n/0"
				rows[1].Doc.Body, rows[1].Src = "second body", "https://n/1"
				return writeParquet(t, rows, c, 1)
			},
			opts:        Options{TextColumn: "doc.text|doc.body", URLColumn: "src"},
			wantColumns: "text=doc.body url=src",
			want: []want{
				{loc: "row:0", kind: dataset.KindText, text: "nested body", url: "https://n/0"},
				{loc: "row:1", kind: dataset.KindText, text: "second body", url: "https://n/1"},
			},
		},
		{
			name: "a value over the record bound is skipped, reading goes on",
			data: func(t *testing.T, c compress.Codec) []byte {
				return writeParquet(t, []c4Row{{Text: ptr("small")}, {Text: ptr(strings.Repeat("x", 300))}, {Text: ptr("after")}}, c, 10)
			},
			opts:        Options{Limits: dataset.Limits{MaxRecordBytes: 100}},
			wantColumns: "text=text url=url",
			want: []want{
				{loc: "row:0", kind: dataset.KindText, text: "small"},
				{loc: "row:1", err: dataset.ErrTooLarge},
				{loc: "row:2", kind: dataset.KindText, text: "after"},
			},
		},
	}
	for _, codec := range codecs {
		for _, tt := range tests {
			t.Run(codec.String()+"/"+tt.name, func(t *testing.T) {
				r, err := open(t, tt.data(t, codec), tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if got := columnsString(r.Columns()); got != tt.wantColumns {
					t.Errorf("columns %q, want %q", got, tt.wantColumns)
				}
				recs, errs, err := readAll(t, r)
				if err != nil {
					t.Fatalf("fatal: %v", err)
				}
				check(t, recs, errs, tt.want)
			})
		}
	}
}

func columnsString(m map[string]string) string {
	var parts []string
	for _, role := range []string{"text", "caption", "image", "url"} {
		if c, ok := m[role]; ok {
			parts = append(parts, role+"="+c)
		}
	}
	return strings.Join(parts, " ")
}

func check(t *testing.T, recs []dataset.Record, errs []error, want []want) {
	t.Helper()
	if len(recs) != len(want) {
		t.Fatalf("got %d results, want %d: %+v %v", len(recs), len(want), recs, errs)
	}
	for i, w := range want {
		rec, err := recs[i], errs[i]
		if rec.Locator != w.loc || rec.Dataset != "in.parquet" {
			t.Errorf("#%d: locator %q, want %q", i, rec.Locator, w.loc)
		}
		if w.err != nil {
			if !errors.Is(err, w.err) || !errors.Is(err, dataset.ErrRecord) {
				t.Errorf("#%d: error %v, want %v and ErrRecord", i, err, w.err)
			}
			continue
		}
		if err != nil || rec.Kind != w.kind || rec.Text != w.text || rec.URL != w.url || string(rec.Body) != w.body {
			t.Errorf("#%d: got %s %q %q body %q err %v, want %s %q %q body %q", i, rec.Kind, rec.Text, rec.URL, rec.Body, err, w.kind, w.text, w.url, w.body)
		}
	}
}

func TestReaderTextAndImageInOneRow(t *testing.T) {
	type row struct {
		Text  string  `parquet:"text"`
		Image hfImage `parquet:"image"`
		URL   string  `parquet:"url"`
	}
	data := writeParquet(t, []row{{Text: "an article", Image: hfImage{Bytes: []byte("jpegbytes")}, URL: "https://p/0"}}, codecs[1], 10)
	r, err := open(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, errs, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	check(t, recs, errs, []want{
		{loc: "row:0", kind: dataset.KindText, text: "an article", url: "https://p/0"},
		{loc: "row:0", kind: dataset.KindImage, url: "https://p/0", body: "jpegbytes"},
	})
}

func TestReaderColumnErrors(t *testing.T) {
	wrong := writeParquet(t, []wrongRow{{Title: "t", Body: "b", Count: 1, Tags: []string{"x"}}}, codecs[1], 10)
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{name: "no known column lists the columns present", wantErr: "columns present: title, body, text_len, tags.list.element"},
		{name: "explicit column missing", opts: Options{TextColumn: "article"}, wantErr: "no column article; columns present: title, body"},
		{name: "repeated column refused", opts: Options{TextColumn: "tags.list.element"}, wantErr: "column tags.list.element is repeated"},
		{name: "non-string column refused", opts: Options{TextColumn: "text_len"}, wantErr: "column text_len holds INT64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := open(t, wrong, tt.opts)
			if !errors.Is(err, ErrColumns) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want ErrColumns containing %q", err, tt.wantErr)
			}
		})
	}
	if _, err := open(t, wrong, Options{TextColumn: "body"}); err != nil {
		t.Fatalf("an explicit string column must be accepted: %v", err)
	}
}

func TestReaderCorruptFiles(t *testing.T) {
	good := writeParquet(t, []c4Row{{Text: ptr("a")}, {Text: ptr("b")}}, codecs[1], 10)
	tests := []struct {
		name string
		data []byte
	}{
		{name: "empty", data: nil},
		{name: "not parquet", data: []byte("hello, this is not a parquet file at all")},
		{name: "truncated", data: good[:len(good)-10]},
		{name: "footer size past the start", data: append(append([]byte{}, good[:len(good)-8]...), 0xff, 0xff, 0xff, 0x7f, 'P', 'A', 'R', '1')},
		{name: "encrypted footer", data: append(append([]byte{}, good[:len(good)-4]...), 'P', 'A', 'R', 'E')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := open(t, tt.data, Options{}); err == nil {
				_, _, err = readAll(t, r)
				r.Close()
				if err == nil {
					t.Fatal("a corrupt file read without error")
				}
			}
		})
	}
}

// TestReaderPagesInMiddleCorrupt flips bytes in the data pages: reading
// must end in an error, never a panic or a hang.
func TestReaderPagesInMiddleCorrupt(t *testing.T) {
	rows := make([]c4Row, 200)
	for i := range rows {
		rows[i].Text = ptr(fmt.Sprintf("document number %d with some words", i))
	}
	for _, codec := range codecs {
		good := writeParquet(t, rows, codec, 50)
		for _, at := range []int{len(good) / 4, len(good) / 3, len(good) / 2} {
			bad := bytes.Clone(good)
			for i := at; i < at+16 && i < len(bad)-8; i++ {
				bad[i] ^= 0x5a
			}
			r, err := open(t, bad, Options{})
			if err != nil {
				continue
			}
			readAll(t, r) // any outcome but a crash
			r.Close()
		}
	}
}

func TestReaderContextCancelled(t *testing.T) {
	r, err := open(t, writeParquet(t, []c4Row{{Text: ptr("a")}}, codecs[0], 10), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
