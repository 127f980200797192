package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// newPortalDesk is a desk whose second service has a request type with a
// field of every type.
func newPortalDesk(t *testing.T, s *store.Store) (*desk, catalog.RequestType) {
	t.Helper()
	d := newDesk(t, s)
	rt, err := s.CreateRequestType(context.Background(), directory.System, catalog.RequestType{
		ServiceID: d.fixture.Services[1].ID, Name: "Order equipment", TicketType: "service_request",
		Description: "Hardware for new starters and replacements",
		Fields: []catalog.Field{
			{Key: "asset_tag", Label: "Asset tag", Type: catalog.FieldText, Help: "On the sticker under the device"},
			{Key: "reason", Label: "Reason", Type: catalog.FieldLongText, Required: true},
			{Key: "cost", Label: "Budget", Type: catalog.FieldNumber},
			{Key: "needed_by", Label: "Needed by", Type: catalog.FieldDate},
			{Key: "model", Label: "Model", Type: catalog.FieldSelect, Required: true, Options: []string{"Laptop 14", "Laptop 16"}},
			{Key: "accessories", Label: "Accessories", Type: catalog.FieldMultiSelect, Options: []string{"Mouse", "Dock", "Headset"}},
			{Key: "manager", Label: "Approving manager", Type: catalog.FieldUser},
			{Key: "terms", Label: "I accept the equipment policy", Type: catalog.FieldCheckbox, Required: true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d, rt
}

// raise creates a request through the store, as the portal would.
func raise(t *testing.T, s *store.Store, a directory.Actor, svc catalog.Service, summary string, share bool) ticket.Ticket {
	t.Helper()
	nt := store.NewTicket{Type: "service_request", Service: svc.Name, Summary: summary, Channel: ticket.ChannelPortal}
	if share {
		nt.OrganizationID = a.OrganizationID
	}
	tk, err := s.CreateTicket(context.Background(), a, nt)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// portalLogin signs in through the real form and lands on the portal,
// whatever the role.
func portalLogin(t *testing.T, d *desk, a directory.Actor) *browser {
	t.Helper()
	u, err := d.store.User(context.Background(), a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: d.srv.URL, client: &http.Client{Jar: jar}}
	resp := b.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/portal"}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/portal" {
		t.Fatalf("login %s: status %d at %s", u.Email, resp.StatusCode, resp.Request.URL.Path)
	}
	return b
}

func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: want %q in the page", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s: did not want %q in the page", what, w)
		}
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// portalUpload posts a file as the attachment form does; an empty name
// leaves the file field out.
func portalUpload(b *browser, path, filename string, data []byte) *http.Response {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", b.csrf)
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	resp, err := b.client.Post(b.base+path, mw.FormDataContentType(), &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

func TestPortalHome(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d, rt := newPortalDesk(t, s)
		ctx := context.Background()
		pipe, err := s.CreateService(ctx, directory.System, catalog.Service{Name: "Quantum printing", Status: catalog.ServicePipeline})
		if err != nil {
			t.Fatal(err)
		}
		pipeRT, err := s.CreateRequestType(ctx, directory.System, catalog.RequestType{ServiceID: pipe.ID, Name: "Print a qubit", TicketType: "service_request"})
		if err != nil {
			t.Fatal(err)
		}
		f := d.fixture
		b := portalLogin(t, d, f.Customers[0])
		code, body := b.get("/portal")
		if code != http.StatusOK {
			t.Fatalf("GET /portal: %d", code)
		}
		mustContain(t, "home", body, f.Services[0].Name, f.Services[1].Name, f.RequestType.Name, rt.Name, rt.Description,
			fmt.Sprintf(`href="/portal/new/%d"`, f.RequestType.ID), fmt.Sprintf(`href="/portal/new/%d"`, rt.ID),
			"Your recent requests", `href="/portal/requests"`)
		mustNotContain(t, "customer home", body, "Quantum printing")

		for _, tc := range []struct {
			q          string
			want, not  []string
			nothingHit bool
		}{
			{q: "equip", want: []string{rt.Name}, not: []string{f.RequestType.Name}},
			{q: "PROBLEM", want: []string{f.RequestType.Name}, not: []string{rt.Name}},
			{q: "new starters", want: []string{rt.Name}, not: []string{f.RequestType.Name}},         // the description
			{q: "infrastructure order", want: []string{rt.Name}, not: []string{f.RequestType.Name}}, // service and type words
			{q: "service", want: []string{rt.Name, f.RequestType.Name}},
			{q: "qubit", not: []string{"Print a qubit"}, nothingHit: true}, // not live: hidden from customers
			{q: "zebra", not: []string{rt.Name, f.RequestType.Name}, nothingHit: true},
		} {
			code, body := b.get("/portal?q=" + url.QueryEscape(tc.q))
			if code != http.StatusOK {
				t.Fatalf("search %q: %d", tc.q, code)
			}
			mustContain(t, "search "+tc.q, body, tc.want...)
			mustNotContain(t, "search "+tc.q, body, tc.not...)
			if got := strings.Contains(body, "Nothing matches"); got != tc.nothingHit {
				t.Errorf("search %q: nothing-matches message shown = %v", tc.q, got)
			}
			mustContain(t, "search "+tc.q, body, `value="`+tc.q+`"`)
		}

		for _, path := range []string{fmt.Sprintf("/portal/new/%d", pipeRT.ID), "/portal/new/abc", "/portal/new/999999"} {
			if code, _ := b.get(path); code != http.StatusNotFound {
				t.Errorf("customer GET %s: %d, want 404", path, code)
			}
		}

		// Staff see services still in the pipeline, marked, and may try them.
		agent := portalLogin(t, d, f.Agents[0])
		_, body = agent.get("/portal")
		mustContain(t, "agent home", body, "Quantum printing", "Not live yet", "Print a qubit")
		if code, _ := agent.get(fmt.Sprintf("/portal/new/%d", pipeRT.ID)); code != http.StatusOK {
			t.Errorf("agent GET pipeline form: %d", code)
		}
	})
}

var (
	attrValue = func(id string) *regexp.Regexp { return regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>`) }
	rowKey    = regexp.MustCompile(`data-label="Key"><a href="/portal/requests/([A-Z]+-\d+)"`)
)

// tagOf gives the opening tag of the element with the given id.
func tagOf(t *testing.T, body, id string) string {
	t.Helper()
	m := attrValue(id).FindString(body)
	if m == "" {
		t.Fatalf("no element with id %q", id)
	}
	return m
}

func TestPortalRaiseRequest(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d, rt := newPortalDesk(t, s)
		f := d.fixture
		ctx := context.Background()
		cust := f.Customers[0]      // Finance
		colleague := f.Customers[2] // Finance too
		stranger := f.Customers[1]  // Sales
		b := portalLogin(t, d, cust)
		path := fmt.Sprintf("/portal/new/%d", rt.ID)

		code, body := b.get(path)
		if code != http.StatusOK {
			t.Fatalf("GET form: %d", code)
		}
		mustContain(t, "form", body, `name="summary"`, `name="description"`, `<textarea id="f-reason" name="fields.reason"`,
			`type="number" step="any"`, `type="date" id="f-needed_by"`, `<select id="f-model" name="fields.model"`, `<option value=""></option>`,
			`name="fields.accessories" value="Dock"`, `<select id="f-manager"`, `id="f-terms" name="fields.terms" value="true"`,
			`class="required">Model`, `class="required">Summary`, "On the sticker under the device", `aria-describedby="f-asset_tag-help"`,
			"Share with my organization Finance", ">Customer 2</option>", ">Agent 0</option>")
		mustNotContain(t, "form", body, ">Customer 1</option>", `class="required">Budget`)

		// A missing required field, a bad number and someone not offered:
		// 422, each message by its field, everything typed kept.
		bad := url.Values{
			"summary": {"Need a laptop"}, "description": {"For the **new** starter"}, "fields.reason": {"Joiner\nstarting Monday"},
			"fields.cost": {"twelve"}, "fields.needed_by": {"2030-01-15"}, "fields.model": {""},
			"fields.accessories": {"Mouse", "Headset"}, "fields.manager": {strconv.FormatInt(stranger.UserID, 10)},
			"fields.terms": {"true"}, "share": {"1"}, "fields.asset_tag": {"A-<17>"},
		}
		resp := b.post(path, bad)
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad post: %d, want 422", resp.StatusCode)
		}
		mustContain(t, "422", body,
			`<p class="field-error" id="f-model-error">Model is required.</p>`,
			`<p class="field-error" id="f-cost-error">Budget: &#34;twelve&#34; is not a number.</p>`,
			`<p class="field-error" id="f-manager-error">Choose someone from the list.</p>`,
			`href="#f-model"`, `href="#f-cost"`, "Please check these 3 answers",
			`value="Need a laptop"`, "For the **new** starter</textarea>", "Joiner\nstarting Monday</textarea>", `value="twelve"`,
			`value="2030-01-15"`, `value="A-&lt;17&gt;"`, `value="Mouse" checked`, `value="Headset" checked`)
		mustNotContain(t, "422", body, `value="Dock" checked`, "field-error\" id=\"summary-error")
		for _, id := range []string{"f-model", "f-cost", "f-manager"} {
			if tag := tagOf(t, body, id); !strings.Contains(tag, `aria-invalid="true"`) || !strings.Contains(tag, id+"-error") {
				t.Errorf("%s: want aria-invalid and aria-describedby, got %s", id, tag)
			}
		}
		if tag := tagOf(t, body, "f-terms"); !strings.Contains(tag, "checked") {
			t.Errorf("terms not kept ticked: %s", tag)
		}
		if tag := tagOf(t, body, "share"); !strings.Contains(tag, "checked") {
			t.Errorf("share not kept ticked: %s", tag)
		}
		if tag := tagOf(t, body, "summary"); strings.Contains(tag, "aria-invalid") {
			t.Errorf("summary marked invalid: %s", tag)
		}
		if n, _ := s.CountTickets(ctx, directory.System, store.TicketFilter{}); n != 0 {
			t.Fatalf("a refused form wrote %d tickets", n)
		}

		// The summary and an unticked required checkbox.
		resp = b.post(path, url.Values{"summary": {"  "}, "fields.reason": {"x"}, "fields.model": {"Laptop 14"}})
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("empty summary: %d", resp.StatusCode)
		}
		mustContain(t, "empty summary", body, `id="summary-error">Summary is required.`,
			`id="f-terms-error">I accept the equipment policy must be checked.`, `<option value="Laptop 14" selected>`)
		if tag := tagOf(t, body, "summary"); !strings.Contains(tag, `aria-invalid="true"`) {
			t.Errorf("summary not marked invalid: %s", tag)
		}

		good := url.Values{}
		for k, v := range bad {
			good[k] = v
		}
		good.Set("fields.cost", "1299.50")
		good.Set("fields.model", "Laptop 14")
		good.Set("fields.manager", strconv.FormatInt(colleague.UserID, 10))
		resp = b.post(path, good)
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/portal/requests/IT-1" {
			t.Fatalf("good post: %d at %s, want the request page", resp.StatusCode, resp.Request.URL.Path)
		}
		mustContain(t, "request page", body, "Request IT-1 raised", "Need a laptop", "Order equipment",
			"<dt>Model</dt><dd>Laptop 14</dd>", "<dt>Accessories</dt><dd>Mouse, Headset</dd>", "<dt>Budget</dt><dd>1299.5</dd>",
			"<dt>Approving manager</dt><dd>Customer 2</dd>", "<dt>I accept the equipment policy</dt><dd>Yes</dd>",
			"<dt>Needed by</dt><dd>2030-01-15</dd>", "<strong>new</strong>", "<dt>Shared with</dt><dd>Finance</dd>",
			`class="badge cat-to_do"`)

		tk, err := s.Ticket(ctx, directory.System, "IT-1")
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != ticket.ChannelPortal || tk.RequestTypeID != rt.ID || tk.ReporterID != cust.UserID || tk.OrganizationID != cust.OrganizationID {
			t.Errorf("ticket: channel %s, request type %d, reporter %d, organization %d", tk.Channel, tk.RequestTypeID, tk.ReporterID, tk.OrganizationID)
		}
		want := map[string]any{"reason": "Joiner\nstarting Monday", "cost": 1299.5, "needed_by": "2030-01-15", "model": "Laptop 14",
			"accessories": []any{"Mouse", "Headset"}, "manager": float64(colleague.UserID), "terms": true, "asset_tag": "A-<17>"}
		for k, v := range want {
			if fmt.Sprint(tk.Fields[k]) != fmt.Sprint(v) {
				t.Errorf("fields.%s = %#v, want %#v", k, tk.Fields[k], v)
			}
		}

		// Without ticking "share", the request stays the reporter's.
		plain := url.Values{"summary": {"Just for me"}, "fields.reason": {"x"}, "fields.model": {"Laptop 16"}, "fields.terms": {"true"}}
		resp = b.post(path, plain)
		if resp.Request.URL.Path != "/portal/requests/IT-2" {
			t.Fatalf("second request landed on %s", resp.Request.URL.Path)
		}
		if tk, _ := s.Ticket(ctx, directory.System, "IT-2"); tk.OrganizationID != 0 || tk.Fields["terms"] != true || tk.Fields["accessories"] != nil {
			t.Errorf("IT-2: organization %d, fields %v", tk.OrganizationID, tk.Fields)
		}
		_, body = b.get("/portal/requests")
		mustContain(t, "my requests", body, `href="/portal/requests/IT-1"`, "Need a laptop", `href="/portal/requests/IT-2"`, "Just for me")

		// Agents raise their own requests in the portal too, also from
		// services their teams do not serve, and see them afterwards.
		for i, tc := range []struct {
			agent directory.Actor
			land  string
			flash string
		}{
			{f.Agents[1], "/portal/requests/IT-3", "Request IT-3 raised"},
			{f.Agents[0], "/portal/requests/IT-4", "Request IT-4 raised"},
		} {
			agent := portalLogin(t, d, tc.agent)
			agent.get(path)
			plain.Del("csrf_token") // the previous session's, set by its post
			resp = agent.post(path, plain)
			body = readBody(t, resp)
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != tc.land || !strings.Contains(body, tc.flash) {
				t.Fatalf("agent %d raising: %d at %s", i, resp.StatusCode, resp.Request.URL.Path)
			}
			key := fmt.Sprintf("IT-%d", 3+i)
			if tk, _ := s.Ticket(ctx, directory.System, key); tk.ReporterID != tc.agent.UserID || tk.Channel != ticket.ChannelPortal {
				t.Errorf("%s: reporter %d, channel %s", key, tk.ReporterID, tk.Channel)
			}
			_, body = agent.get("/portal/requests")
			mustContain(t, "agent's requests", body, `href="/portal/requests/`+key+`"`)
			_, body = agent.get("/portal")
			mustContain(t, "agent's recent requests", body, `href="/portal/requests/`+key+`"`)
		}
	})
}

