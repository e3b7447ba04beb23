package warc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

// ianaMembers returns iana.warc.gz's bytes and member offsets.
func ianaMembers(tb testing.TB) (data []byte, offsets []int64, plain [][]byte) {
	tb.Helper()
	data = readBytes(tb, warcPath(tb, "iana.warc.gz"))
	offsets, plain = members(tb, data)
	return data, offsets, plain
}

func memberLocs(offsets []int64) []string {
	var out []string
	for _, o := range offsets {
		out = append(out, formatLocator(o, 0))
	}
	return out
}

// Damaged input costs the damaged part: every other record is read, the
// damage is one counted error at its locator.
func TestBadGzip(t *testing.T) {
	data, offs, _ := ianaMembers(t)
	const k = 100 // a member in the middle
	start, end := offs[k], offs[k+1]
	all := memberLocs(offs)
	tests := []struct {
		name     string
		file     []byte
		wantLocs []string // records, and "error@L" for errors, in order
	}{
		{
			name:     "corrupted deflate data in a member",
			file:     flip(data, start+30, start+60),
			wantLocs: splice(all, k, "error@"+all[k]),
		},
		{
			name:     "corrupted gzip header",
			file:     flip(data, start+3, start+4), // reserved flag bits
			wantLocs: splice(all, k, "error@"+all[k]),
		},
		{
			name:     "garbage between members",
			file:     cat(data[:end], []byte("JUNKJUNKJUNK"), data[end:]),
			wantLocs: append(append(slices.Clone(all[:k+1]), "error@"+all[k+1]), shift(all[k+1:], 12)...),
		},
		{
			name:     "truncated in a member",
			file:     data[:start+100],
			wantLocs: append(slices.Clone(all[:k]), "error@"+all[k]),
		},
		{
			name:     "truncated at a member boundary",
			file:     data[:start],
			wantLocs: all[:k],
		},
		{
			name:     "trailing garbage",
			file:     cat(data, []byte("trailing garbage\n")),
			wantLocs: append(slices.Clone(all), formatErr(int64(len(data)))),
		},
		{
			name:     "empty file",
			file:     nil,
			wantLocs: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := readFile(t, writeTemp(t, "f.warc.gz", tt.file), dataset.Limits{})
			if got := locators(rs); !slices.Equal(got, tt.wantLocs) {
				t.Errorf("got %d results, want %d\ndiff: %s", len(got), len(tt.wantLocs), firstDiff(got, tt.wantLocs))
			}
		})
	}
}

// A plain WARC resynchronises at the next line that starts a record.
func TestBadPlain(t *testing.T) {
	_, offs, plain := ianaMembers(t)
	whole := bytes.Join(plain, nil)
	pos := make([]int64, len(plain)) // record offsets in the plain file
	for i := 1; i < len(plain); i++ {
		pos[i] = pos[i-1] + int64(len(plain[i-1]))
	}
	all := memberLocs(pos)
	const k = 100
	rec := plain[k]
	clAt := int64(bytes.Index(rec, []byte("Content-Length: "))) + 16
	tests := []struct {
		name     string
		file     []byte
		wantLocs []string
	}{
		{"clean", whole, all},
		{"Content-Length too small", replaceAt(whole, pos[k]+clAt, '1'), splice(all, k, "error@"+all[k])},
		{"Content-Length too large", replaceAt(whole, pos[k]+clAt, '9'), splice(all, k, "error@"+all[k])},
		{"header garbled", replaceAt(whole, pos[k]+2, 'X'), splice(all, k, "error@"+all[k])},
		{"garbage between records", cat(whole[:pos[k]], []byte("noise\r\n"), whole[pos[k]:]),
			append(append(slices.Clone(all[:k]), "error@"+all[k]), shift(all[k:], 7)...)},
		{"truncated mid-record", whole[:pos[k]+200], append(slices.Clone(all[:k]), "error@"+all[k])},
		{"not a WARC file", []byte(strings.Repeat("just some text\n", 100)), []string{"error@offset:0"}},
	}
	_ = offs
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := readFile(t, writeTemp(t, "f.warc", tt.file), dataset.Limits{})
			if got := locators(rs); !slices.Equal(got, tt.wantLocs) {
				t.Errorf("got %d results, want %d\ndiff: %s", len(got), len(tt.wantLocs), firstDiff(got, tt.wantLocs))
			}
		})
	}
}

// A whole-file gzip cut short loses the records after the cut only.
func TestTruncatedWholeFileGzip(t *testing.T) {
	data := readBytes(t, warcPath(t, "gowarc-bad/good.warc.gz.open"))
	rs := readFile(t, writeTemp(t, "f.warc.gz", data[:len(data)/2]), dataset.Limits{})
	got := tally(rs)
	if got["error"] != 1 || got["html"] < 10 || got["html"] >= 50 {
		t.Errorf("got %v, want some of the 50 records and 1 error", got)
	}
	if last := rs[len(rs)-1]; !errors.Is(last.err, dataset.ErrRecord) || !strings.Contains(last.err.Error(), "unexpected EOF") {
		t.Errorf("last result %v, want the cut as a record error", last.err)
	}
}

