package textmatch

import "github.com/attrib/attrib/matcher/textfp"

// posting is one occurrence of a fingerprint: an interned work and the token
// position of the shingle in it.
type posting struct {
	work int32
	pos  int32
}

// entry is the index value of one hash. Most hashes occur once, so the first
// posting is stored inline and the rest in index.lists.
type entry struct {
	first posting
	list  int32 // 1 + index into index.lists; 0 when there is one posting
	works int32 // distinct works holding the hash
}

// index is a positional inverted index: hash -> postings, in the order the
// works were added (so one work's postings of a hash are contiguous).
type index struct {
	m        map[uint64]entry
	lists    [][]posting
	postings int
}

func newIndex() *index { return &index{m: make(map[uint64]entry)} }

// add indexes the fingerprints of work.
func (ix *index) add(work int32, prints []textfp.Print) {
	for _, p := range prints {
		ix.insert(p.Hash, posting{work: work, pos: p.Pos})
	}
	ix.postings += len(prints)
}

func (ix *index) insert(h uint64, p posting) {
	e, ok := ix.m[h]
	if !ok {
		ix.m[h] = entry{first: p, works: 1}
		return
	}
	last := e.first
	if e.list == 0 {
		ix.lists = append(ix.lists, []posting{p})
		e.list = int32(len(ix.lists))
	} else {
		l := ix.lists[e.list-1]
		last = l[len(l)-1]
		ix.lists[e.list-1] = append(l, p)
	}
	if last.work != p.work {
		e.works++
	}
	ix.m[h] = e
}

// lookup appends to dst at most max postings of h, or none when h occurs in
// more than maxWorks works.
func (ix *index) lookup(dst []posting, h uint64, maxWorks, max int) []posting {
	e, ok := ix.m[h]
	if !ok || int(e.works) > maxWorks {
		return dst
	}
	dst = append(dst, e.first)
	if e.list != 0 {
		l := ix.lists[e.list-1]
		dst = append(dst, l[:min(len(l), max-1)]...)
	}
	return dst
}
