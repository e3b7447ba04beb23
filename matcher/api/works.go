package api

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/attrib/attrib/crawler/workfile"
	"github.com/attrib/attrib/matcher"
	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/store"
)

// WorkJSON is a work as the API and `attrib register --json` show it.
type WorkJSON struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Creator string `json:"creator"`
	Kind    string `json:"kind"`
	SHA256  string `json:"sha256"`
	License string `json:"license,omitempty"`
	Size    int64  `json:"size,omitempty"`
	// Created is false when identical content was registered before.
	Created *bool  `json:"created,omitempty"`
	Source  string `json:"source,omitempty"` // the URL a work was fetched from
}

func workJSON(w store.Work) WorkJSON {
	return WorkJSON{ID: w.ID, Title: w.Title, Creator: w.Creator, Kind: string(w.Kind), SHA256: w.SHA256, License: w.License, Size: w.Size}
}

type worksResponse struct {
	Works []WorkJSON `json:"works"`
}

func (a *API) getWorks(w http.ResponseWriter, r *http.Request, p access.Principal) {
	ws, err := a.Store.Works(r.Context(), store.WorkFilter{Creator: p.Scope()})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := worksResponse{Works: make([]WorkJSON, 0, len(ws))}
	for _, wk := range ws {
		if p.CanSeeWork(wk) {
			out.Works = append(out.Works, workJSON(wk))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getWork(w http.ResponseWriter, r *http.Request, p access.Principal) {
	wk, err := a.visibleWork(r, p, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, workJSON(wk))
}

// visibleWork returns the work id if p may see it. Another creator's work
// is 404, exactly like a missing one, so IDs cannot be probed.
func (a *API) visibleWork(r *http.Request, p access.Principal, id string) (store.Work, error) {
	wk, err := a.Store.Work(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !p.CanSeeWork(wk)) {
		return store.Work{}, errStatus(http.StatusNotFound, "no such work")
	}
	return wk, err
}

// upload is a parsed registration request.
type upload struct {
	creator, title, license string
	files                   []workfile.File
	urls                    []string
}

// postWorks registers the uploaded files and the works at the given URLs
// for the caller (the admin names the creator in a "creator" field).
// Every file is read and checked before anything is registered, so a bad
// file fails the request without registering the others.
func (a *API) postWorks(w http.ResponseWriter, r *http.Request, p access.Principal) {
	r.Body = http.MaxBytesReader(w, r.Body, a.opts.MaxUploadBytes)
	up, err := a.readUpload(r, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Fetched works share the request's byte budget with the uploaded
	// ones, so a list of URLs cannot make the server hold MaxUploadBytes
	// per URL.
	budget := a.opts.MaxUploadBytes
	for _, f := range up.files {
		budget -= int64(len(f.Data))
	}
	for _, u := range up.urls {
		f, err := a.fetchWork(r.Context(), u, budget)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		budget -= int64(len(f.Data))
		up.files = append(up.files, f)
	}
	if len(up.files) == 0 {
		a.fail(w, r, errStatus(http.StatusBadRequest, `no works: send one or more "file" parts or "url" fields`))
		return
	}
	if up.title != "" && len(up.files) != 1 {
		a.fail(w, r, errStatus(http.StatusBadRequest, "title needs exactly one work, got %d", len(up.files)))
		return
	}
	out := worksResponse{Works: make([]WorkJSON, 0, len(up.files))}
	for _, f := range up.files {
		wj, err := a.register(r, up, f)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		out.Works = append(out.Works, wj)
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) register(r *http.Request, up upload, f workfile.File) (WorkJSON, error) {
	title := f.Title
	if up.title != "" {
		title = up.title
	}
	wk, created, err := a.Registrar.Register(r.Context(), matcher.Input{
		Creator: up.creator, Title: title, License: up.license, Kind: f.Kind, Data: f.Data, Text: f.Text,
	})
	switch {
	case errors.Is(err, matcher.ErrNoContent), errors.Is(err, imagefp.ErrDecode):
		return WorkJSON{}, errStatus(http.StatusUnprocessableEntity, "%s: %v", f.Path, err)
	case errors.Is(err, imagefp.ErrTooLarge):
		return WorkJSON{}, errStatus(http.StatusRequestEntityTooLarge, "%s: %v", f.Path, err)
	}
	if err != nil {
		return WorkJSON{}, fmt.Errorf("register %s: %w", f.Path, err)
	}
	a.Logger.Info("work registered", "id", wk.ID, "creator", wk.Creator, "kind", wk.Kind, "created", created, "token", access.HashPrefix(a.tokenHash(r)))
	wj := workJSON(wk)
	wj.Created = &created
	if strings.Contains(f.Path, "://") {
		wj.Source = f.Path
	}
	return wj, nil
}

func (a *API) tokenHash(r *http.Request) string {
	p, _ := access.FromContext(r.Context())
	return p.TokenHash
}

// maxWorksPerRequest bounds the works one registration request holds:
// each costs a fingerprint and a store write, and the body limit alone
// would allow hundreds of thousands of tiny ones.
const maxWorksPerRequest = 100

// readUpload parses the multipart body part by part (no temporary files),
// checking each file as it arrives.
func (a *API) readUpload(r *http.Request, p access.Principal) (upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return upload{}, errStatus(http.StatusUnsupportedMediaType, "want a multipart/form-data body: %v", err)
	}
	var up upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return upload{}, bodyError(err)
		}
		if err := a.readPart(part, &up); err != nil {
			return upload{}, err
		}
		if n := len(up.files) + len(up.urls); n > maxWorksPerRequest {
			return upload{}, errStatus(http.StatusBadRequest, "at most %d works per request (files and urls together)", maxWorksPerRequest)
		}
	}
	return up, a.setCreator(&up, p)
}

func (a *API) readPart(part *multipart.Part, up *upload) error {
	defer part.Close()
	name := part.FormName()
	if name == "file" {
		data, err := io.ReadAll(part)
		if err != nil {
			return bodyError(err)
		}
		f, err := checkFile(part.FileName(), data)
		if err != nil {
			return err
		}
		up.files = append(up.files, f)
		return nil
	}
	// Form fields are short; a long one is a mistake or an attack.
	b, err := io.ReadAll(io.LimitReader(part, 8<<10+1))
	if err != nil {
		return bodyError(err)
	}
	if len(b) > 8<<10 {
		return errStatus(http.StatusBadRequest, "field %q longer than 8 KiB", name)
	}
	v := strings.TrimSpace(string(b))
	switch name {
	case "title":
		up.title = v
	case "license":
		up.license = v
	case "creator":
		up.creator = v
	case "url":
		up.urls = append(up.urls, v)
	default:
		return errStatus(http.StatusBadRequest, "unknown field %q (want file, title, license, url, creator)", name)
	}
	return nil
}

// setCreator decides whose works these are: a creator's own, or the one an
// admin names.
func (a *API) setCreator(up *upload, p access.Principal) error {
	switch {
	case p.Admin && up.creator == "" && p.Creator == "":
		return errStatus(http.StatusBadRequest, `an admin registering works must name the "creator"`)
	case p.Admin && up.creator == "":
		up.creator = p.Creator
	case !p.Admin && up.creator != "" && up.creator != p.Creator:
		return errStatus(http.StatusForbidden, "a creator token registers only its own works")
	case !p.Admin:
		up.creator = p.Creator
	}
	return nil
}

// bodyError turns a body read error into 413 (too large) or 400.
func bodyError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return err
	}
	return errStatus(http.StatusBadRequest, "malformed multipart body: %v", err)
}
