// Command benchaudit makes the inputs of scripts/bench-audit.sh and checks
// its results.
//
//	benchaudit gen -format jsonl|warc -o FILE -bytes N -works N -manifest FILE
//	benchaudit check -manifest FILE -report REPORT.json
//
// gen streams a dataset file of about -bytes bytes on disk: a C4-style JSONL
// file ({"text","url"}) or a WARC file gzipped per record whose records are
// HTTP responses of HTML pages. Page text is drawn word by word from the
// vocabulary of ../shared/data/texts with its real frequencies, so it
// tokenises and hits common-word shingles like English, yet quotes no
// registered work. Every -plant-every'th record (at most -plant-max) also
// quotes 100 words of a work scripts/benchload registered; the manifest
// lists those records' locators and the works' titles. check compares an
// audit report with the manifest: planted quotes found, matched records.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchaudit gen|check [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "check":
		err = check(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q (gen, check)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchaudit:", err)
		os.Exit(1)
	}
}

type genOptions struct {
	format, out, manifest, data string
	bytes                       int64
	works, workSize             int
	plantEvery, plantMax        int
	seed                        uint64
}

func gen(args []string) error {
	var o genOptions
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	fs.StringVar(&o.format, "format", "jsonl", "jsonl or warc (gzip per record)")
	fs.StringVar(&o.out, "o", "", "output file")
	fs.StringVar(&o.manifest, "manifest", "", "file listing planted records: locator<TAB>work title")
	fs.StringVar(&o.data, "data", "../shared/data/texts", "folder of .txt files (as given to benchload)")
	fs.Int64Var(&o.bytes, "bytes", 256<<20, "stop once the file has this many bytes")
	fs.IntVar(&o.works, "works", 100000, "works benchload registered (-n)")
	fs.IntVar(&o.workSize, "work-size", 6000, "bytes per work benchload registered (-size)")
	fs.IntVar(&o.plantEvery, "plant-every", 200, "every n-th record quotes a registered work")
	fs.IntVar(&o.plantMax, "plant-max", 0, "plant at most this many quotes (0: no limit)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	_ = fs.Parse(args)
	if o.out == "" || o.manifest == "" || o.works <= 0 || o.plantEvery <= 0 {
		return errors.New("gen: -o, -manifest, -works > 0 and -plant-every > 0 are needed")
	}
	if o.format != "jsonl" && o.format != "warc" {
		return fmt.Errorf("gen: -format %q: want jsonl or warc", o.format)
	}
	words, err := readCorpus(o.data)
	if err != nil {
		return err
	}
	return o.write(words)
}

// write streams the file and the manifest; nothing is held but one record.
func (o genOptions) write(words []string) (err error) {
	f, err := os.Create(o.out)
	if err != nil {
		return err
	}
	defer closeInto(f, &err)
	mf, err := os.Create(o.manifest)
	if err != nil {
		return err
	}
	defer closeInto(mf, &err)
	cw := &countWriter{w: f}
	bw := bufio.NewWriterSize(cw, 1<<20)
	man := bufio.NewWriter(mf)
	rng := rand.New(rand.NewPCG(o.seed, 7))
	var rw recordWriter = &jsonlWriter{enc: json.NewEncoder(bw)}
	if o.format == "warc" {
		rw = &warcWriter{zw: gzip.NewWriter(bw)}
	}
	var records, planted int64
	for cw.n+int64(bw.Buffered()) < o.bytes {
		records++
		loc := rw.locator(cw.n+int64(bw.Buffered()), records)
		p := page{url: fmt.Sprintf("https://site%d.example/post/%d.html", rng.IntN(5000), records)}
		p.paras = filler(rng, words, 300+rng.IntN(1200))
		if records%int64(o.plantEvery) == 0 && (o.plantMax == 0 || planted < int64(o.plantMax)) {
			w := int((planted*7919 + 13) % int64(o.works))
			quote := excerpt(work(words, w, o.workSize), 25, 100)
			at := rng.IntN(len(p.paras) + 1)
			p.paras = append(p.paras[:at], append([]string{quote}, p.paras[at:]...)...)
			fmt.Fprintf(man, "%s\t%d\n", loc, w)
			planted++
		}
		if err := rw.write(bw, p, records); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := man.Flush(); err != nil {
		return err
	}
	fmt.Printf("records=%d planted=%d bytes=%d\n", records, planted, cw.n)
	return nil
}

func closeInto(c io.Closer, err *error) {
	if cerr := c.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

// page is one generated document: paragraphs of text and its URL.
type page struct {
	url   string
	paras []string
}

type recordWriter interface {
	locator(offset, n int64) string // the locator attrib audit gives the record starting here
	write(w io.Writer, p page, n int64) error
}

// jsonlWriter writes C4-style lines.
type jsonlWriter struct{ enc *json.Encoder }

func (*jsonlWriter) locator(_, n int64) string { return fmt.Sprintf("line:%d", n) }

func (j *jsonlWriter) write(_ io.Writer, p page, _ int64) error {
	j.enc.SetEscapeHTML(false)
	return j.enc.Encode(struct {
		Text string `json:"text"`
		URL  string `json:"url"`
	}{strings.Join(p.paras, "\n"), p.url})
}

// warcWriter writes one gzip member per response record, as crawlers do.
type warcWriter struct {
	zw   *gzip.Writer
	html strings.Builder
}

func (*warcWriter) locator(off, _ int64) string { return fmt.Sprintf("offset:%d", off) }

func (ww *warcWriter) write(w io.Writer, p page, n int64) error {
	ww.html.Reset()
	h := &ww.html
	fmt.Fprintf(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Post %d</title>"+
		"<link rel=\"stylesheet\" href=\"/s.css\"></head>\n<body><nav><a href=\"/\">Home</a> <a href=\"/about\">About</a></nav>\n<main><article><h1>Post %d</h1>\n", n, n)
	for _, para := range p.paras {
		h.WriteString("<p>")
		h.WriteString(htmlEscaper.Replace(para))
		h.WriteString("</p>\n")
	}
	h.WriteString("</article></main>\n<footer>&copy; example</footer></body></html>\n")
	body := h.String()
	http := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n", len(body))
	ww.zw.Reset(w)
	fmt.Fprintf(ww.zw, "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-%012d>\r\n"+
		"WARC-Date: 2026-11-27T00:00:00Z\r\nWARC-Target-URI: %s\r\nContent-Type: application/http; msgtype=response\r\n"+
		"Content-Length: %d\r\n\r\n%s%s\r\n\r\n", n, p.url, len(http)+len(body), http, body)
	return ww.zw.Close()
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// filler draws n words from the corpus's word occurrences (so with their
// real frequencies), in paragraphs of 40-120 words.
func filler(rng *rand.Rand, words []string, n int) []string {
	var paras []string
	var b strings.Builder
	for n > 0 {
		k := min(n, 40+rng.IntN(80))
		b.Reset()
		for i := range k {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		paras = append(paras, b.String())
		n -= k
	}
	return paras
}

// excerpt returns n words of text from word from.
func excerpt(text string, from, n int) string {
	ws := strings.Fields(text)
	return strings.Join(ws[min(from, len(ws)):min(from+n, len(ws))], " ")
}

// readCorpus and work are scripts/benchload's: they must cut the same works.
func readCorpus(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no .txt files in %s", dir)
	}
	var words []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		words = append(words, strings.Fields(string(b))...)
	}
	return words, nil
}

func work(words []string, i, size int) string {
	var b strings.Builder
	pos := (i * 7919) % len(words)
	for k := 0; b.Len() < size; k++ {
		if k%50 == 0 {
			fmt.Fprintf(&b, "w%dx%d ", i, k)
		}
		b.WriteString(words[(pos+k)%len(words)])
		b.WriteByte(' ')
	}
	return b.String()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// check reports how many planted quotes the audit found (a match of the
// planted work at the planted record), and how many records matched at
// all; it fails when none of the planted quotes was found.
func check(args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	manifest := fs.String("manifest", "", "gen's manifest")
	reportPath := fs.String("report", "", "the audit's JSON report")
	_ = fs.Parse(args)
	planted, err := readManifest(*manifest)
	if err != nil {
		return err
	}
	f, err := os.Open(*reportPath)
	if err != nil {
		return err
	}
	defer f.Close()
	var rep struct {
		Scan struct {
			Stats struct{ Records, Errors, Skipped int64 } `json:"stats"`
		} `json:"scan"`
		Matches []struct {
			Work  struct{ Title string }  `json:"work"`
			Found struct{ Record string } `json:"found"`
		} `json:"matches"`
	}
	if err := json.NewDecoder(bufio.NewReader(f)).Decode(&rep); err != nil {
		return fmt.Errorf("report %s: %w", *reportPath, err)
	}
	found, matchedRecs, stray := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, m := range rep.Matches {
		matchedRecs[m.Found.Record] = true
		if want, ok := planted[m.Found.Record]; !ok {
			stray[m.Found.Record] = true
		} else if want == m.Work.Title {
			found[m.Found.Record] = true
		}
	}
	st := rep.Scan.Stats
	fmt.Printf("records=%d errors=%d skipped=%d planted=%d found=%d matched_records=%d matches=%d unplanted_matched_records=%d\n",
		st.Records, st.Errors, st.Skipped, len(planted), len(found), len(matchedRecs), len(rep.Matches), len(stray))
	if len(planted) > 0 && len(found) == 0 {
		return errors.New("check: no planted quote was found: is the registry the one benchload built with the same -n, -size and -data?")
	}
	return nil
}

func readManifest(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		loc, title, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return nil, fmt.Errorf("manifest %s: bad line %q", path, sc.Text())
		}
		out[loc] = title
	}
	return out, sc.Err()
}
