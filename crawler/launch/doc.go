// Package launch starts scans in the background for the creator service
// and its schedules: Start stores the scan as queued and returns at once;
// the scan then runs in this process (crawls and audits with the embedded
// store) or is queued for remote workers and matchers (crawls with Redis).
package launch
