package merkle

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

// The RFC 6962 test vectors used by certificate-transparency-go and
// transparency-dev/merkle: eight leaves and the roots of their prefixes.
var (
	vectorLeaves = []string{
		"", "00", "10", "2021", "3031", "40414243",
		"5051525354555657", "606162636465666768696a6b6c6d6e6f",
	}
	vectorRoots = []string{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
)

func vectorLeafHashes(t testing.TB) []Hash {
	t.Helper()
	hs := make([]Hash, len(vectorLeaves))
	for i, s := range vectorLeaves {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		hs[i] = LeafHash(b)
	}
	return hs
}

func mustHash(t testing.TB, s string) Hash {
	t.Helper()
	h, err := ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustHashes(t testing.TB, ss ...string) []Hash {
	t.Helper()
	hs := make([]Hash, len(ss))
	for i, s := range ss {
		hs[i] = mustHash(t, s)
	}
	return hs
}

func TestEmptyRoot(t *testing.T) {
	want := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := Root(nil).String(); got != want {
		t.Errorf("Root(nil) = %s, want %s", got, want)
	}
}

func TestVectorRoots(t *testing.T) {
	leaves := vectorLeafHashes(t)
	for n := 1; n <= len(leaves); n++ {
		if got := Root(leaves[:n]).String(); got != vectorRoots[n-1] {
			t.Errorf("root of %d leaves = %s, want %s", n, got, vectorRoots[n-1])
		}
	}
}

func TestVectorInclusion(t *testing.T) {
	tests := []struct {
		index, size uint64
		proof       []string
	}{
		{0, 1, nil},
		{0, 8, []string{
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
		}},
		{5, 8, []string{
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
		{2, 3, []string{"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
		{1, 5, []string{
			"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		}},
	}
	leaves := vectorLeafHashes(t)
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d_of_%d", tc.index, tc.size), func(t *testing.T) {
			want := mustHashes(t, tc.proof...)
			got, err := InclusionProof(leaves[:tc.size], tc.index)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("proof = %v, want %v", got, want)
			}
			root := mustHash(t, vectorRoots[tc.size-1])
			if err := VerifyInclusion(tc.index, tc.size, leaves[tc.index], want, root); err != nil {
				t.Errorf("vector proof does not verify: %v", err)
			}
		})
	}
}

func TestVectorConsistency(t *testing.T) {
	tests := []struct {
		old, size uint64
		proof     []string
	}{
		{1, 1, nil},
		{1, 8, []string{
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
		}},
		{6, 8, []string{
			"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
		{2, 5, []string{
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		}},
		{6, 7, []string{
			"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		}},
	}
	leaves := vectorLeafHashes(t)
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d_to_%d", tc.old, tc.size), func(t *testing.T) {
			want := mustHashes(t, tc.proof...)
			got, err := ConsistencyProof(leaves[:tc.size], tc.old)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("proof = %v, want %v", got, want)
			}
			oldRoot, newRoot := mustHash(t, vectorRoots[tc.old-1]), mustHash(t, vectorRoots[tc.size-1])
			if err := VerifyConsistency(tc.old, tc.size, oldRoot, newRoot, want); err != nil {
				t.Errorf("vector proof does not verify: %v", err)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	leaves := vectorLeafHashes(t)
	root := Root(leaves)
	proof, _ := InclusionProof(leaves, 3)
	cons, _ := ConsistencyProof(leaves, 3)
	oldRoot := Root(leaves[:3])
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"index beyond size", VerifyInclusion(8, 8, leaves[3], proof, root), ErrRange},
		{"wrong index", VerifyInclusion(2, 8, leaves[3], proof, root), ErrVerify},
		{"wrong leaf", VerifyInclusion(3, 8, leaves[2], proof, root), ErrVerify},
		{"proof too short", VerifyInclusion(3, 8, leaves[3], proof[:2], root), ErrVerify},
		{"proof too long", VerifyInclusion(3, 8, leaves[3], append(proof, root), root), ErrVerify},
		{"consistency old beyond new", VerifyConsistency(9, 8, oldRoot, root, cons), ErrRange},
		{"consistency old size 0", VerifyConsistency(0, 8, oldRoot, root, cons), ErrRange},
		{"consistency empty proof", VerifyConsistency(3, 8, oldRoot, root, nil), ErrVerify},
		{"consistency swapped roots", VerifyConsistency(3, 8, root, oldRoot, cons), ErrVerify},
		{"consistency truncated", VerifyConsistency(3, 8, oldRoot, root, cons[:len(cons)-1]), ErrVerify},
		{"consistency extended", VerifyConsistency(3, 8, oldRoot, root, append(cons, root)), ErrVerify},
		{"equal sizes, different roots", VerifyConsistency(8, 8, oldRoot, root, nil), ErrVerify},
		{"equal sizes, non-empty proof", VerifyConsistency(8, 8, root, root, cons), ErrVerify},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if _, err := InclusionProof(leaves, 8); !errors.Is(err, ErrRange) {
		t.Errorf("InclusionProof beyond size: err = %v", err)
	}
	if _, err := ConsistencyProof(leaves, 0); !errors.Is(err, ErrRange) {
		t.Errorf("ConsistencyProof from 0: err = %v", err)
	}
}

func TestParseHash(t *testing.T) {
	for _, s := range []string{"", "00", vectorRoots[0][:63] + "g", vectorRoots[0] + "00"} {
		if _, err := ParseHash(s); err == nil {
			t.Errorf("ParseHash(%q) succeeded", s)
		}
	}
	if h := mustHash(t, vectorRoots[0]); h.String() != vectorRoots[0] {
		t.Errorf("round trip: %s", h)
	}
}
