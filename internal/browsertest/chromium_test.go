package browsertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/server"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// envChromium names the variable that points at the browser binary to use.
const envChromium = "CAIRN_CHROMIUM"

// testPassword is the password of every fixture user in these tests.
const testPassword = "correct horse battery"

// stepLimit bounds each step in the browser, so that a page that never
// shows what a test waits for fails the test instead of hanging it.
const stepLimit = 20 * time.Second

// chromiumPath finds the browser: CAIRN_CHROMIUM if set, else chromium,
// chromium-browser or google-chrome on PATH, else /usr/bin/chromium. It
// gives "" when there is none, and an error when CAIRN_CHROMIUM names
// something that cannot run, since that is a mistake to show, not to skip.
func chromiumPath() (string, error) {
	if p := os.Getenv(envChromium); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %w", envChromium, p, err)
		}
		return found, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if found, err := exec.LookPath(name); err == nil {
			return found, nil
		}
	}
	return "", nil
}

// sharedChromium is the one browser process of the package's tests; each
// test opens its own tabs in fresh browser contexts (like incognito
// windows), so that users keep their own cookies.
var sharedChromium struct {
	once    sync.Once
	ctx     context.Context // the browser's first tab; its children are new tabs
	cancel  context.CancelFunc
	dataDir string
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedChromium.cancel != nil {
		sharedChromium.cancel()
	}
	if sharedChromium.dataDir != "" {
		os.RemoveAll(sharedChromium.dataDir)
	}
	os.Exit(code)
}

// chromium gives the shared browser, starting it on first use. It skips
// the test when no browser is installed.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := chromiumPath()
	if err != nil {
		t.Fatal(err)
	}
	if path == "" {
		t.Skipf("browser tests skipped: no Chromium found (looked for $%s, chromium, chromium-browser and google-chrome on PATH, /usr/bin/chromium); "+
			"install Debian's chromium package or set %s to a Chrome or Chromium binary", envChromium, envChromium)
	}
	s := &sharedChromium
	s.once.Do(func() {
		// The profile and the browser's own temporary files live in one
		// directory, removed when the tests end.
		s.dataDir, s.err = os.MkdirTemp("", "cairn-chromium-")
		if s.err != nil {
			return
		}
		profile, tmp := filepath.Join(s.dataDir, "profile"), filepath.Join(s.dataDir, "tmp")
		if s.err = os.Mkdir(tmp, 0o700); s.err != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox, // the tests run as root in CI
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.UserDataDir(profile),
			chromedp.Env("TMPDIR="+tmp),
			chromedp.WindowSize(1280, 900),
			// The machine has no network but loopback: without these
			// the browser's own background traffic is refused and slows
			// it down.
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-domain-reliability", true),
			chromedp.Flag("no-pings", true),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelBrowser := chromedp.NewContext(allocCtx)
		s.ctx = ctx
		s.cancel = func() { cancelBrowser(); cancelAlloc() }
		// The first Do starts the browser, which lives as long as ctx: so
		// ctx has no deadline, and each tab has its own.
		if err := chromedp.Do(ctx); err != nil {
			s.err = fmt.Errorf("start %s: %w", path, err)
		}
	})
	if s.err != nil {
		t.Fatalf("browser: %v", s.err)
	}
	return s.ctx
}

// tab is one browser tab, in a browser context of its own, with what the
// page wrote to its console.
type tab struct {
	t   *testing.T // the test to fail; a tab kept across subtests is handed each in turn
	ctx context.Context
	srv string // the server's base URL

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// newTab opens a tab in a fresh browser context, closed when the test ends
// (before the test's server closes, since cleanups run last-in first-out).
func newTab(t *testing.T, srv *httptest.Server) *tab {
	t.Helper()
	// The first Do opens the tab, which lives as long as the context given
	// to it: so that context has no deadline, and each step has its own.
	ctx, cancel := chromedp.NewContext(chromium(t), chromedp.WithNewBrowserContext())
	tb := &tab{t: t, ctx: ctx, srv: srv.URL}
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.console = append(tb.console, m)
			tb.mu.Unlock()
		}
	}()
	// Checked before the tab closes: scripts must not fail, and the
	// content security policy must not have refused anything.
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, m := range tb.console {
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				t.Errorf("browser console: %s (%s:%d)", m.Text, m.URL, m.Line+1)
			}
		}
	})
	return tb
}

// run runs an action in the tab within stepLimit and gives its value; on
// an error it fails the test, saying what it was doing.
func run[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepLimit)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fail(what, err)
	}
	return v
}

