package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: benchcolly serve DIR | crawl URL [parallelism]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2])
	case "crawl":
		par := 8
		if len(os.Args) > 3 {
			par, _ = strconv.Atoi(os.Args[3])
		}
		err = crawl(os.Args[2], par)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcolly:", err)
		os.Exit(1)
	}
}

// serve prints the base URL on stdout and serves dir until interrupted.
func serve(dir string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", ln.Addr())
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func crawl(seed string, parallelism int) error {
	u, err := url.Parse(seed)
	if err != nil {
		return err
	}
	c := colly.NewCollector(colly.Async(true), colly.AllowedDomains(u.Hostname()), colly.MaxDepth(0))
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: parallelism}); err != nil {
		return err
	}
	// Keep a connection per parallel request, as attrib's fetcher does; the
	// default transport keeps 2 per host and would handicap the baseline.
	c.WithTransport(&http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: parallelism, IdleConnTimeout: 90 * time.Second})
	var pages, bytes atomic.Int64
	c.OnResponse(func(r *colly.Response) {
		pages.Add(1)
		bytes.Add(int64(len(r.Body)))
	})
	c.OnHTML("a[href]", func(e *colly.HTMLElement) {
		abs, err := url.Parse(e.Request.AbsoluteURL(e.Attr("href")))
		if err != nil || abs.Host != u.Host {
			return
		}
		abs.Fragment = ""
		_ = e.Request.Visit(abs.String())
	})
	start := time.Now()
	if err := c.Visit(seed); err != nil {
		return err
	}
	c.Wait()
	el := time.Since(start)
	fmt.Printf("colly: %d pages, %d bytes in %.2fs = %.1f pages/s\n", pages.Load(), bytes.Load(), el.Seconds(), float64(pages.Load())/el.Seconds())
	return nil
}
