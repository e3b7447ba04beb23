package webdataset

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"

	"github.com/attrib/attrib/crawler/dataset"
	"github.com/attrib/attrib/crawler/dataset/internal/atomicfile"
)

var _ dataset.CleanFunc = Clean

// maxHeaderBytes bounds the header blocks of one member (its PAX records
// and long names included; archive/tar allows 1 MiB for each).
const maxHeaderBytes = 8 << 20

// Clean writes dst as the shard src without the samples that have a
// member drop reports ("member:NAME"), with src's compression, using the
// default limits. See Cleaner.
func Clean(ctx context.Context, src, dst string, drop func(locator string) bool) (dataset.CleanStats, error) {
	return Cleaner(dataset.DefaultLimits())(ctx, src, dst, drop)
}

// Cleaner returns a CleanFunc bounded by limits.
//
// A flagged member takes its whole sample with it: a caption or .json left
// behind would still carry the flagged content's text and source URL, and
// WebDataset loaders that decode ("jpg", "txt") tuples fail on a sample
// missing one of its parts. Kept members are copied as they are stored,
// header blocks and data byte for byte, as is the end-of-archive trailer.
// Members with unsafe names ("..", absolute, control characters) and
// links and devices are left out; directories and global headers are kept.
// Stats count regular members. Sparse members make the clean fail.
func Cleaner(limits dataset.Limits) dataset.CleanFunc {
	limits = withDefaults(limits)
	return func(ctx context.Context, src, dst string, drop func(string) bool) (dataset.CleanStats, error) {
		dropKeys, err := flaggedSamples(ctx, src, drop, limits)
		if err != nil {
			return dataset.CleanStats{}, fmt.Errorf("webdataset: clean %s: %w", src, err)
		}
		stats, err := copyShard(ctx, src, dst, dropKeys, limits)
		if err != nil {
			return stats, fmt.Errorf("webdataset: clean %s: %w", src, err)
		}
		return stats, nil
	}
}

// flaggedSamples is the first pass: the keys of samples with a flagged member.
func flaggedSamples(ctx context.Context, src string, drop func(string) bool, limits dataset.Limits) (map[string]bool, error) {
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	stream, _, err := openStream(f, limits.MaxDecompressedBytes)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	keys := map[string]bool{}
	tr := tar.NewReader(stream)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return keys, nil
		}
		if err != nil {
			return nil, err
		}
		if isSparse(h) {
			return nil, fmt.Errorf("sparse member %q: not supported", h.Name)
		}
		if h.Typeflag == tar.TypeReg && safeName(h.Name) && drop("member:"+h.Name) {
			key, _ := splitKey(h.Name)
			keys[key] = true
		}
	}
}

// copyShard is the second pass: it copies the raw bytes of every kept
// member. archive/tar parses the headers; a router under it sees every
// byte it reads and sends it to the output or drops it.
func copyShard(ctx context.Context, src, dst string, dropKeys map[string]bool, limits dataset.Limits) (dataset.CleanStats, error) {
	f, err := os.Open(src)
	if err != nil {
		return dataset.CleanStats{}, err
	}
	defer f.Close()
	stream, gzipped, err := openStream(f, limits.MaxDecompressedBytes)
	if err != nil {
		return dataset.CleanStats{}, err
	}
	defer stream.Close()
	var stats dataset.CleanStats
	err = atomicfile.Write(dst, func(w io.Writer) error {
		out, closeOut := w, func() error { return nil }
		if gzipped {
			zw := gzip.NewWriter(w)
			out, closeOut = zw, zw.Close
		}
		rt := &router{r: stream, out: out}
		var err error
		stats, err = rt.copyMembers(ctx, dropKeys)
		return errors.Join(err, closeOut())
	})
	return stats, err
}

// router sits under archive/tar: while a header is parsed it records the
// bytes read; after that it passes the member's bytes to the output (kept)
// or nowhere (dropped).
type router struct {
	r      io.Reader
	out    io.Writer
	pos    int64 // bytes read from r
	header bytes.Buffer
	pass   bool  // member bytes: not recorded
	keep   bool  // member bytes go to out
	route  int64 // with pass: bytes left before recording resumes (-1: until told)
	werr   error
}

func (rt *router) Read(p []byte) (int, error) {
	if rt.pass && rt.route == 0 {
		rt.pass = false
	}
	if rt.pass && rt.route > 0 && int64(len(p)) > rt.route {
		p = p[:rt.route]
	}
	n, err := rt.r.Read(p)
	rt.pos += int64(n)
	switch {
	case !rt.pass:
		if rt.header.Len()+n > maxHeaderBytes {
			return 0, fmt.Errorf("member header over %d bytes", maxHeaderBytes)
		}
		rt.header.Write(p[:n])
	default:
		if rt.route > 0 {
			rt.route -= int64(n)
		}
		if rt.keep && rt.werr == nil {
			_, rt.werr = rt.out.Write(p[:n])
		}
	}
	if rt.werr != nil {
		return n, rt.werr
	}
	return n, err
}

func (rt *router) copyMembers(ctx context.Context, dropKeys map[string]bool) (dataset.CleanStats, error) {
	var stats dataset.CleanStats
	tr := tar.NewReader(rt)
	for {
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		rt.header.Reset()
		h, err := tr.Next()
		if err == io.EOF {
			return stats, rt.copyTrailer()
		}
		if err != nil {
			return stats, err
		}
		keep := keepMember(h, dropKeys)
		if h.Typeflag == tar.TypeReg {
			if keep {
				stats.Kept++
			} else {
				stats.Dropped++
			}
		}
		if keep {
			if _, err := rt.out.Write(rt.header.Bytes()); err != nil {
				return stats, err
			}
		}
		// The member's data, then its padding to the next 512-byte block
		// (members start block-aligned in the stream).
		rt.pass, rt.keep, rt.route = true, keep, -1
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return stats, err
		}
		rt.route = -rt.pos & 511
	}
}

// copyTrailer writes the end-of-archive blocks archive/tar consumed and
// whatever follows them (record padding), as stored.
func (rt *router) copyTrailer() error {
	if _, err := rt.out.Write(rt.header.Bytes()); err != nil {
		return err
	}
	_, err := io.Copy(rt.out, rt.r)
	return err
}

// keepMember decides a member's fate in the clean copy.
func keepMember(h *tar.Header, dropKeys map[string]bool) bool {
	if !safeName(h.Name) {
		return false
	}
	switch h.Typeflag {
	case tar.TypeReg:
		key, _ := splitKey(h.Name)
		return !dropKeys[key]
	case tar.TypeDir, tar.TypeXGlobalHeader:
		return true
	}
	return false // links, devices, fifos
}