func TestPortalMyRequests(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		f := d.fixture
		ctx := context.Background()
		svc := f.Services[1]
		mine := raise(t, s, f.Customers[0], svc, "My shared request", true)
		colleagues := raise(t, s, f.Customers[2], svc, "Colleague shared request", true)
		private := raise(t, s, f.Customers[2], svc, "Colleague private request", false)
		other := raise(t, s, f.Customers[1], svc, "Sales shared request", true)
		if _, err := s.Transition(ctx, f.Agents[1], colleagues.Key, store.TransitionInput{To: "Resolved"}); err != nil {
			t.Fatal(err)
		}

		b := portalLogin(t, d, f.Customers[0])
		keys := func(path string) []string {
			t.Helper()
			code, body := b.get(path)
			if code != http.StatusOK {
				t.Fatalf("GET %s: %d", path, code)
			}
			var out []string
			for _, m := range rowKey.FindAllStringSubmatch(body, -1) {
				out = append(out, m[1])
			}
			return out
		}
		for _, tc := range []struct {
			path string
			want []string
		}{
			{"/portal/requests", []string{mine.Key}},
			{"/portal/requests?status=all", []string{colleagues.Key, mine.Key}},
			{"/portal/requests?scope=mine&status=all", []string{mine.Key}},
			{"/portal/requests?scope=shared&status=all", []string{colleagues.Key, mine.Key}},
			{"/portal/requests?scope=all&status=resolved", []string{colleagues.Key}},
			{"/portal/requests?status=all&q=COLLEAGUE", []string{colleagues.Key}},
			{"/portal/requests?scope=bogus&status=bogus", []string{mine.Key}},
		} {
			if got := keys(tc.path); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.path, got, tc.want)
			}
		}
		_, body := b.get("/portal/requests?status=all")
		mustContain(t, "list", body, `class="badge cat-done"`, `class="badge cat-to_do"`, svc.Name, "Customer 2", "just now")
		mustNotContain(t, "list", body, private.Key, other.Key)

		_, body = b.get("/portal")
		mustContain(t, "recent", body, mine.Key, "My shared request")
		mustNotContain(t, "recent", body, colleagues.Key)

		// 27 requests: 25 on the first page, newest first, and 2 on the second.
		pager := portalLogin(t, d, f.Customers[3])
		var made []string
		for i := range 27 {
			made = append(made, raise(t, s, f.Customers[3], svc, fmt.Sprintf("Paged %02d", i), false).Key)
		}
		slices.Reverse(made)
		b = pager
		// Only their own: the organization's shared requests would count too.
		first := keys("/portal/requests?scope=mine")
		if !slices.Equal(first, made[:25]) {
			t.Errorf("page 1: %v, want %v", first, made[:25])
		}
		_, body = b.get("/portal/requests?scope=mine")
		mustContain(t, "page 1", body, "Page 1 of 2", `rel="next"`, "page=2")
		if second := keys("/portal/requests?scope=mine&page=2"); !slices.Equal(second, made[25:]) {
			t.Errorf("page 2: %v, want %v", second, made[25:])
		}
		_, body = b.get("/portal/requests?scope=mine&page=2")
		mustContain(t, "page 2", body, `rel="prev"`, "26–27 of 27")
		if got := keys("/portal/requests?scope=mine&page=9"); len(got) != 0 {
			t.Errorf("page 9: %v", got)
		}
	})
}

func TestPortalRequestAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		f := d.fixture
		ctx := context.Background()
		shared := raise(t, s, f.Customers[0], f.Services[1], "Shared with Finance", true)
		private := raise(t, s, f.Customers[0], f.Services[1], "Only mine", false)
		att, err := s.AddAttachment(ctx, f.Customers[0], shared.Key, "a.txt", "text/plain", []byte("secret"))
		if err != nil {
			t.Fatal(err)
		}
		owner := portalLogin(t, d, f.Customers[0])
		owner.get("/portal") // a CSRF token
		colleague := portalLogin(t, d, f.Customers[2])
		colleague.get("/portal")
		stranger := portalLogin(t, d, f.Customers[1])
		stranger.get("/portal")

		for _, tc := range []struct {
			who  *browser
			key  string
			want int
		}{
			{owner, shared.Key, 200}, {owner, private.Key, 200},
			{colleague, shared.Key, 200}, {colleague, private.Key, 404},
			{stranger, shared.Key, 404}, {stranger, private.Key, 404},
			{owner, "IT-999", 404},
		} {
			base := "/portal/requests/" + tc.key
			if code, body := tc.who.get(base); code != tc.want || (code == 404 && strings.Contains(body, "Shared with Finance")) {
				t.Errorf("GET %s: %d, want %d", base, code, tc.want)
			}
			if tc.want == 404 {
				if code, _ := tc.who.get(fmt.Sprintf("%s/attachments/%d", base, att.ID)); code != 404 {
					t.Errorf("download from %s: %d, want 404", tc.key, code)
				}
				for _, post := range []struct {
					path string
					form url.Values
				}{
					{base + "/comments", url.Values{"body": {"let me in"}}},
					{base + "/transitions", url.Values{"transition": {"cancel"}}},
				} {
					if resp := tc.who.post(post.path, post.form); resp.StatusCode != 404 {
						t.Errorf("POST %s: %d, want 404", post.path, resp.StatusCode)
					}
				}
				if resp := portalUpload(tc.who, base+"/attachments", "x.txt", []byte("x")); resp.StatusCode != 404 {
					t.Errorf("upload to %s: %d, want 404", tc.key, resp.StatusCode)
				}
			}
		}
		for _, key := range []string{shared.Key, private.Key} {
			cs, _ := s.Comments(ctx, directory.System, key)
			as, _ := s.Attachments(ctx, directory.System, key)
			tk, _ := s.Ticket(ctx, directory.System, key)
			if len(cs) != 0 || (key == private.Key && len(as) != 0) || tk.StatusCategory != ticket.CategoryToDo {
				t.Errorf("%s: refused posts wrote %d comments, %d files, status %s", key, len(cs), len(as), tk.Status)
			}
		}
		// A wrong attachment id of a visible request is not found either.
		if code, _ := owner.get(fmt.Sprintf("/portal/requests/%s/attachments/%d", private.Key, att.ID)); code != 404 {
			t.Errorf("attachment of another request: %d", code)
		}
		if code, _ := owner.get("/portal/requests/" + shared.Key + "/attachments/x"); code != 404 {
			t.Errorf("non-numeric attachment id: %d", code)
		}
	})
}

