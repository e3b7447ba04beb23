package warc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
)

const (
	// window is the framer's buffer: records that fit are checked to end
	// where their Content-Length says before they are read, so a corrupt
	// length costs one record, not the rest of the file.
	window = 1 << 20
	// maxHeader bounds one WARC header.
	maxHeader = 256 << 10
)

// framer splits the decompressed stream into records by their WARC
// headers and Content-Length, and resynchronises after damage at the next
// line that starts a record or at the next gzip member. It never reads
// past a break in the stream before it has reported what the break cut.
type framer struct {
	src  *source
	buf  []byte
	r, w int         // buf[r:w] is read but not consumed
	pos  int64       // stream position of buf[r]
	brk  *breakError // the stream breaks after buf[w-1]
	err  error       // io.EOF or a fatal error after buf[w-1]
}

// span is one framed record.
type span struct {
	start int64  // stream position of "WARC/"
	loc   string // its locator
	hlen  int    // header length, blank line included
	clen  int64  // Content-Length
	end   int64  // stream position after the record and its separator (after copy)
}

func newFramer(src *source) *framer {
	return &framer{src: src, buf: make([]byte, 64<<10), pos: src.dpos}
}

// fill reads until n bytes (at most window) are buffered, or the stream
// breaks or ends, and returns the buffered bytes. The buffer starts small
// and grows to the window when a record asks for it.
func (f *framer) fill(n int) []byte {
	for f.w-f.r < n && f.brk == nil && f.err == nil {
		if len(f.buf) < n { // grow up to the window as records need it
			f.buf = append(f.buf[:len(f.buf)], make([]byte, min(window, max(n, 2*len(f.buf)))-len(f.buf))...)
		}
		if len(f.buf)-f.r < n {
			f.w = copy(f.buf, f.buf[f.r:f.w])
			f.r = 0
		}
		k, err := f.src.Read(f.buf[f.w:])
		f.w += k
		var be *breakError
		switch {
		case err == nil:
		case errors.As(err, &be):
			f.brk = be
		default:
			f.err = err
		}
	}
	return f.buf[f.r:f.w]
}

func (f *framer) consume(n int) {
	f.r += n
	f.pos += int64(n)
}

// fatal returns the error that stops the file, if any.
func (f *framer) fatal() error {
	if f.err != nil && !errors.Is(f.err, io.EOF) {
		return f.err
	}
	return nil
}

// stopCause says why the data stops at the window's end: a break, a fatal
// error or the end of the file.
func (f *framer) stopCause() error {
	if f.brk != nil {
		return f.brk
	}
	if err := f.fatal(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}

// takeBreak returns stopCause and moves past a break.
func (f *framer) takeBreak() error {
	err := f.stopCause()
	f.brk = nil
	return err
}

// next frames the next record and leaves its header at the window's start.
func (f *framer) next(ctx context.Context) (span, error) {
	if err := ctx.Err(); err != nil {
		return span{}, err
	}
	f.skipSeparator(io.Discard)
	if len(f.fill(1)) == 0 {
		if f.brk != nil {
			b := f.brk
			f.brk = nil
			return span{}, &RecordError{Locator: formatLocator(b.off, 0), Err: b}
		}
		return span{}, f.err
	}
	f.src.forget(f.pos)
	sp := span{start: f.pos, loc: f.src.locate(f.pos)}
	var err error
	if sp.hlen, sp.clen, err = f.header(); err == nil {
		err = f.checkEnd(sp)
	}
	if err != nil {
		return span{}, f.resync(ctx, sp, err)
	}
	return sp, nil
}

// header parses the record header at the window's start.
func (f *framer) header() (hlen int, clen int64, err error) {
	b := f.fill(8)
	if !bytes.HasPrefix(b, []byte("WARC/")) || len(b) < 6 || b[5] < '0' || b[5] > '9' {
		return 0, 0, errors.New("no WARC version line where a record should start")
	}
	for searched := 0; ; {
		if hlen = headerEnd(b, searched); hlen > 0 {
			break
		}
		if len(b) >= maxHeader {
			return 0, 0, fmt.Errorf("header longer than %d bytes", maxHeader)
		}
		searched = max(0, len(b)-3)
		nb := f.fill(min(len(b)+4096, maxHeader))
		if len(nb) == len(b) {
			return 0, 0, errors.New("header cut short")
		}
		b = nb
	}
	clen, err = contentLength(b[:hlen])
	return hlen, clen, err
}

// headerEnd returns the length of a header ending in an empty line
// (CRLF, or a bare LF, as lenient readers accept), or 0 when b holds none.
func headerEnd(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return 0
		}
		i += j
		switch {
		case i+1 < len(b) && b[i+1] == '\n':
			return i + 2
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3
		}
	}
	return 0
}

