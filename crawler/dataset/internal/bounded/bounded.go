// Package bounded caps how much a decompressed stream may yield, so that a
// decompression bomb stops with dataset.ErrTooLarge instead of filling
// memory or disk.
package bounded

import (
	"fmt"
	"io"

	"github.com/attrib/attrib/crawler/dataset"
)

// Reader fails once more than its bound has been read.
type Reader struct {
	rc   io.ReadCloser
	left int64
}

// NewReader returns rc bounded to max bytes.
func NewReader(rc io.ReadCloser, max int64) *Reader { return &Reader{rc: rc, left: max} }

// Read implements io.Reader.
func (b *Reader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Tell a stream that ends exactly at the bound from one that goes on.
		var one [1]byte
		if n, err := b.rc.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, fmt.Errorf("decompressed stream: %w", dataset.ErrTooLarge)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close closes the underlying stream.
func (b *Reader) Close() error { return b.rc.Close() }
