package bounded

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

func TestReader(t *testing.T) {
	for _, tt := range []struct {
		in      string
		max     int64
		tooBig  bool
		wantLen int
	}{
		{"hello", 10, false, 5}, {"hello", 5, false, 5}, {"hello!", 5, true, 5}, {"", 0, false, 0},
	} {
		got, err := io.ReadAll(NewReader(io.NopCloser(strings.NewReader(tt.in)), tt.max))
		if errors.Is(err, dataset.ErrTooLarge) != tt.tooBig || len(got) != tt.wantLen {
			t.Errorf("%q bounded at %d: %d bytes, %v", tt.in, tt.max, len(got), err)
		}
	}
}