func TestPortalConversation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		f := d.fixture
		ctx := context.Background()
		tk := raise(t, s, f.Customers[0], f.Services[1], "Printer jam", false)
		if _, err := s.AddComment(ctx, f.Agents[1], tk.Key, "We are on it", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddComment(ctx, f.Agents[1], tk.Key, "Secret internal note", true); err != nil {
			t.Fatal(err)
		}
		b := portalLogin(t, d, f.Customers[0])
		page := "/portal/requests/" + tk.Key
		_, body := b.get(page)
		mustContain(t, "page", body, "We are on it", "Agent 1")
		mustNotContain(t, "page", body, "Secret internal note")

		resp := b.post(page+"/comments", url.Values{"body": {"   "}})
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("empty reply: %d", resp.StatusCode)
		}
		mustContain(t, "empty reply", body, `id="body-error">Write your reply before sending it.`)
		if tag := tagOf(t, body, "reply-body"); !strings.Contains(tag, `aria-invalid="true"`) {
			t.Errorf("reply not marked invalid: %s", tag)
		}
		long := strings.Repeat("x", ticket.MaxComment+1)
		resp = b.post(page+"/comments", url.Values{"body": {long}})
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, long+"</textarea>") || !strings.Contains(body, "Your reply must be at most") {
			t.Errorf("long reply: %d, text kept %v", resp.StatusCode, strings.Contains(body, long+"</textarea>"))
		}

		resp = b.post(page+"/comments", url.Values{"body": {"It **still** jams"}})
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != page {
			t.Fatalf("reply: %d at %s", resp.StatusCode, resp.Request.URL)
		}
		mustContain(t, "after reply", body, "Reply added", "It <strong>still</strong> jams", "portal-mine")
		cs, err := s.Comments(ctx, directory.System, tk.Key)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 3 || cs[2].Internal || cs[2].AuthorID != f.Customers[0].UserID || cs[2].Body != "It **still** jams" {
			t.Errorf("comments: %+v", cs)
		}
		if !strings.Contains(resp.Request.URL.Fragment+resp.Request.Response.Header.Get("Location"), fmt.Sprintf("comment-%d", cs[2].ID)) {
			t.Errorf("redirect does not point at the new comment: %s", resp.Request.Response.Header.Get("Location"))
		}

		// Staff reading the portal see what the customer sees.
		agent := portalLogin(t, d, f.Agents[1])
		_, body = agent.get(page)
		mustContain(t, "agent view", body, "We are on it", "It <strong>still</strong> jams", "Open the workspace")
		mustNotContain(t, "agent view", body, "Secret internal note")
	})
}

