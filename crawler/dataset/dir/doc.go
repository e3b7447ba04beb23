// Package dir reads a plain folder of files as a dataset — every regular
// file, recursively, in sorted order, one record each, located "file:REL"
// — and writes a copy of the folder without the files an audit flags.
// Files are read through an os.Root, so symbolic links are followed only
// when they stay inside the folder.
package dir
