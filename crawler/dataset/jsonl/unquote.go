package jsonl

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonString decodes raw, a JSON value that json.Unmarshal has already
// validated, when it is a string. It avoids encoding/json's second
// validation pass over the text, which costs as much as the first; the
// rare cases it does not handle itself (invalid UTF-8) go to
// encoding/json so the result is always the same.
func jsonString(raw []byte) (string, bool) {
	raw = bytes.Trim(raw, " \t\r\n") // JSON's whitespace, which may surround a value
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if !utf8.Valid(body) {
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	}
	if bytes.IndexByte(body, '\\') < 0 {
		return string(body), true
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(body) {
			return "", false
		}
		switch body[i] {
		case '"', '\\', '/':
			out = append(out, body[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, ok := unicodeEscape(body[i-1:])
			if !ok {
				return "", false
			}
			out = utf8.AppendRune(out, r)
			i += n - 2
		default:
			return "", false
		}
	}
	return string(out), true
}

// unicodeEscape decodes "\uXXXX", or a surrogate pair of two, at the start
// of b; n is the number of bytes used. Lone surrogates become U+FFFD, as
// encoding/json decodes them.
func unicodeEscape(b []byte) (r rune, n int, ok bool) {
	r1, ok := hex4(b)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r1) {
		return r1, 6, true
	}
	if r2, ok := hex4(b[6:]); ok {
		if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
			return r, 12, true
		}
	}
	return utf8.RuneError, 6, true
}

// hex4 decodes "\uXXXX" at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[2:6]), 16, 32)
	return rune(v), err == nil
}
