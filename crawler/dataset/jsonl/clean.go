package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/dataset/internal/atomicfile"
)

var _ dataset.CleanFunc = Clean

// Clean writes dst as src without the lines whose locator ("line:N") drop
// reports, stored with src's compression; every kept line is
// byte-identical, line ending included. Blank lines are kept and not
// counted; locators always refer to src's line numbers. It uses the
// default limits.
func Clean(ctx context.Context, src, dst string, drop func(locator string) bool) (dataset.CleanStats, error) {
	return Cleaner(dataset.DefaultLimits())(ctx, src, dst, drop)
}

// Cleaner returns a CleanFunc bounded by limits (only the decompressed
// size matters: lines are copied piecewise, so no line is held whole).
func Cleaner(limits dataset.Limits) dataset.CleanFunc {
	limits = withDefaults(limits)
	return func(ctx context.Context, src, dst string, drop func(string) bool) (dataset.CleanStats, error) {
		stats, err := cleanFile(ctx, src, dst, drop, limits)
		if err != nil {
			return stats, fmt.Errorf("jsonl: clean %s: %w", src, err)
		}
		return stats, nil
	}
}

func cleanFile(ctx context.Context, src, dst string, drop func(string) bool, limits dataset.Limits) (dataset.CleanStats, error) {
	in, err := os.Open(src)
	if err != nil {
		return dataset.CleanStats{}, err
	}
	defer in.Close()
	raw := bufio.NewReaderSize(in, readBufferSize)
	comp := sniff(raw)
	stream, err := decompress(raw, comp, limits.MaxDecompressedBytes)
	if err != nil {
		return dataset.CleanStats{}, err
	}
	defer stream.Close()
	var stats dataset.CleanStats
	err = atomicfile.Write(dst, func(w io.Writer) error {
		cw, err := compressor(w, comp)
		if err != nil {
			return err
		}
		stats, err = copyLines(ctx, bufio.NewReaderSize(stream, readBufferSize), cw, drop)
		return errors.Join(err, cw.Close())
	})
	return stats, err
}

// copyLines copies r to w line by line, leaving out the lines drop names.
// Lines are copied in buffer-sized pieces, so any line length is fine.
func copyLines(ctx context.Context, r *bufio.Reader, w io.Writer, drop func(string) bool) (dataset.CleanStats, error) {
	var (
		stats dataset.CleanStats
		line  int64
		start = true // the next byte starts a line
		keep  bool
		blank bool
	)
	count := func() {
		switch {
		case blank:
		case keep:
			stats.Kept++
		default:
			stats.Dropped++
		}
	}
	for {
		chunk, err := r.ReadSlice('\n')
		if len(chunk) > 0 {
			if start {
				line++
				if line%1024 == 0 && ctx.Err() != nil {
					return stats, ctx.Err()
				}
				keep, blank = !drop("line:"+strconv.FormatInt(line, 10)), true
			}
			blank = blank && len(bytes.TrimSpace(chunk)) == 0
			if keep {
				if _, werr := w.Write(chunk); werr != nil {
					return stats, werr
				}
			}
			if start = chunk[len(chunk)-1] == '\n'; start {
				count()
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
		case err == io.EOF:
			if !start {
				count()
			}
			return stats, nil
		case err != nil:
			return stats, err
		}
	}
}