func TestPortalPostsNeedCSRF(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d, rt := newPortalDesk(t, s)
		f := d.fixture
		ctx := context.Background()
		tk := raise(t, s, f.Customers[0], f.Services[1], "Guarded", false)
		b := portalLogin(t, d, f.Customers[0])
		b.get("/portal")
		for _, tc := range []struct {
			path string
			form url.Values
		}{
			{fmt.Sprintf("/portal/new/%d", rt.ID), url.Values{"summary": {"Forged"}, "fields.reason": {"x"}, "fields.model": {"Laptop 14"}, "fields.terms": {"true"}}},
			{"/portal/requests/" + tk.Key + "/comments", url.Values{"body": {"Forged"}}},
			{"/portal/requests/" + tk.Key + "/transitions", url.Values{"transition": {"cancel"}}},
			{"/portal/requests/" + tk.Key + "/comments", url.Values{"body": {"Forged"}, "csrf_token": {"wrong"}}},
		} {
			resp, err := b.client.PostForm(b.base+tc.path, tc.form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s without a good token: %d, want 403", tc.path, resp.StatusCode)
			}
		}
		saved := b.csrf
		b.csrf = ""
		if resp := portalUpload(b, "/portal/requests/"+tk.Key+"/attachments", "x.txt", []byte("x")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("upload without token: %d", resp.StatusCode)
		}
		b.csrf = saved
		n, _ := s.CountTickets(ctx, directory.System, store.TicketFilter{})
		cs, _ := s.Comments(ctx, directory.System, tk.Key)
		as, _ := s.Attachments(ctx, directory.System, tk.Key)
		now, _ := s.Ticket(ctx, directory.System, tk.Key)
		if n != 1 || len(cs) != 0 || len(as) != 0 || now.Status != tk.Status {
			t.Errorf("forged posts wrote: %d tickets, %d comments, %d files, status %s", n, len(cs), len(as), now.Status)
		}
	})
}

