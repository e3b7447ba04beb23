package boilerplate

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"
)

// Options bound what a Tracker counts and decide which lines are
// boilerplate. A zero field is not replaced by its default.
type Options struct {
	// MinPages is the least number of a host's pages a line must occur on
	// to be boilerplate.
	MinPages int
	// MinShare is the least share of the host's pages observed so far that
	// a line must occur on to be boilerplate, in (0, 1].
	MinShare float64
	// MinLineBytes: shorter lines (after normalisation) are never counted
	// or masked.
	MinLineBytes int
	// MaxLinesPerHost caps the distinct lines counted per host. A host that
	// reaches it forgets its lines seen on one page only (template lines
	// recur, so they survive); if that frees less than half, it stops
	// counting new lines (lines already counted still are).
	MaxLinesPerHost int
	// MaxHosts caps the hosts tracked; pages of further hosts are neither
	// counted nor masked.
	MaxHosts int
	// MaxLinesPerPage caps the lines read from one page by Observe and
	// Mask; the rest of a longer page is neither counted nor masked.
	MaxLinesPerPage int
}

// DefaultOptions returns the defaults: a line is boilerplate when it occurs
// on at least 5 pages and on at least 30% of the pages of its host seen so
// far. Lines under 4 bytes once normalised ("OK", "|") are ignored; short
// ones such as "Home" or "Share this" are counted, as a menu of one item per
// line is boilerplate that alignment could otherwise bridge across.
//
// Memory: a counted line costs about 40 bytes (a map entry of a 64-bit hash
// and a count; line texts are not kept), so a tracker holds at most
// MaxHosts * MaxLinesPerHost * 40 bytes: 2,048 hosts of 8,192 lines, 670 MB
// in the worst case of a scan of thousands of large hosts; a one-site scan
// stays under 330 KB. Observe also needs a set of the page's distinct
// lines, at most MaxLinesPerPage (5,000) entries, while it runs.
func DefaultOptions() Options {
	return Options{
		MinPages:        5,
		MinShare:        0.3,
		MinLineBytes:    4,
		MaxLinesPerHost: 8192,
		MaxHosts:        2048,
		MaxLinesPerPage: 5000,
	}
}

// host holds the line counts of one host.
type host struct {
	mu    sync.Mutex
	pages int
	lines map[uint64]int32 // normalised line hash -> pages it occurred on
	full  bool             // forgetting single lines no longer frees room
}

// add counts one page's occurrence of the line sum, within max lines.
func (h *host) add(sum uint64, max int) {
	if n, ok := h.lines[sum]; ok {
		h.lines[sum] = n + 1
		return
	}
	if len(h.lines) >= max && !h.full {
		for k, n := range h.lines {
			if n <= 1 {
				delete(h.lines, k)
			}
		}
		h.full = len(h.lines) > max/2
	}
	if len(h.lines) < max {
		h.lines[sum] = 1
	}
}

// Tracker counts, per host, on how many observed pages each line occurs.
// It is safe for concurrent use; its zero value is not usable (see New).
type Tracker struct {
	opts  Options
	mu    sync.Mutex // guards hosts
	hosts map[string]*host
}

// New returns an empty Tracker with opts.
func New(opts Options) *Tracker {
	return &Tracker{opts: opts, hosts: make(map[string]*host)}
}

// hostOf returns the counts of name, creating them when create is set and
// the host cap allows.
func (t *Tracker) hostOf(name string, create bool) *host {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.hosts[name]
	if !ok && create && len(t.hosts) < t.opts.MaxHosts {
		h = &host{lines: make(map[uint64]int32)}
		t.hosts[name] = h
	}
	return h
}

// Observe counts the distinct lines of one page of host. Observe each page
// once, before or after masking it.
func (t *Tracker) Observe(hostName, text string) {
	h := t.hostOf(hostName, true)
	if h == nil {
		return
	}
	seen := make(map[uint64]struct{})
	forLines(text, t.opts, func(_, _ int, sum uint64) {
		seen[sum] = struct{}{}
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pages++
	for sum := range seen {
		h.add(sum, t.opts.MaxLinesPerHost)
	}
}

// ObserveMask is Observe followed by Mask, hashing each line once.
func (t *Tracker) ObserveMask(hostName, text string) string {
	h := t.hostOf(hostName, true)
	if h == nil {
		return t.Mask(hostName, text)
	}
	type line struct {
		start, end int
		sum        uint64
	}
	var lines []line
	seen := make(map[uint64]struct{})
	forLines(text, t.opts, func(start, end int, sum uint64) {
		lines = append(lines, line{start, end, sum})
		seen[sum] = struct{}{}
	})
	var spans [][2]int
	h.mu.Lock()
	h.pages++
	for sum := range seen {
		h.add(sum, t.opts.MaxLinesPerHost)
	}
	need := max(t.opts.MinPages, int(t.opts.MinShare*float64(h.pages)+0.999999))
	for _, l := range lines {
		if int(h.lines[l.sum]) >= need {
			spans = append(spans, [2]int{l.start, l.end})
		}
	}
	h.mu.Unlock()
	return blank(text, spans)
}

// blank replaces the spans of text with spaces; text itself when none.
func blank(text string, spans [][2]int) string {
	if len(spans) == 0 {
		return text
	}
	b := []byte(text)
	for _, s := range spans {
		for i := s[0]; i < s[1]; i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

// Mask returns text with the boilerplate lines of host replaced by spaces of
// the same byte length, so byte offsets into the result are offsets into
// text. Line ends are kept. It returns text itself when nothing is masked.
func (t *Tracker) Mask(hostName, text string) string {
	h := t.hostOf(hostName, false)
	if h == nil {
		return text
	}
	var spans [][2]int
	h.mu.Lock()
	need := max(t.opts.MinPages, int(t.opts.MinShare*float64(h.pages)+0.999999))
	forLines(text, t.opts, func(start, end int, sum uint64) {
		if int(h.lines[sum]) >= need {
			spans = append(spans, [2]int{start, end})
		}
	})
	h.mu.Unlock()
	return blank(text, spans)
}

// Stats describe what a Tracker holds.
type Stats struct {
	Hosts int // hosts tracked
	Lines int // distinct lines counted, over all hosts
}

// Stats returns the current size of the tracker.
func (t *Tracker) Stats() Stats {
	t.mu.Lock()
	hs := make([]*host, 0, len(t.hosts))
	for _, h := range t.hosts {
		hs = append(hs, h)
	}
	t.mu.Unlock()
	s := Stats{Hosts: len(hs)}
	for _, h := range hs {
		h.mu.Lock()
		s.Lines += len(h.lines)
		h.mu.Unlock()
	}
	return s
}

// forLines calls fn with the byte span (without the line end) and the hash
// of the normalised form of each line of text long enough to count, up to
// MaxLinesPerPage lines.
func forLines(text string, opts Options, fn func(start, end int, sum uint64)) {
	var norm []byte
	for start, n := 0, 0; start < len(text) && n < opts.MaxLinesPerPage; n++ {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		norm = normalise(norm[:0], text[start:end])
		if len(norm) >= opts.MinLineBytes {
			fn(start, end, xxhash.Sum64(norm))
		}
		start = end + 1
	}
}

// normalise appends to dst line with its letters lowercased, digits kept,
// and every run of other characters (spaces, punctuation) collapsed into one
// space, without leading or trailing space: lines that differ only in
// spacing, case or punctuation count as the same.
func normalise(dst []byte, line string) []byte {
	sep := false
	for _, r := range line {
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) {
			sep = true
			continue
		}
		if sep && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		sep = false
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}
