package api

import (
	"errors"
	"net/http"
	"path"
	"strings"

	"github.com/attrib/attrib/crawler/workfile"
	"github.com/attrib/attrib/store"
)

// sniffed lists, per image extension, the content type net/http's sniffer
// must find in the bytes; texts must sniff as some text/* type.
var sniffed = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
}

// checkFile reads an uploaded or fetched file as a work. Its extension must
// name a supported work type and its bytes must sniff as that type: a
// renamed executable or a PNG called poem.txt is refused (415), before any
// decoder sees it.
func checkFile(name string, data []byte) (workfile.File, error) {
	if name == "" {
		return workfile.File{}, errStatus(http.StatusBadRequest, `a "file" part has no file name`)
	}
	kind, ok := workfile.KindOf(name)
	if !ok {
		return workfile.File{}, errStatus(http.StatusUnsupportedMediaType,
			"%s: unsupported file type (want .txt .md .rst .html .htm .jpg .jpeg .png .gif .webp)", name)
	}
	ct := http.DetectContentType(data)
	media, _, _ := strings.Cut(ct, ";")
	want := sniffed[strings.ToLower(path.Ext(name))]
	switch {
	case kind == store.KindImage && media != want:
		return workfile.File{}, errStatus(http.StatusUnsupportedMediaType, "%s: content is %s, not %s", name, media, want)
	case kind == store.KindText && !strings.HasPrefix(media, "text/"):
		return workfile.File{}, errStatus(http.StatusUnsupportedMediaType, "%s: content is %s, not text", name, media)
	}
	f, err := workfile.ReadBytes(name, data, workfile.DefaultLimits())
	switch {
	case errors.Is(err, workfile.ErrTooLarge):
		return workfile.File{}, errStatus(http.StatusRequestEntityTooLarge, "%v", err)
	case errors.Is(err, workfile.ErrBinary):
		return workfile.File{}, errStatus(http.StatusUnsupportedMediaType, "%v", err)
	case err != nil:
		return workfile.File{}, errStatus(http.StatusBadRequest, "%v", err)
	}
	return f, nil
}
