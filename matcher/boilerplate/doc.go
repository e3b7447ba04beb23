// Package boilerplate learns, during one scan, which lines of text repeat
// across the pages of a site (navigation, footers, cookie notices) and masks
// them before matching, so that a site's template is not attributed to a
// registered work on every page and does not compete with real passages.
package boilerplate
