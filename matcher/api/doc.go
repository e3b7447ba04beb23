// Package api is the creator service's JSON API under /api/v1: works,
// appearances, scans and their reports, changes since the previous scan,
// schedules and tokens. Every route checks who is asking (matcher/access):
// a creator sees and changes only its own works and their appearances, the
// admin everything. It also owns the service's Prometheus metrics and its
// health check.
package api
