// Package demo is the self-contained tour behind `attrib demo`: a small
// blog served on loopback that quotes, edits and re-posts a few sample works,
// and the works themselves. The texts were written for attrib and the
// images are drawn here, so the demo needs no network and no files.
package demo
