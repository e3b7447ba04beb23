package api

import (
	"errors"
	"net/http"

	"github.com/attrib/attrib/crawler/workfile"
)

// checkFile reads an uploaded or fetched file as a work. Its extension must
// name a supported work type and its bytes must sniff as that type: a
// renamed executable or a PNG called poem.txt is refused (415), before any
// decoder sees it.
func checkFile(name string, data []byte) (workfile.File, error) {
	if name == "" {
		return workfile.File{}, errStatus(http.StatusBadRequest, `a "file" part has no file name`)
	}
	if err := workfile.CheckContent(name, data); err != nil {
		return workfile.File{}, errStatus(http.StatusUnsupportedMediaType, "%v", err)
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
