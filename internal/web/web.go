// Package web serves Cairn's browser interface: the customer portal, the
// agent workspace and the admin pages, rendered on the server with
// html/template and a little hand-written JavaScript. Sessions are cookies;
// every form post carries the session's CSRF token.
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

//go:embed all:templates
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

// New parses the templates and builds the routes. Each page is
// templates/<name>.html defining "content" (and optionally "title"),
// rendered inside layout.html with every partial (templates/_*.html).
func New(s *store.Store, a *auth.Authenticator, log *slog.Logger) *Web {
	w := &Web{store: s, auth: a, log: log, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	w.parseTemplates()
	static, _ := fs.Sub(staticFiles, "static")
	files := http.FileServerFS(static)
	w.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(files)))
	w.mux.HandleFunc("GET /login", w.loginPage)
	w.mux.HandleFunc("POST /login", w.login)
	w.mux.HandleFunc("POST /logout", w.logout)
	w.mux.HandleFunc("GET /{$}", w.home)
	w.portalRoutes()
	w.agentRoutes()
	w.adminRoutes()
	w.adminCMDBRoutes()
	w.practiceRoutes()
	w.changeRoutes()
	w.cmdbRoutes()
	w.impactRoutes()
	w.mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		w.notFound(rw, r, w.identify(r))
	})
	return w
}

// ServeHTTP serves the pages.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) { w.mux.ServeHTTP(rw, r) }

func (w *Web) parseTemplates() {
	partials, err := fs.Glob(templateFiles, "templates/_*.html")
	if err != nil {
		panic(err)
	}
	all, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, file := range all {
		base := path.Base(file)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		files := append([]string{"templates/layout.html", file}, partials...)
		t := template.New("layout").Funcs(funcs)
		w.pages[strings.TrimSuffix(base, ".html")] = template.Must(t.ParseFS(templateFiles, files...))
	}
}

// cacheStatic lets browsers keep assets for an hour; they are embedded in
// the binary, so they change only with a new release.
func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// Page is what every template gets: who is asking, the CSRF token for its
// forms, where in the navigation we are, and the page's own data.
type Page struct {
	Title    string
	Section  string // "portal", "agent", "admin", "settings": highlights the navigation
	Identity auth.Identity
	CSRF     string
	Flash    string            // a message after a redirect, e.g. "Request IT-12 raised"
	Error    string            // a message for the whole page
	Errors   map[string]string // field name → message, shown next to the field
	Values   map[string]any    // submitted form values, kept on an error
	Data     any               // the page's own data
	Path     string            // the request's path, to mark where we are in the navigation
}

// Staff reports whether the viewer is an agent or admin.
func (p Page) Staff() bool { return p.Identity.Actor.Role.Staff() }

// Admin reports whether the viewer is an admin.
func (p Page) Admin() bool { return p.Identity.Actor.Role == directory.RoleAdmin }

// render writes a page; status is the HTTP status.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, page string, p Page) {
	t, ok := w.pages[page]
	if !ok {
		w.serverError(rw, r, errs.NotFound("no template %q", page))
		return
	}
	if p.Identity.Method == auth.MethodNone {
		p.Identity = auth.From(r.Context())
	}
	p.CSRF = p.Identity.CSRF
	p.Path = r.URL.Path
	if p.Flash == "" {
		p.Flash = takeFlash(rw, r)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		w.serverError(rw, r, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	rw.WriteHeader(status)
	rw.Write(b.Bytes())
}

func (w *Web) serverError(rw http.ResponseWriter, r *http.Request, err error) {
	w.log.ErrorContext(r.Context(), "page failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	http.Error(rw, "Something went wrong on our side. Please try again.", http.StatusInternalServerError)
}

func (w *Web) notFound(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.render(rw, r, http.StatusNotFound, "notfound", Page{Title: "Not found", Identity: id})
}

// fail answers an error from the store: hidden or missing things as the
// 404 page, forbidden as 403, anything else as a server error. Validation
// errors are handled by the page that shows the form.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	id := auth.From(r.Context())
	switch {
	case errs.Is(err, errs.KindNotFound):
		w.notFound(rw, r, id)
	case errs.Is(err, errs.KindForbidden):
		w.render(rw, r, http.StatusForbidden, "notfound", Page{Title: "Not allowed", Identity: id, Error: err.Error()})
	default:
		w.serverError(rw, r, err)
	}
}

func (w *Web) identify(r *http.Request) auth.Identity {
	id, err := w.auth.Identify(r)
	if err != nil {
		return auth.Identity{}
	}
	return id
}

// page wraps a handler that needs a signed-in user of at least the given
// role. Anonymous visitors are sent to sign in and come back; a weaker role
// sees the 404 page, so the workspace does not even admit it exists. Form
// posts must carry the session's CSRF token.
func (w *Web) page(least directory.Role, h func(rw http.ResponseWriter, r *http.Request, id auth.Identity)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		id := w.identify(r)
		if id.Method == auth.MethodNone {
			if r.Method == http.MethodGet {
				http.Redirect(rw, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(rw, "sign in first", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			// Multipart forms are parsed here so that the CSRF field is found.
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				r.Body = http.MaxBytesReader(rw, r.Body, 11<<20)
				if err := r.ParseMultipartForm(1 << 20); err != nil {
					w.render(rw, r, http.StatusRequestEntityTooLarge, "notfound", Page{Title: "Too large", Identity: id, Error: "The upload is too large: files may be up to 10 MiB."})
					return
				}
			} else {
				r.Body = http.MaxBytesReader(rw, r.Body, 1<<20)
			}
		}
		if err := auth.CheckCSRF(r, id); err != nil {
			w.render(rw, r, http.StatusForbidden, "notfound", Page{Title: "Form expired", Identity: id,
				Error: "This form has expired or did not come from Cairn. Go back, reload the page and try again."})
			return
		}
		if !atLeast(id.Actor.Role, least) {
			w.notFound(rw, r, id)
			return
		}
		h(rw, r.WithContext(auth.WithIdentity(r.Context(), id)), id)
	}
}

func atLeast(have, least directory.Role) bool {
	rank := map[directory.Role]int{directory.RoleCustomer: 1, directory.RoleAgent: 2, directory.RoleAdmin: 3}
	return rank[have] >= rank[least]
}

// home sends people to where they work: customers to the portal, staff to
// the workspace.
func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	id := w.identify(r)
	switch {
	case id.Method == auth.MethodNone:
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
	case id.Actor.Role.Staff():
		http.Redirect(rw, r, "/agent", http.StatusSeeOther)
	default:
		http.Redirect(rw, r, "/portal", http.StatusSeeOther)
	}
}
