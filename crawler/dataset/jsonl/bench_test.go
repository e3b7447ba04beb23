package jsonl

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchCorpus is n C4-like lines of about 2 KB of text each.
func benchCorpus(n int) []byte {
	words := benchWords()
	var b bytes.Buffer
	var text strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		text.Reset()
		for j := 0; text.Len() < 2000; j++ {
			text.WriteString(words[rng.IntN(len(words))])
			text.WriteByte(' ')
		}
		fmt.Fprintf(&b, `{"text":%q,"url":"https://site%d.example/page/%d","timestamp":"2019-04-25T12:57:54Z"}`+"\n", text.String(), i%97, i)
	}
	return b.Bytes()
}

func BenchmarkRead(b *testing.B) {
	corpus := benchCorpus(20000)
	for _, comp := range []Compression{Plain, Zstd, Gzip} {
		b.Run(comp.String(), func(b *testing.B) {
			data := compressBytes(b, comp, corpus)
			b.SetBytes(int64(len(corpus)))
			b.ReportAllocs()
			records := 0
			for b.Loop() {
				r, err := NewReader(context.Background(), bytes.NewReader(data), "bench.jsonl", Options{})
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

func BenchmarkClean(b *testing.B) {
	corpus := benchCorpus(20000)
	dir := b.TempDir()
	for _, comp := range []Compression{Plain, Zstd} {
		b.Run(comp.String(), func(b *testing.B) {
			src := writeFile(b, dir, "in-"+comp.String(), compressBytes(b, comp, corpus))
			b.SetBytes(int64(len(corpus)))
			for b.Loop() {
				if _, err := Clean(context.Background(), src, src+".out", func(loc string) bool { return loc[len(loc)-1] == '7' }); err != nil {
					b.Fatal(err)
				}
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
