package jsonl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

func TestReaderPresetsAndLocators(t *testing.T) {
	long := `{"text":"` + strings.Repeat("x", 200<<10) + `"}` // longer than the bufio buffer
	tests := []struct {
		name       string
		opts       Options
		input      string
		wantPreset string
		want       []result
	}{
		{
			name:       "c4 auto",
			input:      `{"text":"first doc","url":"https://a.example/1","timestamp":"2019"}` + "\n" + `{"text":"second","url":"https://a.example/2"}` + "\n",
			wantPreset: "c4",
			want:       []result{{loc: "line:1", text: "first doc", url: "https://a.example/1"}, {loc: "line:2", text: "second", url: "https://a.example/2"}},
		},
		{
			name: "redpajama meta object, meta string, raw_content",
			input: `{"text":"rp one","meta":{"url":"https://rp.example/1","source":"cc"}}` + "\n" +
				`{"text":"rp two","meta":"{\"url\": \"https://rp.example/2\"}"}` + "\n" +
				`{"raw_content":"rp three","meta":{"url":"https://rp.example/3"}}` + "\n",
			wantPreset: "redpajama",
			want: []result{
				{loc: "line:1", text: "rp one", url: "https://rp.example/1"},
				{loc: "line:2", text: "rp two", url: "https://rp.example/2"},
				{loc: "line:3", text: "rp three", url: "https://rp.example/3"},
			},
		},
		{
			name: "dolma metadata.url, url optional",
			input: `{"id":"d1","text":"dolma one","source":"common-crawl","added":"2023","metadata":{"url":"https://d.example/1"}}` + "\n" +
				`{"id":"d2","text":"dolma two","source":"pes2o","added":"2023","metadata":{}}` + "\n",
			wantPreset: "dolma",
			want:       []result{{loc: "line:1", text: "dolma one", url: "https://d.example/1"}, {loc: "line:2", text: "dolma two"}},
		},
		{
			name:       "explicit paths with alternatives",
			opts:       Options{TextField: "doc.body|alt", URLField: "src.href"},
			input:      `{"doc":{"body":"nested"},"src":{"href":"https://e.example/"}}` + "\n" + `{"alt":"fallback"}` + "\n" + `{"doc":{"body":7}}` + "\n",
			wantPreset: "custom",
			want: []result{
				{loc: "line:1", text: "nested", url: "https://e.example/"},
				{loc: "line:2", text: "fallback"},
				{loc: "line:3", err: errNoText},
			},
		},
		{
			name:       "auto preset with an explicit URL field",
			opts:       Options{URLField: "link|url"},
			input:      `{"text":"t1","link":"https://l/1","url":"https://u/1"}` + "\n" + `{"text":"t2","url":"https://u/2"}` + "\n",
			wantPreset: "c4",
			want:       []result{{loc: "line:1", text: "t1", url: "https://l/1"}, {loc: "line:2", text: "t2", url: "https://u/2"}},
		},
		{
			name:       "named preset ignores other fields",
			opts:       Options{Preset: "c4"},
			input:      `{"text":"t","url":"https://c.example/","meta":{"url":"https://other/"}}` + "\n",
			wantPreset: "c4",
			want:       []result{{loc: "line:1", text: "t", url: "https://c.example/"}},
		},
		{
			name:       "blank lines count, CRLF, no final newline",
			input:      "\n" + `{"text":"a"}` + "\r\n" + "   \n\n" + `{"text":"b"}` + "\r\n" + `{"text":"c"}`,
			wantPreset: "text",
			want:       []result{{loc: "line:2", text: "a"}, {loc: "line:5", text: "b"}, {loc: "line:6", text: "c"}},
		},
		{
			name:       "invalid JSON lines are skipped and counted, before and after detection",
			input:      `{"text": broken` + "\n" + `[1,2]` + "\n" + `{"text":"ok","url":"https://x/"}` + "\n" + `not json` + "\n" + `null` + "\n" + `{"text":"ok2","url":"https://y/"}` + "\n",
			wantPreset: "c4",
			want: []result{
				{loc: "line:1", err: dataset.ErrRecord}, {loc: "line:2", err: dataset.ErrRecord},
				{loc: "line:3", text: "ok", url: "https://x/"},
				{loc: "line:4", err: dataset.ErrRecord}, {loc: "line:5", err: dataset.ErrRecord},
				{loc: "line:6", text: "ok2", url: "https://y/"},
			},
		},
		{
			name:       "over-long lines are skipped, reading goes on",
			opts:       Options{Limits: dataset.Limits{MaxRecordBytes: 100 << 10}},
			input:      `{"text":"short"}` + "\n" + long + "\n" + `{"text":"` + strings.Repeat("y", 150) + `"}` + "\n" + long,
			wantPreset: "text",
			want: []result{
				{loc: "line:1", text: "short"},
				{loc: "line:2", err: dataset.ErrTooLarge},
				{loc: "line:3", text: strings.Repeat("y", 150)},
				{loc: "line:4", err: dataset.ErrTooLarge},
			},
		},
		{
			name:       "bound is on content: a line of exactly the bound is read",
			opts:       Options{Preset: "text", Limits: dataset.Limits{MaxRecordBytes: 16}},
			input:      `{"text":"12345"}` + "\r\n" + `{"text":"123456"}` + "\n",
			wantPreset: "text",
			want:       []result{{loc: "line:1", text: "12345"}, {loc: "line:2", err: dataset.ErrTooLarge}},
		},
		{
			name:  "empty file",
			input: "\n\n",
			want:  nil,
		},
	}
	for _, comp := range compressions {
		for _, tt := range tests {
			t.Run(comp.String()+"/"+tt.name, func(t *testing.T) {
				data := compressBytes(t, comp, []byte(tt.input))
				r, err := NewReader(context.Background(), bytes.NewReader(data), "in.jsonl", tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if r.Compression() != comp {
					t.Errorf("compression %v, want %v", r.Compression(), comp)
				}
				recs, errs, err := readAll(t, r)
				if err != nil {
					t.Fatalf("fatal error: %v", err)
				}
				if r.Preset() != tt.wantPreset {
					t.Errorf("preset %q, want %q", r.Preset(), tt.wantPreset)
				}
				checkResults(t, recs, errs, tt.want)
			})
		}
	}
}

func checkResults(t *testing.T, recs []dataset.Record, errs []error, want []result) {
	t.Helper()
	if len(recs) != len(want) {
		t.Fatalf("got %d results, want %d: %+v %v", len(recs), len(want), recs, errs)
	}
	for i, w := range want {
		rec, err := recs[i], errs[i]
		if rec.Locator != w.loc || rec.Dataset != "in.jsonl" {
			t.Errorf("#%d: locator %q dataset %q, want %q", i, rec.Locator, rec.Dataset, w.loc)
		}
		if w.err != nil {
			if !errors.Is(err, w.err) || !errors.Is(err, dataset.ErrRecord) {
				t.Errorf("#%d: error %v, want %v and ErrRecord", i, err, w.err)
			}
			continue
		}
		if err != nil || rec.Text != w.text || rec.URL != w.url || rec.Kind != dataset.KindText {
			t.Errorf("#%d: got %q %q %q err %v, want %q %q", i, rec.Kind, rec.Text, rec.URL, err, w.text, w.url)
		}
	}
}

func TestReaderFatalErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		input   []byte
		wantErr string
	}{
		{name: "unknown preset", opts: Options{Preset: "pile"}, input: []byte(`{"text":"a"}`), wantErr: `unknown JSONL preset "pile"`},
		{name: "no known text field lists the fields", input: []byte(`{"body":"a","link":"b"}` + "\n"), wantErr: "the first record has fields body, link"},
		{name: "no object in the first lines", input: bytes.Repeat([]byte("nope\n"), detectLines+1), wantErr: "no JSON object in the first 64 lines"},
		{name: "bad gzip header", input: []byte{0x1f, 0x8b, 0, 0}, wantErr: "gzip header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(context.Background(), bytes.NewReader(tt.input), "in.jsonl", tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestReaderTruncatedStream(t *testing.T) {
	var lines strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&lines, `{"text":"doc %d: %x","url":"https://t.example/%d"}`+"\n", i, sha256.Sum256([]byte{byte(i), byte(i >> 8)}), i)
	}
	for _, comp := range []Compression{Gzip, Zstd} {
		t.Run(comp.String(), func(t *testing.T) {
			data := compressBytes(t, comp, []byte(lines.String()))
			data = data[:len(data)*2/3]
			r, err := NewReader(context.Background(), bytes.NewReader(data), "in.jsonl", Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			recs, _, err := readAll(t, r)
			if err == nil || errors.Is(err, dataset.ErrRecord) {
				t.Fatalf("want a fatal error for a truncated stream, got %v", err)
			}
			if len(recs) == 0 || len(recs) >= 2000 {
				t.Fatalf("read %d records before the cut, want some but not all", len(recs))
			}
			if _, err2 := r.Next(context.Background()); err2 == nil {
				t.Fatal("Next after a fatal error must fail again")
			}
		})
	}
}

func TestReaderContextCancelled(t *testing.T) {
	r, err := NewReader(context.Background(), strings.NewReader(`{"text":"a"}`+"\n"), "in.jsonl", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	tests := []string{
		`"plain"`, `""`, `"tab\tnew\nline\r\"q\" back\\slash \/ \b\f"`, `"\u00e9\u4e2d"`, `"pair \ud83d\ude00 end"`,
		`"lone \ud83d x"`, `"lone low \ude00"`, `"two highs \ud83d\ud83d"`, "\"bad utf8 \xff\xfe\"", `"\u0000"`,
		`123`, `null`, `{"a":1}`,
	}
	for _, raw := range tests {
		var want string
		wantOK := json.Unmarshal([]byte(raw), &want) == nil && raw[0] == '"' // null is no string
		got, ok := jsonString([]byte(raw))
		if ok != wantOK || got != want {
			t.Errorf("jsonString(%s) = %q %v, encoding/json gives %q %v", raw, got, ok, want, wantOK)
		}
	}
}
