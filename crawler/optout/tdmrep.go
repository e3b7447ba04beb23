package optout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// maxTDMRules bounds the rules of a tdmrep.json.
const maxTDMRules = 10_000

// TDMRep is a parsed /.well-known/tdmrep.json (W3C TDMRep community group
// final report, section 3.1): rules in order, each a location pattern with
// its TDM reservation and policy.
type TDMRep struct {
	rules []tdmRule
}

type tdmRule struct {
	loc         pattern
	reservation int    // 1 reserved, 0 not, -1 invalid (no declaration)
	policy      string // tdm-policy, absolute http(s) URL, or ""
}

// ParseTDMRep parses a tdmrep.json: a JSON array of objects with
// "location", "tdm-reservation" (0 or 1, as a number or a string) and an
// optional "tdm-policy". base resolves a relative tdm-policy (the file's
// URL; nil keeps only absolute ones). Objects without a location are
// skipped; a file that is not such an array is an error.
func ParseTDMRep(body []byte, base *url.URL) (*TDMRep, error) {
	if len(body) > MaxPolicyBytes {
		return nil, fmt.Errorf("tdmrep.json: longer than %d bytes", MaxPolicyBytes)
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimPrefix(body, utf8BOM), &raw); err != nil {
		return nil, fmt.Errorf("tdmrep.json: %w", err)
	}
	if len(raw) > maxTDMRules {
		return nil, errors.New("tdmrep.json: too many rules")
	}
	t := &TDMRep{}
	for _, obj := range raw {
		var loc string
		if json.Unmarshal(obj["location"], &loc) != nil || strings.TrimSpace(loc) == "" {
			continue
		}
		t.rules = append(t.rules, tdmRule{
			loc:         newPattern(strings.TrimSpace(loc), false),
			reservation: tdmReservation(obj["tdm-reservation"]),
			policy:      tdmPolicy(obj["tdm-policy"], base),
		})
	}
	return t, nil
}

// tdmReservation reads a tdm-reservation value: 0 or 1, as a JSON number
// or string; anything else is -1.
func tdmReservation(v json.RawMessage) int {
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(bytes.TrimSpace(v))
	}
	switch strings.TrimSpace(s) {
	case "1":
		return 1
	case "0":
		return 0
	}
	return -1
}

func tdmPolicy(v json.RawMessage, base *url.URL) string {
	var s string
	if json.Unmarshal(v, &s) != nil || strings.TrimSpace(s) == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return clip(u.String())
}

// Signals returns the reservation of the URL u, source being the
// tdmrep.json URL. The first rule whose location matches u decides (the
// final report: rules are ordered, the first match applies), location
// patterns matching like robots.txt paths, case-sensitively. A reservation
// is one signal of kind tdmrep, value
// "location <pattern>: tdm-reservation 1[, tdm-policy <URL>]"; a matching
// rule with tdm-reservation 0 (or none) gives none and ends the search.
func (t *TDMRep) Signals(u *url.URL, source string) []Signal {
	path := requestPath(u)
	for _, r := range t.rules {
		if !r.loc.matches(path) {
			continue
		}
		if r.reservation != 1 {
			return nil
		}
		v := "location " + r.loc.raw + ": tdm-reservation 1"
		if r.policy != "" {
			v += ", tdm-policy " + r.policy
		}
		return []Signal{{Kind: KindTDMRep, Value: v, Source: source}}
	}
	return nil
}
