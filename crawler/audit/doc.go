// Package audit runs a dataset audit as a stored scan (kind "audit"): it
// streams every record of every dataset file through the same attribution
// as crawled pages, stores the matches at exact record locators with the
// record's opt-out signals, reports progress, checkpoints so an interrupted
// audit resumes where it stopped, and writes a cleaned copy of each file
// without the flagged records plus a manifest of what was removed and why.
package audit
