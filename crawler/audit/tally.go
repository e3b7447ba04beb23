package audit

import (
	"net/url"
	"strings"

	"github.com/attrib/attrib/store"
)

// Result is a finished (or interrupted) audit: the stored scan and the
// curator's tallies.
type Result struct {
	Scan     store.Scan
	Matched  int64            // records attributed to at least one work
	Reserved int64            // records whose source reserved AI use
	ByDomain map[string]Tally // by the records' source domain ("" when none)
}

// Tally counts records of one source domain.
type Tally struct {
	Records, Matched, Reserved int64
}

// maxDomains bounds the per-domain tallies; later domains count under "(other)".
const maxDomains = 10_000

func (a *run) result(sc store.Scan) Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	res := Result{Scan: sc, Matched: a.n.matchedRecs.Load(), Reserved: a.n.reserved.Load(), ByDomain: make(map[string]Tally, len(a.domains))}
	for d, t := range a.domains {
		res.ByDomain[d] = *t
	}
	return res
}

// tally counts a record under its source domain.
func (a *run) tally(rawURL string, matched, reserved bool) {
	domain := ""
	if u, err := url.Parse(rawURL); err == nil {
		domain = strings.ToLower(u.Hostname())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.domains[domain]
	if !ok {
		if len(a.domains) >= maxDomains {
			domain = "(other)"
		}
		if t, ok = a.domains[domain]; !ok {
			t = &Tally{}
			a.domains[domain] = t
		}
	}
	t.Records++
	if matched {
		t.Matched++
	}
	if reserved {
		t.Reserved++
	}
}
