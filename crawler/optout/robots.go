package optout

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
)

// MaxPolicyBytes bounds a policy file: robots.txt, ai.txt or tdmrep.json.
// The rest of a longer file is ignored (RFC 9309 asks crawlers to read at
// least 500 KiB of robots.txt).
const MaxPolicyBytes = 500 << 10

// rule is an Allow or Disallow line.
type rule struct {
	allow bool
	pat   pattern
}

// prefRule is a Content-Usage or Content-Signal line of a group.
type prefRule struct {
	pat  pattern
	pref string // the preference expression
	raw  string // the line's value as written
}

// group is a robots.txt group: the agents it names and its rules.
type group struct {
	agents []string // product tokens, lower case; "*" for every crawler
	rules  []rule
	usage  []prefRule // Content-Usage
	signal []prefRule // Content-Signal
}

// Rules is a parsed robots.txt or ai.txt: groups of rules per user agent,
// with RFC 9309 semantics.
type Rules struct {
	groups  []*group
	byAgent map[string][]*group // the groups naming each agent, in file order
	sets    []agentSet          // agentSets, computed once
}

// ParseRobots parses a robots.txt file (RFC 9309) with the Content-Usage
// rules of draft-ietf-aipref-attach and Cloudflare's Content-Signal lines.
// Lines it does not understand are ignored, as RFC 9309 asks; it never
// fails.
func ParseRobots(body []byte) *Rules { return parseRules(body, false) }

// ParseAITxt parses a Spawning ai.txt file: robots.txt syntax whose
// patterns may also name file types ("*.jpg") or paths without a leading
// '/'.
func ParseAITxt(body []byte) *Rules { return parseRules(body, true) }

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func parseRules(body []byte, anyWhere bool) *Rules {
	if len(body) > MaxPolicyBytes {
		body = body[:MaxPolicyBytes]
	}
	body = bytes.TrimPrefix(body, utf8BOM)
	r := &Rules{}
	var cur *group
	agentLines := false // the last record was a user-agent line
	for len(body) > 0 {
		var line []byte
		if i := bytes.IndexAny(body, "\r\n"); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			line, body = body, nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		k, v, ok := strings.Cut(string(line), ":")
		if !ok {
			continue
		}
		key, val := strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if key == "user-agent" || key == "useragent" {
			if cur == nil || !agentLines {
				cur = &group{}
				r.groups = append(r.groups, cur)
			}
			agentLines = true
			if t := productToken(val); t != "" && !contains(cur.agents, t) {
				cur.agents = append(cur.agents, t)
			}
			continue
		}
		if cur == nil || key == "sitemap" {
			continue // records before any group, and sitemaps, belong to no group
		}
		agentLines = false
		cur.add(key, val, anyWhere)
	}
	r.index()
	return r
}

// index fills byAgent and sets. It is linear in the file: a hostile file
// of many groups costs no more than its size.
func (r *Rules) index() {
	r.byAgent = map[string][]*group{}
	var order []string
	for _, g := range r.groups {
		for _, a := range g.agents {
			if _, ok := r.byAgent[a]; !ok {
				order = append(order, a)
			}
			r.byAgent[a] = append(r.byAgent[a], g)
		}
	}
	pos := make(map[*group]int, len(r.groups))
	for i, g := range r.groups {
		pos[g] = i
	}
	byKey := map[string]int{}
	for _, a := range order {
		gs, _ := r.groupsFor(a)
		var key strings.Builder
		for _, g := range gs {
			key.WriteString(strconv.Itoa(pos[g]))
			key.WriteByte(',')
		}
		if i, ok := byKey[key.String()]; ok {
			r.sets[i].label += ", " + a
			continue
		}
		byKey[key.String()] = len(r.sets)
		set := agentSet{label: a, groups: gs}
		for _, g := range gs {
			set.prefs = set.prefs || len(g.usage)+len(g.signal) > 0
		}
		r.sets = append(r.sets, set)
	}
}

// add adds a group member record.
func (g *group) add(key, val string, anyWhere bool) {
	switch key {
	case "allow", "disallow":
		if val != "" { // an empty rule matches nothing
			g.rules = append(g.rules, rule{allow: key == "allow", pat: newPattern(val, anyWhere)})
		}
	case "content-usage":
		if p, ok := newPrefRule(val); ok {
			g.usage = append(g.usage, p)
		}
	case "content-signal":
		if p, ok := newPrefRule(val); ok {
			g.signal = append(g.signal, p)
		}
	}
}

// newPrefRule reads "[path] preference": a path starts with '/' and ends
// at the first space or tab. Without one the preference holds for every
// path (draft-ietf-aipref-attach requires a path; Content-Signal lines
// usually have none).
func newPrefRule(val string) (prefRule, bool) {
	path, pref := "/", val
	if strings.HasPrefix(val, "/") {
		if i := strings.IndexAny(val, " \t"); i >= 0 {
			path, pref = val[:i], strings.TrimSpace(val[i+1:])
		} else {
			path, pref = val, ""
		}
	}
	if pref == "" {
		return prefRule{}, false
	}
	return prefRule{pat: newPattern(path, false), pref: pref, raw: val}, true
}

