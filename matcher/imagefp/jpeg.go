package imagefp

import (
	"image"

	"github.com/attrib/attrib/matcher/imagefp/internal/jpegscale"
)

// minJPEGSide is the shortest side a JPEG is decoded at: the largest of the
// reductions 1/2, 1/4 and 1/8 (jpegscale, in the DCT domain) that keeps the
// shorter side at least this long is taken. PDQ reads at most 512×512
// samples of the whole image, but the window hashes read parts as small as
// half of it, which must keep their detail too. Measured on the shared
// JPEGs (TestJPEGScaleAgreement) against a full decode: at 768 PDQ and its
// windows move by at most 4 bits (as much as decoding luminance at full
// size moves them) and pHash by 2; at 512 windows move by up to 18 bits and
// the robustness harness loses a picture placed in an image twice its size
// (a 512 px brick texture, whose half-size copy PDQ does not match); at 256
// PDQ moves by up to 24 bits and the harness loses that texture under most
// edits. 2560×1920 and 2560×1600 photos decode at 1/2 with 512 and 768 alike.
const minJPEGSide = 768

// jpegScale returns the reduction a w×h JPEG is decoded at.
func jpegScale(w, h int) int {
	for _, s := range []int{8, 4, 2} {
		if sw, sh := jpegscale.ScaledSize(w, h, s); min(sw, sh) >= minJPEGSide {
			return s
		}
	}
	return 1
}

// decodeJPEG decodes a JPEG's luminance at the reduction its header size
// allows (cfg). Only luminance is decoded: every hash reads luminance
// alone.
func decodeJPEG(data []byte, cfg image.Config) (image.Image, error) {
	return jpegscale.Decode(data, jpegscale.Options{Scale: jpegScale(cfg.Width, cfg.Height), Gray: true})
}
