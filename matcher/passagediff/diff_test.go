package passagediff

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name        string
		a, b        string
		left, right string
	}{
		{"identical", "the keeper climbs the stair", "the keeper climbs the stair",
			"the keeper climbs the stair", "the keeper climbs the stair"},
		{"empty both", "", "", "", ""},
		{"empty found", "a b", "", "[-a b-]", ""},
		{"empty registered", "", "a b", "", "{+a b+}"},
		{"one word replaced", "the keeper climbs the stair", "the keeper mounts the stair",
			"the keeper [-climbs -]the stair", "the keeper {+mounts +}the stair"},
		{"word inserted", "light the lamp tonight", "light the old lamp tonight",
			"light the lamp tonight", "light the {+old +}lamp tonight"},
		{"word dropped at end", "salt on the glass", "salt on the",
			"salt on the [-glass-]", "salt on the"},
		{"rewrapped lines are equal", "salt on\nthe glass", "salt on the   glass",
			"salt on\nthe glass", "salt on the   glass"},
		{"case counts", "The Sea", "the Sea", "[-The -]Sea", "{+the +}Sea"},
		{"punctuation counts", "night, and", "night and", "[-night, -]and", "{+night +}and"},
		{"leading space kept", "  a b", "a b", "  a b", "a b"},
		{"unicode words", "Ærø blåbær søl", "Ærø blåbær sol", "Ærø blåbær [-søl-]", "Ærø blåbær {+sol+}"},
		{"reordered", "a b c d", "c d a b", "[-a b -]c d", "c d {+a b+}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, r := Diff(tt.a, tt.b)
			if got := String(l); got != tt.left {
				t.Errorf("left = %q, want %q", got, tt.left)
			}
			if got := String(r); got != tt.right {
				t.Errorf("right = %q, want %q", got, tt.right)
			}
		})
	}
}

// TestDiffShortest checks on random passages that each side's spans give
// back its text and that the equal words are a longest common subsequence
// (Myers finds a shortest script), against a plain dynamic programme.
func TestDiffShortest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := []string{"a", "b", "c", "d", "e"}
	gen := func() string {
		ws := make([]string, rng.IntN(30))
		for i := range ws {
			ws[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(ws, " ")
	}
	for range 500 {
		a, b := gen(), gen()
		l, r := Diff(a, b)
		if got := concat(l); got != a {
			t.Fatalf("left spans give %q, want %q", got, a)
		}
		if got := concat(r); got != b {
			t.Fatalf("right spans give %q, want %q", got, b)
		}
		if got, want := equalWords(l), lcs(strings.Fields(a), strings.Fields(b)); got != want {
			t.Fatalf("Diff(%q, %q) keeps %d equal words, want %d", a, b, got, want)
		}
	}
}

func TestDiffTooManyEdits(t *testing.T) {
	var a, b []string
	for range MaxEdits + 10 {
		a = append(a, "x")
		b = append(b, "y")
	}
	l, r := Diff("same "+strings.Join(a, " ")+" end", "same "+strings.Join(b, " ")+" end")
	if len(l) != 3 || l[1].Kind != Delete || len(r) != 3 || r[1].Kind != Insert {
		t.Fatalf("want the middle replaced wholesale, got %d and %d spans", len(l), len(r))
	}
}

func concat(spans []Span) string {
	var sb strings.Builder
	for _, s := range spans {
		sb.WriteString(s.Text)
	}
	return sb.String()
}

func equalWords(spans []Span) int {
	n := 0
	for _, s := range spans {
		if s.Kind == Equal {
			n += len(strings.Fields(s.Text))
		}
	}
	return n
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}