// groupsFor returns the groups that apply to agent (a product token):
// every group naming it, merged (RFC 9309 section 2.2.1), or else every
// group naming "*". own tells which.
func (r *Rules) groupsFor(agent string) (gs []*group, own bool) {
	if gs := r.byAgent[agent]; len(gs) > 0 || agent == "*" {
		return gs, agent != "*"
	}
	return r.byAgent["*"], false
}

// decide returns the rule that decides whether path may be crawled under
// groups gs: the longest matching pattern, Allow winning a tie (RFC 9309
// section 2.2.2); nil when no rule matches (allowed).
func decide(gs []*group, path string) *rule {
	var best *rule
	bestLen := -1
	for _, g := range gs {
		for i := range g.rules {
			ru := &g.rules[i]
			if !ru.pat.matches(path) {
				continue
			}
			if l := ru.pat.length(); l > bestLen || (l == bestLen && ru.allow && !best.allow) {
				best, bestLen = ru, l
			}
		}
	}
	return best
}

// disallowing returns the Disallow rule of gs that applies to path, or nil.
func disallowing(gs []*group, path string) *rule {
	if ru := decide(gs, path); ru != nil && !ru.allow {
		return ru
	}
	return nil
}

// maxFileSignals bounds the signals one policy file yields for one URL.
const maxFileSignals = 32

// RobotsSignals returns the reservations robots.txt rules make for the URL
// u; agents are the AI crawlers checked (product tokens, nil for
// DefaultAgents) and source the robots.txt URL:
//   - kind robots, value "<agent>: disallow <pattern>", for each AI agent
//     whose own groups disallow u; and once "*: disallow <pattern>" when
//     some AI agent has no group of its own and the "*" groups disallow u;
//   - kind content-usage, value "<agents>: <rule>", for each set of agents
//     whose groups have a Content-Usage rule for u that disallows AI
//     training, u being crawlable for them (the draft gives disallowed
//     paths no preference); the longest matching path wins, and rules of
//     equal length all count (the most restrictive applies);
//   - kind content-signal likewise, for Content-Signal lines with
//     ai-train=no.
func (r *Rules) RobotsSignals(u *url.URL, agents []string, source string) []Signal {
	path := requestPath(u)
	var s Set
	fallback := false
	for _, a := range normalizeAgents(agents) {
		gs, own := r.groupsFor(a)
		if !own {
			fallback = true
			continue
		}
		if ru := disallowing(gs, path); ru != nil {
			s.Add(Signal{Kind: KindRobots, Value: a + ": disallow " + ru.pat.raw, Source: source})
		}
	}
	if fallback {
		if ru := disallowing(r.starGroups(), path); ru != nil {
			s.Add(Signal{Kind: KindRobots, Value: "*: disallow " + ru.pat.raw, Source: source})
		}
	}
	for _, set := range r.sets {
		if !set.prefs || disallowing(set.groups, path) != nil {
			continue
		}
		for _, p := range longestPrefs(set.groups, path, func(g *group) []prefRule { return g.usage }) {
			if UsageReservesTraining(p.pref) {
				s.Add(Signal{Kind: KindContentUsage, Value: set.label + ": " + p.raw, Source: source})
			}
		}
		for _, p := range longestPrefs(set.groups, path, func(g *group) []prefRule { return g.signal }) {
			if SignalReservesTraining(p.pref) {
				s.Add(Signal{Kind: KindContentSignal, Value: set.label + ": " + p.raw, Source: source})
			}
		}
	}
	return capSignals(s.List())
}

// AITxtSignals returns the reservations of an ai.txt for the URL u, source
// being the ai.txt URL: kind ai.txt, value "<agents>: disallow <pattern>",
// for each set of agents (every agent an ai.txt names is an AI agent, and
// "*" is every other one) whose groups disallow u under robots.txt
// precedence: the longest pattern wins, Allow winning a tie, a file type
// pattern "*.jpg" counting its length as written.
func (r *Rules) AITxtSignals(u *url.URL, source string) []Signal {
	path := requestPath(u)
	var s Set
	for _, set := range r.sets {
		if ru := disallowing(set.groups, path); ru != nil {
			s.Add(Signal{Kind: KindAITxt, Value: set.label + ": disallow " + ru.pat.raw, Source: source})
		}
	}
	return capSignals(s.List())
}

func capSignals(sigs []Signal) []Signal {
	if len(sigs) > maxFileSignals {
		return sigs[:maxFileSignals]
	}
	return sigs
}

func (r *Rules) starGroups() []*group {
	gs, _ := r.groupsFor("*")
	return gs
}

// agentSet is the agents named in a file that follow the same groups
// ("*" included), labelled with those agents in file order.
type agentSet struct {
	label  string // "gptbot" or "ccbot, gptbot": the agents, joined
	groups []*group
	prefs  bool // the groups have Content-Usage or Content-Signal rules
}

// longestPrefs returns the preference rules of gs (as pick chooses them)
// whose path matches path with the greatest length.
func longestPrefs(gs []*group, path string, pick func(*group) []prefRule) []prefRule {
	var out []prefRule
	bestLen := -1
	for _, g := range gs {
		for _, p := range pick(g) {
			if !p.pat.matches(path) {
				continue
			}
			switch l := p.pat.length(); {
			case l > bestLen:
				out, bestLen = append(out[:0], p), l
			case l == bestLen:
				out = append(out, p)
			}
		}
	}
	return out
}
