package jpegscale

import (
	"fmt"
	"testing"

	"github.com/attrib/attrib/matcher/shareddata"
)

// BenchmarkDecode decodes a baseline 4:2:2 photo (Wood, 2560×1920) and a
// progressive 4:4:4 one (Elephants, 1920×1080) with image/jpeg and at
// every scale, in colour and as luminance.
func BenchmarkDecode(b *testing.B) {
	for _, rel := range []string{
		"images/mate-backgrounds/nature/Wood.jpg",
		"images/mate-backgrounds/abstract/Elephants.jpg",
	} {
		data := shareddata.Read(b, rel)
		b.Run(rel[len("images/mate-backgrounds/"):]+"/image-jpeg", func(b *testing.B) {
			for b.Loop() {
				if _, err := stdDecode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, s := range []int{1, 2, 4, 8} {
			for _, gray := range []bool{false, true} {
				name := fmt.Sprintf("%s/1:%d", rel[len("images/mate-backgrounds/"):], s)
				if gray {
					name += "-gray"
				}
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := Decode(data, Options{Scale: s, Gray: gray}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
