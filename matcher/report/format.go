package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Format is a report rendering format, as named by the --format flag.
type Format string

// Formats the --format flag accepts.
const (
	FormatJSON     Format = "json"
	FormatMarkdown Format = "md"
	FormatCSV      Format = "csv"
	FormatHTML     Format = "html"
)

var (
	// ErrUnknownFormat: the format name is not one of Formats().
	ErrUnknownFormat = errors.New("unknown report format")
	// ErrUnsupportedFormat: the format is valid but this build cannot render
	// it yet. Permanent.
	ErrUnsupportedFormat = errors.New("not yet supported")
)

// Formats lists every valid format name, in the order the contract lists them.
func Formats() []Format {
	return []Format{FormatJSON, FormatMarkdown, FormatCSV, FormatHTML}
}

// SupportedFormats lists the formats Render can produce.
func SupportedFormats() []Format {
	return []Format{FormatJSON, FormatMarkdown, FormatCSV, FormatHTML}
}

// String returns the format's flag name.
func (f Format) String() string { return string(f) }

// ParseFormat parses a format name, case-insensitively; "markdown" is
// accepted for md. A valid but not yet supported format parses without
// error: Render reports ErrUnsupportedFormat. Other names return an error
// wrapping ErrUnknownFormat.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "markdown" {
		name = string(FormatMarkdown)
	}
	for _, f := range Formats() {
		if name == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q (valid: %s)", ErrUnknownFormat, s, joinFormats(Formats()))
}

// Supported returns nil if this build renders f, and an error wrapping
// ErrUnsupportedFormat (or ErrUnknownFormat) otherwise. Callers check it
// before doing the work a report needs.
func Supported(f Format) error {
	for _, s := range SupportedFormats() {
		if s == f {
			return nil
		}
	}
	for _, k := range Formats() {
		if k == f {
			return fmt.Errorf("format %q is %w (supported: %s)", string(f), ErrUnsupportedFormat, joinFormats(SupportedFormats()))
		}
	}
	return fmt.Errorf("%w %q (valid: %s)", ErrUnknownFormat, string(f), joinFormats(Formats()))
}

// Render writes r to w in format f. The report is rendered completely
// before anything is written, so a rendering error writes nothing.
func Render(w io.Writer, r Report, f Format) error {
	var buf bytes.Buffer
	switch f {
	case FormatJSON:
		if err := renderJSON(&buf, r); err != nil {
			return err
		}
	case FormatMarkdown:
		renderMarkdown(&buf, r)
	case FormatCSV:
		if err := renderCSV(&buf, r); err != nil {
			return err
		}
	case FormatHTML:
		if err := renderHTML(&buf, r); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w %q (valid: %s)", ErrUnknownFormat, string(f), joinFormats(Formats()))
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// renderJSON writes r indented by two spaces with a trailing newline. Nil
// slices are written as [] so that the output's shape does not depend on how
// the report was made.
func renderJSON(buf *bytes.Buffer, r Report) error {
	if r.Matches == nil {
		r.Matches = []Match{}
	}
	if r.Scan.Targets == nil {
		r.Scan.Targets = []string{}
	}
	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	return nil
}

func joinFormats(fs []Format) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// ContentType is the MIME type of a report rendered in f, for HTTP
// responses, or "" for an unknown format.
func ContentType(f Format) string {
	switch f {
	case FormatJSON:
		return "application/json"
	case FormatMarkdown:
		return "text/markdown; charset=utf-8"
	case FormatCSV:
		return "text/csv; charset=utf-8; header=present"
	case FormatHTML:
		return "text/html; charset=utf-8"
	}
	return ""
}