func TestPortalAttachments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		f := d.fixture
		ctx := context.Background()
		tk := raise(t, s, f.Customers[0], f.Services[1], "See the log", false)
		b := portalLogin(t, d, f.Customers[0])
		page := "/portal/requests/" + tk.Key
		b.get(page)

		content := []byte("<script>alert(1)</script> log line\n")
		resp := portalUpload(b, page+"/attachments", "büro log.html", content)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != page {
			t.Fatalf("upload: %d at %s", resp.StatusCode, resp.Request.URL)
		}
		mustContain(t, "after upload", body, "Attached büro log.html", "büro log.html")
		as, err := s.Attachments(ctx, directory.System, tk.Key)
		if err != nil || len(as) != 1 {
			t.Fatalf("attachments: %v %v", as, err)
		}
		link := fmt.Sprintf("%s/attachments/%d", page, as[0].ID)
		mustContain(t, "after upload", body, `href="`+link+`"`)

		dl, err := b.client.Get(b.base + link)
		if err != nil {
			t.Fatal(err)
		}
		got := readBody(t, dl)
		dl.Body.Close()
		h := dl.Header
		if dl.StatusCode != http.StatusOK || got != string(content) {
			t.Fatalf("download: %d %q", dl.StatusCode, got)
		}
		if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "b%C3%BCro%20log.html") {
			t.Errorf("Content-Disposition: %q", cd)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != "sandbox" {
			t.Errorf("download headers: nosniff %q, CSP %q", h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
		}

		for _, tc := range []struct {
			name, filename string
			data           []byte
			status         int
			want           string
		}{
			{"empty file", "empty.txt", nil, http.StatusUnprocessableEntity, `id="file-error">The file is empty.`},
			{"no file", "", nil, http.StatusUnprocessableEntity, `id="file-error">Choose a file to upload.`},
			{"too large", "big.bin", make([]byte, ticket.MaxAttachment+1), http.StatusRequestEntityTooLarge, `id="file-error">The file is larger than 10 MiB.`},
		} {
			resp := portalUpload(b, page+"/attachments", tc.filename, tc.data)
			body := readBody(t, resp)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d, want %d with %q", tc.name, resp.StatusCode, tc.status, tc.want)
			}
			if resp.StatusCode == tc.status {
				if tag := tagOf(t, body, "upload-file"); !strings.Contains(tag, `aria-invalid="true"`) {
					t.Errorf("%s: file input not marked invalid", tc.name)
				}
			}
		}
		if as, _ := s.Attachments(ctx, directory.System, tk.Key); len(as) != 1 {
			t.Errorf("refused uploads were stored: %d files", len(as))
		}
	})
}

