package dashboard

import (
	"strings"
	"testing"

	"github.com/attrib/attrib/matcher/passagediff"
	"github.com/attrib/attrib/matcher/report"
)

func TestPassageView(t *testing.T) {
	long := strings.Repeat("alpha beta gamma ", 20) // 340 bytes
	text := long + "the keeper climbs the stair" + long
	at := len(long)
	end := at + len("the keeper climbs the stair")
	tests := []struct {
		name          string
		text          string
		p             report.Passage
		before, after string // wanted context (prefix of Before / suffix of After checked by shape)
		left, right   string // passagediff.String of each side
		changed       bool
	}{
		{"context cut at words", text, report.Passage{WorkStart: at, WorkEnd: end, Text: "the keeper climbs the stair"},
			"…", "…", "the keeper climbs the stair", "the keeper climbs the stair", false},
		{"short context kept whole", "Once, the keeper climbs the stair. End", report.Passage{WorkStart: 6, WorkEnd: 33, Text: "the keeper mounts the stair"},
			"Once, ", ". End", "the keeper [-climbs -]the stair", "the keeper {+mounts +}the stair", true},
		{"offsets outside the text", "short", report.Passage{WorkStart: 2, WorkEnd: 99, Text: "found words"},
			"", "", "", "{+found words+}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newPassageView(tt.text, tt.p)
			if got := passagediff.String(v.Registered); got != tt.left {
				t.Errorf("registered %q, want %q", got, tt.left)
			}
			if got := passagediff.String(v.Found); got != tt.right {
				t.Errorf("found %q, want %q", got, tt.right)
			}
			if v.Changed != tt.changed {
				t.Errorf("changed = %v, want %v", v.Changed, tt.changed)
			}
			if tt.before == "…" {
				if !strings.HasPrefix(v.Before, "…alpha") || len(v.Before) > contextBytes+len("…") || !strings.HasSuffix(v.Before, "gamma ") {
					t.Errorf("before = %q: want an ellipsis, whole words, at most %d bytes", v.Before, contextBytes)
				}
				if !strings.HasPrefix(v.After, "alpha") || !strings.HasSuffix(v.After, "a…") || len(v.After) > contextBytes+len("…") {
					t.Errorf("after = %q: want whole words and an ellipsis", v.After)
				}
				return
			}
			if v.Before != tt.before || v.After != tt.after {
				t.Errorf("context %q / %q, want %q / %q", v.Before, v.After, tt.before, tt.after)
			}
		})
	}
}
