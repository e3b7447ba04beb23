package fetch

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// callHeader carries a call id from FetchPage/FetchImage through colly to
// callTransport, which strips it before the request leaves.
const callHeader = "X-Attrib-Fetch-Call"

// callTransport gives each request the context of the call that made it.
// colly builds requests from one collector-wide context, so per-call
// cancellation travels as a call id in a header. Requests without one get
// the fetcher's base context.
type callTransport struct {
	base    http.RoundTripper
	baseCtx context.Context
	next    atomic.Uint64
	calls   sync.Map // call id (string) -> context.Context
}

// register makes ctx the context of requests carrying the returned id
// until release is called.
func (t *callTransport) register(ctx context.Context) (id string, release func()) {
	id = strconv.FormatUint(t.next.Add(1), 10)
	t.calls.Store(id, ctx)
	return id, func() { t.calls.Delete(id) }
}

// RoundTrip implements http.RoundTripper. The request leaves with a context
// cancelled when either the call's context or the request's own (colly's,
// with the client's timeout) is done.
func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	callCtx := t.baseCtx
	if id := req.Header.Get(callHeader); id != "" {
		if c, ok := t.calls.Load(id); ok {
			callCtx = c.(context.Context)
		}
	}
	// Derived from the request's context, which carries the client's
	// deadline, so a timeout stays a timeout.
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(callCtx, cancel)
	done := func() { stop(); cancel() }
	out := req.Clone(ctx)
	out.Header.Del(callHeader)
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		done()
		return nil, err
	}
	resp.Body = &callBody{Reader: resp.Body, body: resp.Body, done: done}
	return resp, nil
}

// callBody releases the request's context when the body is closed.
type callBody struct {
	io.Reader
	body io.Closer
	once sync.Once
	done func()
}

// Close implements io.Closer.
func (b *callBody) Close() error {
	err := b.body.Close()
	b.once.Do(b.done)
	return err
}

// newTransport returns the default transport: no proxy from the
// environment (libraries do not read it; pass Options.Transport for one),
// bounded connection pools and header sizes, timeouts on every phase.
func newTransport(timeout time.Duration, publicOnlyAddrs bool) *http.Transport {
	dial := min(timeout, 10*time.Second)
	d := &net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}
	if publicOnlyAddrs {
		d.Control = publicOnly
	}
	return &http.Transport{
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           128,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    dial,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}
