package report

import (
	"cmp"
	"math"
	"slices"
)

// span is a byte interval [start, end) of a found document owed to one
// owner (a match) of one group (the owner's creator).
type span struct {
	start, end int
	owner      int
	group      string
}

// splitSpans divides every byte covered by spans equally among the groups
// covering it, and a group's part equally among its owners covering it. It
// returns each owner's bytes and the number of bytes covered at all. Spans
// of one owner may overlap each other; such bytes count once. Empty or
// inverted spans cover nothing.
func splitSpans(spans []span) (perOwner map[int]float64, covered int) {
	type event struct {
		pos, delta int
		owner      int // dense index of the span's owner
	}
	owners, groups := map[int]int{}, map[string]int{}
	var ownerID []int  // dense owner -> owner
	var ownerGrp []int // dense owner -> dense group
	events := make([]event, 0, 2*len(spans))
	for _, s := range spans {
		if s.end <= s.start {
			continue
		}
		o, ok := owners[s.owner]
		if !ok {
			g, ok := groups[s.group]
			if !ok {
				g = len(groups)
				groups[s.group] = g
			}
			o = len(ownerID)
			owners[s.owner] = o
			ownerID, ownerGrp = append(ownerID, s.owner), append(ownerGrp, g)
		}
		events = append(events, event{s.start, 1, o}, event{s.end, -1, o})
	}
	slices.SortFunc(events, func(a, b event) int { return cmp.Compare(a.pos, b.pos) })
	a := newActiveSet(ownerGrp, len(groups))
	prev := 0
	for _, e := range events {
		if n := e.pos - prev; n > 0 && len(a.owners) > 0 {
			covered += n
			a.divide(float64(n))
		}
		prev = e.pos
		a.update(e.owner, e.delta)
	}
	perOwner = make(map[int]float64, len(ownerID))
	for o, v := range a.bytes {
		perOwner[ownerID[o]] = v
	}
	return perOwner, covered
}

// activeSet tracks the owners covering the current byte (owners and groups
// are dense indices), kept up to date as spans start and end so that
// dividing a segment costs one step per covering owner.
type activeSet struct {
	group       []int     // owner -> group
	spans       []int     // owner -> its spans covering the byte
	pos         []int     // owner -> index in owners, or -1
	owners      []int     // the covering owners
	groupOwners []int     // group -> its covering owners
	groups      int       // groups with a covering owner
	bytes       []float64 // owner -> bytes so far
}

func newActiveSet(group []int, groups int) *activeSet {
	a := &activeSet{group: group, spans: make([]int, len(group)), pos: make([]int, len(group)),
		groupOwners: make([]int, groups), bytes: make([]float64, len(group))}
	for i := range a.pos {
		a.pos[i] = -1
	}
	return a
}

func (a *activeSet) update(o, delta int) {
	before := a.spans[o]
	a.spans[o] += delta
	g := a.group[o]
	switch {
	case before == 0 && delta > 0:
		a.pos[o] = len(a.owners)
		a.owners = append(a.owners, o)
		if a.groupOwners[g]++; a.groupOwners[g] == 1 {
			a.groups++
		}
	case a.spans[o] == 0:
		// Swap-remove o from the covering owners.
		i, last := a.pos[o], a.owners[len(a.owners)-1]
		a.owners[i], a.pos[last] = last, i
		a.owners, a.pos[o] = a.owners[:len(a.owners)-1], -1
		if a.groupOwners[g]--; a.groupOwners[g] == 0 {
			a.groups--
		}
	}
}

// divide adds n bytes to the covering owners: equal parts per group, then
// per owner within the group.
func (a *activeSet) divide(n float64) {
	perGroup := n / float64(a.groups)
	for _, o := range a.owners {
		a.bytes[o] += perGroup / float64(a.groupOwners[a.group[o]])
	}
}

// textSplit is the text part of a document.
type textSplit struct {
	perMatch map[int]float64 // aligned bytes per match index, overlaps split
	union    int             // found bytes inside any passage
	total    float64         // bytes divided among matches (union plus whole-text spans)
	whole    bool            // some text match has no aligned bytes: a byte-identical copy
	end      int             // the whole-text extent used for such matches; 0 when unknown
}

// bytesKnown reports whether byte counts are real rather than nominal.
func (t textSplit) bytesKnown() bool { return !t.whole || t.end > 0 }

// imageSplit is the image part of a document.
type imageSplit struct {
	units    []string        // distinct matched images, by found URL
	perMatch map[int]float64 // image units per match index, split
}

// splitDocument divides a document's text and images among its matches
// (indices idx into ms). A text match without aligned bytes — an exact,
// byte-identical copy has no passages — covers the whole text: up to the
// furthest passage end or the text length estimated from found_coverage,
// or one nominal byte when neither is known.
func splitDocument(ms []Match, idx []int) (textSplit, imageSplit) {
	var spans, imgSpans []span
	var wholes []int
	imgUnit := map[string]int{}
	var img imageSplit
	maxEnd := 0
	for _, i := range idx {
		m := ms[i]
		g := creatorKey(m.Work)
		if isImage(m) {
			u, ok := imgUnit[m.Found.URL]
			if !ok {
				u = len(img.units)
				imgUnit[m.Found.URL] = u
				img.units = append(img.units, m.Found.URL)
			}
			imgSpans = append(imgSpans, span{u, u + 1, i, g})
			continue
		}
		own := passageSpans(m, i, g)
		if bytesOf(own) == 0 {
			wholes = append(wholes, i)
			continue
		}
		for _, s := range own {
			maxEnd = max(maxEnd, s.end)
		}
		spans = append(spans, own...)
	}
	img.perMatch, _ = splitSpans(imgSpans)
	t := textSplit{whole: len(wholes) > 0}
	_, t.union = splitSpans(spans)
	if t.whole {
		t.end = maxEnd
		if l, ok := estimatedLength(ms, idx); ok {
			t.end = max(t.end, int(math.Round(l)))
		}
		end := max(t.end, 1)
		for _, i := range wholes {
			spans = append(spans, span{0, end, i, creatorKey(ms[i].Work)})
		}
	}
	t.perMatch, _ = splitSpans(spans)
	for _, v := range t.perMatch {
		t.total += v
	}
	return t, img
}

// passageSpans are m's passages as spans of owner i in group g.
func passageSpans(m Match, i int, g string) []span {
	out := make([]span, 0, len(m.Evidence.Passages))
	for _, p := range m.Evidence.Passages {
		out = append(out, span{p.FoundStart, p.FoundEnd, i, g})
	}
	return out
}

// bytesOf is the number of bytes the spans cover.
func bytesOf(spans []span) int {
	_, n := splitSpans(spans)
	return n
}

// estimatedLength infers the found text's length in bytes from the text
// match with the most aligned bytes: its bytes over its found_coverage.
func estimatedLength(ms []Match, idx []int) (float64, bool) {
	best, cov := 0, 0.0
	for _, i := range idx {
		m := ms[i]
		if isImage(m) || m.FoundCoverage <= 0 {
			continue
		}
		if n := bytesOf(passageSpans(m, i, "")); n > best {
			best, cov = n, m.FoundCoverage
		}
	}
	if best == 0 {
		return 0, false
	}
	return float64(best) / cov, true
}

// coverage estimates the share of the document's text that is matched.
func (t textSplit) coverage(ms []Match, idx []int) (float64, bool) {
	if t.whole {
		return 1, true
	}
	l, ok := estimatedLength(ms, idx)
	if !ok || t.union == 0 {
		return 0, false
	}
	return ratio(float64(t.union) / l), true
}
