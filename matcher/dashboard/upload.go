package dashboard

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/attrib/attrib/store"
)

// maxFiles bounds the files of one upload.
const maxFiles = 50

// uploadPage is the upload form.
type uploadPage struct {
	CSRF     string
	Admin    bool
	Creators []string // the admin's choices (a new name may be typed)
	Error    string
}

func (uploadPage) PageTitle() string { return "Upload works" }

// uploadedPage reports what an upload registered.
type uploadedPage struct {
	Results []uploadResult
}

func (uploadedPage) PageTitle() string { return "Upload finished" }

type uploadResult struct {
	Filename string
	Work     store.Work
	Created  bool
	Error    string
}

func (h *Handler) uploadForm(w http.ResponseWriter, r *http.Request, s session) {
	h.showUpload(w, r, s, http.StatusOK, "")
}

func (h *Handler) showUpload(w http.ResponseWriter, r *http.Request, s session, status int, msg string) {
	page := uploadPage{CSRF: s.CSRF, Admin: s.Admin, Error: msg}
	if s.Admin {
		cs, err := h.opts.Store.Creators(r.Context())
		if err != nil {
			h.fail(w, r, s, fmt.Errorf("list creators: %w", err))
			return
		}
		for _, c := range cs {
			page.Creators = append(page.Creators, c.Name)
		}
	}
	h.render(w, r, status, "upload", s, page)
}

// upload registers the form's files for the session's creator (the admin
// names one). The body was read within MaxUploadBytes by signedIn.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, s session) {
	creator := s.Creator
	if s.Admin {
		creator = strings.TrimSpace(r.PostForm.Get("creator"))
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["file"]
	}
	title := strings.TrimSpace(r.PostForm.Get("title"))
	switch {
	case creator == "":
		h.showUpload(w, r, s, http.StatusBadRequest, "Name the creator the works belong to.")
		return
	case len(files) == 0:
		h.showUpload(w, r, s, http.StatusBadRequest, "Choose at least one file.")
		return
	case len(files) > maxFiles:
		h.showUpload(w, r, s, http.StatusBadRequest, fmt.Sprintf("Upload at most %d files at a time.", maxFiles))
		return
	case title != "" && len(files) > 1:
		h.showUpload(w, r, s, http.StatusBadRequest, "A title names a single work: upload one file, or leave the title empty.")
		return
	}
	license := strings.TrimSpace(r.PostForm.Get("license"))
	var page uploadedPage
	for _, fh := range files {
		res := uploadResult{Filename: filepath.Base(fh.Filename)}
		data, err := readPart(fh)
		if err == nil {
			res.Work, res.Created, err = h.opts.Registrar.RegisterUpload(r.Context(), Upload{
				Creator: creator, Title: title, License: license, Filename: res.Filename, Data: data,
			})
		}
		switch {
		case err != nil && refused(err):
			// These errors name the file and what is wrong with it
			// (type, size, no text): the creator can act on them.
			res.Error = err.Error()
			h.log.Info("dashboard: upload refused", "file", res.Filename, "err", err)
		case err != nil:
			res.Error = "the server could not store it. Try again; if it keeps failing, tell the operator."
			h.log.Error("dashboard: upload failed", "file", res.Filename, "err", err)
		}
		page.Results = append(page.Results, res)
	}
	h.render(w, r, http.StatusOK, "uploaded", s, page)
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fh.Filename, err)
	}
	defer f.Close()
	return io.ReadAll(f)
}
