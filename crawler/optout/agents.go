package optout

import "strings"

// defaultAgents are the product tokens of crawlers that collect training
// data for AI models, or that control such use (Google-Extended,
// Applebot-Extended are tokens, not crawlers).
var defaultAgents = [...]string{
	"GPTBot", "CCBot", "Google-Extended", "ClaudeBot", "anthropic-ai", "Claude-Web",
	"Applebot-Extended", "Meta-ExternalAgent", "Bytespider", "PerplexityBot",
	"Amazonbot", "cohere-ai", "Diffbot", "Omgilibot",
}

// DefaultAgents returns the AI crawlers whose robots.txt groups are checked
// unless Options.Agents names others.
func DefaultAgents() []string { return append([]string(nil), defaultAgents[:]...) }

// otherAIAgents are further tokens that only name AI collection, so that a
// search directive (noindex) addressed to them reserves AI use.
var otherAIAgents = [...]string{"chatgpt-user", "omgili", "img2dataset", "facebookbot", "meta-externalfetcher", "ai2bot"}

// IsAIAgent reports whether name (any case) is the product token of a
// known AI crawler: one of DefaultAgents or another token that names only
// AI data collection (img2dataset, ChatGPT-User, ...).
func IsAIAgent(name string) bool {
	name = strings.ToLower(name)
	for _, a := range defaultAgents {
		if strings.ToLower(a) == name {
			return true
		}
	}
	for _, a := range otherAIAgents {
		if a == name {
			return true
		}
	}
	return false
}

// productToken returns the product token that a robots.txt user-agent value
// names, lower-cased: its leading letters, digits, '-' and '_' (RFC 9309
// section 2.2.1 allows letters, '-' and '_'; digits are accepted too, as in
// "AI2Bot"). "GPTBot/1.0" names "gptbot"; "*" is kept.
func productToken(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "*") {
		return "*"
	}
	end := 0
	for end < len(v) {
		c := v[end]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			break
		}
		end++
	}
	return strings.ToLower(v[:end])
}

// normalizeAgents returns the product tokens of agents, without
// duplicates, in order; DefaultAgents when agents is empty.
func normalizeAgents(agents []string) []string {
	if len(agents) == 0 {
		agents = defaultAgents[:]
	}
	var out []string
	for _, a := range agents {
		t := productToken(a)
		if t == "" || t == "*" || contains(out, t) {
			continue
		}
		out = append(out, t)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
