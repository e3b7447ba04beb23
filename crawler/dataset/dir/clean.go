package dir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/attrib/attrib/crawler/dataset"
)

var _ dataset.CleanFunc = Clean

// keptMode is the part of a mode a copy keeps.
const keptMode = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// Clean writes the folder dst (which must not exist) as a copy of the
// folder src without the files whose locator drop reports: every other
// file byte-identical at the same relative path with the same mode bits,
// folders (empty ones too) with theirs. A symbolic link inside the folder
// is copied as the file it leads to; links out of it and unreadable files
// are left out and counted as Unreadable; special files are left out.
// Files too large to audit are kept. dst appears only when complete.
func Clean(ctx context.Context, src, dst string, drop func(locator string) bool) (dataset.CleanStats, error) {
	st, err := clean(ctx, src, dst, drop)
	if err != nil {
		return st, fmt.Errorf("dir clean %s: %w", src, err)
	}
	return st, nil
}

func clean(ctx context.Context, src, dst string, drop func(string) bool) (st dataset.CleanStats, err error) {
	if _, err := os.Lstat(dst); err == nil {
		return st, fmt.Errorf("%s already exists", dst)
	}
	root, err := os.OpenRoot(src)
	if err != nil {
		return st, err
	}
	defer root.Close()
	w, err := newWalker(root, "")
	if err != nil {
		return st, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp*")
	if err != nil {
		return st, err
	}
	defer func() {
		if err != nil {
			removeTemp(tmp)
		}
	}()
	c := copier{root: root, out: tmp}
	if st, err = c.run(ctx, w, drop); err != nil {
		return st, err
	}
	if err := c.setMode(".", tmp); err != nil {
		return st, err
	}
	return st, os.Rename(tmp, dst)
}

// copier copies a folder's kept files into out.
type copier struct {
	root *os.Root
	out  string
}

func (c copier) run(ctx context.Context, w *walker, drop func(string) bool) (dataset.CleanStats, error) {
	var st dataset.CleanStats
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		s, ok, err := w.next()
		if err != nil {
			return st, err // a folder we cannot list: the copy would silently lack it
		}
		if !ok {
			return st, nil
		}
		dst := filepath.Join(c.out, filepath.FromSlash(s.rel))
		switch {
		case s.entry == nil: // leaving the folder: now it may become read-only
			err = c.setMode(s.rel, dst)
		case s.entry.IsDir():
			err = os.Mkdir(dst, 0o700)
		case drop(Locator(s.rel)):
			st.Dropped++
		default:
			var copied bool
			copied, err = c.copyFile(s.rel, dst)
			if errors.Is(err, ErrOutside) || errors.Is(err, fs.ErrPermission) {
				st.Unreadable++
				err = nil
			} else if copied {
				st.Kept++
			}
		}
		if err != nil {
			return st, err
		}
	}
}

// copyFile copies one file as it is, with its mode bits; copied is false
// for special files.
func (c copier) copyFile(rel, dst string) (copied bool, err error) {
	info, err := regular(c.root, rel)
	if err != nil || info == nil {
		return false, err
	}
	in, err := c.root.Open(rel)
	if err != nil {
		return false, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return false, err
	}
	if err := out.Chmod(info.Mode() & keptMode); err != nil {
		out.Close()
		return false, err
	}
	return true, out.Close()
}

// setMode gives the copy of folder rel the source folder's mode bits.
func (c copier) setMode(rel, dst string) error {
	info, err := c.root.Stat(rel)
	if err != nil {
		return err
	}
	return os.Chmod(dst, info.Mode()&keptMode)
}

// removeTemp removes a partial copy, making its folders writable first.
func removeTemp(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	os.RemoveAll(dir)
}
