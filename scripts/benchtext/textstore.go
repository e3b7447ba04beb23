package main

import (
	"bufio"
	"fmt"
	"os"
	"syscall"
)

// textStore keeps the generated work texts in a memory-mapped temporary
// file, outside the Go heap, standing in for the registry's store: a fetch
// copies one text out, like a read from a warm database.
type textStore struct {
	f    *os.File
	w    *bufio.Writer
	size int64
	off  []int64 // start of text i; texts are contiguous
	n    []int32
	mm   []byte
}

func newTextStore(works int) (*textStore, error) {
	f, err := os.CreateTemp("", "benchtext-*.txt")
	if err != nil {
		return nil, fmt.Errorf("text store: %w", err)
	}
	os.Remove(f.Name()) // unlinked: gone when closed
	return &textStore{f: f, w: bufio.NewWriterSize(f, 1<<20), off: make([]int64, works), n: make([]int32, works)}, nil
}

func (s *textStore) put(i int, text string) error {
	s.off[i], s.n[i] = s.size, int32(len(text))
	s.size += int64(len(text))
	_, err := s.w.WriteString(text)
	return err
}

// seal maps the file; get works afterwards.
func (s *textStore) seal() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if s.size == 0 {
		return nil
	}
	mm, err := syscall.Mmap(int(s.f.Fd()), 0, int(s.size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("text store: mmap: %w", err)
	}
	s.mm = mm
	return nil
}

func (s *textStore) get(i int) string { return string(s.mm[s.off[i] : s.off[i]+int64(s.n[i])]) }

func (s *textStore) close() {
	if s.mm != nil {
		syscall.Munmap(s.mm)
	}
	s.f.Close()
}

// heapBytes is what the store keeps on the Go heap (its offsets).
func (s *textStore) heapBytes() uint64 { return uint64(cap(s.off))*8 + uint64(cap(s.n))*4 }
