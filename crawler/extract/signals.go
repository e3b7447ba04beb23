package extract

import (
	"net/http"
	"strings"

	"github.com/attrib/attrib/crawler/optout"
)

// Signal kinds of the signals extract reports (optout defines them all).
const (
	// KindMeta is a robots-style <meta> directive, value as in
	// <meta name="robots" content="noai">.
	KindMeta = optout.KindMeta
	// KindXRobotsTag is an X-Robots-Tag HTTP response header directive.
	KindXRobotsTag = optout.KindXRobotsTag
	// KindTDMRep is a W3C TDM Reservation Protocol declaration, from a
	// tdm-reservation / tdm-policy header or <meta>.
	KindTDMRep = optout.KindTDMRep
)

// Signal is one machine-readable reservation of AI or text-and-data-mining
// use (optout.Signal, which documents every kind and value).
//
// The signals extract reports come from <meta> elements: robots
// directives addressed to all agents or to one ("gptbot: noai", from
// <meta name="GPTBot">), and TDMRep "tdm-reservation: 1" with its
// "tdm-policy: <absolute URL>". Source is the page URL.
type Signal = optout.Signal

// robotsMetaAgent reports whether a <meta name> (lower case) carries robots
// directives, and the agent they address ("" for name="robots").
func robotsMetaAgent(name string) (string, bool) {
	switch {
	case name == "robots":
		return "", true
	case optout.ValidAgent(name) && (strings.Contains(name, "bot") || optout.IsAIAgent(name)):
		return name, true
	}
	return "", false
}

// signalSet collects a page's signals (optout.Set: no duplicates, at most
// optout.MaxSignals).
type signalSet struct {
	optout.Set
}

// robots adds the reserving directives of a robots list as signals of kind.
func (s *signalSet) robots(kind, list, agent, source string) {
	s.AddRobots(kind, list, agent, source)
}

// tdm adds a TDMRep declaration: a reservation "1" and, with it, the policy
// URL. An unreserved declaration adds nothing.
func (s *signalSet) tdm(reservation, policy, source string) {
	s.AddTDM(reservation, policy, source)
}

// HeaderSignals returns the opt-out signals of an HTTP response's headers
// (optout.HeaderSignals): AI directives of every X-Robots-Tag field, a
// TDMRep "tdm-reservation: 1" with its tdm-policy, and Content-Usage /
// Content-Signal fields that reserve AI training. source is the URL of the
// response.
func HeaderSignals(h http.Header, source string) []Signal {
	return optout.HeaderSignals(h, source)
}
