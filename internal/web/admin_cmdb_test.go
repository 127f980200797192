package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

func cmdbTypePath(t cmdb.CIType) string { return fmt.Sprintf("/admin/ci-types/%d", t.ID) }

// cmdbTypeForm is the form of a type's page as it is filled for t.
func cmdbTypeForm(t cmdb.CIType) url.Values {
	v := url.Values{"name": {t.Name}, "description": {t.Description}, "rows": {"0"}}
	if t.ParentID != 0 {
		v.Set("parent", fmt.Sprint(t.ParentID))
	}
	for _, a := range t.Attributes {
		row := map[string]string{"key": a.Key, "label": a.Label, "type": string(a.Type), "options": strings.Join(a.Options, "\n"),
			"ref_type": a.RefType, "help": a.Help}
		if a.Required {
			row["required"] = "on"
		}
		if a.Unique {
			row["unique"] = "on"
		}
		cmdbAddRow(v, row)
	}
	return v
}

// cmdbAddRow adds a row to the attribute list of a type's form.
func cmdbAddRow(v url.Values, row map[string]string) {
	i, _ := strconv.Atoi(v.Get("rows"))
	for k, val := range row {
		v.Set(fmt.Sprintf("attributes[%d].%s", i, k), val)
	}
	v.Set("rows", strconv.Itoa(i+1))
}

func cmdbType(t *testing.T, s *store.Store, ref string) cmdb.CIType {
	t.Helper()
	ct, err := s.CIType(context.Background(), ref)
	if err != nil {
		t.Fatalf("CI type %s: %v", ref, err)
	}
	return ct
}

