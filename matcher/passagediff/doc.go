// Package passagediff compares a registered passage with the passage found
// on the web word by word, so that a reader sees at a glance what a copy
// changed: the dashboard shows words only in the registered text as
// deleted and words only in the found text as inserted.
package passagediff
