package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Breaks requested around block elements: a line break, or a blank line for
// paragraph-like blocks.
const (
	lineBreak = 1
	paraBreak = 2
)

// blockBreak returns how many newlines separate the element a from its
// neighbours: 0 for inline elements.
func blockBreak(a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Pre, atom.Blockquote, atom.Table, atom.Ul, atom.Ol, atom.Dl,
		atom.Figure, atom.Hr, atom.Address:
		return paraBreak
	case atom.Div, atom.Li, atom.Dd, atom.Dt, atom.Tr, atom.Td, atom.Th,
		atom.Thead, atom.Tbody, atom.Tfoot, atom.Caption, atom.Section,
		atom.Article, atom.Main, atom.Aside, atom.Nav, atom.Header,
		atom.Footer, atom.Figcaption, atom.Details, atom.Summary,
		atom.Fieldset, atom.Legend, atom.Center, atom.Hgroup, atom.Menu,
		atom.Form, atom.Body, atom.Html, atom.Option, atom.Dialog,
		atom.Search:
		return lineBreak
	}
	return 0
}

// textBuf accumulates collapsed text. Whitespace and breaks are kept pending
// and only written before the next visible character, so the result never
// starts or ends with whitespace and never holds more than one blank line.
type textBuf struct {
	b      []byte
	space  bool // a space is pending
	breaks int  // newlines pending (0..2)
}

// brk requests n newlines before the next text.
func (t *textBuf) brk(n int) {
	if n > t.breaks {
		t.breaks = n
	}
}

// flush writes pending whitespace before visible text.
func (t *textBuf) flush() {
	if len(t.b) > 0 {
		switch {
		case t.breaks > 0:
			for have := trailingNewlines(t.b); have < t.breaks; have++ {
				t.b = append(t.b, '\n')
			}
		case t.space && t.b[len(t.b)-1] != '\n':
			t.b = append(t.b, ' ')
		}
	}
	t.space, t.breaks = false, 0
}

// trailingNewlines counts the newlines ending b, up to paraBreak.
func trailingNewlines(b []byte) int {
	n := 0
	for i := len(b) - 1; i >= 0 && b[i] == '\n' && n < paraBreak; i-- {
		n++
	}
	return n
}

// isSpace reports whether c is HTML inter-element whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// text appends s with runs of whitespace collapsed to one pending space. A
// byte order mark starting the text is dropped.
func (t *textBuf) text(s string) {
	if len(t.b) == 0 {
		s = strings.TrimPrefix(s, "\uFEFF")
	}
	for len(s) > 0 {
		i := 0
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i > 0 {
			t.space = true
			s = s[i:]
		}
		j, hi := 0, byte(0)
		for j < len(s) && !isSpace(s[j]) {
			hi |= s[j]
			j++
		}
		if j > 0 {
			t.flush()
			t.appendValid(s[:j], hi)
			s = s[j:]
		}
	}
}

// appendValid appends s, replacing invalid UTF-8 by U+FFFD; hi is the OR of
// its bytes, which tells ASCII (always valid) apart cheaply.
func (t *textBuf) appendValid(s string, hi byte) {
	if hi < utf8.RuneSelf || utf8.ValidString(s) {
		t.b = append(t.b, s...)
		return
	}
	t.b = append(t.b, strings.ToValidUTF8(s, "\uFFFD")...)
}

// pre appends s verbatim, as preformatted text.
func (t *textBuf) pre(s string) {
	if len(t.b) == 0 {
		if s = strings.TrimLeft(s, " \t\n\r\f"); s == "" {
			return
		}
	}
	t.flush()
	t.appendValid(s, utf8.RuneSelf)
}

// String returns the text without trailing whitespace.
func (t *textBuf) String() string {
	return strings.TrimRight(string(t.b), " \t\n\r\f")
}

// validUTF8 replaces invalid byte sequences by U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// textExtractor walks a container and writes what a reader sees.
type textExtractor struct {
	buf textBuf
	pre int // depth of open <pre>, <listing> and <xmp> elements
}

// mainText returns the visible text of the subtree at root.
func mainText(root *html.Node) string {
	var x textExtractor
	walk(root, x.enter, x.leave)
	return x.buf.String()
}

func (x *textExtractor) enter(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		if x.pre > 0 {
			x.buf.pre(n.Data)
		} else {
			x.buf.text(n.Data)
		}
		return false
	case html.ElementNode:
		if dropped(n) {
			return false
		}
		if n.DataAtom == atom.Br {
			x.buf.brk(lineBreak)
			return false
		}
		x.buf.brk(blockBreak(n.DataAtom))
		if isPre(n) {
			x.pre++
		}
		return true
	case html.DocumentNode:
		return true
	}
	return false // comments, doctypes
}

func (x *textExtractor) leave(n *html.Node) {
	if n.Type != html.ElementNode {
		return
	}
	if x.pre > 0 && isPre(n) && !dropped(n) {
		x.pre--
	}
	x.buf.brk(blockBreak(n.DataAtom))
}

// isPre reports whether n keeps its whitespace.
func isPre(n *html.Node) bool {
	return isHTML(n) && (n.DataAtom == atom.Pre || n.DataAtom == atom.Listing || n.DataAtom == atom.Xmp)
}
