package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const transparencyPoem = "The lighthouse keeper climbs the winding stair each evening when the tide " +
	"turns grey, and lights the lamp that guides the fishing boats home through the fog and " +
	"the long November dark, and he writes their names in a ledger by the window.\n"

// binCLI runs the built attrib binary: every command is a new process, as
// a user's would be.
type binCLI struct {
	t   *testing.T
	bin string
	db  string
	env []string
}

func (c *binCLI) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"--db", c.db}, args...)...)
	cmd.Env = append(os.Environ(), c.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

func (c *binCLI) ok(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("attrib %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// verifies runs attrib verify and checks its exit status and message.
func (c *binCLI) verifies(want bool, args ...string) {
	c.t.Helper()
	out, errs, code := c.run(append([]string{"verify"}, args...)...)
	switch {
	case want && (code != 0 || !strings.HasPrefix(out, "valid: ")):
		c.t.Errorf("verify %s: exit %d, stdout %q, stderr %q; want valid", strings.Join(args, " "), code, out, errs)
	case !want && (code != 1 || !strings.HasPrefix(errs, "attrib: invalid: ")):
		c.t.Errorf("verify %s: exit %d, stderr %q; want exit 1 with the reason", strings.Join(args, " "), code, errs)
	}
}

// TestTransparencyThroughBinary registers with a receipt, crawls, exports
// heads and verifies everything offline, across process restarts and a
// backup/restore of the SQLite file.
func TestTransparencyThroughBinary(t *testing.T) {
	dir := t.TempDir()
	c := &binCLI{t: t, bin: attribBinary(t), db: filepath.Join(dir, "attrib.db")}
	work := filepath.Join(dir, "keeper.txt")
	writeFile(t, work, []byte(transparencyPoem))
	other := filepath.Join(dir, "other.txt")
	writeFile(t, other, []byte(strings.Replace(transparencyPoem, "grey", "gray", 1)))

	receipt := filepath.Join(dir, "keeper.receipt.json")
	c.ok("register", "--creator", "Ada", "--receipt", receipt, work)
	pub := strings.TrimSpace(c.ok("key", "--public"))
	if info, err := os.Stat(c.db + ".key"); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file next to the store: %v, %v", info, err)
	}
	pubFile := filepath.Join(dir, "attrib.pub")
	writeFile(t, pubFile, []byte(pub+"\n"))
	c.verifies(true, "--key", pub, "--receipt", receipt, "--work", work)
	c.verifies(true, "--key", pubFile, "--receipt", receipt)
	c.verifies(false, "--key", pub, "--receipt", receipt, "--work", other)
	if _, _, code := c.run("verify", "--key", pub, "--receipt", receipt, "--report", receipt); code != 2 {
		t.Errorf("two modes: exit %d, want 2", code)
	}
	if _, _, code := c.run("register", "--creator", "Ada", "--receipt", receipt, work, other); code != 2 {
		t.Errorf("--receipt with two files: exit %d, want 2", code)
	}

	// A crawl's report carries its proof; so does attrib report --format json.
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<html><body><main><p>Copied: %s</p></main></body></html>", transparencyPoem)
	}))
	defer site.Close()
	crawled := filepath.Join(dir, "crawl.json")
	c.ok("crawl", "--rate", "0", "--quiet", "--depth", "0", "-o", crawled, site.URL+"/")
	c.verifies(true, "--key", pub, "--report", crawled)
	rendered := filepath.Join(dir, "report.json")
	c.ok("report", "--format", "json", "-o", rendered)
	c.verifies(true, "--key", pub, "--report", rendered)
	c.verifies(false, "--key", pub, "--report", receipt)

	head1 := filepath.Join(dir, "head1.json")
	c.ok("log", "head", "-o", head1)

	// Backup/restore: a copy of the SQLite file (and the key) is the same log.
	restored := filepath.Join(t.TempDir(), "restored.db")
	copyFile(t, c.db, restored)
	r := &binCLI{t: t, bin: c.bin, db: restored, env: []string{"ATTRIB_TRANSPARENCY_KEY_FILE=" + c.db + ".key"}}
	again := filepath.Join(dir, "again.receipt.json")
	r.ok("register", "--creator", "Ada", "--receipt", again, work)
	r.verifies(true, "--key", pub, "--receipt", again, "--work", work)
	if leafOf(t, again) != leafOf(t, receipt) {
		t.Errorf("re-registration after restore: leaf %s, first receipt leaf %s", leafOf(t, again), leafOf(t, receipt))
	}
	more := filepath.Join(dir, "other.receipt.json")
	r.ok("register", "--creator", "Grace", "--receipt", more, other)
	r.verifies(true, "--key", pub, "--receipt", more, "--work", other)
	head2 := filepath.Join(dir, "head2.json")
	r.ok("log", "head", "--from", head1, "-o", head2)
	r.verifies(true, "--key", pub, "--consistency", head1, head2)
	r.verifies(true, "--key", pub, "--consistency", receipt, r.headFrom(t, receipt))
	r.verifies(false, "--key", pub, "--consistency", head2, head1)
	// The restored store signs with the same key: the original receipt
	// still verifies and the restored log extends the original one.
	r.verifies(true, "--key", pub, "--receipt", receipt, "--work", work)

	// A restore without the key file is refused rather than re-keyed
	// silently once a new head would be needed.
	lost := &binCLI{t: t, bin: c.bin, db: restored, env: []string{"ATTRIB_TRANSPARENCY_KEY_FILE=" + filepath.Join(t.TempDir(), "new.key")}}
	third := filepath.Join(dir, "third.txt")
	writeFile(t, third, []byte(strings.Repeat("A different poem about the sea and its grey morning light. ", 3)))
	if _, errs, code := lost.run("register", "--creator", "Edsger", third); code != 1 || !strings.Contains(errs, "key file replaced") {
		t.Errorf("new key on an old log: exit %d, %q", code, errs)
	}

	// A single-bit change in any byte of a receipt or report fails attrib
	// verify (one bit per byte, rotating, in-process; matcher/transparency
	// tests every bit of each file kind).
	for _, f := range []string{receipt, crawled} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		flipped := filepath.Join(t.TempDir(), "flipped.json")
		mode := map[string]string{receipt: "--receipt", crawled: "--report"}[f]
		for i := range data {
			b := i % 8
			data[i] ^= 1 << b
			if err := os.WriteFile(flipped, data, 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"verify", "--key", pub, mode, flipped}, &out, &errb); code != 1 {
				t.Fatalf("%s with bit %d of byte %d flipped: exit %d, %s", filepath.Base(f), b, i, code, out.String())
			}
			data[i] ^= 1 << b
		}
	}
}

