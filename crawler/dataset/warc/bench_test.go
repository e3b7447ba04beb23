package warc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/matcher/shareddata"
)

// Reading speed: MB/s of the file on disk (b.SetBytes), plus records/s
// and MB/s of decompressed WARC.
//
//	go test -run '^$' -bench . -benchtime 5x ./crawler/dataset/warc

func BenchmarkReadIANA(b *testing.B) {
	benchRead(b, warcPath(b, "iana.warc.gz"))
}

// A per-record gzip WARC of 20,000 HTML responses (118 MB of WARC, 49 MB
// on disk) cut from the King James Bible.
func BenchmarkReadGenerated(b *testing.B) {
	benchRead(b, generatedWARC(b, 20000))
}

func benchRead(b *testing.B, path string) {
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	b.ReportAllocs()
	var records, inflated int64
	for b.Loop() {
		r, err := Open(path, dataset.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			records++
		}
		inflated += r.fr.pos
		r.Close()
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(records)/sec, "records/s")
	b.ReportMetric(float64(inflated)/sec/1e6, "warcMB/s")
}

// generatedWARC writes n HTML responses, each a gzip member, to a file.
func generatedWARC(b *testing.B, n int) string {
	b.Helper()
	text, err := os.ReadFile(shareddata.Path(b, "texts/kjv.txt"))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "generated.warc.gz")
	var out bytes.Buffer
	for i := range n {
		off := (i * 7919) % (len(text) - 6000)
		page := fmt.Appendf(nil, "<html><head><title>Page %d</title></head><body><p>%s</p></body></html>", i, text[off:off+5500])
		out.Write(gzipMember(b, response(fmt.Sprintf("http://example.org/page/%d", i), "Content-Type: text/html; charset=utf-8\r\n", page)))
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}
