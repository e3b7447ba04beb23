package optout

import (
	"net/http"
	"strings"
)

// aiDirective reports whether the robots directive tok (lower case)
// reserves AI use whoever it addresses. noai and noimageai are the ones in
// use (DeviantArt, ArtStation, honoured by img2dataset); notrain and noml
// are proposed variants.
func aiDirective(tok string) bool {
	switch tok {
	case "noai", "noimageai", "notrain", "noml":
		return true
	}
	return false
}

// indexDirective reports whether tok keeps content out of an index. It is
// a reservation only when addressed to an AI crawler ("GPTBot: noindex"):
// such a crawler indexes only to train, while noindex for all agents is a
// search-engine matter.
func indexDirective(tok string) bool {
	switch tok {
	case "noindex", "none", "noimageindex":
		return true
	}
	return false
}

// ValidAgent reports whether s (lower case) looks like a user-agent product
// token.
func ValidAgent(s string) bool {
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

// RobotsDirectives calls emit for every reserving directive of a robots
// directive list (a <meta> content or an X-Robots-Tag value): the AI
// directives (noai, noimageai, notrain, noml) for any agent, and noindex,
// none and noimageindex when addressed to an AI crawler (IsAIAgent). agent
// is the agent the list starts addressed to ("" for all); an "agent:"
// prefix on an element switches it, as in "GPTBot: noai, noimageai".
func RobotsDirectives(list, agent string, emit func(agent, directive string)) {
	for _, part := range strings.Split(list, ",") {
		p := strings.TrimSpace(part)
		if i := strings.IndexByte(p, ':'); i > 0 {
			head := strings.ToLower(strings.TrimSpace(p[:i]))
			if ValidAgent(head) && !paramDirective(head) {
				agent, p = head, p[i+1:]
			}
		}
		for _, tok := range strings.Fields(p) {
			tok = strings.ToLower(tok)
			if aiDirective(tok) || (indexDirective(tok) && agent != "" && IsAIAgent(agent)) {
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

// AddRobots adds the reserving directives of a robots list as signals of
// kind (see RobotsDirectives).
func (s *Set) AddRobots(kind, list, agent, source string) {
	RobotsDirectives(list, agent, func(agent, dir string) {
		s.Add(Signal{Kind: kind, Value: robotsValue(agent, dir), Source: source})
	})
}

// AddTDM adds a TDMRep declaration: a reservation "1" and, with it, the
// policy URL. An unreserved declaration adds nothing.
func (s *Set) AddTDM(reservation, policy, source string) {
	if strings.TrimSpace(reservation) != "1" {
		return
	}
	s.Add(Signal{Kind: KindTDMRep, Value: "tdm-reservation: 1", Source: source})
	if policy != "" {
		s.Add(Signal{Kind: KindTDMRep, Value: "tdm-policy: " + policy, Source: source})
	}
}

// maxHeaderValue bounds the header text kept as a Signal value.
const maxHeaderValue = 256

// HeaderSignals returns the opt-out signals of an HTTP response's headers,
// source being the URL of the response:
//   - X-Robots-Tag: the directives RobotsDirectives reports, with or
//     without a user-agent prefix;
//   - tdm-reservation: 1, with its tdm-policy (TDMRep);
//   - Content-Usage (IETF AI preferences) that disallows AI training
//     (train-ai=n), value the field as received;
//   - Content-Signal (Cloudflare) with ai-train=no, value the field as
//     received.
func HeaderSignals(h http.Header, source string) []Signal {
	var s Set
	for _, v := range h.Values("X-Robots-Tag") {
		s.AddRobots(KindXRobotsTag, v, "", source)
	}
	s.AddTDM(firstValue(h, "Tdm-Reservation"), strings.TrimSpace(firstValue(h, "Tdm-Policy")), source)
	// Structured fields split over several lines are one list (RFC 9651
	// section 4.2).
	if v := strings.Join(h.Values("Content-Usage"), ", "); v != "" && UsageReservesTraining(v) {
		s.Add(Signal{Kind: KindContentUsage, Value: clip(strings.TrimSpace(v)), Source: source})
	}
	if v := strings.Join(h.Values("Content-Signal"), ", "); v != "" && SignalReservesTraining(v) {
		s.Add(Signal{Kind: KindContentSignal, Value: clip(strings.TrimSpace(v)), Source: source})
	}
	return s.List()
}

// clip bounds a declaration kept as a value.
func clip(s string) string {
	if len(s) <= maxHeaderValue {
		return s
	}
	return strings.ToValidUTF8(s[:maxHeaderValue], "") + "…"
}

// firstValue returns the first value of the header key, or "".
func firstValue(h http.Header, key string) string {
	if v := h.Values(key); len(v) > 0 {
		return v[0]
	}
	return ""
}
