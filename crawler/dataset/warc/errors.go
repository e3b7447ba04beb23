package warc

import (
	"fmt"

	"github.com/attrib/attrib/crawler/dataset"
)

// RecordError is an error about one record (or one unreadable stretch of
// the file) that the reader skipped; it wraps dataset.ErrRecord, so the
// caller counts it and calls Next again. Locator says where it lies.
type RecordError struct {
	Locator string
	Err     error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %s: %v", e.Locator, e.Err) }

// Unwrap exposes dataset.ErrRecord and the cause (dataset.ErrTooLarge for
// a record over the bound).
func (e *RecordError) Unwrap() []error { return []error{dataset.ErrRecord, e.Err} }
