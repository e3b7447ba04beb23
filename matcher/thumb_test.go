package matcher

import (
	"bytes"
	"context"
	"image/jpeg"
	"testing"

	"github.com/attrib/attrib/matcher/imagefp"
	"github.com/attrib/attrib/store"
)

// Registering an image stores its preview with the work (what the
// dashboard shows next to a found copy); a text gets none.
func TestRegisterStoresThumb(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	m := newMatcher(t, st)
	tests := []struct {
		name      string
		in        Input
		wantThumb bool
	}{
		{"image", Input{Creator: "P", Title: "g.jpg", Kind: store.KindImage, Data: encode(t, gradient(1200, 800, 3), true)}, true},
		{"text", Input{Creator: "P", Title: "poem.txt", Kind: store.KindText, Data: []byte(poem), Text: poem}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _, err := m.Register(ctx, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if w.Thumb != nil {
				t.Error("Register returned the thumbnail; like Text it is only in the store")
			}
			got, err := st.Work(ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantThumb {
				if len(got.Thumb) != 0 {
					t.Errorf("text work has a %d-byte thumbnail", len(got.Thumb))
				}
				return
			}
			if len(got.Thumb) == 0 || len(got.Thumb) > imagefp.ThumbMaxBytes {
				t.Fatalf("stored thumbnail is %d bytes, want 1..%d", len(got.Thumb), imagefp.ThumbMaxBytes)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(got.Thumb))
			if err != nil {
				t.Fatalf("stored thumbnail is not a JPEG: %v", err)
			}
			if cfg.Width != imagefp.ThumbMaxSide || cfg.Height != 213 {
				t.Errorf("thumbnail is %dx%d, want %dx213", cfg.Width, cfg.Height, imagefp.ThumbMaxSide)
			}
		})
	}
}
