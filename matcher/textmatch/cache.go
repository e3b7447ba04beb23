package textmatch

import (
	"container/list"
	"sync"

	"github.com/attrib/attrib/matcher/textfp"
)

// tokenCache is an LRU cache of work tokenisations bounded by total tokens.
type tokenCache struct {
	mu   sync.Mutex // guards size, ll and m
	max  int
	size int
	ll   *list.List // front = most recently used; values are *cacheEntry
	m    map[string]*list.Element
}

type cacheEntry struct {
	id   string
	toks []textfp.Token
}

func newTokenCache(maxTokens int) *tokenCache {
	return &tokenCache{max: maxTokens, ll: list.New(), m: make(map[string]*list.Element)}
}

func (c *tokenCache) get(id string) ([]textfp.Token, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[id]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*cacheEntry).toks, true
}

// put caches toks unless they alone exceed the bound, evicting the least
// recently used entries to make room.
func (c *tokenCache) put(id string, toks []textfp.Token) {
	n := max(len(toks), 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > c.max {
		return
	}
	if el, ok := c.m[id]; ok {
		c.ll.MoveToFront(el)
		return
	}
	for c.size+n > c.max {
		old := c.ll.Back()
		ent := old.Value.(*cacheEntry)
		c.ll.Remove(old)
		delete(c.m, ent.id)
		c.size -= max(len(ent.toks), 1)
	}
	c.m[id] = c.ll.PushFront(&cacheEntry{id: id, toks: toks})
	c.size += n
}

// len returns the number of cached works.
func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
