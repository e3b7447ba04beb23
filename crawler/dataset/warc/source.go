package warc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/attrib/attrib/crawler/dataset"
)

// source is the decompressed byte stream of a WARC file. A gzip file is
// inflated one member at a time, which tells where each member starts in
// the file (records' locators) and lets a damaged member be skipped: Read
// reports the break as a *breakError and the stream goes on with the next
// member. Every byte it inflates counts against the decompression bound.
type source struct {
	in       *bufio.Reader // the file; a ByteReader, so inflating never reads past a member
	taken    int64         // file offset after the bytes in has taken from the file
	gzipped  bool
	gz       *gzip.Reader
	inMember bool
	damaged  bool     // the last member broke: skip to the next one without a second report
	dpos     int64    // stream position of the next byte Read returns
	limit    int64    // decompressed bytes allowed (gzip only)
	members  []member // the members the framer may still ask about, oldest first
	fatal    error
}

// member is where one gzip member lies in the file and in the stream.
type member struct {
	cstart, cend int64 // file offsets; cend is set when the member ends cleanly
	dstart, dend int64 // stream positions
	ended, bad   bool
}

// breakError is a break in the stream: a damaged gzip member, or bytes
// where a gzip member should start. Bytes before it are good; the stream
// goes on after it.
type breakError struct {
	at  int64 // stream position of the break
	off int64 // file offset of the damaged member or the stray bytes
	err error
}

func (e *breakError) Error() string { return fmt.Sprintf("at file offset %d: %v", e.off, e.err) }
func (e *breakError) Unwrap() error { return e.err }

// errZstd refuses .warc.zst files, whose frames this reader cannot yet
// locate.
var errZstd = errors.New("zstd-compressed WARC (.warc.zst) is not supported; decompress it first")

// errNotMember names stray bytes between gzip members.
var errNotMember = errors.New("bytes that are not a gzip member")

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n *int64
}

func (c counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// newSource reads r, whose first byte is at file offset start.
func newSource(r io.Reader, start int64, lim dataset.Limits) (*source, error) {
	s := &source{taken: start, limit: lim.MaxDecompressedBytes}
	s.in = bufio.NewReaderSize(counter{r, &s.taken}, 64<<10)
	head, err := s.in.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read: %w", err)
	}
	if bytes.Equal(head, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		return nil, errZstd
	}
	s.gzipped = len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b
	if !s.gzipped {
		s.dpos = start // a plain file's stream position is its file offset
	}
	return s, nil
}

// filePos is the file offset of the next byte not yet inflated.
func (s *source) filePos() int64 { return s.taken - int64(s.in.Buffered()) }

// Read implements io.Reader over the decompressed stream.
func (s *source) Read(p []byte) (int, error) {
	if s.fatal != nil {
		return 0, s.fatal
	}
	if !s.gzipped {
		n, err := s.in.Read(p)
		s.dpos += int64(n)
		return n, err
	}
	for len(p) > 0 {
		if !s.inMember {
			if err := s.nextMember(); err != nil {
				return 0, err
			}
			continue
		}
		if n, err := s.inflate(p); n > 0 || err != nil {
			return n, err
		}
	}
	return 0, nil
}

// inflate reads from the current member, stopping at the bound.
func (s *source) inflate(p []byte) (int, error) {
	if room := s.limit - s.dpos + 1; int64(len(p)) > room {
		p = p[:room] // one byte past the bound tells a bomb from a stream that ends there
	}
	n, err := s.gz.Read(p)
	s.dpos += int64(n)
	if over := s.dpos - s.limit; over > 0 {
		s.dpos = s.limit
		s.fatal = fmt.Errorf("%w: more than %d bytes decompressed (a decompression bomb?)", dataset.ErrTooLarge, s.limit)
		return n - int(over), s.fatal
	}
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		s.endMember()
		return n, nil
	}
	return n, s.breakMember(err)
}

