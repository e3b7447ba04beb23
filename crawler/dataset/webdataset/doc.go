// Package webdataset reads WebDataset tar shards (plain or gzip), where
// the members that share a key (000123.jpg, 000123.txt, 000123.json) form
// one sample, as bounded records per member, and writes their clean copies
// member for member.
package webdataset
