// Package web serves Cairn's browser interface: server-rendered pages with
// html/template and embedded assets, signed in through cookie sessions.
package web

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Web serves the pages.
type Web struct {
	store *store.Store
	auth  *auth.Authenticator
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// New parses the templates and builds the routes.
func New(s *store.Store, a *auth.Authenticator, log *slog.Logger) *Web {
	w := &Web{store: s, auth: a, log: log, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	for _, page := range []string{"login", "home"} {
		w.pages[page] = template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/"+page+".html"))
	}
	static, _ := fs.Sub(staticFiles, "static")
	w.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	w.mux.HandleFunc("GET /login", w.loginPage)
	w.mux.HandleFunc("POST /login", w.login)
	w.mux.HandleFunc("POST /logout", w.logout)
	w.mux.HandleFunc("GET /{$}", w.home)
	w.mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		w.render(rw, r, http.StatusNotFound, "home", pageData{Title: "Not found", Error: "There is no page at " + r.URL.Path + "."})
	})
	return w
}

// ServeHTTP serves the pages.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) { w.mux.ServeHTTP(rw, r) }

type pageData struct {
	Title    string
	Identity auth.Identity
	CSRF     string
	Error    string
	Email    string
	Next     string
	Body     any
}

func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, page string, data pageData) {
	var b strings.Builder
	if err := w.pages[page].ExecuteTemplate(&b, "layout", data); err != nil {
		w.log.ErrorContext(r.Context(), "render", slog.String("page", page), slog.Any("err", err))
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
	rw.WriteHeader(status)
	rw.Write([]byte(b.String()))
}

func (w *Web) identify(r *http.Request) auth.Identity {
	id, err := w.auth.Identify(r)
	if err != nil {
		return auth.Identity{}
	}
	return id
}

func (w *Web) loginPage(rw http.ResponseWriter, r *http.Request) {
	w.render(rw, r, http.StatusOK, "login", pageData{Title: "Sign in", Next: safeNext(r.URL.Query().Get("next"))})
}

// login checks email and password. Sign-in is the one form without a CSRF
// token (there is no session yet); SameSite cookies and the Origin check in
// the server guard it instead.
func (w *Web) login(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	u, hash, err := w.store.PasswordHash(r.Context(), email)
	if err != nil && !errs.Is(err, errs.KindNotFound) {
		w.log.ErrorContext(r.Context(), "login", slog.Any("err", err))
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	if err != nil || hash == "" || !auth.CheckPassword(hash, password) {
		w.render(rw, r, http.StatusUnauthorized, "login", pageData{Title: "Sign in", Email: email, Next: next, Error: "Wrong email or password."})
		return
	}
	if err := w.auth.StartSession(rw, r, u.ID); err != nil {
		w.log.ErrorContext(r.Context(), "start session", slog.Any("err", err))
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

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

func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	id := w.identify(r)
	if id.Method == auth.MethodNone {
		http.Redirect(rw, r, "/login?next=/", http.StatusSeeOther)
		return
	}
	page, err := w.store.Tickets(r.Context(), id.Actor, store.TicketFilter{Limit: 20})
	if err != nil {
		w.log.ErrorContext(r.Context(), "home", slog.Any("err", err))
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	w.render(rw, r, http.StatusOK, "home", pageData{Title: "Service desk", Identity: id, CSRF: id.CSRF, Body: page})
}
