package parquet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/attrib/attrib/crawler/dataset"
)

func TestClean(t *testing.T) {
	c4 := make([]c4Row, 10)
	for i := range c4 {
		c4[i] = c4Row{Text: ptr(fmt.Sprintf("document %d", i))}
		if i%3 != 1 {
			c4[i].URL = ptr(fmt.Sprintf("https://c/%d", i))
		}
	}
	laion := make([]laionRow, 7)
	for i := range laion {
		laion[i] = laionRow{URL: fmt.Sprintf("https://img/%d.jpg", i), TEXT: fmt.Sprintf("caption %d", i), Width: int64(i * 10), Sim: float64(i) / 7, Hashes: make([]int64, i%3)}
	}
	drop := map[string]bool{"row:1": true, "row:4": true, "row:9": true}
	for _, codec := range codecs {
		t.Run(codec.String()+"/c4", func(t *testing.T) {
			src := writeParquet(t, c4, codec, 3, parquet.KeyValueMetadata("huggingface", `{"info":1}`))
			out := cleanBytes(t, src, drop, dataset.CleanStats{Kept: 7, Dropped: 3})
			checkSameLayout(t, src, out, 3) // groups of 3: 2+2+3+0 rows kept
			checkRows(t, out, keep(c4, drop))
			r, err := open(t, out, Options{})
			if err != nil {
				t.Fatal(err)
			}
			recs, _, err := readAll(t, r)
			r.Close()
			if err != nil || len(recs) != 7 || recs[1].Text != "document 2" || recs[6].Text != "document 8" {
				t.Fatalf("re-read: %v %+v", err, recs)
			}
		})
		t.Run(codec.String()+"/laion with a list column", func(t *testing.T) {
			src := writeParquet(t, laion, codec, 4)
			out := cleanBytes(t, src, drop, dataset.CleanStats{Kept: 5, Dropped: 2})
			checkSameLayout(t, src, out, 2)
			checkRows(t, out, keep(laion, drop))
		})
	}
}

func keep[T any](rows []T, drop map[string]bool) []T {
	var kept []T
	for i, r := range rows {
		if !drop[fmt.Sprintf("row:%d", i)] {
			kept = append(kept, r)
		}
	}
	return kept
}

