// Package redistest gives tests real Redis servers: a client on the shared
// server (127.0.0.1:6379 or $ATTRIB_TEST_REDIS) scoped to a key prefix of its
// own that is deleted when the test ends, and a throwaway 3-node Redis
// Cluster started on loopback ports.
//
// A test skips when no Redis answers, unless ATTRIB_REQUIRE_REDIS is set
// (CI sets it): then it fails.
package redistest
