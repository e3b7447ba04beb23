// Package changes tells a creator what changed between two scans: the
// appearances of their works present in a scan and absent in the previous
// comparable one ("new since last scan"), and the ones that disappeared.
//
// An appearance is keyed by (work ID, found URL, dataset, record), the key
// the store upserts matches on: a match whose score or evidence changed is
// neither new nor removed.
//
// The previous comparable scan of a scan S is the latest scan started
// before S that finished, is of the same kind and has the same targets (as
// a set). Scheduled runs of one schedule share kind and targets, so for
// them it is the schedule's previous finished run, unless a scan with the
// same targets was started by hand in between (then that one, which is the
// more recent view). Failed scans are never the comparison: what they did
// not reach would look removed.
package changes
