package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/attrib/attrib/matcher/access"
	"github.com/attrib/attrib/store"
)

// TokenJSON is a new token as `attrib token create --json` prints it. The
// secret is shown this once; only its hash is stored.
type TokenJSON struct {
	Token   string `json:"token"`
	Creator string `json:"creator"`
	Admin   bool   `json:"admin"`
}

// postToken: POST /api/v1/tokens (admin) with {"creator":"NAME"} or
// {"admin":true}.
func (a *API) postToken(w http.ResponseWriter, r *http.Request, p access.Principal) {
	var in struct {
		Creator string `json:"creator"`
		Admin   bool   `json:"admin"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.Creator = strings.TrimSpace(in.Creator)
	if (in.Creator == "") == !in.Admin {
		a.fail(w, r, errStatus(http.StatusBadRequest, `want exactly one of {"creator":"NAME"} or {"admin":true}`))
		return
	}
	secret, hash, err := access.NewToken()
	if err == nil {
		err = a.Store.PutToken(r.Context(), store.Token{Hash: hash, Creator: in.Creator, Admin: in.Admin})
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.Logger.Info("token created", "token", access.HashPrefix(hash), "creator", in.Creator, "admin", in.Admin, "by", access.HashPrefix(p.TokenHash))
	writeJSON(w, http.StatusCreated, TokenJSON{Token: secret, Creator: in.Creator, Admin: in.Admin})
}

// TokenInfoJSON is a stored token as lists show it: its public ID
// (access.TokenID), never the secret or the full hash.
type TokenInfoJSON struct {
	ID        string `json:"id"`
	Creator   string `json:"creator"`
	Admin     bool   `json:"admin"`
	CreatedAt string `json:"created_at"`
	// Current marks the token the request was made with (API only), so an
	// admin does not revoke its own by mistake.
	Current bool `json:"current,omitempty"`
}

// TokenListJSON is GET /api/v1/tokens, and `attrib token list --json`.
type TokenListJSON struct {
	Tokens []TokenInfoJSON `json:"tokens"`
}

// TokenInfo returns what lists show of t.
func TokenInfo(t store.Token) TokenInfoJSON {
	return TokenInfoJSON{ID: access.TokenID(t.Hash), Creator: t.Creator, Admin: t.Admin, CreatedAt: stamp(t.CreatedAt)}
}

// listTokens: GET /api/v1/tokens (admin), oldest first.
func (a *API) listTokens(w http.ResponseWriter, r *http.Request, p access.Principal) {
	ts, err := a.Store.ListTokens(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := TokenListJSON{Tokens: make([]TokenInfoJSON, 0, len(ts))}
	for _, t := range ts {
		info := TokenInfo(t)
		info.Current = t.Hash == p.TokenHash
		out.Tokens = append(out.Tokens, info)
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteToken: DELETE /api/v1/tokens/{id} (admin) revokes the token whose
// hash starts with id: 204; 404 when none does (or id is no hex prefix);
// 409 when several do. Every request authenticates against the store, so
// the token, and dashboard sessions carrying it, are refused from the next
// request on. Revoking the caller's own token is allowed: it signs out.
func (a *API) deleteToken(w http.ResponseWriter, r *http.Request, p access.Principal) {
	t, err := access.FindToken(r.Context(), a.Store, r.PathValue("id"))
	if err == nil {
		err = a.Store.DeleteToken(r.Context(), t.Hash)
	}
	switch {
	case errors.Is(err, access.ErrBadTokenID), errors.Is(err, store.ErrNotFound):
		// A malformed ID names no token either; the message says what an ID
		// looks like.
		a.fail(w, r, errStatus(http.StatusNotFound, "%v", err))
		return
	case errors.Is(err, access.ErrAmbiguousTokenID):
		a.fail(w, r, errStatus(http.StatusConflict, "%v", err))
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	a.Logger.Info("token revoked", "token", access.HashPrefix(t.Hash), "creator", t.Creator, "admin", t.Admin, "by", access.HashPrefix(p.TokenHash))
	w.WriteHeader(http.StatusNoContent)
}
