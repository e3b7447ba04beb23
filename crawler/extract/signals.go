package extract

import (
	"net/http"
	"strings"
)

// Signal kinds.
const (
	// KindMeta is a robots-style <meta> directive, value as in
	// <meta name="robots" content="noai">.
	KindMeta = "meta"
	// KindXRobotsTag is an X-Robots-Tag HTTP response header directive.
	KindXRobotsTag = "x-robots-tag"
	// KindTDMRep is a W3C TDM Reservation Protocol declaration, from a
	// tdm-reservation / tdm-policy header or <meta>.
	KindTDMRep = "tdmrep"
)

// Signal is one machine-readable reservation of AI or text-and-data-mining
// use found on a page or in its response headers. Every Signal reserves
// something: directives that allow use (tdm-reservation: 0) or concern only
// search engines (noindex) are not reported.
//
// Value is the directive in lower case ("noai", "noimageai"), prefixed with
// the user agent it is addressed to when there is one ("gptbot: noai", from
// <meta name="GPTBot"> or "X-Robots-Tag: GPTBot: noai"). TDMRep values are
// "tdm-reservation: 1" and "tdm-policy: <absolute URL>". Source is the page
// URL (or the URL whose response carried the header).
type Signal struct{ Kind, Value, Source string }

// Agent returns the user agent a directive is addressed to, or "" when it
// applies to all.
func (s Signal) Agent() string {
	if s.Kind == KindTDMRep {
		return ""
	}
	if i := strings.Index(s.Value, ": "); i >= 0 {
		return s.Value[:i]
	}
	return ""
}

// Directive returns Value without its user-agent prefix.
func (s Signal) Directive() string {
	if s.Kind == KindTDMRep {
		return s.Value
	}
	if i := strings.Index(s.Value, ": "); i >= 0 {
		return s.Value[i+2:]
	}
	return s.Value
}

// aiDirective reports whether the robots directive tok (lower case) reserves
// AI use. noai and noimageai are the ones in use (DeviantArt, ArtStation,
// honoured by img2dataset); notrain and noml are proposed variants.
func aiDirective(tok string) bool {
	switch tok {
	case "noai", "noimageai", "notrain", "noml":
		return true
	}
	return false
}

// knownAgent reports whether a <meta name> that does not contain "bot"
// still addresses a crawler.
func knownAgent(name string) bool {
	switch name {
	case "chatgpt-user", "google-extended", "anthropic-ai", "claude-web",
		"cohere-ai", "bytespider", "img2dataset", "omgili",
		"meta-externalagent", "applebot-extended":
		return true
	}
	return false
}

// robotsMetaAgent reports whether a <meta name> (lower case) carries robots
// directives, and the agent they address ("" for name="robots").
func robotsMetaAgent(name string) (string, bool) {
	switch {
	case name == "robots":
		return "", true
	case validAgent(name) && (strings.Contains(name, "bot") || knownAgent(name)):
		return name, true
	}
	return "", false
}

// validAgent reports whether s looks like a user-agent product token.
func validAgent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// paramDirective reports whether name is a robots directive that takes a
// value after a colon, so "name: value" is not a user-agent prefix.
func paramDirective(name string) bool {
	switch name {
	case "max-snippet", "max-image-preview", "max-video-preview", "unavailable_after":
		return true
	}
	return false
}

// robotsDirectives calls emit for every AI directive in a robots directive
// list (a <meta> content or an X-Robots-Tag value). agent is the agent the
// list starts addressed to; an "agent:" prefix on an element switches it, as
// in "GPTBot: noai, noimageai".
func robotsDirectives(list, agent string, emit func(agent, directive string)) {
	for _, part := range strings.Split(list, ",") {
		p := strings.TrimSpace(part)
		if i := strings.IndexByte(p, ':'); i > 0 {
			head := strings.ToLower(strings.TrimSpace(p[:i]))
			if validAgent(head) && !paramDirective(head) {
				agent, p = head, p[i+1:]
			}
		}
		for _, tok := range strings.Fields(p) {
			if tok = strings.ToLower(tok); aiDirective(tok) {
				emit(agent, tok)
			}
		}
	}
}

// robotsValue formats a directive for Signal.Value.
func robotsValue(agent, directive string) string {
	if agent == "" {
		return directive
	}
	return agent + ": " + directive
}

// maxSignals bounds the signals kept per page or response, which also keeps
// the linear duplicate check cheap.
const maxSignals = 64

// signalSet collects signals without duplicates, in order of discovery.
type signalSet struct {
	list []Signal
}

func (s *signalSet) add(sig Signal) {
	if len(s.list) >= maxSignals {
		return
	}
	for _, have := range s.list {
		if have == sig {
			return
		}
	}
	s.list = append(s.list, sig)
}

// robots adds the AI directives of a robots list as signals of kind.
func (s *signalSet) robots(kind, list, agent, source string) {
	robotsDirectives(list, agent, func(agent, dir string) {
		s.add(Signal{Kind: kind, Value: robotsValue(agent, dir), Source: source})
	})
}

// tdm adds a TDMRep declaration: a reservation "1" and, with it, the policy
// URL. An unreserved declaration adds nothing.
func (s *signalSet) tdm(reservation, policy, source string) {
	if strings.TrimSpace(reservation) != "1" {
		return
	}
	s.add(Signal{Kind: KindTDMRep, Value: "tdm-reservation: 1", Source: source})
	if policy != "" {
		s.add(Signal{Kind: KindTDMRep, Value: "tdm-policy: " + policy, Source: source})
	}
}

// HeaderSignals returns the opt-out signals of an HTTP response's headers:
// AI directives of every X-Robots-Tag field (with or without a user-agent
// prefix) and a TDMRep "tdm-reservation: 1" with its tdm-policy. source is
// the URL of the response.
func HeaderSignals(h http.Header, source string) []Signal {
	var s signalSet
	for _, v := range h.Values("X-Robots-Tag") {
		s.robots(KindXRobotsTag, v, "", source)
	}
	s.tdm(firstValue(h, "Tdm-Reservation"), strings.TrimSpace(firstValue(h, "Tdm-Policy")), source)
	return s.list
}

// firstValue returns the first value of the header key, or "".
func firstValue(h http.Header, key string) string {
	if v := h.Values(key); len(v) > 0 {
		return v[0]
	}
	return ""
}
