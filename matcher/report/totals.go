package report

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Totals is a scan's attribution shares totalled per creator: what
// `attrib report --by creator` prints.
type Totals struct {
	Version   int            `json:"version"`
	Scan      Scan           `json:"scan"`
	By        string         `json:"by"`        // "creator"
	Documents int            `json:"documents"` // documents with any match
	Creators  []CreatorTotal `json:"creators"`  // never null
}

// CreatorTotal is one creator's totals over a scan.
type CreatorTotal struct {
	// Creator is omitted for works no longer registered, which are
	// totalled together.
	Creator   string `json:"creator,omitempty"`
	Documents int    `json:"documents"` // documents where the creator has a share
	Matches   int    `json:"matches"`   // matches of the creator's works
	Works     int    `json:"works"`     // distinct works matched
	// Share is the sum of the creator's shares over documents: how many
	// documents' worth of matched content is theirs.
	Share     float64 `json:"share"`
	TextBytes float64 `json:"text_bytes,omitempty"` // aligned bytes, overlaps split
	Images    float64 `json:"images,omitempty"`     // matched images, split
}

// TotalsFormats lists the formats RenderTotals writes.
func TotalsFormats() []Format {
	return []Format{FormatJSON, FormatMarkdown, FormatCSV, FormatHTML}
}

// ByCreator totals r's documents per creator, the largest share first.
func ByCreator(r Report) Totals {
	t := Totals{Version: Version, Scan: r.Scan, By: "creator", Documents: len(r.Documents), Creators: []CreatorTotal{}}
	if t.Scan.Targets == nil {
		t.Scan.Targets = []string{}
	}
	index := map[string]int{}
	get := func(name string) *CreatorTotal {
		i, ok := index[name]
		if !ok {
			i = len(t.Creators)
			index[name] = i
			t.Creators = append(t.Creators, CreatorTotal{Creator: name})
		}
		return &t.Creators[i]
	}
	for _, d := range r.Documents {
		for _, s := range d.Shares {
			c := get(s.Creator)
			c.Documents++
			c.Share += s.Share
			c.TextBytes += s.TextBytes
			c.Images += s.Images
		}
	}
	works := map[string]map[string]bool{}
	for _, m := range r.Matches {
		c := get(m.Work.Creator)
		c.Matches++
		if works[m.Work.Creator] == nil {
			works[m.Work.Creator] = map[string]bool{}
		}
		works[m.Work.Creator][m.Work.ID] = true
	}
	for i := range t.Creators {
		c := &t.Creators[i]
		c.Works = len(works[c.Creator])
		c.Share = math.Round(c.Share*1e4) / 1e4
		c.TextBytes, c.Images = amount(c.TextBytes, true), amount(c.Images, true)
	}
	slices.SortStableFunc(t.Creators, func(a, b CreatorTotal) int {
		return cmp.Or(cmp.Compare(b.Share, a.Share), strings.Compare(a.Creator, b.Creator))
	})
	return t
}

// RenderTotals writes t to w in format f (any of TotalsFormats), rendered
// completely before anything is written.
func RenderTotals(w io.Writer, t Totals, f Format) error {
	var buf bytes.Buffer
	var err error
	switch f {
	case FormatJSON:
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(t)
	case FormatMarkdown:
		totalsMarkdown(&buf, t)
	case FormatCSV:
		err = totalsCSV(&buf, t)
	case FormatHTML:
		err = totalsHTML(&buf, t)
	default:
		return fmt.Errorf("%w %q (valid: %s)", ErrUnknownFormat, string(f), joinFormats(TotalsFormats()))
	}
	if err != nil {
		return fmt.Errorf("render totals: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// creatorName is a creator for people: "(unknown creator)" when not known.
func creatorName(s string) string {
	if s == "" {
		return "(unknown creator)"
	}
	return s
}

func totalsMarkdown(b *bytes.Buffer, t Totals) {
	s := t.Scan
	b.WriteString("# Attribution by creator\n\n")
	fmt.Fprintf(b, "- **Scan:** %s (%s)\n", mdCode(s.ID), mdEscape(orNone(s.Kind)))
	fmt.Fprintf(b, "- **Documents with matches:** %d\n", t.Documents)
	if len(t.Creators) == 0 {
		b.WriteString("\nNo matches.\n")
		return
	}
	b.WriteString("\nShare is the sum of a creator's shares of the documents' matched content: " +
		"how many documents' worth is theirs.\n\n")
	b.WriteString("| Creator | Documents | Matches | Works | Share | Text bytes | Images |\n")
	b.WriteString("|---------|----------:|--------:|------:|------:|-----------:|-------:|\n")
	for _, c := range t.Creators {
		fmt.Fprintf(b, "| %s | %d | %d | %d | %s | %s | %s |\n", mdEscape(short(creatorName(c.Creator), maxTextRunes)),
			c.Documents, c.Matches, c.Works, formatScore(c.Share), amountCell(c.TextBytes), amountCell(c.Images))
	}
}

// TotalsCSVColumns are the columns of `attrib report --by creator --format csv`.
var TotalsCSVColumns = []string{"scan_id", "creator", "documents", "matches", "works", "share", "text_bytes", "images"}

func totalsCSV(b *bytes.Buffer, t Totals) error {
	w := csv.NewWriter(b)
	rows := [][]string{TotalsCSVColumns}
	for _, c := range t.Creators {
		rows = append(rows, []string{cell(t.Scan.ID), cell(c.Creator), strconv.Itoa(c.Documents), strconv.Itoa(c.Matches),
			strconv.Itoa(c.Works), formatScore(c.Share), formatAmount(c.TextBytes), formatAmount(c.Images)})
	}
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("encode csv: %w", err)
	}
	return nil
}

// formatAmount prints a split count with at most 2 decimals.
func formatAmount(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// amountCell is formatAmount for tables read by people: "–" for none.
func amountCell(v float64) string {
	if v == 0 {
		return "–"
	}
	return formatAmount(v)
}
