// Package access owns who is asking the creator service: API tokens (made
// here, stored hashed, named to people by a public ID that is a prefix of
// the hash), the Principal a request acts for, the middleware
// that resolves a bearer token or the dashboard's session cookie into one,
// and the creator-scoped checks every handler makes before it shows or
// changes anything.
package access
