package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/server"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// site is a handler over a store with one customer who signs in with a
// password or an API token, and one ticket of hers.
type site struct {
	s      *store.Store
	h      http.Handler
	user   directory.User
	token  string
	key    string // of the customer's ticket
	passwd string
}

func newSite(t *testing.T, s *store.Store) *site {
	t.Helper()
	ctx := context.Background()
	d := &site{s: s, h: server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil))), passwd: "correct horse battery"}
	hash, err := auth.HashPassword(d.passwd)
	if err != nil {
		t.Fatal(err)
	}
	d.user, err = s.CreateUser(ctx, directory.System, store.NewUser{Email: "demo@cairn.test", Name: "Demo", Role: directory.RoleCustomer, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	d.token = auth.NewSecret(auth.TokenPrefix)
	if _, err := s.CreateToken(ctx, directory.System, d.user.ID, "test", auth.HashSecret(d.token), d.token[:10]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateService(ctx, directory.System, catalog.Service{Name: "Email", Status: catalog.ServiceLive}); err != nil {
		t.Fatal(err)
	}
	actor, err := s.Actor(ctx, d.user)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := s.CreateTicket(ctx, actor, store.NewTicket{Type: "incident", Service: "Email", Summary: "No mail since Monday"})
	if err != nil {
		t.Fatal(err)
	}
	d.key = tk.Key
	return d
}

// do sends a request; mods set headers, cookies or credentials.
func (d *site) do(method, path string, body io.Reader, mods ...func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, body)
	for _, m := range mods {
		m(r)
	}
	w := httptest.NewRecorder()
	d.h.ServeHTTP(w, r)
	return w
}

func (d *site) bearer(r *http.Request) { r.Header.Set("Authorization", "Bearer "+d.token) }

func form(values url.Values) (io.Reader, func(*http.Request)) {
	return strings.NewReader(values.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
}

func sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if strings.HasSuffix(c.Name, "cairn_session") {
			return c
		}
	}
	return nil
}

