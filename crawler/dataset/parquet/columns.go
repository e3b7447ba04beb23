package parquet

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Column names tried when the options leave a column unset, in order.
func textColumns() []string    { return []string{"text", "content"} }
func captionColumns() []string { return []string{"TEXT", "caption"} }
func urlColumns() []string     { return []string{"url", "URL", "image_url"} }
func imageColumns() []string   { return []string{"image.bytes", "jpg", "png", "webp", "image"} }

// layout is what the reader takes from each row.
type layout struct {
	text      *column // a document's text (KindText records)
	caption   *column // an image's caption (Text of KindImage records)
	url       *column // the source URL: of the document, or of the image
	image     *column // embedded image bytes
	imageURLs bool    // url is an image to fetch (LAION), not a page
}

// column is one selected leaf column.
type column struct {
	path  string
	index int
}

func (l layout) columns() []*column {
	var cols []*column
	for _, c := range []*column{l.text, l.caption, l.url, l.image} {
		if c != nil {
			cols = append(cols, c)
		}
	}
	return cols
}

// ErrColumns is wrapped when a file lacks the columns asked for; the
// message lists the columns it has.
var ErrColumns = errors.New("missing columns")

// resolveLayout picks the columns of schema by the options and presets.
func resolveLayout(schema *parquet.Schema, o Options) (layout, error) {
	var l layout
	var err error
	pick := func(explicit string, presets []string) *column {
		if err != nil {
			return nil
		}
		var c *column
		c, err = findColumn(schema, explicit, presets)
		return c
	}
	l.text = pick(o.TextColumn, textColumns())
	l.url = pick(o.URLColumn, urlColumns())
	l.image = pick(o.ImageColumn, imageColumns())
	if err != nil {
		return layout{}, err
	}
	if l.text == nil {
		if l.caption = pick("", captionColumns()); err != nil {
			return layout{}, err
		}
	}
	// LAION: an image URL and a caption, no document text, no image bytes.
	l.imageURLs = o.ImageURLs || (l.text == nil && l.image == nil && l.caption != nil && l.url != nil)
	if l.text == nil && l.image == nil && !(l.imageURLs && l.url != nil) {
		return layout{}, fmt.Errorf("%w: no text column (%s), image column (%s) or image URL and caption columns (%s with %s); columns present: %s",
			ErrColumns, strings.Join(textColumns(), ", "), strings.Join(imageColumns(), ", "),
			strings.Join(urlColumns(), "/"), strings.Join(captionColumns(), "/"), listColumns(schema))
	}
	return l, nil
}

// findColumn returns the explicit column ("a.b", alternatives with "|"),
// which must exist, or else the first preset present (nil if none).
func findColumn(schema *parquet.Schema, explicit string, presets []string) (*column, error) {
	names := presets
	if explicit != "" {
		names = strings.Split(explicit, "|")
	}
	for _, name := range names {
		leaf, ok := schema.Lookup(strings.Split(strings.TrimSpace(name), ".")...)
		if !ok {
			continue
		}
		if leaf.MaxRepetitionLevel > 0 {
			return nil, fmt.Errorf("%w: column %s is repeated; a text, URL or image column must hold one value per row", ErrColumns, name)
		}
		if k := leaf.Node.Type().Kind(); k != parquet.ByteArray {
			return nil, fmt.Errorf("%w: column %s holds %v, not strings or bytes", ErrColumns, name, k)
		}
		return &column{path: name, index: leaf.ColumnIndex}, nil
	}
	if explicit != "" {
		return nil, fmt.Errorf("%w: no column %s; columns present: %s", ErrColumns, explicit, listColumns(schema))
	}
	return nil, nil
}

func listColumns(schema *parquet.Schema) string {
	var names []string
	for _, path := range schema.Columns() {
		names = append(names, strings.Join(path, "."))
	}
	return strings.Join(names, ", ")
}
