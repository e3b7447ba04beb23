package warc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/nlnwa/gowarc/v3"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/dataset/internal/sniff"
)

// parse turns one record's bytes (header hlen bytes, then the block) into
// a dataset.Record:
//   - response (HTTP): the payload, de-chunked and content-decoded, as
//     HTML, text or an image by its Content-Type and first bytes; the
//     recorded response headers in Header;
//   - resource, and responses that are not HTTP (dns:...): the block, by
//     the record's Content-Type;
//   - conversion (WET): the text in Text;
//   - request, metadata (WAT), warcinfo, revisit, continuation: KindOther,
//     without a Body.
//
// gowarc parses the WARC header (fields, record type); it does not
// validate digests, which would cost a SHA-1 of every block for nothing
// the audit uses. The block is already in raw, within the bound.
//
// A revisit has no payload of its own: a caller that wants it resolves
// WARC-Refers-To-Target-URI and WARC-Refers-To-Date (or the
// WARC-Payload-Digest) to the original response, in this file or another,
// and reads that record with OpenAt.
func (r *Reader) parse(loc string, raw []byte, hlen int, clen int64) (dataset.Record, error) {
	r.rd.Reset(raw)
	r.br.Reset(&r.rd)
	wr, _, _, err := r.un.Unmarshal(r.br)
	if err != nil {
		return dataset.Record{}, fmt.Errorf("parse: %w", err)
	}
	defer wr.Close()
	rec := dataset.Record{Dataset: r.name, Locator: loc, URL: targetURI(wr), Kind: dataset.KindOther}
	block := raw[hlen : int64(hlen)+clen]
	contentType := wr.WarcHeader().Get(gowarc.ContentType)
	switch wr.Type() {
	case gowarc.Response:
		if strings.HasPrefix(sniff.MediaType(contentType), gowarc.ApplicationHttp) {
			err = r.httpResponse(block, &rec)
		} else {
			classify(&rec, contentType, block)
		}
	case gowarc.Resource:
		classify(&rec, contentType, block)
	case gowarc.Conversion:
		if mt := sniff.MediaType(contentType); mt == "" || mt == "text/plain" {
			rec.Kind, rec.Text = dataset.KindText, strings.ToValidUTF8(string(block), "\uFFFD")
		} else {
			classify(&rec, contentType, block)
		}
	}
	return rec, err
}

// targetURI returns WARC-Target-URI without the angle brackets some WARC
// 1.0 writers put around it.
func targetURI(wr gowarc.WarcRecord) string {
	u := strings.TrimSpace(wr.WarcHeader().Get(gowarc.WarcTargetURI))
	return strings.TrimSuffix(strings.TrimPrefix(u, "<"), ">")
}

// classify sets the kind of content declared as contentType, and keeps a
// copy of it as Body when it is auditable.
func classify(rec *dataset.Record, contentType string, body []byte) {
	rec.Kind = sniff.Kind(contentType, body)
	if rec.Kind != dataset.KindOther {
		rec.Body = bytes.Clone(body)
	}
}

// httpResponse splits an HTTP response block into its recorded headers
// and its decoded payload.
func (r *Reader) httpResponse(block []byte, rec *dataset.Record) error {
	end := headerEnd(block, 0)
	if end == 0 {
		end = len(block) // headers only, cut short
	}
	rec.Header = httpHeader(block[:end])
	body, err := decodeBody(block[end:], rec.Header, r.lim.MaxRecordBytes)
	if err != nil {
		return err
	}
	classify(rec, rec.Header.Get("Content-Type"), body)
	return nil
}

// httpHeader parses the response headers as recorded. net/http would
// drop Transfer-Encoding and refuse a whole response over one sloppy field
// (iana.org answered "Content-Length: -1"); textproto keeps every field up
// to a malformed line.
func httpHeader(h []byte) http.Header {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(h)))
	if _, err := tp.ReadLine(); err != nil { // the status line
		return nil
	}
	fields, _ := tp.ReadMIMEHeader()
	return http.Header(fields)
}

// errEncoding is wrapped when a payload's transfer or content coding
// cannot be undone.
var errEncoding = errors.New("payload encoding")

// header values are lists: "gzip, br" was applied gzip first.
func codings(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				out = append(out, c)
			}
		}
	}
	return out
}
