package webdataset

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

func TestClean(t *testing.T) {
	long := strings.Repeat("long-folder-name/", 8) + "000009.txt" // needs a PAX or GNU long-name header
	all := []member{
		{name: "g", flag: tar.TypeXGlobalHeader, pax: map[string]string{"comment": "shard 7"}},
		{name: "shard/", flag: tar.TypeDir},
		reg("000000.jpg", "\xff\xd8 jpeg zero"), reg("000000.txt", "caption zero"), reg("000000.json", `{"url":"https://s/0"}`),
		reg("000001.jpg", "\xff\xd8 jpeg one"), reg("000001.txt", "caption one"),
		{name: "000002.txt", body: "pax member", pax: map[string]string{"attrib.note": "x"}},
		{name: "evil.jpg", flag: tar.TypeSymlink, link: "/etc/passwd"},
		reg("../escape.txt", "x"),
		reg(long, "long name"),
		reg("000010.txt", strings.Repeat("odd length body ", 37)),
	}
	pick := func(idx ...int) []member {
		var ms []member
		for _, i := range idx {
			ms = append(ms, all[i])
		}
		return ms
	}
	tests := []struct {
		name      string
		drop      []string
		kept      []member
		wantStats dataset.CleanStats
	}{
		{
			name: "one flagged member drops its whole sample", drop: []string{"member:000001.txt"},
			kept: pick(0, 1, 2, 3, 4, 7, 10, 11), wantStats: dataset.CleanStats{Kept: 6, Dropped: 3},
		},
		{
			name: "pax and long-name members", drop: []string{"member:000002.txt", "member:" + long},
			kept: pick(0, 1, 2, 3, 4, 5, 6, 11), wantStats: dataset.CleanStats{Kept: 6, Dropped: 3},
		},
		{
			name: "nothing flagged: only unsafe members and links leave",
			kept: pick(0, 1, 2, 3, 4, 5, 6, 7, 10, 11), wantStats: dataset.CleanStats{Kept: 8, Dropped: 1},
		},
	}
	recordPadding := make([]byte, 10240-1024) // tar(1)'s blocking: zeros after the trailer
	for _, gz := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(map[bool]string{false: "tar/", true: "tar.gz/"}[gz]+tt.name, func(t *testing.T) {
				in := append(tarOf(t, all...), recordPadding...)
				if gz {
					in = gzipBytes(t, in)
				}
				dir := t.TempDir()
				src := writeFile(t, dir, "in.tar", in)
				dst := filepath.Join(dir, "out.tar")
				drop := map[string]bool{}
				for _, d := range tt.drop {
					drop[d] = true
				}
				stats, err := Clean(context.Background(), src, dst, func(loc string) bool { return drop[loc] })
				if err != nil {
					t.Fatal(err)
				}
				if stats != tt.wantStats {
					t.Errorf("stats %+v, want %+v", stats, tt.wantStats)
				}
				out, err := os.ReadFile(dst)
				if err != nil {
					t.Fatal(err)
				}
				if gz {
					out = gunzip(t, out)
				} else if bytes.HasPrefix(out, []byte{0x1f, 0x8b}) {
					t.Fatal("plain input, gzip output")
				}
				// Byte-identical: the same members written the same way, and the trailer as stored.
				if want := append(tarOf(t, tt.kept...), recordPadding...); !bytes.Equal(out, want) {
					t.Errorf("clean copy differs from the kept members as stored (%d vs %d bytes)", len(out), len(want))
				}
				checkRecleaned(t, dst, drop)
			})
		}
	}
}

// checkRecleaned re-reads the clean copy: no flagged member is left and
// every record reads without error.
func checkRecleaned(t *testing.T, path string, drop map[string]bool) {
	t.Helper()
	r, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, errs, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		if drop[rec.Locator] || errs[i] != nil {
			t.Errorf("clean copy still has %s (err %v)", rec.Locator, errs[i])
		}
	}
}

func TestCleanFailures(t *testing.T) {
	good := tarOf(t, reg("000000.txt", strings.Repeat("words ", 200)))
	var sparse bytes.Buffer
	tw := tar.NewWriter(&sparse)
	tw.WriteHeader(&tar.Header{Name: "000000.bin", Typeflag: tar.TypeReg, Size: 3, PAXRecords: map[string]string{"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "x", "GNU.sparse.realsize": "3"}})
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "truncated", data: good[:700], wantErr: "unexpected EOF"},
		{name: "truncated gzip", data: gzipBytes(t, good)[:60], wantErr: "EOF"},
		{name: "sparse member", data: sparse.Bytes(), wantErr: "sparse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := writeFile(t, dir, "in.tar", tt.data)
			_, err := Clean(context.Background(), src, filepath.Join(dir, "out.tar"), func(string) bool { return false })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Fatalf("want only the source left, got %v", entries)
			}
		})
	}
}

// bombShard is a gzip tar whose one member claims 10 GiB of zeros: each
// 16 MiB of them is compressed once and the gzip member repeated, so the
// shard stays a few MB and nothing large is ever written.
func bombShard(t *testing.T, name string) []byte {
	t.Helper()
	const chunk, copies = 16 << 20, 640
	var hdr bytes.Buffer
	tw := tar.NewWriter(&hdr)
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: chunk * copies}); err != nil {
		t.Fatal(err)
	}
	zeros := gzipBytes(t, make([]byte, chunk))
	return append(gzipBytes(t, hdr.Bytes()), bytes.Repeat(zeros, copies)...)
}

func TestDecompressionBomb(t *testing.T) {
	limits := dataset.Limits{MaxDecompressedBytes: 64 << 20}
	for _, name := range []string{"000000.bin", "000000.jpg"} {
		t.Run(name, func(t *testing.T) {
			data := bombShard(t, name)
			if len(data) > 64<<20 {
				t.Fatalf("bomb is %d bytes; want it small", len(data))
			}
			r, err := NewReader(context.Background(), bytes.NewReader(data), "bomb.tar.gz", Options{Limits: limits})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			_, _, err = readAll(t, r)
			if !errors.Is(err, dataset.ErrTooLarge) || errors.Is(err, dataset.ErrRecord) {
				t.Fatalf("got %v, want a fatal ErrTooLarge", err)
			}
			dir := t.TempDir()
			src := writeFile(t, dir, "bomb.tar.gz", data)
			_, err = Cleaner(limits)(context.Background(), src, filepath.Join(dir, "out.tar.gz"), func(string) bool { return false })
			if !errors.Is(err, dataset.ErrTooLarge) {
				t.Fatalf("clean: got %v, want ErrTooLarge", err)
			}
		})
	}
}