// cleanBytes runs Clean on src and returns the copy.
func cleanBytes(t *testing.T, src []byte, drop map[string]bool, wantStats dataset.CleanStats) []byte {
	t.Helper()
	dir := t.TempDir()
	in := writeFile(t, dir, "in.parquet", src)
	dst := filepath.Join(dir, "out.parquet")
	stats, err := Clean(context.Background(), in, dst, func(loc string) bool { return drop[loc] })
	if err != nil {
		t.Fatal(err)
	}
	if stats != wantStats {
		t.Errorf("stats %+v, want %+v", stats, wantStats)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("clean left temporary files: %v", entries)
	}
	out, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSameLayout compares schema, key-value metadata and codecs.
func checkSameLayout(t *testing.T, src, out []byte, wantGroups int) {
	t.Helper()
	a, err := parquet.OpenFile(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := parquet.OpenFile(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Schema().String() != b.Schema().String() {
		t.Errorf("schema changed:\n%s\nwant\n%s", b.Schema(), a.Schema())
	}
	for _, kv := range a.Metadata().KeyValueMetadata {
		if v, ok := b.Lookup(kv.Key); !ok || v != kv.Value {
			t.Errorf("metadata %q = %q, want %q", kv.Key, v, kv.Value)
		}
	}
	if len(b.RowGroups()) != wantGroups {
		t.Errorf("%d row groups, want %d", len(b.RowGroups()), wantGroups)
	}
	want := a.Metadata().RowGroups[0].Columns
	for _, g := range b.Metadata().RowGroups {
		for j, c := range g.Columns {
			if c.MetaData.Codec != want[j].MetaData.Codec {
				t.Errorf("column %v codec %v, want %v", c.MetaData.PathInSchema, c.MetaData.Codec, want[j].MetaData.Codec)
			}
		}
	}
}

// checkRows reads out's rows as T and compares them with want.
func checkRows[T any](t *testing.T, out []byte, want []T) {
	t.Helper()
	r := parquet.NewGenericReader[T](bytes.NewReader(out))
	defer r.Close()
	got := make([]T, r.NumRows())
	n, err := r.Read(got)
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if n != len(want) || !reflect.DeepEqual(normalise(got[:n]), normalise(want)) {
		t.Errorf("rows:\n%+v\nwant\n%+v", got[:n], want)
	}
}

// normalise makes empty and nil slices compare equal.
func normalise[T any](rows []T) string {
	return strings.ReplaceAll(fmt.Sprintf("%+v", deref(rows)), "[]", "")
}

func deref[T any](rows []T) []any {
	var out []any
	for _, r := range rows {
		v := reflect.ValueOf(r)
		var fields []any
		for i := range v.NumField() {
			f := v.Field(i)
			if f.Kind() == reflect.Pointer {
				if f.IsNil() {
					fields = append(fields, "<nil>")
					continue
				}
				f = f.Elem()
			}
			fields = append(fields, f.Interface())
		}
		out = append(out, fields)
	}
	return out
}

func TestCleanCorruptLeavesNoFile(t *testing.T) {
	good := writeParquet(t, []c4Row{{Text: ptr("a")}}, codecs[1], 10)
	dir := t.TempDir()
	in := writeFile(t, dir, "in.parquet", good[:len(good)-9])
	if _, err := Clean(context.Background(), in, filepath.Join(dir, "out.parquet"), func(string) bool { return false }); err == nil {
		t.Fatal("clean of a truncated file succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("want only the source left, got %v", entries)
	}
}

// bigTextFile is one row holding size bytes of text, compressed by zstd
// to a few KB: the file is small, its page decompresses to size bytes.
func bigTextFile(t *testing.T, size int) []byte {
	// Without bounds and page statistics, which would copy the value uncompressed.
	return writeParquet(t, []c4Row{{Text: ptr(strings.Repeat("a", size))}, {Text: ptr("tail")}}, &parquet.Zstd, 1,
		parquet.DataPageStatistics(false), parquet.SkipPageBounds("text"))
}

func TestDecompressionBombs(t *testing.T) {
	bomb := bigTextFile(t, 64<<20)
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb fixture is %d bytes; want it small", len(bomb))
	}
	tests := []struct {
		name    string
		data    []byte
		opts    Options
		wantMsg string
	}{
		{name: "declared page over the file budget", data: bomb, opts: Options{Limits: dataset.Limits{MaxDecompressedBytes: 16 << 20}}, wantMsg: "decompressed file"},
		{name: "declared page over the page bound", data: bomb, opts: Options{MaxPageBytes: 1 << 20}, wantMsg: "page bound"},
		{name: "page decompressing past its declared size", data: understate(t, bigTextFile(t, 4<<20), 4096), wantMsg: "decompresses past its declared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := open(t, tt.data, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			recs, _, err := readAll(t, r)
			if !errors.Is(err, dataset.ErrTooLarge) || errors.Is(err, dataset.ErrRecord) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got %v after %d records, want a fatal ErrTooLarge saying %q", err, len(recs), tt.wantMsg)
			}
			if len(recs) != 0 {
				t.Fatalf("read %d records of a bomb", len(recs))
			}
		})
	}
	t.Run("clean", func(t *testing.T) {
		dir := t.TempDir()
		in := writeFile(t, dir, "bomb.parquet", bomb)
		_, err := Cleaner(dataset.Limits{MaxDecompressedBytes: 16 << 20})(context.Background(), in, filepath.Join(dir, "out.parquet"), func(string) bool { return false })
		if !errors.Is(err, dataset.ErrTooLarge) {
			t.Fatalf("clean: got %v, want ErrTooLarge", err)
		}
	})
}

// understate rewrites the first data page header of the text column so
// that it declares by fewer uncompressed bytes than its data holds.
func understate(t *testing.T, data []byte, by int32) []byte {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	off := f.Metadata().RowGroups[0].Columns[0].MetaData.DataPageOffset
	var proto thrift.CompactProtocol
	counted := &countingReader{r: bytes.NewReader(data[off:])}
	var h format.PageHeader
	if err := thrift.NewDecoder(proto.NewReader(counted)).Decode(&h); err != nil {
		t.Fatal(err)
	}
	h.UncompressedPageSize -= by
	patched, err := thrift.Marshal(&proto, &h)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(patched)) != counted.n {
		t.Fatalf("re-encoded header is %d bytes, was %d", len(patched), counted.n)
	}
	out := bytes.Clone(data)
	copy(out[off:], patched)
	return out
}
