package auth

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// SessionCookie names the browser session cookie. The __Host- prefix makes
// browsers refuse it unless Secure, path / and without domain; on plain
// http://localhost the server falls back to the bare name.
const (
	SessionCookie         = "__Host-cairn_session"
	SessionCookieInsecure = "cairn_session"
	SessionLifetime       = 12 * time.Hour
)

// Method says how a request proved who it is from.
type Method string

// The ways to sign a request.
const (
	MethodNone    Method = ""
	MethodToken   Method = "token"   // Authorization: Bearer, or Basic email:token
	MethodSession Method = "session" // browser cookie; writes need the CSRF token
)

// Identity is the result of authentication.
type Identity struct {
	Actor  directory.Actor
	User   directory.User
	Method Method
	CSRF   string // the session's CSRF token, for MethodSession
}

type ctxKey struct{}

// WithIdentity stores an identity in a context.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From gives the identity of a request; Method is MethodNone when anonymous.
func From(ctx context.Context) Identity {
	id, _ := ctx.Value(ctxKey{}).(Identity)
	return id
}

// Authenticator turns a request's credentials into an identity.
type Authenticator struct {
	Store *store.Store
}

// Identify reads the Authorization header or the session cookie. No
// credentials give an anonymous identity and no error; bad ones an
// unauthorized error.
func (a *Authenticator) Identify(r *http.Request) (Identity, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		var secret, email string
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			secret = strings.TrimSpace(tok)
		} else if e, tok, ok := r.BasicAuth(); ok && strings.TrimSpace(e) != "" {
			email, secret = strings.ToLower(strings.TrimSpace(e)), tok
		} else {
			return Identity{}, unauthorized("Authorization must be Bearer <token> or Basic with email and API token")
		}
		u, err := a.Store.TokenUser(ctx, HashSecret(secret))
		if err != nil {
			return Identity{}, err
		}
		if email != "" && subtle.ConstantTimeCompare([]byte(email), []byte(u.Email)) != 1 {
			return Identity{}, unauthorized("the API token does not belong to " + email)
		}
		return a.identity(ctx, u, MethodToken, "")
	}
	for _, name := range []string{SessionCookie, SessionCookieInsecure} {
		c, err := r.Cookie(name)
		if err != nil || c.Value == "" {
			continue
		}
		u, sess, err := a.Store.SessionUser(ctx, HashSecret(c.Value))
		if err != nil {
			return Identity{}, nil // an expired cookie is just anonymous
		}
		return a.identity(ctx, u, MethodSession, sess.CSRFToken)
	}
	return Identity{}, nil
}

func (a *Authenticator) identity(ctx context.Context, u directory.User, m Method, csrf string) (Identity, error) {
	actor, err := a.Store.Actor(ctx, u)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Actor: actor, User: u, Method: m, CSRF: csrf}, nil
}

func unauthorized(msg string) error {
	return &errs.Error{Kind: errs.KindUnauthorized, Code: "unauthorized", Message: msg}
}

// CSRFHeader and CSRFField carry the CSRF token of a session's writes.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf_token"
)

// CheckCSRF verifies a cookie-authenticated write: the request must carry
// the session's CSRF token in a header or form field. Token-authenticated
// and safe requests pass.
func CheckCSRF(r *http.Request, id Identity) error {
	if id.Method != MethodSession {
		return nil
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		// Only a form already parsed, or a URL-encoded one, is read here:
		// parsing a multipart body is the handler's job, with its own limits.
		ct := r.Header.Get("Content-Type")
		if r.MultipartForm != nil || r.PostForm != nil || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			got = r.PostFormValue(CSRFField)
		}
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(id.CSRF)) != 1 {
		return errs.Forbidden("missing or wrong CSRF token")
	}
	return nil
}

// StartSession signs a user in: it records a new session and sets its cookie.
func (a *Authenticator) StartSession(w http.ResponseWriter, r *http.Request, userID int64) error {
	secret := NewSecret("")
	sess := store.Session{UserID: userID, CSRFToken: NewSecret(""), ExpiresAt: time.Now().Add(SessionLifetime)}
	if err := a.Store.CreateSession(r.Context(), HashSecret(secret), sess); err != nil {
		return err
	}
	http.SetCookie(w, sessionCookie(r, secret, sess.ExpiresAt))
	return nil
}

// EndSession signs the browser out.
func (a *Authenticator) EndSession(w http.ResponseWriter, r *http.Request) error {
	for _, name := range []string{SessionCookie, SessionCookieInsecure} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			if err := a.Store.DeleteSession(r.Context(), HashSecret(c.Value)); err != nil {
				return err
			}
		}
	}
	c := sessionCookie(r, "", time.Unix(0, 0))
	c.MaxAge = -1
	http.SetCookie(w, c)
	return nil
}

// sessionCookie is Secure whenever the request came over TLS (directly or
// through a proxy that says so); plain HTTP is allowed for local use only.
func sessionCookie(r *http.Request, value string, expires time.Time) *http.Cookie {
	secure := r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
	name := SessionCookieInsecure
	if secure {
		name = SessionCookie
	}
	return &http.Cookie{Name: name, Value: value, Path: "/", Expires: expires, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}
