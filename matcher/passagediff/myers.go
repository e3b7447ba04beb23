package passagediff

// editScript returns a shortest sequence of Equal, Delete and Insert
// operations turning a into b (Myers' O((n+m)·D) algorithm), after taking
// off the common start and end. When more than MaxEdits edits separate the
// rest, it is replaced wholesale.
func editScript(a, b []string) []Kind {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := repeat(nil, Equal, pre)
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if mid, ok := myers(ma, mb, MaxEdits); ok {
		ops = append(ops, mid...)
	} else {
		ops = repeat(ops, Delete, len(ma))
		ops = repeat(ops, Insert, len(mb))
	}
	return repeat(ops, Equal, suf)
}

func repeat(ops []Kind, k Kind, n int) []Kind {
	for range n {
		ops = append(ops, k)
	}
	return ops
}

// myers finds the shortest edit script of at most limit edits; ok is false
// when there is none. It keeps a copy of the frontier of each step (O(D²)
// memory) to walk back along the path.
func myers(a, b []string, limit int) (ops []Kind, ok bool) {
	n, m := len(a), len(b)
	off := limit + 1
	v := make([]int, 2*off+1)
	var trace [][]int
	for d := 0; d <= limit; d++ {
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m, d), true
			}
		}
	}
	return nil, false
}

// backtrack walks from (n, m) back to (0, 0) through the frontiers saved
// before each step and returns the operations in order.
func backtrack(trace [][]int, n, m, d int) []Kind {
	var rev []Kind
	x, y := n, m
	for ; d > 0; d-- {
		saved := trace[d] // frontier after step d-1, indexed k+d
		at := func(k int) int { return saved[k+d] }
		k := x - y
		prevK := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, Equal)
			x, y = x-1, y-1
		}
		if x == prevX {
			rev = append(rev, Insert)
		} else {
			rev = append(rev, Delete)
		}
		x, y = prevX, prevY
	}
	for x > 0 && y > 0 {
		rev = append(rev, Equal)
		x, y = x-1, y-1
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}
