package warc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"

	"github.com/attrib/attrib/crawler/dataset"
)

var _ dataset.CleanFunc = Clean

// Clean writes dst as a copy of the WARC file src without the records
// whose locator drop reports (the locators Reader gives). Kept records are
// byte-identical: a plain file's record bytes, or a per-record gzip file's
// members, are copied as they are; a record that shares a gzip member with
// others (a whole-file gzip) is written as a gzip member of its own, with
// the same decompressed bytes. Records too large to audit are kept.
// Stretches that are no record (damaged members, garbage) are left out and
// counted as Unreadable, so the copy reads without errors. dst appears only
// when it is complete.
func Clean(ctx context.Context, src, dst string, drop func(locator string) bool) (dataset.CleanStats, error) {
	return CleanWithLimits(dataset.DefaultLimits())(ctx, src, dst, drop)
}

// CleanWithLimits returns Clean with other bounds on decompression.
func CleanWithLimits(lim dataset.Limits) dataset.CleanFunc {
	return func(ctx context.Context, src, dst string, drop func(string) bool) (dataset.CleanStats, error) {
		st, err := cleanFile(ctx, src, dst, withDefaults(lim), drop)
		if err != nil {
			return st, fmt.Errorf("warc clean %s: %w", src, err)
		}
		return st, nil
	}
}

// cleaner copies one file's kept records.
type cleaner struct {
	fr      *framer
	raw     *os.File // a second handle on the input, for copying members as they are
	out     *os.File
	w       *bufio.Writer
	written int64 // bytes written to out (through w)
	gz      *gzip.Writer
}

func cleanFile(ctx context.Context, src, dst string, lim dataset.Limits, drop func(string) bool) (st dataset.CleanStats, err error) {
	in, err := os.Open(src)
	if err != nil {
		return st, err
	}
	defer in.Close()
	raw, err := os.Open(src)
	if err != nil {
		return st, err
	}
	defer raw.Close()
	s, err := newSource(in, 0, lim)
	if err != nil {
		return st, err
	}
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp*")
	if err != nil {
		return st, err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	c := &cleaner{fr: newFramer(s), raw: raw, out: out, w: bufio.NewWriterSize(out, 1<<20)}
	if st, err = c.run(ctx, drop); err != nil {
		return st, err
	}
	return st, c.finish(src, dst)
}

func (c *cleaner) run(ctx context.Context, drop func(string) bool) (dataset.CleanStats, error) {
	var st dataset.CleanStats
	for {
		sp, err := c.fr.next(ctx)
		switch {
		case errors.Is(err, io.EOF):
			return st, nil
		case errors.Is(err, dataset.ErrRecord):
			st.Unreadable++
			continue
		case err != nil:
			return st, err
		}
		if drop(sp.loc) {
			st.Dropped++
			if err = c.fr.copyRecord(ctx, &sp, io.Discard); errors.Is(err, dataset.ErrRecord) {
				err = nil // cut short, and dropped anyway
			}
		} else if err = c.keep(ctx, &sp); err == nil {
			st.Kept++
		} else if errors.Is(err, dataset.ErrRecord) {
			st.Unreadable++ // cut short after its header: nothing of it was kept
			err = nil
		}
		if err != nil {
			return st, err
		}
	}
}

// keep copies one record to the output, or nothing of it when it turns
// out to be cut short.
func (c *cleaner) keep(ctx context.Context, sp *span) error {
	before := c.written
	err := c.copy(ctx, sp)
	if errors.Is(err, dataset.ErrRecord) {
		if rerr := c.rollback(before); rerr != nil {
			return rerr
		}
	}
	return err
}

func (c *cleaner) copy(ctx context.Context, sp *span) error {
	src := c.fr.src
	if !src.gzipped {
		return c.fr.copyRecord(ctx, sp, c)
	}
	if m := src.memberAt(sp.start); m == nil || m.dstart != sp.start {
		return c.compress(ctx, sp) // inside a member shared with the records before it
	}
	start := src.memberAt(sp.start).cstart
	if err := c.fr.copyRecord(ctx, sp, io.Discard); err != nil {
		return err
	}
	if cs, ce, ok := src.raw(sp.start, sp.end); ok {
		_, err := io.Copy(c, io.NewSectionReader(c.raw, cs, ce-cs))
		return err
	}
	return c.recompress(start, sp.end-sp.start)
}

// compress writes the framed record as a gzip member of its own.
func (c *cleaner) compress(ctx context.Context, sp *span) error {
	c.resetGzip()
	if err := c.fr.copyRecord(ctx, sp, c.gz); err != nil {
		return err
	}
	return c.gz.Close()
}

// recompress writes the first n decompressed bytes of the members at file
// offset start (a record that opens a member shared with the records after
// it) as a gzip member of its own.
func (c *cleaner) recompress(start, n int64) error {
	zr, err := gzip.NewReader(io.NewSectionReader(c.raw, start, 1<<62))
	if err != nil {
		return err
	}
	c.resetGzip()
	if _, err := io.CopyN(c.gz, zr, n); err != nil {
		return err
	}
	return c.gz.Close()
}

func (c *cleaner) resetGzip() {
	if c.gz == nil {
		c.gz = gzip.NewWriter(c)
	} else {
		c.gz.Reset(c)
	}
}

// Write writes to the output, counting.
func (c *cleaner) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.written += int64(n)
	return n, err
}

// rollback cuts the output back to n bytes.
func (c *cleaner) rollback(n int64) error {
	if err := c.w.Flush(); err != nil {
		return err
	}
	if err := c.out.Truncate(n); err != nil {
		return err
	}
	if _, err := c.out.Seek(n, io.SeekStart); err != nil {
		return err
	}
	c.written = n
	return nil
}

// finish makes the output dst, with src's permission bits.
func (c *cleaner) finish(src, dst string) error {
	if err := c.w.Flush(); err != nil {
		return err
	}
	if info, err := os.Stat(src); err == nil {
		if err := c.out.Chmod(info.Mode().Perm()); err != nil {
			return err
		}
	}
	if err := c.out.Close(); err != nil {
		return err
	}
	return os.Rename(c.out.Name(), dst)
}