// contentLength reads the Content-Length field of a WARC header.
func contentLength(h []byte) (int64, error) {
	for line := range bytes.Lines(h) {
		name, val, ok := bytes.Cut(line, []byte(":"))
		if !ok || !bytes.EqualFold(bytes.TrimSpace(name), []byte("Content-Length")) {
			continue
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(val)), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad Content-Length %q", bytes.TrimSpace(val))
		}
		return n, nil
	}
	return 0, errors.New("no Content-Length")
}

// checkEnd verifies, for a record that fits in the window, that its
// Content-Length ends at a separator, the next record, a break or the end.
func (f *framer) checkEnd(sp span) error {
	total := int64(sp.hlen) + sp.clen
	if total+6 > window {
		return nil // too big to look ahead: a wrong length shows at the next record
	}
	b := f.fill(int(total) + 6)
	if int64(len(b)) < total {
		return fmt.Errorf("record cut short after %d of %d bytes", len(b), total)
	}
	rest := b[total:]
	if len(rest) == 0 || rest[0] == '\r' || rest[0] == '\n' || bytes.HasPrefix(rest, []byte("WARC/")) {
		return nil
	}
	return fmt.Errorf("Content-Length %d does not end at a record boundary", sp.clen)
}

// resync skips from a bad record to the next line that starts a record, a
// break or the end, and returns the record error for what it skipped.
func (f *framer) resync(ctx context.Context, sp span, cause error) error {
	f.consume(1)
	skipped := int64(1)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := f.fill(64 << 10)
		if i := recordStart(b); i >= 0 {
			f.consume(i)
			skipped += int64(i)
			break
		}
		if f.brk == nil && f.err == nil {
			f.consume(len(b) - 6) // keep a partial "\nWARC/1" for the next look
			skipped += int64(len(b) - 6)
			continue
		}
		f.consume(len(b))
		skipped += int64(len(b))
		if err := f.fatal(); err != nil {
			return err
		}
		if f.brk != nil {
			cause = fmt.Errorf("%w: %w", cause, f.takeBreak())
		}
		break
	}
	return &RecordError{Locator: sp.loc, Err: fmt.Errorf("%w (skipped %d bytes)", cause, skipped)}
}

// recordStart returns the index of the first line in b that starts a
// WARC record, or -1.
func recordStart(b []byte) int {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("\nWARC/"))
		if j < 0 || i+j+6 >= len(b) {
			return -1
		}
		i += j + 1
		if c := b[i+5]; c >= '0' && c <= '9' {
			return i
		}
	}
}

// copyRecord copies the framed record — header, block and the separator
// after it — to w (io.Discard skips it) and moves past it. A record cut
// short is a *RecordError; a failing w is returned as it is.
func (f *framer) copyRecord(ctx context.Context, sp *span, w io.Writer) error {
	for n := int64(sp.hlen) + sp.clen; n > 0; {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := f.fill(1)
		if len(b) == 0 {
			cause := f.takeBreak()
			if err := f.fatal(); err != nil {
				return err
			}
			got := int64(sp.hlen) + sp.clen - n
			return &RecordError{Locator: sp.loc, Err: fmt.Errorf("record cut short after %d of %d bytes: %w", got, int64(sp.hlen)+sp.clen, cause)}
		}
		if int64(len(b)) > n {
			b = b[:n]
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		f.consume(len(b))
		n -= int64(len(b))
	}
	if err := f.skipSeparator(w); err != nil {
		return err
	}
	sp.end = f.pos
	return nil
}

// skipSeparator moves past CR and LF bytes, copying them to w.
func (f *framer) skipSeparator(w io.Writer) error {
	for {
		b := f.fill(1)
		i := 0
		for i < len(b) && (b[i] == '\r' || b[i] == '\n') {
			i++
		}
		if i == 0 {
			return nil
		}
		if _, err := w.Write(b[:i]); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		f.consume(i)
	}
}
