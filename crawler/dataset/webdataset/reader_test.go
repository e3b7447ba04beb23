package webdataset

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

// want is one expected Next outcome.
type want struct {
	loc, group string
	kind       dataset.Kind
	text, url  string
	body       string
	err        error
}

func TestReader(t *testing.T) {
	jpg := "\xff\xd8\xff\xe0fake jpeg"
	tests := []struct {
		name    string
		members []member
		opts    Options
		want    []want
	}{
		{
			name: "img2dataset samples: image, caption, json url",
			members: []member{
				reg("000000.jpg", jpg), reg("000000.txt", "a red barn"), reg("000000.json", `{"url":"https://s/0.jpg","caption":"a red barn","key":"000000","status":"success"}`),
				reg("000001.json", `{"url":"https://s/1.png"}`), reg("000001.png", "\x89PNG1"),
				reg("000002.webp", "RIFFwebp"), reg("000002.cls", "7"),
			},
			want: []want{
				{loc: "member:000000.jpg", group: "000000", kind: dataset.KindImage, url: "https://s/0.jpg", body: jpg},
				{loc: "member:000000.txt", group: "000000", kind: dataset.KindText, url: "https://s/0.jpg", text: "a red barn"},
				{loc: "member:000000.json", group: "000000", kind: dataset.KindText, url: "https://s/0.jpg", text: "a red barn"},
				{loc: "member:000001.png", group: "000001", kind: dataset.KindImage, url: "https://s/1.png", body: "\x89PNG1"},
				{loc: "member:000002.webp", group: "000002", kind: dataset.KindImage, body: "RIFFwebp"},
				{loc: "member:000002.cls", group: "000002", kind: dataset.KindOther},
			},
		},
		{
			name: "folders in keys, multi-dot extensions, html",
			members: []member{
				{name: "shard/", flag: tar.TypeDir}, reg("shard/a/0001.seg.png", "seg"), reg("shard/a/0001.html", "<p>hi</p>"), reg("shard/b/0001.txt", "other sample"),
			},
			want: []want{
				{loc: "member:shard/a/0001.seg.png", group: "shard/a/0001", kind: dataset.KindImage, body: "seg"},
				{loc: "member:shard/a/0001.html", group: "shard/a/0001", kind: dataset.KindHTML, body: "<p>hi</p>"},
				{loc: "member:shard/b/0001.txt", group: "shard/b/0001", kind: dataset.KindText, text: "other sample"},
			},
		},
		{
			name: "links and devices skipped, unsafe names refused",
			members: []member{
				{name: "link.jpg", flag: tar.TypeSymlink, link: "/etc/passwd"}, {name: "hard.jpg", flag: tar.TypeLink, link: "000000.jpg"},
				{name: "fifo", flag: tar.TypeFifo},
				reg("../escape.jpg", "x"), reg("/abs/000.txt", "x"), reg("ok/../../up.txt", "x"), reg("win\\000.txt", "x"), reg("new\nline.txt", "x"),
				reg("000003.txt", "safe"),
			},
			want: []want{
				{loc: "member:\"../escape.jpg\"", err: dataset.ErrRecord},
				{loc: "member:\"/abs/000.txt\"", err: dataset.ErrRecord},
				{loc: "member:\"ok/../../up.txt\"", err: dataset.ErrRecord},
				{loc: "member:\"win\\\\000.txt\"", err: dataset.ErrRecord},
				{loc: "member:\"new\\nline.txt\"", err: dataset.ErrRecord},
				{loc: "member:000003.txt", group: "000003", kind: dataset.KindText, text: "safe"},
			},
		},
		{
			name:    "over-large members and invalid json are skipped, reading goes on",
			members: []member{reg("000004.jpg", strings.Repeat("j", 200)), reg("000004.json", `{"url": broken`), reg("000004.txt", "caption"), reg("000005.bin", strings.Repeat("b", 500))},
			opts:    Options{Limits: dataset.Limits{MaxRecordBytes: 100}},
			want: []want{
				{loc: "member:000004.jpg", err: dataset.ErrTooLarge},
				{loc: "member:000004.json", err: dataset.ErrRecord},
				{loc: "member:000004.txt", group: "000004", kind: dataset.KindText, text: "caption"},
				{loc: "member:000005.bin", group: "000005", kind: dataset.KindOther},
			},
		},
		{
			name: "a sample split by the member bound keeps its URL",
			members: []member{
				reg("000006.json", `{"url":"https://s/6","caption":""}`), reg("000006.a.txt", "a"), reg("000006.b.txt", "b"), reg("000006.c.txt", "c"),
			},
			opts: Options{MaxSampleMembers: 2},
			want: []want{
				{loc: "member:000006.a.txt", group: "000006", kind: dataset.KindText, text: "a", url: "https://s/6"},
				{loc: "member:000006.b.txt", group: "000006", kind: dataset.KindText, text: "b", url: "https://s/6"},
				{loc: "member:000006.c.txt", group: "000006", kind: dataset.KindText, text: "c", url: "https://s/6"},
			},
		},
		{name: "empty archive", members: nil, want: nil},
	}
	for _, gz := range []bool{false, true} {
		for _, tt := range tests {
			name := "tar/" + tt.name
			if gz {
				name = "tar.gz/" + tt.name
			}
			t.Run(name, func(t *testing.T) {
				data := tarOf(t, tt.members...)
				if gz {
					data = gzipBytes(t, data)
				}
				r, err := NewReader(context.Background(), bytes.NewReader(data), "shard.tar", tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if r.Gzipped() != gz {
					t.Errorf("gzipped %v, want %v", r.Gzipped(), gz)
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

func check(t *testing.T, recs []dataset.Record, errs []error, want []want) {
	t.Helper()
	if len(recs) != len(want) {
		t.Fatalf("got %d results, want %d: %+v %v", len(recs), len(want), recs, errs)
	}
	for i, w := range want {
		rec, err := recs[i], errs[i]
		if rec.Locator != w.loc || rec.Dataset != "shard.tar" {
			t.Errorf("#%d: locator %q, want %q", i, rec.Locator, w.loc)
		}
		if w.err != nil {
			if !errors.Is(err, w.err) || !errors.Is(err, dataset.ErrRecord) {
				t.Errorf("#%d: error %v, want %v and ErrRecord", i, err, w.err)
			}
			continue
		}
		if err != nil || rec.Group != w.group || rec.Kind != w.kind || rec.Text != w.text || rec.URL != w.url || string(rec.Body) != w.body {
			t.Errorf("#%d: got group %q %s %q %q body %q err %v\nwant group %q %s %q %q body %q", i, rec.Group, rec.Kind, rec.Text, rec.URL, rec.Body, err, w.group, w.kind, w.text, w.url, w.body)
		}
	}
}

func TestReaderFatalErrors(t *testing.T) {
	good := tarOf(t, reg("000000.txt", strings.Repeat("words ", 200)), reg("000001.txt", "more"))
	tests := []struct {
		name string
		data []byte
	}{
		{name: "truncated in a member", data: good[:700]},
		{name: "corrupt header checksum", data: append([]byte("garbage!"), good[8:]...)},
		{name: "truncated gzip", data: gzipBytes(t, good)[:40]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(context.Background(), bytes.NewReader(tt.data), "shard.tar", Options{})
			if err != nil {
				return // refused at open: fine
			}
			defer r.Close()
			_, _, err = readAll(t, r)
			if err == nil || errors.Is(err, dataset.ErrRecord) {
				t.Fatalf("got %v, want a fatal error", err)
			}
		})
	}
}

func TestSplitKey(t *testing.T) {
	tests := []struct{ name, key, ext string }{
		{"000123.jpg", "000123", "jpg"},
		{"a/b/000123.seg.png", "a/b/000123", "seg.png"},
		{"noext", "noext", ""},
		{".hidden.txt", ".hidden.txt", ""},
		{"dir.v2/000.txt", "dir.v2/000", "txt"},
	}
	for _, tt := range tests {
		if key, ext := splitKey(tt.name); key != tt.key || ext != tt.ext {
			t.Errorf("splitKey(%q) = %q %q, want %q %q", tt.name, key, ext, tt.key, tt.ext)
		}
	}
}
