package api

import (
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
