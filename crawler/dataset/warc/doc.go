// Package warc reads WARC, WET and WAT files — plain, gzip per record, or
// gzip as a whole — as dataset records, and writes a copy of a file
// without the records an audit flags.
//
// nlnwa/gowarc v3 parses each record's WARC header. It does not frame the
// file: its Unmarshal reads a whole record (spilling large blocks to
// unbounded temporary files) and inflates gzip members with no bound
// before it returns. So this package frames the file itself: it inflates
// one gzip member at a time within Limits.MaxDecompressedBytes, knows
// where each member starts (records' "offset:N" locators, and OpenAt to
// resume there), skips records over Limits.MaxRecordBytes without holding
// them, and after damage goes on at the next gzip member or the next line
// that starts a record. Only records within the bound reach gowarc.
//
// Fuzz the reader with
//
//	go test -run '^$' -fuzz=FuzzWARC -fuzztime=5s ./crawler/dataset/warc
package warc