// nextMember starts inflating the next gzip member. Stray bytes before it
// are reported once as a break (not after a damaged member: they are its
// rest); io.EOF means the file ended.
func (s *source) nextMember() error {
	start := s.filePos()
	skipped, err := s.seekMagic()
	if err != nil && !errors.Is(err, io.EOF) {
		s.fatal = fmt.Errorf("read: %w", err)
		return s.fatal
	}
	if skipped > 0 && !s.damaged {
		s.damaged = true
		return &breakError{at: s.dpos, off: start, err: fmt.Errorf("%d %w", skipped, errNotMember)}
	}
	if err != nil {
		return io.EOF
	}
	s.damaged = false
	m := member{cstart: s.filePos(), dstart: s.dpos}
	s.members = append(s.members, m)
	if s.gz == nil {
		s.gz, err = gzip.NewReader(s.in)
	} else {
		err = s.gz.Reset(s.in)
	}
	if err != nil {
		return s.breakMember(err)
	}
	s.gz.Multistream(false)
	s.inMember = true
	return nil
}

// breakMember marks the current member damaged.
func (s *source) breakMember(err error) error {
	m := &s.members[len(s.members)-1]
	m.bad, m.ended, m.dend = true, true, s.dpos
	s.inMember, s.damaged = false, true
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &breakError{at: s.dpos, off: m.cstart, err: fmt.Errorf("gzip member: %w", err)}
}

func (s *source) endMember() {
	m := &s.members[len(s.members)-1]
	m.ended, m.cend, m.dend = true, s.filePos(), s.dpos
	s.inMember = false
}

// seekMagic discards bytes up to the next plausible gzip member header
// (magic, deflate, no reserved flag bits) and returns how many it skipped.
func (s *source) seekMagic() (int64, error) {
	var skipped int64
	for {
		b, err := s.in.Peek(4)
		if len(b) == 4 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 && b[3]&0xe0 == 0 {
			return skipped, nil
		}
		if len(b) < 4 {
			n, _ := s.in.Discard(len(b))
			return skipped + int64(n), err
		}
		buf, _ := s.in.Peek(s.in.Buffered())
		step := len(buf)
		if i := bytes.IndexByte(buf[1:], 0x1f); i >= 0 {
			step = i + 1
		}
		n, _ := s.in.Discard(step)
		skipped += int64(n)
	}
}

// startIndex returns the member whose data starts the stream at d: the
// last one starting at or before d.
func (s *source) memberAt(d int64) *member {
	for i := len(s.members) - 1; i >= 0; i-- {
		if s.members[i].dstart <= d {
			return &s.members[i]
		}
	}
	return nil
}

// locate returns the locator of stream position d: "offset:N" for a plain
// file's offset or a gzip member's file offset, "offset:N+D" for D bytes
// into the data of the member at N (a record inside a whole-file gzip).
func (s *source) locate(d int64) string {
	if !s.gzipped {
		return formatLocator(d, 0)
	}
	m := s.memberAt(d)
	if m == nil {
		return formatLocator(0, d)
	}
	return formatLocator(m.cstart, d-m.dstart)
}

// forget drops the members that ended at or before d: no record left to
// read starts in them.
func (s *source) forget(d int64) {
	i := 0
	for i < len(s.members)-1 && s.members[i].ended && s.members[i].dend <= d {
		i++
	}
	if i > 0 {
		s.members = append(s.members[:0], s.members[i:]...)
	}
}

// raw returns the file range of the gzip members holding exactly the
// stream bytes [d, e), so that a clean copy can copy them as they are.
func (s *source) raw(d, e int64) (start, end int64, ok bool) {
	if !s.gzipped {
		return d, e, true
	}
	first := -1
	for i, m := range s.members {
		if first < 0 && m.dstart == d && (!m.ended || m.dend > d) {
			first = i
		}
		if first < 0 {
			continue
		}
		if !m.ended || m.bad || m.dend > e {
			return 0, 0, false
		}
		if m.dend == e {
			return s.members[first].cstart, m.cend, true
		}
	}
	return 0, 0, false
}
