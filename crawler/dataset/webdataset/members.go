package webdataset

import (
	"archive/tar"
	"encoding/json"
	"path"
	"strings"

	"github.com/attrib/attrib/crawler/dataset"
)

// splitKey splits a member name into its sample key and extension the
// WebDataset way: the key is the folder plus the basename up to its first
// dot ("a/000123.seg.png" → "a/000123", "seg.png").
func splitKey(name string) (key, ext string) {
	dir, base := path.Split(name)
	i := strings.IndexByte(base, '.')
	if i <= 0 {
		return name, ""
	}
	return dir + base[:i], base[i+1:]
}

// memberKind is what a member holds, by its last extension.
type memberKind int

const (
	kindOther memberKind = iota
	kindImage
	kindText
	kindHTML
	kindJSON
)

func kindOf(ext string) memberKind {
	last := strings.ToLower(ext[strings.LastIndexByte(ext, '.')+1:])
	switch last {
	case "jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff":
		return kindImage
	case "txt", "text", "caption", "md":
		return kindText
	case "html", "htm":
		return kindHTML
	case "json":
		return kindJSON
	}
	return kindOther
}

func (k memberKind) recordKind() dataset.Kind {
	switch k {
	case kindImage:
		return dataset.KindImage
	case kindText, kindJSON:
		return dataset.KindText
	case kindHTML:
		return dataset.KindHTML
	}
	return dataset.KindOther
}

// safeName reports whether a member name is a plain relative path: no
// absolute path, no "..", no backslash, no control characters. Names that
// fail would write outside the folder of whoever extracts the shard, or
// forge lines in a report.
func safeName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsRune(name, '\\') {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	for elem := range strings.SplitSeq(name, "/") {
		if elem == ".." {
			return false
		}
	}
	return true
}

// isSparse tells GNU sparse members, whose stored bytes are not their
// content; WebDataset writers never make them.
func isSparse(h *tar.Header) bool {
	if h.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// sampleMeta is what a sample's .json says about it.
type sampleMeta struct {
	caption string
	url     string
}

// parseMeta reads the caption and URL of an img2dataset-style .json.
func parseMeta(body []byte) (sampleMeta, error) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return sampleMeta{}, err
	}
	return sampleMeta{caption: firstString(m, "caption", "text", "TEXT", "txt"), url: firstString(m, "url", "URL")}, nil
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
