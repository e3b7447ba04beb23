package warc

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/matcher/shareddata"
)

// result is one Next call's outcome.
type result struct {
	rec dataset.Record
	err error // a *RecordError
}

// readAll reads r to io.EOF, failing tb on an error that stops the file.
func readAll(tb testing.TB, r *Reader) []result {
	tb.Helper()
	var out []result
	for i := 0; ; i++ {
		rec, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil && !errors.Is(err, dataset.ErrRecord) {
			tb.Fatalf("Next #%d: fatal error: %v", i, err)
		}
		out = append(out, result{rec, err})
	}
}

// readFile reads a file with Open.
func readFile(tb testing.TB, path string, lim dataset.Limits) []result {
	tb.Helper()
	r, err := Open(path, lim)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	return readAll(tb, r)
}

// tally counts records by kind, and errors.
func tally(rs []result) map[string]int {
	m := map[string]int{}
	for _, r := range rs {
		if r.err != nil {
			m["error"]++
		} else {
			m[string(r.rec.Kind)]++
		}
	}
	return m
}

func locators(rs []result) []string {
	var out []string
	for _, r := range rs {
		if r.err != nil {
			var re *RecordError
			if errors.As(r.err, &re) {
				out = append(out, "error@"+re.Locator)
			}
			continue
		}
		out = append(out, r.rec.Locator)
	}
	return out
}

// warcPath returns a file under the shared data's warc folder.
func warcPath(tb testing.TB, rel string) string {
	tb.Helper()
	return shareddata.Path(tb, "warc/"+rel)
}

// members splits a per-record gzip file into its members with the
// standard library, independently of the reader.
func members(tb testing.TB, data []byte) (offsets []int64, plain [][]byte) {
	tb.Helper()
	br := bytes.NewReader(data)
	for br.Len() > 0 {
		off := int64(len(data) - br.Len())
		zr, err := gzip.NewReader(br)
		if err != nil {
			tb.Fatalf("member at %d: %v", off, err)
		}
		zr.Multistream(false)
		b, err := io.ReadAll(zr)
		if err != nil {
			tb.Fatalf("member at %d: %v", off, err)
		}
		offsets = append(offsets, off)
		plain = append(plain, b)
	}
	return offsets, plain
}

func gunzip(tb testing.TB, data []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func gzipMember(tb testing.TB, plain []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(plain); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func readBytes(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func writeTemp(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// record builds one WARC record.
func record(typ, uri, contentType string, block []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%08x-0000-4000-8000-000000000000>\r\n", typ, len(block)^len(uri))
	fmt.Fprintf(&b, "WARC-Date: 2024-05-18T01:58:10Z\r\n")
	if uri != "" {
		fmt.Fprintf(&b, "WARC-Target-URI: %s\r\n", uri)
	}
	fmt.Fprintf(&b, "Content-Type: %s\r\nContent-Length: %d\r\n\r\n", contentType, len(block))
	b.Write(block)
	b.WriteString("\r\n\r\n")
	return b.Bytes()
}

// response builds a response record with an HTTP block.
func response(uri, httpHeader string, body []byte) []byte {
	block := append([]byte("HTTP/1.1 200 OK\r\n"+httpHeader+"\r\n"), body...)
	return record("response", uri, "application/http; msgtype=response", block)
}

func strconvHex(n int) string { return strconv.FormatInt(int64(n), 16) }

// deflate compresses raw (no zlib wrapper), as many servers send "deflate".
func deflate(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	fw.Write(b)
	if err := fw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func brotliBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	bw := brotli.NewWriter(&buf)
	bw.Write(b)
	if err := bw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func zstdBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(b, nil)
}
