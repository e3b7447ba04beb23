package sniff

import (
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

func TestKind(t *testing.T) {
	tests := []struct {
		name, contentType string
		body              string
		want              dataset.Kind
	}{
		{"html declared", "text/html; charset=utf-8", "<p>x</p>", dataset.KindHTML},
		{"xhtml", "application/xhtml+xml", "<html/>", dataset.KindHTML},
		{"sloppy parameters", "text/html; charset", "<p>x</p>", dataset.KindHTML},
		{"plain text", "text/plain", "words", dataset.KindText},
		{"markdown", "text/markdown", "# Title", dataset.KindText},
		{"undeclared html", "", "<!DOCTYPE html><p>x</p>", dataset.KindHTML},
		{"undeclared text", "", "just words\n", dataset.KindText},
		{"overstruck text", "application/octet-stream", "b\bbo\bol\bld\n", dataset.KindText},
		{"binary", "application/octet-stream", "\x00\x01\x02\x03binary", dataset.KindOther},
		{"png whatever declared", "text/html", "\x89PNG\r\n\x1a\n\x00\x00", dataset.KindImage},
		{"webp", "", "RIFF\x10\x00\x00\x00WEBPVP8 ", dataset.KindImage},
		{"declared jpeg, unknown bytes", "image/jpeg", "not really", dataset.KindImage},
		{"svg", "image/svg+xml", "<svg/>", dataset.KindOther},
		{"sniffed icon", "", "\x00\x00\x01\x00\x01\x00\x10\x10", dataset.KindOther},
		{"css", "text/css", "p{}", dataset.KindOther},
		{"empty", "text/html", "", dataset.KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Kind(tt.contentType, []byte(tt.body)); got != tt.want {
				t.Errorf("Kind(%q, %q) = %s, want %s", tt.contentType, tt.body, got, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"plain", true},
		{"tabs\tand\r\nlines\f", true},
		{"caf\xc3\xa9", true},
		{"cut rune at the end \xc3", true},
		{"bad \xff utf-8 in the middle", false},
		{"nul \x00", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Text([]byte(tt.in)); got != tt.want {
			t.Errorf("Text(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