// A record over MaxRecordBytes is skipped with ErrTooLarge and ErrRecord,
// and the records after it are read.
func TestGiantRecord(t *testing.T) {
	small := response("http://example.org/a", "Content-Type: text/html\r\n", []byte("<p>a</p>"))
	giant := response("http://example.org/big", "Content-Type: text/html\r\n", bytes.Repeat([]byte("x"), 3<<20))
	lim := dataset.Limits{MaxRecordBytes: 1 << 20}
	for _, gz := range []bool{false, true} {
		name, file := "plain", cat(small, giant, small)
		if gz {
			name, file = "gzip", cat(gzipMember(t, small), gzipMember(t, giant), gzipMember(t, small))
		}
		t.Run(name, func(t *testing.T) {
			rs := readFile(t, writeTemp(t, "g.warc", file), lim)
			if len(rs) != 3 || rs[0].err != nil || rs[2].err != nil {
				t.Fatalf("results %v", locators(rs))
			}
			if !errors.Is(rs[1].err, dataset.ErrTooLarge) || !errors.Is(rs[1].err, dataset.ErrRecord) {
				t.Errorf("giant record: err = %v, want ErrTooLarge and ErrRecord", rs[1].err)
			}
			if rs[2].rec.URL != "http://example.org/a" {
				t.Errorf("record after the giant one: %+v", rs[2].rec)
			}
		})
	}
}

// A stream that inflates to 10 GiB stops at MaxDecompressedBytes with a
// fatal ErrTooLarge; it is generated on the fly, never written out.
func TestDecompressionBomb(t *testing.T) {
	zeros := gzipMember(t, make([]byte, 16<<20)) // ~16 KiB of gzip for 16 MiB
	const total = 10 << 30
	header := []byte("WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 10737418240\r\n\r\n")
	tests := []struct {
		name string
		lim  dataset.Limits
		in   func() io.Reader
	}{
		{"one giant record over many members", dataset.Limits{MaxDecompressedBytes: 64 << 20, MaxRecordBytes: 1 << 20},
			func() io.Reader {
				return io.MultiReader(bytes.NewReader(gzipMember(t, header)), repeat(zeros, total/(16<<20)))
			}},
		{"many records within the record bound", dataset.Limits{MaxDecompressedBytes: 8 << 20, MaxRecordBytes: 1 << 20},
			func() io.Reader { return repeat(gzipMember(t, bytes.Repeat(small(), 4096)), 10<<10) }}, // 10k members of ~1 MiB
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(tt.in(), "bomb.warc.gz", tt.lim)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			for {
				_, err = r.Next(context.Background())
				if err == nil || errors.Is(err, dataset.ErrRecord) {
					n++
					continue
				}
				break
			}
			if !errors.Is(err, dataset.ErrTooLarge) || errors.Is(err, dataset.ErrRecord) || !strings.Contains(err.Error(), "decompress") {
				t.Fatalf("after %d results: err = %v, want a fatal ErrTooLarge about decompression", n, err)
			}
			if src := r.fr.src; src.dpos != tt.lim.MaxDecompressedBytes {
				t.Errorf("inflated %d bytes, want exactly the bound %d", src.dpos, tt.lim.MaxDecompressedBytes)
			}
		})
	}
}

func small() []byte {
	return response("http://example.org/s", "Content-Type: text/html\r\n", []byte("<p>small page</p>"))
}

// repeat reads b n times without holding more than b.
func repeat(b []byte, n int) io.Reader {
	rs := make([]io.Reader, n)
	for i := range rs {
		rs[i] = bytes.NewReader(b)
	}
	return io.MultiReader(rs...)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func flip(b []byte, from, to int64) []byte {
	out := slices.Clone(b)
	for i := from; i < to; i++ {
		out[i] ^= 0xa5
	}
	return out
}

func replaceAt(b []byte, at int64, c byte) []byte {
	out := slices.Clone(b)
	out[at] = c
	return out
}

// splice replaces element k.
func splice(s []string, k int, v string) []string {
	out := slices.Clone(s)
	out[k] = v
	return out
}

// shift adds n to each "offset:N" locator.
func shift(locs []string, n int64) []string {
	var out []string
	for _, l := range locs {
		off, inner, _ := ParseLocator(l)
		out = append(out, formatLocator(off+n, inner))
	}
	return out
}

func formatErr(off int64) string { return "error@" + formatLocator(off, 0) }

func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return "at #" + strconvHex(i) + " (hex): got " + g + ", want " + w
		}
	}
	return "none"
}

func TestZstdWARCRefused(t *testing.T) {
	path := writeTemp(t, "f.warc.zst", zstdBytes(t, small()))
	if _, err := Open(path, dataset.Limits{}); err == nil || !strings.Contains(err.Error(), "zstd") {
		t.Errorf("err = %v, want a clear refusal", err)
	}
}
