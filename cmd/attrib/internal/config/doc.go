// Package config loads attrib's settings with the precedence the contract
// fixes: command-line flag > ATTRIB_* environment variable > YAML config file
// > built-in default. Flags are applied by the caller (cmd/attrib); this
// package owns the defaults, the file and the environment.
package config
