package web

import (
	"net/http"
	"strconv"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
)

// settingsRoutes registers the personal settings every signed-in user has.
func (w *Web) settingsRoutes() {
	anyone := func(pattern string, h func(rw http.ResponseWriter, r *http.Request, id auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleCustomer, withForm(h)))
	}
	anyone("GET /settings", func(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
		http.Redirect(rw, r, "/settings/tokens", http.StatusSeeOther)
	})
	anyone("GET /settings/tokens", w.tokens)
	anyone("POST /settings/tokens", w.tokenCreate)
	anyone("POST /settings/tokens/{id}/revoke", w.tokenRevoke)
}

// tokenPage is the data of the API tokens page. Secret is set only on the
// answer to creating a token: it is shown that once and never stored.
type tokenPage struct {
	Tokens  []store.Token
	Created *store.Token
	Secret  string
}

func (w *Web) tokens(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderTokens(rw, r, id, http.StatusOK, tokenPage{}, map[string]any{}, nil)
}

func (w *Web) renderTokens(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, data tokenPage, values map[string]any, fail *formFailure) {
	toks, err := w.store.Tokens(r.Context(), id.User.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data.Tokens = toks
	p := Page{Title: "API tokens", Section: "settings", Identity: id, Data: data, Values: values}
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "settings_tokens", p)
}

// tokenCreate makes a token and answers with the page itself, not a
// redirect, because the secret must not travel through a cookie or a URL.
func (w *Web) tokenCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	name := r.PostFormValue("name")
	secret := auth.NewSecret(auth.TokenPrefix)
	tok, err := w.store.CreateToken(r.Context(), id.Actor, id.User.ID, name, auth.HashSecret(secret), secret[:len(auth.TokenPrefix)+4])
	if err != nil {
		f, ok := asFormFailure(err, "name")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderTokens(rw, r, id, f.Status, tokenPage{}, map[string]any{"name": name}, &f)
		return
	}
	w.renderTokens(rw, r, id, http.StatusCreated, tokenPage{Created: &tok, Secret: secret}, map[string]any{}, nil)
}

func (w *Web) tokenRevoke(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	tid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	// DeleteToken only deletes the signed-in user's own tokens; another
	// user's token id is simply not found.
	if err := w.store.DeleteToken(r.Context(), id.Actor, id.User.ID, tid); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, "/settings/tokens", "Token revoked. Programs that used it can no longer sign in with it.")
}
