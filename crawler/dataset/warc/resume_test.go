package warc

import (
	"strings"
	"testing"

	"github.com/attrib/attrib/crawler/dataset"
)

// An audit interrupted after some records continues with OpenAt at the
// next record's locator and reads exactly the rest.
func TestResume(t *testing.T) {
	for _, file := range []string{"iana.warc.gz", "gowarc-bad/good.warc.gz.open"} {
		t.Run(file, func(t *testing.T) {
			path := warcPath(t, file)
			all := readFile(t, path, dataset.Limits{})
			for _, stop := range []int{1, len(all) / 2, len(all) - 1} {
				r, err := OpenAt(path, dataset.Limits{}, all[stop].rec.Locator)
				if err != nil {
					t.Fatal(err)
				}
				rest := readAll(t, r)
				r.Close()
				if len(rest) != len(all)-stop {
					t.Fatalf("resumed at #%d: %d records, want %d", stop, len(rest), len(all)-stop)
				}
				for i, got := range rest {
					if want := all[stop+i].rec; got.err != nil || got.rec.Locator != want.Locator || !same(got.rec, want) {
						t.Fatalf("resumed at #%d, record %d: %s %v, want %s", stop, i, got.rec.Locator, got.err, want.Locator)
					}
				}
			}
		})
	}
}

// Resuming on a corrupted file still reports the damage after the resume
// point, at the same locator.
func TestResumeBeforeDamage(t *testing.T) {
	data, offs, _ := ianaMembers(t)
	path := writeTemp(t, "d.warc.gz", flip(data, offs[200]+30, offs[200]+60))
	r, err := OpenAt(path, dataset.Limits{}, formatLocator(offs[150], 0))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := locators(readAll(t, r))
	if len(got) != len(offs)-150 || got[50] != "error@"+formatLocator(offs[200], 0) {
		t.Errorf("got %d results, #50 = %s", len(got), got[50])
	}
}

func TestOpenAtBadLocator(t *testing.T) {
	gz := warcPath(t, "iana.warc.gz")
	plain := writeTemp(t, "p.warc", gunzip(t, readBytes(t, gz)))
	tests := []struct{ name, path, loc, want string }{
		{"not an offset", gz, "line:3", "want offset:N"},
		{"negative", gz, "offset:-4", "want offset:N"},
		{"not a member start", gz, "offset:335", "does not point at a record"},
		{"past the end", gz, "offset:99999999", "does not point at a record"},
		{"inside a plain record", plain, "offset:12", "does not point at a record"},
		{"inner offset in a plain file", plain, "offset:0+12", "does not point at a record"},
		{"inner offset not at a record", gz, "offset:0+12", "does not point at a record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenAt(tt.path, dataset.Limits{}, tt.loc)
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}
