// Package fetch downloads pages and images for the crawler with bounded
// reads, robots.txt obeyed, and typed errors. It is the only package that
// imports colly: one Collector is configured explicitly (never from COLLY_*
// environment variables), its callbacks are registered once, and each call
// routes its results through its own colly.Context.
package fetch
