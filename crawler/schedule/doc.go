// Package schedule runs recurring scans: cron expressions from the store
// (created through the API) and from the config file, each run one scan
// started through the launcher. A run that would overlap the schedule's
// previous one does not start, neither in this process nor, through a
// store lease, in another server sharing the store.
package schedule
