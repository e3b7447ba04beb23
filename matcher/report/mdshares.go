package report

import (
	"bytes"
	"fmt"
	"strings"
)

// mdMaxDocuments bounds the documents the Markdown shares table lists.
const mdMaxDocuments = 200

// mdShares writes the shares table: one row per document and creator.
func mdShares(b *bytes.Buffer, ds []Document) {
	if len(ds) == 0 {
		return
	}
	b.WriteString("\n## Shares by document\n\n")
	b.WriteString("A document's matched content is its matched text (one unit, divided by aligned bytes; " +
		"bytes where works of several creators overlap are split equally) and each matched image (one unit each). " +
		"A share is a creator's part of those units.\n\n")
	b.WriteString("| Document | Creator | Share | Works | Text bytes | Images |\n")
	b.WriteString("|----------|---------|------:|-------|-----------:|-------:|\n")
	for i, d := range ds {
		if i == mdMaxDocuments {
			fmt.Fprintf(b, "\n… and %d more documents (see the JSON report).\n", len(ds)-mdMaxDocuments)
			return
		}
		where := mdDocument(d)
		for _, s := range d.Shares {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", where, mdEscape(short(creatorName(s.Creator), maxTextRunes)),
				percent(s.Share), mdEscape(workShares(s.Works)), amountCell(s.TextBytes), amountCell(s.Images))
			where = "″" // same document as the row above
		}
	}
}

// mdDocument names a document, with its estimated matched share of text.
func mdDocument(d Document) string {
	s := mdFound(Found{URL: d.URL, Dataset: d.Dataset, Record: d.Record})
	if d.TextCoverage != nil {
		s += fmt.Sprintf(" (%s of its text matched)", percent(*d.TextCoverage))
	}
	return s
}

// workShares lists a creator's works in a document with their shares.
func workShares(ws []WorkShare) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = short(workLabel(Work{ID: w.ID, Title: w.Title}), maxTextRunes) + " (" + percent(w.Share) + ")"
	}
	return strings.Join(parts, "; ")
}

// documentLine is a document's shares on one line for the text summary:
// "where: Ada 50.0%, Bob 30.0%, Cara 20.0%".
func documentLine(d Document) string {
	parts := make([]string, len(d.Shares))
	for i, s := range d.Shares {
		parts[i] = short(creatorName(s.Creator), maxTextRunes) + " " + percent(s.Share)
	}
	line := foundLabel(Found{URL: d.URL, Dataset: d.Dataset, Record: d.Record}) + ": " + strings.Join(parts, ", ")
	if d.TextCoverage != nil {
		line += fmt.Sprintf(" (%s of text matched)", percent(*d.TextCoverage))
	}
	return line
}
