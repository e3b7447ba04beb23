package parquet

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
)

// benchFile is n C4-like rows of about 2 KB of text, and its text bytes.
func benchFile(b *testing.B, n int, codec compress.Codec) ([]byte, int64) {
	words := benchWords()
	rows := make([]c4Row, n)
	var total int64
	var text strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range rows {
		text.Reset()
		for j := 0; text.Len() < 2000; j++ {
			text.WriteString(words[rng.IntN(len(words))])
			text.WriteByte(' ')
		}
		rows[i] = c4Row{Text: ptr(text.String()), URL: ptr(fmt.Sprintf("https://site%d.example/page/%d", i%97, i))}
		total += int64(len(*rows[i].Text) + len(*rows[i].URL))
	}
	return writeParquet(b, rows, codec, 5000), total
}

func BenchmarkRead(b *testing.B) {
	for _, codec := range []compress.Codec{&parquet.Snappy, &parquet.Zstd, &parquet.Uncompressed} {
		b.Run(codec.String(), func(b *testing.B) {
			data, textBytes := benchFile(b, 20000, codec)
			b.SetBytes(textBytes)
			b.ReportAllocs()
			records := 0
			for b.Loop() {
				r, err := open(b, data, Options{})
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := r.Next(context.Background()); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
					records++
				}
				r.Close()
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkGuard is the page pre-check alone: what bounding costs.
func BenchmarkGuard(b *testing.B) {
	for _, codec := range []compress.Codec{&parquet.Snappy, &parquet.Zstd} {
		b.Run(codec.String(), func(b *testing.B) {
			data, textBytes := benchFile(b, 20000, codec)
			pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(textBytes)
			for b.Loop() {
				g := newPageGuard(bytes.NewReader(data), int64(len(data)), 256<<20, 1<<40)
				for _, rg := range pf.Metadata().RowGroups {
					for j := range rg.Columns {
						if err := g.checkChunk(&rg.Columns[j]); err != nil {
							b.Fatal(err)
						}
					}
				}
				g.close()
			}
		})
	}
}

// benchWords is a vocabulary of 4096 made-up words, so that the benchmark
// text compresses about as well as prose (3-4x), not as a repeated phrase.
func benchWords() []string {
	rng := rand.New(rand.NewPCG(3, 4))
	words := make([]string, 4096)
	for i := range words {
		b := make([]byte, 2+rng.IntN(9))
		for j := range b {
			b[j] = byte('a' + rng.IntN(26))
		}
		words[i] = string(b)
	}
	return words
}