// headFrom exports a head with a consistency proof from the head in file.
func (c *binCLI) headFrom(t *testing.T, file string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "head.json")
	c.ok("log", "head", "--from", file, "-o", out)
	return out
}

func leafOf(t *testing.T, receipt string) string {
	t.Helper()
	data, err := os.ReadFile(receipt)
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(data), `"leaf_index": `)
	n, _, _ := strings.Cut(after, ",")
	return n
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, data)
}

// Restoring an older backup and writing to it forks the log: the instance
// refuses to prove consistency with a head it signed before the restore,
// and two heads of the same size with different roots fail verification.
func TestTransparencyRollbackDetected(t *testing.T) {
	dir := t.TempDir()
	c := &binCLI{t: t, bin: attribBinary(t), db: filepath.Join(dir, "attrib.db")}
	texts := []string{transparencyPoem, strings.ToUpper(transparencyPoem), strings.Repeat("Waves on the shingle, gulls over the pier. ", 4)}
	files := make([]string, len(texts))
	for i, s := range texts {
		files[i] = filepath.Join(dir, fmt.Sprintf("w%d.txt", i))
		writeFile(t, files[i], []byte(s))
	}
	c.ok("register", "--creator", "Ada", files[0])
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyFile(t, c.db, backup)
	c.ok("register", "--creator", "Ada", files[1])
	h2 := filepath.Join(dir, "h2.json")
	c.ok("log", "head", "-o", h2)
	pub := strings.TrimSpace(c.ok("key", "--public"))

	r := &binCLI{t: t, bin: c.bin, db: backup, env: []string{"ATTRIB_TRANSPARENCY_KEY_FILE=" + c.db + ".key"}}
	r.ok("register", "--creator", "Ada", files[2])
	if _, errs, code := r.run("log", "head", "--from", h2); code != 1 || !strings.Contains(errs, "older backup") {
		t.Errorf("log head --from a pre-restore head: exit %d, %q", code, errs)
	}
	forked := filepath.Join(dir, "forked.json")
	r.ok("log", "head", "-o", forked)
	r.verifies(false, "--key", pub, "--consistency", h2, forked)
	_, errs, _ := r.run("verify", "--key", pub, "--consistency", h2, forked)
	if !strings.Contains(errs, "the log was rewritten") {
		t.Errorf("forked heads: %q, want the log was rewritten", errs)
	}
}
