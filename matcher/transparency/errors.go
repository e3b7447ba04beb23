package transparency

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every verification failure: the file does not
// prove what it claims (altered, truncated, signed by another key, or about
// other content). The message says which check failed.
var ErrInvalid = errors.New("invalid")

// fail returns a verification failure wrapping ErrInvalid.
func fail(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }
