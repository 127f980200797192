package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/errs"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request) {
	if id := w.identify(r); id.Method != auth.MethodNone {
		http.Redirect(rw, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	w.render(rw, r, http.StatusOK, "login", Page{Title: "Sign in", Values: map[string]any{"next": safeNext(r.URL.Query().Get("next"))}})
}

// login checks email and password. Sign-in is the one form without a CSRF
// token (there is no session yet); SameSite cookies and the server's
// cross-origin protection guard it instead.
func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	u, hash, err := w.store.PasswordHash(r.Context(), email)
	if err != nil && !errs.Is(err, errs.KindNotFound) {
		w.serverError(rw, r, err)
		return
	}
	if err != nil || hash == "" {
		// Spend the same time as a real check, so that timing does not tell
		// which addresses have an account.
		hash = decoyHash()
	}
	if !auth.CheckPassword(hash, password) || u.ID == 0 {
		w.log.InfoContext(r.Context(), "sign-in refused", slog.String("email", email))
		w.render(rw, r, http.StatusUnauthorized, "login", Page{Title: "Sign in", Error: "Wrong email or password.",
			Values: map[string]any{"email": email, "next": next}})
		return
	}
	if err := w.auth.StartSession(rw, r, u.ID); err != nil {
		w.serverError(rw, r, err)
		return
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

// decoyHash is checked against when the email is unknown.
var decoyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("no account has this password")
	return h
})

func (w *Web) logout(rw http.ResponseWriter, r *http.Request) {
	id := w.identify(r)
	if err := auth.CheckCSRF(r, id); err != nil {
		http.Error(rw, "missing or wrong CSRF token", http.StatusForbidden)
		return
	}
	if err := w.auth.EndSession(rw, r); err != nil {
		w.log.ErrorContext(r.Context(), "end session", slog.Any("err", err))
	}
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	return next
}

const flashCookie = "cairn_flash"

// redirectWithFlash sends the browser on after a successful post, with a
// one-time message for the next page (post/redirect/get).
func redirectWithFlash(rw http.ResponseWriter, r *http.Request, to, msg string) {
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(time.Minute)})
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

func takeFlash(rw http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}
