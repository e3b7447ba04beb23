package jsonl

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Preset names a corpus layout: where its records keep the text and the
// source URL, as dotted paths with alternatives separated by "|" (the
// first present wins).
type Preset struct {
	Name string
	Text string
	URL  string
}

// Presets returns the known corpus layouts, in the order auto-detection
// tries them.
func Presets() []Preset {
	return []Preset{
		// RedPajama v1/v2: meta is an object in some releases and a
		// JSON-encoded string in others; paths descend into both.
		{Name: "redpajama", Text: "text|raw_content", URL: "meta.url"},
		// Dolma: id, text, source, added, created, metadata{url,...}.
		{Name: "dolma", Text: "text", URL: "metadata.url|url"},
		{Name: "c4", Text: "text", URL: "url"},
		{Name: "text", Text: "text", URL: "url"},
		{Name: "content", Text: "content", URL: "url"},
	}
}

// fieldSpec is a preset compiled into paths.
type fieldSpec struct {
	preset string
	text   [][]string
	url    [][]string
}

func compile(preset, text, url string) fieldSpec {
	return fieldSpec{preset: preset, text: parsePaths(text), url: parsePaths(url)}
}

// parsePaths splits "a.b|c" into [[a b] [c]], ignoring empty alternatives.
func parsePaths(s string) [][]string {
	var paths [][]string
	for alt := range strings.SplitSeq(s, "|") {
		if alt = strings.TrimSpace(alt); alt != "" {
			paths = append(paths, strings.Split(alt, "."))
		}
	}
	return paths
}

// resolveSpec builds the field spec from the options; detect is true when
// the preset must be told from the first record.
func resolveSpec(o Options) (spec fieldSpec, detect bool, err error) {
	name := strings.ToLower(strings.TrimSpace(o.Preset))
	if name == "" || name == "auto" {
		if o.TextField == "" {
			return fieldSpec{url: parsePaths(o.URLField)}, true, nil
		}
		return compile("custom", o.TextField, or(o.URLField, "url")), false, nil
	}
	i := slices.IndexFunc(Presets(), func(p Preset) bool { return p.Name == name })
	if i < 0 {
		return fieldSpec{}, false, fmt.Errorf("unknown JSONL preset %q (known: auto, %s)", o.Preset, presetNames())
	}
	p := Presets()[i]
	return compile(p.Name, or(o.TextField, p.Text), or(o.URLField, p.URL)), false, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func presetNames() string {
	var names []string
	for _, p := range Presets() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// detectPreset picks the preset whose text field the record has, trying
// the most specific layouts first; an explicit URL field is kept.
func detectPreset(top map[string]json.RawMessage, urlOverride [][]string) (fieldSpec, error) {
	has := func(k string) bool { _, ok := top[k]; return ok }
	var name string
	switch {
	case has("meta") && (has("text") || has("raw_content")):
		name = "redpajama"
	case has("text") && (has("metadata") || (has("source") && has("id") && has("added"))):
		name = "dolma"
	case has("text") && has("url"):
		name = "c4"
	case has("raw_content"):
		name = "redpajama"
	case has("text"):
		name = "text"
	case has("content"):
		name = "content"
	default:
		return fieldSpec{}, fmt.Errorf("cannot tell the text field: the first record has fields %s; name one with a text field path",
			strings.Join(slices.Sorted(maps.Keys(top)), ", "))
	}
	p := Presets()[slices.IndexFunc(Presets(), func(p Preset) bool { return p.Name == name })]
	spec := compile(p.Name, p.Text, p.URL)
	if len(urlOverride) > 0 {
		spec.url = urlOverride
	}
	return spec, nil
}

// errNoText says a valid record lacks every text path.
var errNoText = errors.New("no text field")

// parseObject parses one JSONL line as a JSON object.
func parseObject(line []byte) (map[string]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(line, &top); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if top == nil {
		return nil, errors.New("invalid JSON: not an object")
	}
	return top, nil
}

// extract returns the record's text and URL by the spec.
func (s fieldSpec) extract(top map[string]json.RawMessage) (text, url string, err error) {
	text, ok := firstString(top, s.text)
	if !ok {
		return "", "", fmt.Errorf("%w (%s)", errNoText, joinPaths(s.text))
	}
	url, _ = firstString(top, s.url)
	return text, url, nil
}

func joinPaths(paths [][]string) string {
	alts := make([]string, len(paths))
	for i, p := range paths {
		alts[i] = strings.Join(p, ".")
	}
	return strings.Join(alts, "|")
}

// firstString returns the first path that leads to a JSON string.
func firstString(top map[string]json.RawMessage, paths [][]string) (string, bool) {
	for _, path := range paths {
		if s, ok := lookupString(top, path); ok {
			return s, true
		}
	}
	return "", false
}

// lookupString follows path through nested objects; an intermediate value
// that is a JSON string holding an object (RedPajama's meta) is decoded too.
func lookupString(obj map[string]json.RawMessage, path []string) (string, bool) {
	for i, key := range path {
		raw, ok := obj[key]
		if !ok {
			return "", false
		}
		if i == len(path)-1 {
			return jsonString(raw)
		}
		if obj = asObject(raw); obj == nil {
			return "", false
		}
	}
	return "", false
}

// asObject decodes raw as an object, or as a string that holds one.
func asObject(raw json.RawMessage) map[string]json.RawMessage {
	var obj map[string]json.RawMessage
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		raw = json.RawMessage(s)
	}
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	return obj
}
