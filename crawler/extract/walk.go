package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// walk visits the subtree rooted at root in document order without
// recursion, so a hostile nesting depth cannot grow the stack. enter is
// called before a node's children and returns whether to descend; leave is
// called after them, for every node entered (descended or not).
func walk(root *html.Node, enter func(*html.Node) bool, leave func(*html.Node)) {
	if root == nil {
		return
	}
	n := root
	for {
		if enter(n) && n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for {
			leave(n)
			if n == root {
				return
			}
			if n.NextSibling != nil {
				n = n.NextSibling
				break
			}
			n = n.Parent
		}
	}
}

// attr returns the value of the attribute key (lower case) and whether it is
// present.
func attr(n *html.Node, key string) (string, bool) {
	for i := range n.Attr {
		if n.Attr[i].Key == key && n.Attr[i].Namespace == "" {
			return n.Attr[i].Val, true
		}
	}
	return "", false
}

// attrVal returns the value of the attribute key, or "" when absent.
func attrVal(n *html.Node, key string) string {
	v, _ := attr(n, key)
	return v
}

// hasToken reports whether the space-separated list s holds tok, compared
// without regard to ASCII case.
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// isHTML reports whether n is an element in the HTML namespace.
func isHTML(n *html.Node) bool {
	return n.Type == html.ElementNode && n.Namespace == ""
}