// cmdbUpload posts a multipart form with a file, as the import page does.
func cmdbUpload(t *testing.T, b *browser, fields url.Values, name, content string) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if b.csrf != "" && fields.Get("csrf_token") == "" {
		fields.Set("csrf_token", b.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(content))
	}
	mw.Close()
	resp, err := b.client.Post(b.base+"/admin/cmdb/import", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

func cmdbCount(t *testing.T, s *store.Store) int {
	t.Helper()
	page, err := s.CIs(context.Background(), store.CIFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

func TestAdminCITypes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		b := adminAs(t, d, d.fixture.Admin, "/admin/ci-types")
		if code, body := b.get("/admin/ci-types"); code != http.StatusOK || !strings.Contains(body, "No CI types yet") {
			t.Fatalf("empty hierarchy: %d", code)
		}

		resp := b.post("/admin/ci-types", url.Values{"name": {"Device"}, "description": {"Anything with a serial number"}})
		adminWant(t, "create Device", resp, http.StatusOK, "CI type Device created.")
		device := cmdbType(t, s, "device")
		if resp.Request.URL.Path != cmdbTypePath(device) || device.Description != "Anything with a serial number" {
			t.Errorf("created Device %+v, landed on %s", device, resp.Request.URL.Path)
		}

		// A missing name is shown next to it, the rest of the form kept.
		resp = b.post("/admin/ci-types", url.Values{"name": {" "}, "key": {"kept_key"}})
		body := adminWant(t, "no name", resp, http.StatusUnprocessableEntity, `value="kept_key"`)
		if msg := adminFieldError(body, "name"); msg != "This is required." {
			t.Errorf("no name: %q next to the name", msg)
		}
		resp = b.post("/admin/ci-types", url.Values{"name": {"device"}, "key": {"other_device"}})
		body = adminWant(t, "duplicate name", resp, http.StatusConflict)
		if msg := adminFieldError(body, "name"); !strings.Contains(msg, "exists already") {
			t.Errorf("duplicate name: %q next to the name", msg)
		}

		// Attributes: the key is made from the label when left empty.
		form := cmdbTypeForm(device)
		cmdbAddRow(form, map[string]string{"label": "Serial number", "type": "text", "required": "on", "unique": "on"})
		cmdbAddRow(form, map[string]string{"new": "1", "label": "Vendor", "type": "select", "options": "Cisco\n\nJuniper\n"})
		adminWant(t, "Device attributes", b.post(cmdbTypePath(device), form), http.StatusOK, "CI type Device saved.")
		device = cmdbType(t, s, "device")
		if len(device.Attributes) != 2 || device.Attributes[0].Key != "serial_number" || !device.Attributes[0].Unique || !device.Attributes[0].Required ||
			device.Attributes[1].Key != "vendor" || strings.Join(device.Attributes[1].Options, "|") != "Cisco|Juniper" {
			t.Fatalf("Device attributes: %+v", device.Attributes)
		}

		resp = b.post("/admin/ci-types", url.Values{"name": {"Router"}, "parent": {fmt.Sprint(device.ID)}})
		adminWant(t, "create Router", resp, http.StatusOK, "CI type Router created.")
		router := cmdbType(t, s, "router")
		if router.ParentID != device.ID || len(router.Schema) != 2 {
			t.Fatalf("Router: parent %d, schema %+v", router.ParentID, router.Schema)
		}

		// A select without options is refused at its own row (the second),
		// with every value kept and nothing saved.
		form = cmdbTypeForm(router)
		cmdbAddRow(form, map[string]string{"label": "Firmware", "type": "text", "help": "As the device reports it"})
		cmdbAddRow(form, map[string]string{"label": "Role", "key": "role", "type": "select", "options": " \n"})
		resp = b.post(cmdbTypePath(router), form)
		body = adminWant(t, "select without options", resp, http.StatusUnprocessableEntity,
			`value="Firmware"`, `value="As the device reports it"`, `value="Role"`, `aria-invalid="true" aria-describedby="err-attributes[1].options"`)
		if msg := adminFieldError(body, "attributes[1].options"); !strings.Contains(msg, "needs from 1 to") {
			t.Errorf("select without options: %q next to its options", msg)
		}
		if strings.Contains(body, `id="err-attributes[0].`) {
			t.Error("select without options: an error shown at the first row")
		}
		if got := cmdbType(t, s, "router"); len(got.Attributes) != 0 {
			t.Errorf("a refused save stored %+v", got.Attributes)
		}

		// A row removed in the same save does not shift the error: the
		// store's attributes[0] is the form's second row.
		form = cmdbTypeForm(router)
		cmdbAddRow(form, map[string]string{"label": "Old", "type": "text", "remove": "on"})
		cmdbAddRow(form, map[string]string{"label": "Role", "type": "select"})
		body = adminWant(t, "error after a removed row", b.post(cmdbTypePath(router), form), http.StatusUnprocessableEntity)
		if adminFieldError(body, "attributes[1].options") == "" || adminFieldError(body, "attributes[0].options") != "" {
			t.Error("error after a removed row: not shown at its own row")
		}

		// Redeclaring an inherited attribute, and a reference without its
		// target, are refused at their rows.
		form = cmdbTypeForm(router)
		cmdbAddRow(form, map[string]string{"label": "Serial", "key": "serial_number", "type": "text"})
		body = adminWant(t, "inherited key", b.post(cmdbTypePath(router), form), http.StatusUnprocessableEntity)
		if msg := adminFieldError(body, "attributes[0].key"); !strings.Contains(msg, "inherits attribute") {
			t.Errorf("inherited key: %q next to the key", msg)
		}
		form = cmdbTypeForm(router)
		cmdbAddRow(form, map[string]string{"label": "Firmware", "type": "text"})
		cmdbAddRow(form, map[string]string{"label": "Uplink", "type": "reference"})
		body = adminWant(t, "reference without target", b.post(cmdbTypePath(router), form), http.StatusUnprocessableEntity)
		if msg := adminFieldError(body, "attributes[1].ref_type"); msg != "This is required." {
			t.Errorf("reference without target: %q next to its target", msg)
		}

		form = cmdbTypeForm(router)
		cmdbAddRow(form, map[string]string{"label": "Firmware", "type": "text", "options": "dropped: not a select"})
		cmdbAddRow(form, map[string]string{"label": "Uplink", "type": "reference", "ref_type": "router"})
		cmdbAddRow(form, map[string]string{"new": "1"}) // the empty row, left empty
		adminWant(t, "Router attributes", b.post(cmdbTypePath(router), form), http.StatusOK, "CI type Router saved.")
		router = cmdbType(t, s, "router")
		if len(router.Attributes) != 2 || router.Attributes[0].Key != "firmware" || router.Attributes[0].Options != nil ||
			router.Attributes[1].RefType != "router" || len(router.Schema) != 4 {
			t.Fatalf("Router attributes %+v, schema %d", router.Attributes, len(router.Schema))
		}

		// The type's page shows what it inherits and from where.
		_, body = b.get(cmdbTypePath(router))
		inherited := body[strings.Index(body, `id="inherited"`):strings.Index(body, `id="attributes"`)]
		for _, want := range []string{"Serial number", "<code>serial_number</code>", "Vendor", fmt.Sprintf(`from <a href="/admin/ci-types/%d">Device</a>`, device.ID)} {
			if !strings.Contains(inherited, want) {
				t.Errorf("inherited attributes: want %q", want)
			}
		}
		if strings.Contains(inherited, "Firmware") {
			t.Error("an own attribute is listed as inherited")
		}

		// The hierarchy nests Router under Device, with its counts.
		_, body = b.get("/admin/ci-types")
		tree := regexp.MustCompile(`data-type="device">[\s\S]*?2 own attributes · 0 CIs[\s\S]*?<ul class="admin-list admin-cmdb-tree">\s*<li data-type="router">[\s\S]*?2 own attributes, 2 inherited · 0 CIs`)
		if !tree.MatchString(body) {
			t.Errorf("the hierarchy does not show Router under Device:\n%s", body)
		}

		// Moving a row saves the list in its new order; removing drops it.
		form = cmdbTypeForm(router)
		form.Set("move", "1:up")
		adminWant(t, "move", b.post(cmdbTypePath(router), form), http.StatusOK, "Attribute Uplink moved")
		if router = cmdbType(t, s, "router"); router.Attributes[0].Key != "uplink" {
			t.Errorf("after the move: %+v", router.Attributes)
		}
		form = cmdbTypeForm(router)
		form.Set("attributes[0].remove", "on")
		adminWant(t, "remove", b.post(cmdbTypePath(router), form), http.StatusOK, "CI type Router saved.")
		if router = cmdbType(t, s, "router"); len(router.Attributes) != 1 || router.Attributes[0].Key != "firmware" {
			t.Errorf("after the removal: %+v", router.Attributes)
		}

		// A type cannot extend its own subtype: the page does not offer it,
		// and the store's refusal is shown at the parent.
		_, body = b.get(cmdbTypePath(device))
		if strings.Contains(body, fmt.Sprintf(`<option value="%d"`, router.ID)) {
			t.Error("Device's page offers its subtype Router as its parent")
		}
		form = cmdbTypeForm(device)
		form.Set("parent", fmt.Sprint(router.ID))
		body = adminWant(t, "cycle", b.post(cmdbTypePath(device), form), http.StatusUnprocessableEntity)
		if msg := adminFieldError(body, "parent"); !strings.Contains(msg, "circle") {
			t.Errorf("cycle: %q next to the parent", msg)
		}
		if got := cmdbType(t, s, "device"); got.ParentID != 0 || len(got.Attributes) != 2 {
			t.Errorf("a refused cycle changed Device: %+v", got)
		}
		// A post without its row count is refused, not read as "no attributes".
		resp = b.post(cmdbTypePath(device), url.Values{"name": {"Device"}})
		adminWant(t, "no row count", resp, http.StatusUnprocessableEntity, "did not come through whole", `value="serial_number"`)
		if got := cmdbType(t, s, "device"); len(got.Attributes) != 2 {
			t.Errorf("a post without its row count left Device with %+v", got.Attributes)
		}
		if code, _ := b.get("/admin/ci-types/999999"); code != http.StatusNotFound {
			t.Errorf("unknown type: %d", code)
		}
	})
}

