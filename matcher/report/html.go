package report

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// ThumbBudget bounds the bytes of thumbnails (as data: URIs) one HTML
// report inlines; thumbnails past it are left out and the report says so.
const ThumbBudget = 2 << 20

// Limits that keep an HTML report's size proportional to what a reader can
// take in; the JSON report is complete.
const (
	htmlMaxTargets   = 10
	htmlMaxDocuments = 1000
	htmlMaxPassages  = 20
	htmlPassageRunes = 600
	maxThumbBytes    = 256 << 10 // a larger "thumbnail" is not one
)

//go:embed html.tmpl
var htmlSource string

// newHTMLTemplate parses the HTML templates. html/template escapes every
// value for its context, and its URL filter turns a javascript: link into
// "#ZgotmplZ"; links are made only of http(s) URLs anyway.
func newHTMLTemplate() (*template.Template, error) {
	funcs := template.FuncMap{
		"linkable": isLinkable,
		"line":     func(s string) string { return short(s, maxTextRunes) },
		"short":    func(s string) string { return short(s, maxLinkLen) },
	}
	t, err := template.New("html").Funcs(funcs).Parse(htmlSource)
	if err != nil {
		return nil, fmt.Errorf("parse html template: %w", err)
	}
	return t, nil
}

type htmlReport struct {
	Title         string
	Scan          Scan
	Targets       []string
	MoreTargets   int
	Stats         string
	Matches       []htmlMatch
	Documents     []htmlDocument
	MoreDocuments int
	ThumbsLeftOut int
	ThumbBudget   string
}

type htmlMatch struct {
	N                                  int
	Anchor                             string
	M                                  Match
	Label                              string
	Score, WorkCoverage, FoundCoverage string
	Share                              string
	Embedded                           bool
	Evidence                           string
	Thumb                              template.URL
	Passages                           []htmlPassage
	MorePassages                       int
}

type htmlPassage struct {
	N    int
	P    Passage
	Text string
}

type htmlDocument struct {
	URL, Dataset, Record string
	TextCoverage         string
	Shares               []htmlShare
}

type htmlShare struct {
	Creator           string
	Value             float64
	Percent           string
	Works             string
	TextBytes, Images string
}

// renderHTML writes r as one self-contained HTML file: inline CSS, no
// scripts, no external resources (a Content-Security-Policy says so), and
// image works' thumbnails as data: URIs up to ThumbBudget bytes in all.
func renderHTML(b *bytes.Buffer, r Report) error {
	t, err := newHTMLTemplate()
	if err != nil {
		return err
	}
	v := htmlReport{
		Title: "Attribution report " + short(r.Scan.ID, maxTextRunes), Scan: r.Scan,
		Stats: statsLine(r.Scan.Stats), ThumbBudget: humanBytes(ThumbBudget),
	}
	v.Targets = r.Scan.Targets[:min(len(r.Scan.Targets), htmlMaxTargets)]
	v.MoreTargets = len(r.Scan.Targets) - len(v.Targets)
	v.Matches, v.ThumbsLeftOut = htmlMatches(r.Matches)
	for i, d := range r.Documents {
		if i == htmlMaxDocuments {
			v.MoreDocuments = len(r.Documents) - i
			break
		}
		v.Documents = append(v.Documents, htmlDocumentOf(d))
	}
	if err := t.ExecuteTemplate(b, "report", v); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

// htmlMatches prepares the matches, inlining each work's thumbnail once
// (at its first match) while the budget lasts; it returns how many
// thumbnails were left out for the budget.
func htmlMatches(ms []Match) ([]htmlMatch, int) {
	out := make([]htmlMatch, len(ms))
	shown := map[string]bool{}
	used, left := 0, 0
	for i, m := range ms {
		h := htmlMatch{
			N: i + 1, Anchor: fmt.Sprintf("match-%d", i+1), M: m, Label: short(workLabel(m.Work), maxTextRunes),
			Score: formatScore(m.Score), WorkCoverage: percent(m.WorkCoverage), FoundCoverage: percent(m.FoundCoverage),
			Share: "–", Embedded: m.Found.PageURL != "" && m.Found.PageURL != m.Found.URL,
			Evidence: evidenceText(m.Evidence, clean),
		}
		if m.Share != nil {
			h.Share = percent(*m.Share)
		}
		if uri := thumbURI(m.Work.Thumb); uri != "" && !shown[m.Work.ID] {
			shown[m.Work.ID] = true
			if used+len(uri) <= ThumbBudget {
				used += len(uri)
				h.Thumb = template.URL(uri)
			} else {
				left++
			}
		}
		h.Passages, h.MorePassages = htmlPassages(m.Evidence.Passages)
		out[i] = h
	}
	return out, left
}

// thumbURI is a data: URI of an image thumbnail, or "" when thumb is empty,
// too large or not a JPEG, PNG, GIF or WebP image.
func thumbURI(thumb []byte) string {
	if len(thumb) == 0 || len(thumb) > maxThumbBytes {
		return ""
	}
	switch ct := http.DetectContentType(thumb); ct {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return "data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(thumb)
	}
	return ""
}

func htmlPassages(ps []Passage) ([]htmlPassage, int) {
	n := min(len(ps), htmlMaxPassages)
	out := make([]htmlPassage, n)
	for i, p := range ps[:n] {
		out[i] = htmlPassage{N: i + 1, P: p, Text: short(p.Text, htmlPassageRunes)}
	}
	return out, len(ps) - n
}

func htmlDocumentOf(d Document) htmlDocument {
	h := htmlDocument{URL: d.URL, Dataset: d.Dataset, Record: d.Record}
	if d.TextCoverage != nil {
		h.TextCoverage = percent(*d.TextCoverage)
	}
	for _, s := range d.Shares {
		titles := make([]string, len(s.Works))
		for i, w := range s.Works {
			titles[i] = short(workLabel(Work{ID: w.ID, Title: w.Title}), maxTextRunes) + " (" + percent(w.Share) + ")"
		}
		h.Shares = append(h.Shares, htmlShare{
			Creator: creatorName(s.Creator), Value: s.Share, Percent: percent(s.Share), Works: strings.Join(titles, "; "),
			TextBytes: amountCell(s.TextBytes), Images: amountCell(s.Images),
		})
	}
	return h
}

type htmlTotals struct {
	Title string
	T     Totals
	Rows  []htmlShareTotal
}

type htmlShareTotal struct {
	Creator                   string
	Documents, Matches, Works int
	Share, TextBytes, Images  string
}

func totalsHTML(b *bytes.Buffer, t Totals) error {
	tmpl, err := newHTMLTemplate()
	if err != nil {
		return err
	}
	v := htmlTotals{Title: "Attribution by creator " + short(t.Scan.ID, maxTextRunes), T: t}
	for _, c := range t.Creators {
		v.Rows = append(v.Rows, htmlShareTotal{Creator: creatorName(c.Creator), Documents: c.Documents, Matches: c.Matches,
			Works: c.Works, Share: formatScore(c.Share), TextBytes: amountCell(c.TextBytes), Images: amountCell(c.Images)})
	}
	if err := tmpl.ExecuteTemplate(b, "totals", v); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}
