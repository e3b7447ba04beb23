package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"syscall"
	"time"

	"github.com/attrib/attrib/crawler/fetch"
	"github.com/attrib/attrib/crawler/workfile"
)

// Bounds of fetching a work URL.
const (
	fetchTimeout      = 30 * time.Second
	fetchMaxRedirects = 5
)

// newFetchClient returns the client that fetches work URLs a creator
// submits. Unless AllowPrivateURLs is set, its dialer refuses every address
// that is not public (fetch.Public) — checked on the resolved address of
// each connection, redirects included, so neither a name resolving to
// 127.0.0.1 nor a redirect to the metadata service gets through. No proxy
// is used: a proxy would dial on our behalf, past the guard.
func newFetchClient(opts Options) *http.Client {
	rt := opts.FetchTransport
	if rt == nil {
		rt = newFetchTransport(fetchDialer(opts.AllowPrivateURLs).DialContext)
	}
	return &http.Client{
		Transport: rt,
		Timeout:   fetchTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > fetchMaxRedirects {
				return fmt.Errorf("more than %d redirects", fetchMaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to a %s URL", req.URL.Scheme)
			}
			return nil
		},
	}
}

// fetchDialer returns the dialer of work URLs, guarded unless allowPrivate.
func fetchDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = publicOnly
	}
	return d
}

func newFetchTransport(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	return &http.Transport{
		DialContext:            dial,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  fetchTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           8,
		IdleConnTimeout:        30 * time.Second,
	}
}

// publicOnly is a net.Dialer Control refusing non-public addresses, the
// same rule crawler/fetch applies with Options.PublicOnly.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", fetch.ErrForbiddenAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !fetch.Public(ip) {
		return fmt.Errorf("%w: %s", fetch.ErrForbiddenAddress, host)
	}
	return nil
}

// fetchWork downloads a work URL within limit bytes (what is left of the
// request's upload budget) and checks it like an uploaded file. Its kind
// comes from the URL path's extension, or else from the response's
// content type.
func (a *API) fetchWork(ctx context.Context, raw string, limit int64) (workfile.File, error) {
	if limit <= 0 {
		return workfile.File{}, errStatus(http.StatusRequestEntityTooLarge,
			"url %q: the works of one request may hold at most %d bytes in all", raw, a.opts.MaxUploadBytes)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return workfile.File{}, errStatus(http.StatusBadRequest, "url %q: want an absolute http or https URL", raw)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return workfile.File{}, errStatus(http.StatusBadRequest, "url %q: %v", raw, err)
	}
	req.Header.Set("User-Agent", fetch.DefaultUserAgent())
	resp, err := a.fetch.Do(req)
	if errors.Is(err, fetch.ErrForbiddenAddress) {
		return workfile.File{}, errStatus(http.StatusBadRequest,
			"url %q refused: it leads to an address that is not public (loopback, private, link-local or metadata); the operator can allow such URLs with serve.allow_private_urls", raw)
	}
	if dnsErr, ok := errors.AsType[*net.DNSError](err); ok {
		// Its message names the server's own resolver.
		return workfile.File{}, errStatus(http.StatusBadGateway, "url %q: cannot resolve host %s", raw, dnsErr.Name)
	}
	if err != nil {
		return workfile.File{}, errStatus(http.StatusBadGateway, "url %q: fetch failed: %v", raw, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return workfile.File{}, errStatus(http.StatusBadGateway, "url %q: the server answered %s", raw, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return workfile.File{}, errStatus(http.StatusBadGateway, "url %q: read failed: %v", raw, err)
	}
	if int64(len(data)) > limit {
		if limit < a.opts.MaxUploadBytes {
			return workfile.File{}, errStatus(http.StatusRequestEntityTooLarge,
				"url %q: the works of one request may hold at most %d bytes in all", raw, a.opts.MaxUploadBytes)
		}
		return workfile.File{}, errStatus(http.StatusRequestEntityTooLarge, "url %q: larger than %d bytes", raw, a.opts.MaxUploadBytes)
	}
	f, err := checkFile(workName(resp.Request.URL, resp.Header.Get("Content-Type")), data)
	if err != nil {
		return workfile.File{}, err
	}
	f.Title = f.Path
	f.Path = raw
	return f, nil
}

// workName names a fetched work: the URL path's base name, given the
// extension of the response's content type when it has no known one.
func workName(u *url.URL, contentType string) string {
	base := path.Base(u.Path)
	if base == "/" || base == "." {
		base = u.Hostname()
	}
	if _, ok := workfile.KindOf(base); ok {
		return base
	}
	media, _, _ := mime.ParseMediaType(contentType)
	ext := map[string]string{
		"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt", "text/markdown": ".md",
		"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
	}[media]
	return base + ext
}

// unwrapURLError drops *url.Error's "Get URL:" prefix, which repeats the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