func TestHealth(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		d := newSite(t, s)
		for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
			w := d.do(http.MethodGet, path, nil)
			if w.Code != 200 || w.Body.String() != want {
				t.Errorf("%s: %d %q, want 200 %q", path, w.Code, w.Body.String(), want)
			}
		}
		// Without its database the process is alive but not ready.
		s.Close()
		if w := d.do(http.MethodGet, "/readyz", nil); w.Code != http.StatusServiceUnavailable {
			t.Errorf("/readyz without a database: %d, want 503", w.Code)
		}
		if w := d.do(http.MethodGet, "/healthz", nil); w.Code != 200 {
			t.Errorf("/healthz without a database: %d, want 200", w.Code)
		}
	})
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		d := newSite(t, s)
		for range 2 {
			if w := d.do(http.MethodGet, "/api/v1/tickets/"+d.key, nil, d.bearer); w.Code != 200 {
				t.Fatalf("GET ticket: %d %s", w.Code, w.Body.String())
			}
		}
		d.do(http.MethodGet, "/api/v1/tickets/IT-4242", nil, d.bearer)
		d.do(http.MethodGet, "/api/v1/no-such-thing-"+d.key, nil)
		d.do(http.MethodGet, "/healthz", nil)

		w := d.do(http.MethodGet, "/metrics", nil)
		if w.Code != 200 {
			t.Fatalf("/metrics: %d", w.Code)
		}
		body := w.Body.String()
		for _, want := range []string{
			`cairn_http_requests_total{code="200",method="GET",route="GET /api/v1/tickets/{key}"} 2`,
			`cairn_http_requests_total{code="404",method="GET",route="GET /api/v1/tickets/{key}"} 1`,
			`cairn_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
			`cairn_http_request_duration_seconds_count{route="GET /api/v1/tickets/{key}"} 3`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		for _, raw := range []string{d.key, "IT-4242", "no-such-thing"} {
			if strings.Contains(body, raw) {
				t.Errorf("/metrics labels a raw path holding %q", raw)
			}
		}
		if !strings.Contains(body, "go_goroutines") || !strings.Contains(body, "process_") {
			t.Error("/metrics lacks the Go and process collectors")
		}
	})
}

func TestAPINotFound(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		d := newSite(t, s)
		for _, tc := range []struct {
			method, path string
			mods         []func(*http.Request)
		}{
			{http.MethodGet, "/api/v1/nope", nil},
			{http.MethodGet, "/api/v1/nope", []func(*http.Request){d.bearer}},
			{http.MethodPost, "/api/v1/tickets/" + d.key + "/nope", []func(*http.Request){d.bearer}},
			{http.MethodDelete, "/api/v1/me", []func(*http.Request){d.bearer}},
			{http.MethodGet, "/api/v2/tickets", nil},
		} {
			w := d.do(tc.method, tc.path, nil, tc.mods...)
			if w.Code != http.StatusNotFound || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
				t.Errorf("%s %s: %d %q, want a JSON 404", tc.method, tc.path, w.Code, w.Header().Get("Content-Type"))
				continue
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code != "not_found" || e.Error.Message == "" {
				t.Errorf("%s %s: body %s", tc.method, tc.path, w.Body.String())
			}
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		d := newSite(t, s)
		for _, path := range []string{"/healthz", "/api/v1/me", "/api/v1/nope", "/login", "/metrics"} {
			h := d.do(http.MethodGet, path, nil).Header()
			for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
				if got := h.Get(name); got != want {
					t.Errorf("%s: %s = %q, want %q", path, name, got, want)
				}
			}
		}
		if csp := d.do(http.MethodGet, "/login", nil).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("/login Content-Security-Policy %q", csp)
		}
	})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		d := newSite(t, s)
		w := d.do(http.MethodGet, "/login", nil)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), `name="password"`) {
			t.Fatalf("GET /login: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
		}

		login := func(email, password, next string, mods ...func(*http.Request)) *httptest.ResponseRecorder {
			body, ct := form(url.Values{"email": {email}, "password": {password}, "next": {next}})
			return d.do(http.MethodPost, "/login", body, append([]func(*http.Request){ct}, mods...)...)
		}
		w = login(" DEMO@cairn.test", d.passwd, "")
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
			t.Fatalf("sign-in: %d to %q", w.Code, w.Header().Get("Location"))
		}
		c := sessionCookie(w)
		if c == nil || c.Name != auth.SessionCookieInsecure || c.Value == "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Fatalf("session cookie %+v", c)
		}
		// The cookie signs API reads in.
		w = d.do(http.MethodGet, "/api/v1/me", nil, func(r *http.Request) { r.AddCookie(c) })
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"demo@cairn.test"`) {
			t.Fatalf("/api/v1/me with the session: %d %s", w.Code, w.Body.String())
		}

		// Behind TLS the cookie is Secure and __Host- prefixed.
		w = login("demo@cairn.test", d.passwd, "/portal", func(r *http.Request) { r.Header.Set("X-Forwarded-Proto", "https") })
		if c := sessionCookie(w); w.Code != http.StatusSeeOther || c == nil || c.Name != auth.SessionCookie || !c.Secure {
			t.Errorf("sign-in over https: %d, cookie %+v", w.Code, c)
		}
		if loc := w.Header().Get("Location"); loc != "/portal" {
			t.Errorf("redirect to %q, want /portal", loc)
		}
		for _, next := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`} {
			if loc := login("demo@cairn.test", d.passwd, next).Header().Get("Location"); loc != "/" {
				t.Errorf("next=%q redirects to %q, want /", next, loc)
			}
		}

		for _, tc := range []struct{ name, email, password string }{
			{"wrong password", "demo@cairn.test", "wrong horse battery"},
			{"unknown user", "nobody@cairn.test", d.passwd},
			{"API token as password", "demo@cairn.test", d.token},
			{"empty", "", ""},
		} {
			w := login(tc.email, tc.password, "")
			if w.Code != http.StatusUnauthorized || sessionCookie(w) != nil {
				t.Errorf("%s: %d, cookie %v; want 401 without a session", tc.name, w.Code, sessionCookie(w))
			}
		}

		// A sign-in posted from another site is refused.
		w = login("demo@cairn.test", d.passwd, "", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") })
		if w.Code != http.StatusForbidden || sessionCookie(w) != nil {
			t.Errorf("cross-site sign-in: %d, cookie %v; want 403", w.Code, sessionCookie(w))
		}
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		d := newSite(t, s)
		const csrf = "the-csrf-token"
		secret := auth.NewSecret("")
		err := s.CreateSession(context.Background(), auth.HashSecret(secret), store.Session{UserID: d.user.ID, CSRFToken: csrf, ExpiresAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		cookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: auth.SessionCookieInsecure, Value: secret}) }
		signedIn := func() bool { return d.do(http.MethodGet, "/api/v1/me", nil, cookie).Code == 200 }
		if !signedIn() {
			t.Fatal("the session does not sign in")
		}

		for _, token := range []string{"", "wrong"} {
			body, ct := form(url.Values{"csrf_token": {token}})
			if w := d.do(http.MethodPost, "/logout", body, ct, cookie); w.Code != http.StatusForbidden {
				t.Errorf("logout with CSRF token %q: %d, want 403", token, w.Code)
			}
		}
		if !signedIn() {
			t.Fatal("a refused logout ended the session")
		}

		body, ct := form(url.Values{"csrf_token": {csrf}})
		w := d.do(http.MethodPost, "/logout", body, ct, cookie)
		if w.Code != http.StatusSeeOther {
			t.Fatalf("logout: %d", w.Code)
		}
		if c := sessionCookie(w); c == nil || c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("logout leaves the cookie %+v", c)
		}
		if signedIn() {
			t.Error("the session still works after logout")
		}
	})
}