func TestPortalTransitions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		f := d.fixture
		ctx := context.Background()
		req := raise(t, s, f.Customers[0], f.Services[1], "Cancel me", false)
		b := portalLogin(t, d, f.Customers[0])
		page := "/portal/requests/" + req.Key
		_, body := b.get(page)
		mustContain(t, "request", body, ">Cancel request</button>", `name="transition" value="cancel"`)
		mustNotContain(t, "request", body, ">Resolve</button>", ">Start work</button>")

		resp := b.post(page+"/transitions", url.Values{"transition": {"cancel"}})
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != page {
			t.Fatalf("cancel: %d at %s", resp.StatusCode, resp.Request.URL)
		}
		mustContain(t, "canceled", body, req.Key+" is now Canceled", `class="badge cat-done"`)
		mustNotContain(t, "canceled", body, ">Cancel request</button>")
		if tk, _ := s.Ticket(ctx, directory.System, req.Key); tk.Status != "Canceled" {
			t.Errorf("status %q, want Canceled", tk.Status)
		}
		// A stale button: the request moved on.
		resp = b.post(page+"/transitions", url.Values{"transition": {"cancel"}})
		if body := readBody(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "That did not work") {
			t.Errorf("cancel twice: %d", resp.StatusCode)
		}

		// An incident: nothing to do while open; close or reopen once resolved.
		inc, err := s.CreateTicket(ctx, f.Customers[0], store.NewTicket{Service: strconv.FormatInt(f.Services[0].ID, 10),
			RequestType: strconv.FormatInt(f.RequestType.ID, 10), Summary: "Broken screen", Channel: ticket.ChannelPortal})
		if err != nil {
			t.Fatal(err)
		}
		page = "/portal/requests/" + inc.Key
		resp = b.post(page+"/transitions", url.Values{"transition": {"resolve"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("customer resolving: %d, want 403", resp.StatusCode)
		}
		if _, err := s.Transition(ctx, f.Agents[0], inc.Key, store.TransitionInput{To: "resolve", Resolution: "Workaround"}); err != nil {
			t.Fatal(err)
		}
		_, body = b.get(page)
		mustContain(t, "resolved", body, ">Close</button>", ">Reopen</button>", "Workaround")
		resp = b.post(page+"/transitions", url.Values{"transition": {"reopen"}})
		body = readBody(t, resp)
		mustContain(t, "reopened", body, inc.Key+" is now Open")
		if tk, _ := s.Ticket(ctx, directory.System, inc.Key); tk.Status != "Open" {
			t.Errorf("status %q, want Open", tk.Status)
		}
	})
}

func TestPortalNeedsSignIn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, path := range []string{"/portal", "/portal/requests", "/portal/requests/IT-1"} {
			resp, err := client.Get(d.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(path) {
				t.Errorf("anonymous %s: %d %q", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})
}
