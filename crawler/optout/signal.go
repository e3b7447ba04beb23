package optout

import "strings"

// Signal kinds: where a reservation was found.
const (
	// KindMeta is a robots-style <meta> directive, value as in
	// <meta name="robots" content="noai">.
	KindMeta = "meta"
	// KindXRobotsTag is an X-Robots-Tag HTTP response header directive.
	KindXRobotsTag = "x-robots-tag"
	// KindTDMRep is a W3C TDMRep declaration: a tdm-reservation /
	// tdm-policy header or <meta>, or a rule of /.well-known/tdmrep.json.
	KindTDMRep = "tdmrep"
	// KindRobots is a robots.txt group of an AI crawler that disallows the
	// URL.
	KindRobots = "robots"
	// KindContentUsage is an IETF AI-preferences Content-Usage declaration
	// (robots.txt rule or HTTP header) that disallows AI training.
	KindContentUsage = "content-usage"
	// KindContentSignal is a Cloudflare Content-Signal declaration
	// (robots.txt line or HTTP header) with ai-train=no.
	KindContentSignal = "content-signal"
	// KindAITxt is a Spawning ai.txt group that disallows the URL.
	KindAITxt = "ai.txt"
	// KindIPTC is an IPTC/PLUS plus:DataMining value in an image's XMP
	// that prohibits data mining or AI training.
	KindIPTC = "iptc"
	// KindC2PA is a C2PA or CAWG training-and-data-mining assertion in an
	// image's embedded manifest that does not allow AI training or mining.
	KindC2PA = "c2pa"
)

// Signal is one machine-readable reservation of AI training or text and
// data mining of a piece of content. Every Signal reserves: declarations
// that allow use, or that concern only search engines, are not signals.
//
// Value says precisely what was declared (the package documentation lists
// the form of each kind); Source is the URL of the document that declared
// it: the page or image, its response, or the policy file.
type Signal struct{ Kind, Value, Source string }

// agentKinds are the kinds whose values may start with "agent: ".
func agentKind(kind string) bool {
	switch kind {
	case KindMeta, KindXRobotsTag, KindRobots, KindAITxt, KindContentUsage, KindContentSignal:
		return true
	}
	return false
}

// Agent returns the user agent(s) a directive is addressed to ("gptbot",
// "*", or a comma-separated list for a robots.txt group naming several),
// or "" when it applies to all.
func (s Signal) Agent() string {
	if !agentKind(s.Kind) {
		return ""
	}
	if i := strings.Index(s.Value, ": "); i >= 0 {
		return s.Value[:i]
	}
	return ""
}

// Directive returns Value without its user-agent prefix.
func (s Signal) Directive() string {
	if !agentKind(s.Kind) {
		return s.Value
	}
	if i := strings.Index(s.Value, ": "); i >= 0 {
		return s.Value[i+2:]
	}
	return s.Value
}

// MaxSignals bounds the signals kept for one piece of content, which also
// keeps the linear duplicate check cheap.
const MaxSignals = 64

// Set collects signals without duplicates, in order of discovery, keeping
// at most MaxSignals. The zero Set is empty and ready to use.
type Set struct {
	list []Signal
}

// Add adds each signal not in the set yet, while it has room.
func (s *Set) Add(sigs ...Signal) {
	for _, sig := range sigs {
		if len(s.list) >= MaxSignals {
			return
		}
		if !s.has(sig) {
			s.list = append(s.list, sig)
		}
	}
}

func (s *Set) has(sig Signal) bool {
	for _, have := range s.list {
		if have == sig {
			return true
		}
	}
	return false
}

// List returns the signals added, nil when none.
func (s *Set) List() []Signal { return s.list }

// Len returns the number of signals in the set.
func (s *Set) Len() int { return len(s.list) }

// Merge returns the signals of lists in order, without duplicates and at
// most MaxSignals of them; nil when there are none.
func Merge(lists ...[]Signal) []Signal {
	var s Set
	for _, l := range lists {
		s.Add(l...)
	}
	return s.List()
}
