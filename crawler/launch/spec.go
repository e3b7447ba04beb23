package launch

import "encoding/json"

// Spec says what scan to start: the body of POST /api/v1/scans, and what a
// schedule runs.
type Spec struct {
	Kind    string   `json:"kind"`    // "crawl" or "audit"
	Targets []string `json:"targets"` // seed URLs (crawl) or dataset paths (audit)
	Options Options  `json:"options"`
}

// Options are a scan's settings; zero values take the configured defaults.
type Options struct {
	Depth    int     `json:"depth,omitempty"`
	MaxPages int     `json:"max_pages,omitempty"`
	Scope    string  `json:"scope,omitempty"` // host, domain, prefix or any
	Rate     float64 `json:"rate,omitempty"`
	// Audit only: the dataset format (auto when empty).
	Format string `json:"format,omitempty"`
}

// decodeOptions is kept for schedules, whose options the store keeps as JSON.
func decodeOptions(b []byte) (Options, error) {
	var o Options
	if len(b) == 0 {
		return o, nil
	}
	err := json.Unmarshal(b, &o)
	return o, err
}
