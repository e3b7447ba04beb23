// Package dashboard owns the creator service's browser interface: server-
// rendered pages (html/template, embedded, no JavaScript needed) where a
// creator logs in with an API token, uploads works, and sees each work's
// appearances with the evidence side by side, and where the admin starts
// scans. Every handler checks who is asking: a creator sees only its own
// works, appearances and previews (404 otherwise), and every form is a POST
// carrying a per-session CSRF token.
package dashboard
