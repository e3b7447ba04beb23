package optout

import "strings"

// trainingLabels are the Content-Usage categories whose "n" reserves AI
// training: train-ai (draft-ietf-aipref-vocab), train-genai (its earlier
// revisions), and the first revision's tdm (all automated processing,
// training included), ai and genai.
var trainingLabels = [...]string{"train-ai", "train-genai", "tdm", "ai", "genai"}

// UsageReservesTraining reports whether a Content-Usage preference
// expression (an RFC 9651 Dictionary, draft-ietf-aipref-vocab section 6)
// disallows AI training: one of the training categories has the Token n.
// Keys are case sensitive, the last of a repeated key wins, parameters are
// ignored, and an expression that does not parse states nothing.
func UsageReservesTraining(expr string) bool {
	d, ok := parseDictionary(expr)
	if !ok {
		return false
	}
	for _, k := range trainingLabels {
		if d[k] == "n" {
			return true
		}
	}
	return false
}

// SignalReservesTraining reports whether a Content-Signal declaration
// ("search=yes, ai-train=no", contentsignals.org) says ai-train=no. The
// format is read leniently, as Cloudflare's examples vary in spacing and
// case: comma-separated key=value pairs, case-insensitive.
func SignalReservesTraining(expr string) bool {
	for _, part := range strings.Split(expr, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(k), "ai-train") && strings.EqualFold(strings.TrimSpace(v), "no") {
			return true
		}
	}
	return false
}

// maxDictionaryMembers bounds a parsed Dictionary.
const maxDictionaryMembers = 256

// parseDictionary parses an RFC 9651 Dictionary (section 4.2.2) and returns
// each key's value when it is a Token ("" for any other value). ok is
// false when the text is not a Dictionary.
func parseDictionary(s string) (map[string]string, bool) {
	p := sfParser{s: s}
	p.skipSP()
	out := map[string]string{}
	for !p.done() {
		key, ok := p.key()
		if !ok {
			return nil, false
		}
		val := ""
		if p.peek() == '=' {
			p.i++
			if val, ok = p.memberValue(); !ok {
				return nil, false
			}
		} else if !p.params() { // a bare key is Boolean true
			return nil, false
		}
		if len(out) >= maxDictionaryMembers {
			return nil, false
		}
		out[key] = val
		p.skipOWS()
		if p.done() {
			return out, true
		}
		if p.peek() != ',' {
			return nil, false
		}
		p.i++
		p.skipOWS()
		if p.done() { // trailing comma
			return nil, false
		}
	}
	return out, true
}

// sfParser reads RFC 9651 structured field text.
type sfParser struct {
	s string
	i int
}

func (p *sfParser) done() bool { return p.i >= len(p.s) }

func (p *sfParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *sfParser) skipSP() {
	for !p.done() && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *sfParser) skipOWS() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func lcalpha(c byte) bool { return c >= 'a' && c <= 'z' }
func digit(c byte) bool   { return c >= '0' && c <= '9' }
func alpha(c byte) bool   { return lcalpha(c) || c >= 'A' && c <= 'Z' }

// key parses a key: ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ).
func (p *sfParser) key() (string, bool) {
	start := p.i
	if c := p.peek(); !lcalpha(c) && c != '*' {
		return "", false
	}
	p.i++
	for !p.done() {
		c := p.s[p.i]
		if !lcalpha(c) && !digit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		p.i++
	}
	return p.s[start:p.i], true
}

// memberValue parses an Item or an Inner List; the string is the Token
// value of an Item that is a Token, else "".
func (p *sfParser) memberValue() (string, bool) {
	if p.peek() == '(' {
		return "", p.innerList()
	}
	return p.item()
}

func (p *sfParser) item() (string, bool) {
	tok, ok := p.bareItem()
	if !ok {
		return "", false
	}
	return tok, p.params()
}

func (p *sfParser) innerList() bool {
	p.i++ // (
	for !p.done() {
		p.skipSP()
		if p.peek() == ')' {
			p.i++
			return p.params()
		}
		if _, ok := p.item(); !ok {
			return false
		}
		if c := p.peek(); c != ' ' && c != ')' {
			return false
		}
	}
	return false
}

// params parses *( ";" *SP key [ "=" bare-item ] ).
func (p *sfParser) params() bool {
	for p.peek() == ';' {
		p.i++
		p.skipSP()
		if _, ok := p.key(); !ok {
			return false
		}
		if p.peek() == '=' {
			p.i++
			if _, ok := p.bareItem(); !ok {
				return false
			}
		}
	}
	return true
}

// bareItem parses any bare item; the string is set for a Token.
func (p *sfParser) bareItem() (string, bool) {
	c := p.peek()
	switch {
	case c == '-' || digit(c):
		return "", p.number()
	case c == '"':
		return "", p.str()
	case c == '*' || alpha(c):
		return p.token(), true
	case c == ':':
		return "", p.binary()
	case c == '?':
		return "", p.boolean()
	case c == '@':
		p.i++
		return "", p.number()
	case c == '%':
		return "", p.displayString()
	}
	return "", false
}

func (p *sfParser) number() bool {
	if p.peek() == '-' {
		p.i++
	}
	start, dot := p.i, -1
	for !p.done() {
		c := p.s[p.i]
		if c == '.' && dot < 0 {
			dot = p.i
		} else if !digit(c) {
			break
		}
		p.i++
	}
	switch {
	case p.i == start || (dot < 0 && p.i-start > 15):
		return false
	case dot >= 0:
		return dot > start && dot-start <= 12 && p.i-dot-1 >= 1 && p.i-dot-1 <= 3
	}
	return true
}

func (p *sfParser) str() bool {
	p.i++ // "
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '\\':
			if n := p.peek(); n != '"' && n != '\\' {
				return false
			}
			p.i++
		case c == '"':
			return true
		case c < 0x20 || c > 0x7e:
			return false
		}
	}
	return false
}

// token parses ( ALPHA / "*" ) *( tchar / ":" / "/" ).
func (p *sfParser) token() string {
	start := p.i
	p.i++
	for !p.done() && (tchar(p.s[p.i]) || p.s[p.i] == ':' || p.s[p.i] == '/') {
		p.i++
	}
	return p.s[start:p.i]
}

func tchar(c byte) bool {
	return alpha(c) || digit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p *sfParser) binary() bool {
	p.i++ // :
	for !p.done() {
		c := p.s[p.i]
		p.i++
		if c == ':' {
			return true
		}
		if !alpha(c) && !digit(c) && c != '+' && c != '/' && c != '=' {
			return false
		}
	}
	return false
}

func (p *sfParser) boolean() bool {
	p.i++ // ?
	if c := p.peek(); c != '0' && c != '1' {
		return false
	}
	p.i++
	return true
}

func (p *sfParser) displayString() bool {
	p.i++ // %
	if p.peek() != '"' {
		return false
	}
	p.i++
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return true
		case c == '%':
			if p.i+2 > len(p.s) || !lowerHex(p.s[p.i]) || !lowerHex(p.s[p.i+1]) {
				return false
			}
			p.i += 2
		case c < 0x20 || c > 0x7e:
			return false
		}
	}
	return false
}

func lowerHex(c byte) bool { return digit(c) || c >= 'a' && c <= 'f' }