// do runs steps in the tab, one after the other, within stepLimit.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	run(tb, what, chromedp.Steps(steps...))
}

// fail stops the test with what went wrong and where the tab was.
func (tb *tab) fail(what string, err error) {
	tb.t.Helper()
	// The tab's own context may be what ran out: ask where it is with a
	// short deadline of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(tb.ctx), 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("gave up after %s: %w", stepLimit, err)
	}
	tb.t.Fatalf("%s (page %s): %v", what, loc, err)
}

// open loads a path of the server and gives the HTTP status of the page.
func (tb *tab) open(path string) int64 {
	tb.t.Helper()
	return run(tb, "open "+path, chromedp.NavigateResponse(tb.srv+path)).Status
}

// submit clicks a form's button and waits for the page that answers, giving
// its HTTP status (after redirects).
func (tb *tab) submit(what, button string) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepLimit)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button), chromedp.NodeVisible))
	if err != nil {
		tb.fail(what, err)
	}
	return resp.Status
}

// text gives the visible text of the first element that matches a CSS
// selector, waiting for it to be there.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s := run(tb, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	return strings.Join(strings.Fields(s), " ")
}

// value gives the value of a form control.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	return run(tb, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// eval runs a JavaScript expression that gives a boolean.
func (tb *tab) eval(what, expr string) bool {
	tb.t.Helper()
	return run(tb, what, chromedp.Evaluate[bool](expr))
}

// waitText waits, without reloading, until an element that matches sel
// holds text: it checks again on every change of the page.
func (tb *tab) waitText(sel, text string) {
	tb.t.Helper()
	what := fmt.Sprintf("wait for %q in %s", text, sel)
	poll := chromedp.PollFunction[bool](
		`(sel, text) => Array.from(document.querySelectorAll(sel)).some(e => e.textContent.includes(text))`,
		chromedp.WithPollingArgs(sel, text), chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(stepLimit))
	// A page that reloads itself on a live update destroys the JavaScript
	// context the poll runs in; poll again in the new page.
	ctx, cancel := context.WithTimeout(tb.ctx, stepLimit)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, poll)
		if err == nil {
			return
		}
		if ctx.Err() == nil && (strings.Contains(err.Error(), "Cannot find context with specified id") ||
			strings.Contains(err.Error(), "Execution context was destroyed")) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		tb.fail(what, err)
		return
	}
}

// path gives the tab's current path and query, without the server's base.
func (tb *tab) path() string {
	tb.t.Helper()
	return strings.TrimPrefix(run(tb, "read the location", chromedp.Location()), tb.srv)
}

// signIn signs in through the sign-in form and waits for the page it leads
// to.
func (tb *tab) signIn(email, password string) {
	tb.t.Helper()
	if code := tb.open("/login"); code != http.StatusOK {
		tb.t.Fatalf("GET /login: status %d", code)
	}
	tb.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password, chromedp.NodeVisible),
	)
	if code := tb.submit("sign in as "+email, `main form[action="/login"] button[type="submit"]`); code != http.StatusOK {
		tb.t.Fatalf("sign in as %s: status %d, want 200 after the redirect", email, code)
	}
	if p := tb.path(); strings.HasPrefix(p, "/login") {
		tb.t.Fatalf("sign in as %s: still on %s: %s", email, p, tb.text("main"))
	}
}

// cookies gives the tab's cookies for the server, for plain HTTP requests
// made as the same user.
func (tb *tab) cookies() []*http.Cookie {
	tb.t.Helper()
	res := run(tb, "read cookies", func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.srv + "/"}})
	})
	var out []*http.Cookie
	for _, c := range res.Cookies {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

// desk is a running Cairn over a SQLite fixture store whose users all have
// testPassword.
type desk struct {
	store   *store.Store
	fixture storetest.Fixture
	srv     *httptest.Server
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	s := storetest.SQLite(t)
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
	return &desk{store: s, fixture: f, srv: serve(t, s)}
}

// serve runs Cairn over a store until the test ends. Only warnings and
// errors are logged.
func serve(t *testing.T, s *store.Store) *httptest.Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(server.Handler(s, log))
	t.Cleanup(srv.Close)
	return srv
}

// email gives a fixture user's address.
func (d *desk) email(t *testing.T, a directory.Actor) string {
	t.Helper()
	u, err := d.store.User(context.Background(), a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return u.Email
}

// get fetches a path with the given cookies, without following redirects.
func get(t *testing.T, base, path string, cookies []*http.Cookie) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitLive waits until a live page's event stream is open: its status
// badge shows once the stream says it is.
func waitLive(box string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(box + " [data-live-status]:not(.offline)"))
}
