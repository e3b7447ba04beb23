package parquet

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/dataset/internal/atomicfile"
)

var _ dataset.CleanFunc = Clean

// Clean writes dst as src without the rows whose locator ("row:N") drop
// reports, using the default limits. See Cleaner.
func Clean(ctx context.Context, src, dst string, drop func(locator string) bool) (dataset.CleanStats, error) {
	return Cleaner(dataset.DefaultLimits())(ctx, src, dst, drop)
}

// Cleaner returns a CleanFunc bounded by limits. The copy has src's schema,
// key-value metadata and column codecs; kept rows are row-identical (same
// values, same order) and stay in their row groups. Pages are encoded
// anew, so the bytes differ. Row groups are streamed: pages being written
// are buffered in temporary files beside dst, not in memory.
func Cleaner(limits dataset.Limits) dataset.CleanFunc {
	limits = withDefaults(limits)
	return func(ctx context.Context, src, dst string, drop func(string) bool) (stats dataset.CleanStats, err error) {
		defer recoverPanic(src, &err)
		stats, err = cleanFile(ctx, src, dst, drop, limits)
		if err != nil {
			return stats, fmt.Errorf("parquet: clean %s: %w", src, err)
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
	st, err := in.Stat()
	if err != nil {
		return dataset.CleanStats{}, err
	}
	pf, err := openFile(in, st.Size())
	if err != nil {
		return dataset.CleanStats{}, err
	}
	guard := newPageGuard(in, st.Size(), 256<<20, limits.MaxDecompressedBytes)
	defer guard.close()
	buffers, err := os.MkdirTemp(filepath.Dir(dst), ".clean-buffers-*")
	if err != nil {
		return dataset.CleanStats{}, err
	}
	defer os.RemoveAll(buffers)

	c := &cleaner{pf: pf, guard: guard, drop: drop}
	err = atomicfile.Write(dst, func(w io.Writer) (err error) {
		defer recoverPanic(src, &err) // here, so that the temporary file is removed
		opts := []parquet.WriterOption{pf.Schema(), parquet.ColumnPageBuffers(parquet.NewFileBufferPool(buffers, "buf-*"))}
		for _, kv := range pf.Metadata().KeyValueMetadata {
			opts = append(opts, parquet.KeyValueMetadata(kv.Key, kv.Value))
		}
		pw := parquet.NewWriter(w, opts...)
		if err := c.copyGroups(ctx, pw); err != nil {
			return err
		}
		return pw.Close()
	})
	return c.stats, err
}

// cleaner copies the kept rows of a file, row group by row group.
type cleaner struct {
	pf    *parquet.File
	guard *pageGuard
	drop  func(string) bool
	row   int64
	stats dataset.CleanStats
}

func (c *cleaner) copyGroups(ctx context.Context, pw *parquet.Writer) error {
	meta := c.pf.Metadata()
	for i, g := range c.pf.RowGroups() {
		if err := ctx.Err(); err != nil {
			return err
		}
		for j := range meta.RowGroups[i].Columns {
			if err := c.guard.checkChunk(&meta.RowGroups[i].Columns[j]); err != nil {
				return fmt.Errorf("row group %d: %w", i, err)
			}
		}
		if err := c.copyRows(g.Rows(), pw); err != nil {
			return fmt.Errorf("row group %d: %w", i, err)
		}
		if err := pw.Flush(); err != nil { // one output row group per input row group
			return err
		}
	}
	return nil
}

func (c *cleaner) copyRows(rows parquet.Rows, pw *parquet.Writer) error {
	defer rows.Close()
	buf := make([]parquet.Row, batchSize)
	kept := make([]parquet.Row, 0, batchSize)
	for {
		n, err := rows.ReadRows(buf)
		kept = kept[:0]
		for _, row := range buf[:n] {
			if c.drop("row:" + strconv.FormatInt(c.row, 10)) {
				c.stats.Dropped++
			} else {
				kept = append(kept, row)
				c.stats.Kept++
			}
			c.row++
		}
		if _, werr := pw.WriteRows(kept); werr != nil {
			return werr
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