// cmdbFleet is an import file: its third line has a bad IP address.
const cmdbFleet = "type,name,hostname,ip_address,Operating system,criticality\n" +
	"server,web-01,web-01.example.test,10.0.0.1,Debian 12,high\n" +
	"server,web-02,web-02.example.test,10.0.0.999,Debian 12,low\n" +
	"server,db-01,db-01.example.test,10.0.0.3,,critical\n"

var cmdbUploadID = regexp.MustCompile(`name="upload" value="([^"]+)"`)

func TestAdminCMDBImport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.EnsureDefaultCITypes(ctx); err != nil {
			t.Fatal(err)
		}
		d := newDesk(t, s)
		b := adminAs(t, d, d.fixture.Admin, "/admin/cmdb/import")
		if code, body := b.get("/admin/cmdb/import"); code != http.StatusOK || !strings.Contains(body, "<code>serial_number</code>") {
			t.Fatalf("import page: %d, or no hint to match on serial numbers", code)
		}

		// A dry run reports the changes and the bad row, and writes nothing.
		resp := cmdbUpload(t, b, url.Values{"match": {"hostname"}, "mode": {"dry_run"}}, "fleet.csv", cmdbFleet)
		body := html.UnescapeString(adminWant(t, "dry run", resp, http.StatusOK, "Dry run of fleet.csv: nothing was written."))
		for _, want := range []string{
			"<dt>Would be created</dt><dd>2</dd>", "<dt>Would be updated</dt><dd>0</dd>", "<dt>Failed</dt><dd>1</dd>",
			"<strong>Host name</strong>: web-01.example.test", "<strong>Operating system</strong>: Debian 12", "<strong>Criticality</strong>: critical",
			`<td data-label="Row">3</td>`, `<td data-label="Field">IP address</td>`, `"10.0.0.999" is not an IPv4 or IPv6 address`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("dry run: want %q", want)
			}
		}
		if n := cmdbCount(t, s); n != 0 {
			t.Fatalf("a dry run wrote %d CIs", n)
		}
		m := cmdbUploadID.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the dry run offers no import of the checked file")
		}
		upload := m[1]

		// Another admin cannot import this admin's upload.
		hash, _ := auth.HashPassword(testPassword)
		other, err := s.CreateUser(ctx, directory.System, store.NewUser{Email: "admin2@fixture.test", Name: "Other Admin", Role: directory.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, directory.System, other.ID, hash); err != nil {
			t.Fatal(err)
		}
		otherActor, _ := s.Actor(ctx, other)
		b2 := adminAs(t, d, otherActor, "/admin/cmdb/import")
		adminWant(t, "someone else's upload", b2.post("/admin/cmdb/import/confirm", url.Values{"upload": {upload}}), http.StatusGone, "Upload it again")
		if n := cmdbCount(t, s); n != 0 {
			t.Fatalf("another admin imported the upload: %d CIs", n)
		}

		// Importing the checked file writes the good rows only.
		resp = b.post("/admin/cmdb/import/confirm", url.Values{"upload": {upload}})
		adminWant(t, "import", resp, http.StatusOK, "Imported fleet.csv: 2 created, 0 updated, 0 unchanged, 1 failed.")
		page, err := s.CIs(ctx, store.CIFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 || page.CIs[0].Name != "db-01" || page.CIs[1].Name != "web-01" ||
			page.CIs[1].Criticality != cmdb.CriticalityHigh || page.CIs[1].Attributes["ip_address"] != "10.0.0.1" {
			t.Fatalf("imported %+v", page.CIs)
		}
		adminWant(t, "import twice", b.post("/admin/cmdb/import/confirm", url.Values{"upload": {upload}}), http.StatusGone)

		// The same file again changes nothing.
		resp = cmdbUpload(t, b, url.Values{"match": {"hostname"}, "mode": {"import"}}, "fleet.csv", cmdbFleet)
		adminWant(t, "re-import", resp, http.StatusOK, "Imported fleet.csv: 0 created, 0 updated, 2 unchanged, 1 failed.")
		if n := cmdbCount(t, s); n != 2 {
			t.Errorf("a re-import left %d CIs", n)
		}
		resp = cmdbUpload(t, b, url.Values{"match": {"hostname"}}, "fleet.csv", cmdbFleet)
		body = adminWant(t, "dry run of an imported file", resp, http.StatusOK, "Nothing to import")
		if cmdbUploadID.MatchString(body) {
			t.Error("a dry run that changes nothing offers an import")
		}

		// A changed value is shown from → to; JSON works the same way.
		changed := `[{"type": "Server", "name": "web-01", "hostname": "WEB-01.example.test", "criticality": "low"}]`
		resp = cmdbUpload(t, b, url.Values{"match": {"hostname"}, "mode": {"dry_run"}}, "fleet.json", changed)
		body = html.UnescapeString(adminWant(t, "dry run of a change", resp, http.StatusOK, "<dt>Would be updated</dt><dd>1</dd>"))
		if !strings.Contains(body, "<strong>Criticality</strong>: high → low") || !strings.Contains(body, "<strong>Host name</strong>: web-01.example.test → WEB-01.example.test") {
			t.Errorf("dry run of a change: no from → to\n%s", body)
		}

		// All or nothing: a bad row means no import is offered.
		resp = cmdbUpload(t, b, url.Values{"match": {"hostname"}, "atomic": {"on"}}, "fleet.csv", strings.Replace(cmdbFleet, "web-01,", "web-01b,", 1))
		body = adminWant(t, "atomic dry run", resp, http.StatusOK, "cannot go ahead while rows fail")
		if cmdbUploadID.MatchString(body) {
			t.Error("an all-or-nothing dry run with a failed row offers an import")
		}

		// Bad files, bad rules and no file are refused next to their field.
		for _, tc := range []struct {
			what, match, name, content, field, want string
		}{
			{"empty file", "", "empty.csv", "", "file", "The file is empty"},
			{"broken JSON", "", "broken.json", `[{"type": "server",`, "file", "not valid JSON"},
			{"bad rule", "name+", "fleet.csv", cmdbFleet, "match", "empty field"},
			{"no file", "", "", "", "file", "Choose a CSV or JSON file"},
			{"too large", "", "big.csv", strings.Repeat("x", 10<<20+1), "file", "up to 10 MiB"},
		} {
			body := adminWant(t, tc.what, cmdbUpload(t, b, url.Values{"match": {tc.match}}, tc.name, tc.content), http.StatusUnprocessableEntity)
			if msg := adminFieldError(body, tc.field); !strings.Contains(msg, tc.want) {
				t.Errorf("%s: %q next to %s, want %q", tc.what, msg, tc.field, tc.want)
			}
		}
		if n := cmdbCount(t, s); n != 2 {
			t.Errorf("refused uploads left %d CIs", n)
		}
	})
}

