package dashboard

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/attrib/attrib/matcher/appearances"
	"github.com/attrib/attrib/matcher/passagediff"
	"github.com/attrib/attrib/matcher/report"
	"github.com/attrib/attrib/store"
)

// contextBytes is how much of the registered text is shown around a
// passage, on each side, so the reader sees where in the work it sits.
const contextBytes = 120

// maxPassageBytes bounds one passage as shown; longer ones are cut (the
// report has them whole).
const maxPassageBytes = 6000

// appearanceView is one appearance as the work page shows it.
type appearanceView struct {
	report.Match
	Scan appearances.ScanRef
	New  bool
	// Anchor makes the article's element IDs unique on its page.
	Anchor string
	// ShowWork names the work in the heading (pages listing several).
	ShowWork bool
	// Scans counts the scans that found the work at this place (work
	// page; 0 where not counted).
	Scans int
	// Where is the place as a reader names it: the found URL, or the
	// dataset and record of an audit.
	Where    string
	WhereURL string // a link to the place, when it is a web address
	PageURL  string // the page embedding a found image, when not the image itself
	Image    *imageView
	Passages []passageView
}

// imageView is the image evidence: the registered preview and the found
// image side by side.
type imageView struct {
	ThumbURL  string // the registered image's preview; empty without one
	FoundURL  string // shown with <img src>; empty for audit records
	Algorithm string
	Distance  string // "0 of 256 bits"
	Transform string
}

// passageView is one aligned passage: the registered text with a little
// context next to the found text, with word differences marked.
type passageView struct {
	Before, After string             // registered text around the passage
	Registered    []passagediff.Span // Equal and Delete spans
	Found         []passagediff.Span // Equal and Insert spans
	Cut           bool               // the passage was shortened for display
	Changed       bool               // some words differ
}

// newAppearanceView builds the view of one appearance of w (whose Text is
// filled for text works).
func newAppearanceView(it appearances.Item, w store.Work, fresh bool) appearanceView {
	m := it.Match
	v := appearanceView{Match: m, Scan: it.Scan, New: fresh}
	v.Where, v.WhereURL = where(m.Found.URL, m.Found.Dataset, m.Found.Record), webURL(m.Found.URL)
	if m.Found.PageURL != "" && m.Found.PageURL != m.Found.URL {
		v.PageURL = webURL(m.Found.PageURL)
	}
	if w.Kind == store.KindImage {
		v.Image = newImageView(m, w)
	}
	for _, p := range m.Evidence.Passages {
		v.Passages = append(v.Passages, newPassageView(w.Text, p))
	}
	return v
}

func newImageView(m report.Match, w store.Work) *imageView {
	iv := &imageView{
		FoundURL:  webURL(m.Found.URL),
		Algorithm: m.Evidence.Algorithm,
		Transform: m.Evidence.Transform,
	}
	if len(w.Thumb) > 0 {
		iv.ThumbURL = "/works/" + w.ID + "/thumb"
	}
	if d := m.Evidence.Distance; d != nil {
		iv.Distance = fmt.Sprintf("%d", *d)
		if m.Evidence.Bits > 0 {
			iv.Distance += fmt.Sprintf(" of %d bits", m.Evidence.Bits)
		}
	}
	return iv
}

// newPassageView cuts the passage out of the registered text (offsets
// that do not fit it, e.g. after the text changed, show the found side
// alone) and diffs it against the found text.
func newPassageView(text string, p report.Passage) passageView {
	var v passageView
	reg := ""
	if 0 <= p.WorkStart && p.WorkStart <= p.WorkEnd && p.WorkEnd <= len(text) {
		reg = text[p.WorkStart:p.WorkEnd]
		v.Before, v.After = text[:p.WorkStart], text[p.WorkEnd:]
		if len(v.Before) > contextBytes {
			// Start at a word: drop the partial one the cut leaves.
			cut := tail(v.Before, contextBytes)
			if i := strings.IndexAny(cut, " \n\t"); i >= 0 {
				cut = cut[i+1:]
			}
			v.Before = "…" + cut
		}
		if len(v.After) > contextBytes {
			cut := head(v.After, contextBytes)
			if i := strings.LastIndexAny(cut, " \n\t"); i >= 0 {
				cut = cut[:i]
			}
			v.After = cut + "…"
		}
	}
	found := p.Text
	if len(reg) > maxPassageBytes || len(found) > maxPassageBytes {
		reg, found, v.Cut = head(reg, maxPassageBytes), head(found, maxPassageBytes), true
	}
	v.Registered, v.Found = passagediff.Diff(reg, found)
	for _, s := range v.Found {
		v.Changed = v.Changed || s.Kind != passagediff.Equal
	}
	for _, s := range v.Registered {
		v.Changed = v.Changed || s.Kind != passagediff.Equal
	}
	return v
}

// head returns at most n bytes of s, cut at a rune boundary.
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// tail returns at most the last n bytes of s, cut at a rune boundary.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// webURL returns u when it is an http(s) address the page may link to or
// load, else "" (html/template would neutralise other schemes anyway; this
// keeps the markup honest about it).
func webURL(u string) string {
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		return u
	}
	return ""
}
