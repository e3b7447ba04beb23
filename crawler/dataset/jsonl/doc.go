// Package jsonl reads JSON Lines corpora (C4, RedPajama, Dolma and any
// newline-delimited JSON with a text field), plain, gzip or zstd
// compressed, as a stream of bounded text records, and writes their clean
// copies line for line.
package jsonl