func TestAdminServiceCMDB(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.EnsureDefaultCITypes(ctx); err != nil {
			t.Fatal(err)
		}
		d := newDesk(t, s)
		f := d.fixture
		ci := func(name, typ string) cmdb.CI {
			t.Helper()
			c, err := s.CreateCI(ctx, f.Admin, store.NewCI{Name: name, Type: typ})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		web := ci("web-01", "application")
		twinApp, twinDB := ci("twin", "application"), ci("twin", "database")
		svc := f.Services[0]
		path := fmt.Sprintf("/admin/services/%d", svc.ID)
		b := adminAs(t, d, f.Admin, path)
		if _, body := b.get(path); !strings.Contains(body, "Built on") || !strings.Contains(body, "No CIs linked yet.") || !strings.Contains(body, "Customer organizations") {
			t.Fatal("the service page has no CMDB section")
		}

		adminWant(t, "link by name", b.post(path+"/cis", url.Values{"ci": {"WEB-01"}}), http.StatusOK, "is now built on web-01.",
			fmt.Sprintf(`<a href="/agent/cmdb/%d">web-01</a>`, web.ID))
		body := adminWant(t, "unknown name", b.post(path+"/cis", url.Values{"ci": {"web"}}), http.StatusUnprocessableEntity, `value="web"`,
			"Link this one<span class=\"admin-vh\">: web-01, Application</span>")
		if msg := adminFieldError(body, "ci"); !strings.Contains(msg, "No CI is named “web”") {
			t.Errorf("unknown name: %q", msg)
		}
		body = adminWant(t, "two of a name", b.post(path+"/cis", url.Values{"ci": {"twin"}}), http.StatusUnprocessableEntity,
			fmt.Sprintf(`name="ci_id" value="%d"`, twinApp.ID), fmt.Sprintf(`name="ci_id" value="%d"`, twinDB.ID),
			"Link this one<span class=\"admin-vh\">: twin, Application</span>", "Link this one<span class=\"admin-vh\">: twin, Database</span>")
		if msg := adminFieldError(body, "ci"); !strings.Contains(msg, "2 CIs are named") {
			t.Errorf("two of a name: %q", msg)
		}
		adminWant(t, "link the chosen one", b.post(path+"/cis", url.Values{"ci_id": {fmt.Sprint(twinDB.ID)}}), http.StatusOK, "is now built on twin.")
		body = adminWant(t, "link twice", b.post(path+"/cis", url.Values{"ci": {"web-01"}}), http.StatusConflict)
		if !strings.Contains(html.UnescapeString(body), "is linked to CI \"web-01\" already") {
			t.Error("link twice: no message")
		}
		cis, _ := s.ServiceCIs(ctx, svc.ID)
		if len(cis) != 2 || cis[0].ID != twinDB.ID || cis[1].ID != web.ID {
			t.Fatalf("service CIs %+v", cis)
		}

		adminWant(t, "unlink", b.post(path+"/cis/remove", url.Values{"ci_id": {fmt.Sprint(web.ID)}}), http.StatusOK, "is no longer built on that CI")
		adminWant(t, "unlink again", b.post(path+"/cis/remove", url.Values{"ci_id": {fmt.Sprint(web.ID)}}), http.StatusOK, "was not linked")
		if cis, _ = s.ServiceCIs(ctx, svc.ID); len(cis) != 1 || cis[0].ID != twinDB.ID {
			t.Errorf("after unlinking: %+v", cis)
		}

		orgs, _ := s.Organizations(ctx)
		adminWant(t, "organizations", b.post(path+"/organizations", url.Values{"organization_ids": {fmt.Sprint(orgs[0].ID)}}), http.StatusOK,
			"Customer organizations of "+svc.Name+" saved.", fmt.Sprintf(`value="%d" checked`, orgs[0].ID))
		body = adminWant(t, "unknown organization", b.post(path+"/organizations", url.Values{"organization_ids": {fmt.Sprint(orgs[1].ID), "999999"}}),
			http.StatusUnprocessableEntity)
		if adminFieldError(body, "organization_ids") == "" {
			t.Error("unknown organization: no message")
		}
		if using, _ := s.ServiceOrganizations(ctx, svc.ID); len(using) != 1 || using[0].ID != orgs[0].ID {
			t.Errorf("customer organizations %+v", using)
		}
	})
}

func TestAdminCMDBRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.EnsureDefaultCITypes(ctx); err != nil {
			t.Fatal(err)
		}
		d := newDesk(t, s)
		f := d.fixture
		web, err := s.CreateCI(ctx, f.Admin, store.NewCI{Name: "web-01", Type: "application"})
		if err != nil {
			t.Fatal(err)
		}
		server := cmdbType(t, s, "server")
		svc := fmt.Sprintf("/admin/services/%d", f.Services[0].ID)
		posts := []struct {
			path string
			form url.Values
		}{
			{"/admin/ci-types", url.Values{"name": {"Sneaky"}}},
			{cmdbTypePath(server), url.Values{"name": {"Sneaky"}, "rows": {"0"}}},
			{"/admin/cmdb/import/confirm", url.Values{"upload": {"x"}}},
			{svc + "/cis", url.Values{"ci": {"web-01"}}},
			{svc + "/organizations", url.Values{"organization_ids": {"1"}}},
		}
		unchanged := func(who string) {
			t.Helper()
			if _, err := s.CIType(ctx, "sneaky"); err == nil {
				t.Errorf("%s created a CI type", who)
			}
			if got := cmdbType(t, s, "server"); got.Name != "Server" || len(got.Attributes) != len(server.Attributes) {
				t.Errorf("%s changed the Server type", who)
			}
			if cis, _ := s.ServiceCIs(ctx, f.Services[0].ID); len(cis) != 0 {
				t.Errorf("%s linked a CI", who)
			}
			if orgs, _ := s.ServiceOrganizations(ctx, f.Services[0].ID); len(orgs) != 0 {
				t.Errorf("%s set customer organizations", who)
			}
			if n := cmdbCount(t, s); n != 1 {
				t.Errorf("%s imported CIs: %d", who, n)
			}
		}

		// Agents do not even see the pages.
		b := adminAs(t, d, f.Agents[0], "/settings/tokens")
		for _, p := range []string{"/admin/ci-types", cmdbTypePath(server), "/admin/cmdb/import"} {
			if code, _ := b.get(p); code != http.StatusNotFound {
				t.Errorf("agent GET %s: %d, want 404", p, code)
			}
		}
		for _, p := range posts {
			adminWant(t, "agent POST "+p.path, b.post(p.path, maps.Clone(p.form)), http.StatusNotFound)
		}
		b.get("/settings/tokens")
		adminWant(t, "agent upload", cmdbUpload(t, b, url.Values{"mode": {"import"}}, "fleet.csv", cmdbFleet), http.StatusNotFound)
		unchanged("an agent")

		// An admin's posts need the session's CSRF token.
		a := adminAs(t, d, f.Admin, "/admin/ci-types")
		for _, p := range append(posts, struct {
			path string
			form url.Values
		}{svc + "/cis/remove", url.Values{"ci_id": {fmt.Sprint(web.ID)}}}) {
			resp, err := a.client.PostForm(a.base+p.path, p.form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s without a token: %d, want 403", p.path, resp.StatusCode)
			}
		}
		a.csrf = ""
		adminWant(t, "upload without a token", cmdbUpload(t, a, url.Values{"mode": {"import"}}, "fleet.csv", cmdbFleet), http.StatusForbidden)
		adminWant(t, "upload with a wrong token", cmdbUpload(t, a, url.Values{"mode": {"import"}, "csrf_token": {"wrong"}}, "fleet.csv", cmdbFleet), http.StatusForbidden)
		unchanged("a forged post")
	})
}
