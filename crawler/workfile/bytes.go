package workfile

import (
	"fmt"
	"path"

	"github.com/attrib/attrib/store"
)

// ReadBytes is Read for content already in memory (an upload, a fetched
// URL): name gives the kind by its extension and the title by its base
// name; data is checked against lim like a file's bytes.
func ReadBytes(name string, data []byte, lim Limits) (File, error) {
	kind, ok := KindOf(name)
	if !ok {
		return File{}, fmt.Errorf("%s: %w", name, ErrUnsupported)
	}
	max := lim.MaxTextBytes
	if kind == store.KindImage {
		max = lim.MaxImageBytes
	}
	if int64(len(data)) > max {
		return File{}, fmt.Errorf("%s: %w (limit %d bytes)", name, ErrTooLarge, max)
	}
	f := File{Path: name, Kind: kind, Title: path.Base(name), Data: data}
	if kind == store.KindImage {
		return f, nil
	}
	var err error
	f.Text, err = textOf(name, data)
	return f, err
}
