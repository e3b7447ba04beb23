package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the user config folder at a temporary one, so that keys
// attrib creates there by default (the transparency key with --redis) stay
// out of the real home folder. Child processes inherit it.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "attrib-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
