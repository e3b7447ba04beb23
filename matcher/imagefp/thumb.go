package imagefp

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"

	"golang.org/x/image/draw"

	"github.com/attrib/attrib/matcher/imagefp/internal/jpegscale"
)

// Bounds of the preview ComputeWorkThumb makes (store.Work.Thumb).
const (
	ThumbMaxSide  = 320      // pixels on the longer side
	ThumbMaxBytes = 64 << 10 // encoded JPEG bytes
)

// thumbQualities are tried in order until the JPEG fits ThumbMaxBytes; a
// 320 px photo is about 20 KiB at 80, so the later steps are for noise.
var thumbQualities = [...]int{80, 65, 50, 35}

// ComputeWorkThumb is ComputeWork that also returns a small JPEG preview
// of the image as people see it (EXIF orientation applied, transparency on
// white), at most ThumbMaxSide pixels on its longer side and ThumbMaxBytes
// long. Non-JPEG images are previewed from the pixels decoded for hashing;
// JPEGs are hashed from their luminance alone, so their preview is decoded
// again in colour, at the DCT-domain reduction that still covers
// ThumbMaxSide (a fraction of the cost of the first decode).
func ComputeWorkThumb(data []byte, lim Limits) (Hashes, []byte, error) {
	var thumb []byte
	h, err := computeThumb(data, lim, true, &thumb)
	return h, thumb, err
}

// makeThumb builds the preview from img (decoded for hashing and already
// oriented), or, for a JPEG, from a reduced colour decode of data.
func makeThumb(data []byte, img image.Image, cfg image.Config, format string, o int) ([]byte, error) {
	if format == "jpeg" {
		var err error
		err = guard("jpeg thumbnail", func() error {
			img, err = jpegscale.Decode(data, jpegscale.Options{Scale: thumbScale(cfg.Width, cfg.Height)})
			return err
		})
		if err != nil {
			return nil, wrapDecode(format, err)
		}
		if o > 1 {
			img = orient(img, o)
		}
	}
	return encodeThumb(img)
}

// thumbScale returns the largest JPEG reduction whose longer side still
// covers ThumbMaxSide.
func thumbScale(w, h int) int {
	for _, s := range []int{8, 4, 2} {
		if sw, sh := jpegscale.ScaledSize(w, h, s); max(sw, sh) >= ThumbMaxSide {
			return s
		}
	}
	return 1
}

// encodeThumb scales img to fit ThumbMaxSide on white and encodes it as a
// JPEG of at most ThumbMaxBytes, lowering the quality and then the size
// until it fits.
func encodeThumb(img image.Image) ([]byte, error) {
	b := img.Bounds()
	side := ThumbMaxSide
	for side >= 16 {
		w, h := fit(b.Dx(), b.Dy(), side)
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		// BiLinear (unlike ApproxBiLinear) widens its kernel when shrinking,
		// so a large photo does not alias into noise.
		draw.BiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
		for _, q := range thumbQualities {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: q}); err != nil {
				return nil, fmt.Errorf("encode thumbnail: %w", err)
			}
			if buf.Len() <= ThumbMaxBytes {
				return buf.Bytes(), nil
			}
		}
		side = side * 3 / 4
	}
	return nil, fmt.Errorf("thumbnail does not fit in %d bytes", ThumbMaxBytes)
}

// fit returns w×h scaled down (never up) to at most side on the longer side.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}
