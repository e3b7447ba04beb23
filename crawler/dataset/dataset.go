// Package dataset reads the scraped corpora curators audit — WARC/WET/WAT,
// JSONL, Parquet, WebDataset tar shards and plain folders — as a stream of
// bounded records, and writes a dataset back in its own format minus the
// records an audit flags (--clean-out). Each format lives in a subpackage;
// this package holds what they share.
package dataset

import (
	"context"
	"errors"
	"net/http"
)

// Kind says what a record's content is.
type Kind string

// Record kinds.
const (
	KindHTML  Kind = "html"  // Body is an HTML document to extract like a crawled page
	KindText  Kind = "text"  // Text (or Body as UTF-8) is plain text
	KindImage Kind = "image" // Body is an encoded image
	KindOther Kind = "other" // not auditable (a WARC request record, a binary file...)
)

// Record is one document of a dataset.
type Record struct {
	Dataset string // the file it came from, as given by the user
	// Locator says where a user can seek to the record, in the report's
	// found.record: "offset:12345" (WARC byte offset of the record),
	// "line:17" (JSONL, 1-based), "row:42" (Parquet, 0-based),
	// "member:000123.jpg" (tar), "file:sub/a.txt" (folder).
	Locator string
	URL     string      // source URL when the dataset records one
	Kind    Kind        // what Body/Text hold
	Body    []byte      // content, within the reader's byte bound
	Text    string      // pre-extracted text (WET records, JSONL text fields)
	Header  http.Header // recorded HTTP response headers (WARC), for opt-out signals
	// Group is the sample key for formats that group several members into
	// one sample (WebDataset: "000123" for 000123.jpg and 000123.txt).
	Group string
}

// ErrRecord is wrapped by errors about one record that the reader skipped:
// the caller counts it and calls Next again. Any other error from Next is
// fatal for the file. With ErrRecord, the Record returned beside it names
// the skipped record (Dataset and Locator), so the caller can report it.
var ErrRecord = errors.New("unreadable record")

// ErrTooLarge is wrapped when a record or the decompressed stream passes a
// bound; whether the reader can go on is told by also wrapping ErrRecord.
var ErrTooLarge = errors.New("over the size bound")

// Reader streams a dataset's records with bounded memory.
type Reader interface {
	// Next returns the next record, or io.EOF after the last one.
	Next(ctx context.Context) (Record, error)
	Close() error
}

// Limits bound what a reader holds at once.
type Limits struct {
	MaxRecordBytes       int64 // one record's content (default 10 MiB; larger ones are skipped with ErrTooLarge+ErrRecord)
	MaxDecompressedBytes int64 // one file's whole decompressed stream (default 64 GiB: a bomb stops here)
}

// DefaultLimits returns the bounds readers use for zero fields.
func DefaultLimits() Limits {
	return Limits{MaxRecordBytes: 10 << 20, MaxDecompressedBytes: 64 << 30}
}

// CleanStats counts what a clean copy kept and dropped.
type CleanStats struct {
	Kept, Dropped int64
	// Unreadable counts stretches of the input that were no record (a
	// damaged gzip member, garbage between records) and were left out of
	// the copy, for formats that cannot copy them as they are (WARC).
	Unreadable int64
}

// CleanFunc writes dst as a copy of the dataset file src without the
// records whose locator drop reports. Kept records are byte-identical to
// the input where the format allows it (WARC records, JSONL lines, tar
// members, files) and row-identical for Parquet.
type CleanFunc func(ctx context.Context, src, dst string, drop func(locator string) bool) (CleanStats, error)
