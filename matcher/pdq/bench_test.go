package pdq

import (
	"image"
	"path/filepath"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
	"github.com/corona10/goimagehash"
)

// benchImages are decoded photos: 512×512 (hashed without resampling) and
// 2560×1920 (sampled to 512×512 first).
func benchImages(b *testing.B) []struct {
	name string
	img  image.Image
} {
	b.Helper()
	return []struct {
		name string
		img  image.Image
	}{
		{"512x512", decodeFile(b, filepath.Join(shareddata.Path(b, "pdq/bridge-mods"), "square-512x512.jpg"))},
		{"2560x1920", decodeFile(b, shareddata.Path(b, "images/mate-backgrounds/nature/Wood.jpg"))},
	}
}

func BenchmarkHashImage(b *testing.B) {
	for _, bi := range benchImages(b) {
		b.Run(bi.name, func(b *testing.B) {
			for b.Loop() {
				HashImage(bi.img)
			}
		})
	}
}

func BenchmarkHasherReused(b *testing.B) {
	for _, bi := range benchImages(b) {
		b.Run(bi.name, func(b *testing.B) {
			var h Hasher
			for b.Loop() {
				h.Hash(bi.img)
			}
		})
	}
}

func BenchmarkDihedral(b *testing.B) {
	for _, bi := range benchImages(b) {
		b.Run(bi.name, func(b *testing.B) {
			var h Hasher
			for b.Loop() {
				h.Dihedral(bi.img)
			}
		})
		b.Run(bi.name+"/exact", func(b *testing.B) {
			var h Hasher
			for b.Loop() {
				h.DihedralExact(bi.img)
			}
		})
	}
}

// BenchmarkGoimagehashPerceptionHash is the baseline: goimagehash's 64-bit
// pHash on the same decoded images.
func BenchmarkGoimagehashPerceptionHash(b *testing.B) {
	for _, bi := range benchImages(b) {
		b.Run(bi.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := goimagehash.PerceptionHash(bi.img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
