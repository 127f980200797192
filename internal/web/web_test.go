package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/server"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// testPassword is the password of every fixture user in web tests.
const testPassword = "correct horse battery"

// desk is a running server over a fixture store, for page tests.
type desk struct {
	store   *store.Store
	fixture storetest.Fixture
	srv     *httptest.Server
}

func newDesk(t *testing.T, s *store.Store) *desk {
	t.Helper()
	f := storetest.NewFixture(t, s)
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range append(append([]directory.Actor{f.Admin}, f.Agents...), f.Customers...) {
		if err := s.SetPassword(context.Background(), directory.System, a.UserID, hash); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return &desk{store: s, fixture: f, srv: srv}
}

// browser is a signed-in HTTP client with its own cookies.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

// login signs a user in through the real sign-in form.
func (d *desk) login(t *testing.T, a directory.Actor) *browser {
	t.Helper()
	u, err := d.store.User(context.Background(), a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: d.srv.URL, client: &http.Client{Jar: jar}}
	resp := b.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: status %d", u.Email, resp.StatusCode)
	}
	return b
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// get fetches a page and remembers the CSRF token it carries.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body)
}

// post submits a form (with the remembered CSRF token unless the form
// already has one) and follows redirects.
func (b *browser) post(path string, form url.Values) *http.Response {
	b.t.Helper()
	if b.csrf != "" && form.Get("csrf_token") == "" {
		form.Set("csrf_token", b.csrf)
	}
	resp, err := b.client.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

func TestLoginRedirectsByRole(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		b := d.login(t, d.fixture.Customers[0])
		if code, _ := b.get("/login"); code != http.StatusOK {
			t.Fatalf("signed-in /login: %d", code)
		}
		jar, _ := cookiejar.New(nil)
		anon := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := anon.Get(d.srv.URL + "/agent")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Fatalf("anonymous /agent: %d %q, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}
