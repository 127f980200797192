package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

func TestAdminPersonEdit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		f := d.fixture
		b := adminAs(t, d, f.Admin, "/admin/people")
		agent := f.Agents[0]
		person := fmt.Sprintf("/admin/people/%d", agent.UserID)
		code, page := b.get(person)
		if code != http.StatusOK || !strings.Contains(page, `value="Agent 0"`) || !strings.Contains(page, "Deactivate Agent 0") ||
			!strings.Contains(page, "created the account as agent") {
			t.Fatalf("person page: %d", code)
		}
		edit := func(name, email, role, org string) url.Values {
			return url.Values{"name": {name}, "email": {email}, "role": {role}, "organization": {org}}
		}

		// An error keeps what was typed and names the field.
		resp := b.post(person, edit("Agent Zero", "Customer0@fixture.test", "agent", ""))
		body := adminWant(t, "taken email", resp, http.StatusConflict, `value="Agent Zero"`, `value="Customer0@fixture.test"`)
		if msg := adminFieldError(body, "email"); !strings.Contains(msg, "exists already") {
			t.Errorf("taken email: message %q", msg)
		}
		resp = b.post(person, edit("Agent Zero", "zero@fixture.test", "boss", ""))
		if body := adminWant(t, "bad role", resp, http.StatusUnprocessableEntity); adminFieldError(body, "role") == "" {
			t.Error("bad role: no message next to the role")
		}
		resp = b.post(person, edit(" ", "zero@fixture.test", "agent", ""))
		if body := adminWant(t, "no name", resp, http.StatusUnprocessableEntity); adminFieldError(body, "name") != "This is required." {
			t.Error("no name: no message next to the name")
		}
		if u, _ := s.User(ctx, agent.UserID); u.Name != "Agent 0" {
			t.Fatalf("refused edits changed the agent: %+v", u)
		}
		resp = b.post(person, edit("Agent Zero", " Zero@Fixture.test", "agent", ""))
		adminWant(t, "save", resp, http.StatusOK, "Saved.", `value="zero@fixture.test"`, "changed the name from Agent 0 to Agent Zero")
		if u, _ := s.User(ctx, agent.UserID); u.Name != "Agent Zero" || u.Email != "zero@fixture.test" || u.Role != directory.RoleAgent {
			t.Fatalf("saved %+v", u)
		}

		// A form from elsewhere is refused.
		resp = b.post(person, url.Values{"name": {"Mallory"}, "email": {"zero@fixture.test"}, "role": {"admin"}, "csrf_token": {"forged"}})
		adminWant(t, "forged edit", resp, http.StatusForbidden)
		resp = b.post(person+"/active", url.Values{"active": {"false"}, "confirm": {"yes"}, "csrf_token": {"forged"}})
		adminWant(t, "forged deactivation", resp, http.StatusForbidden)
		if u, _ := s.User(ctx, agent.UserID); u.Name != "Agent Zero" || u.Role != directory.RoleAgent || !u.Active {
			t.Fatalf("forged forms changed the agent: %+v", u)
		}

		// The agent is signed in and holds a ticket; another is unassigned.
		agentBrowser := d.login(t, agent)
		held, err := s.CreateTicket(ctx, agent, store.NewTicket{Type: "incident", Service: f.Services[0].Name, Summary: "Held by Zero", AssigneeID: agent.UserID})
		if err != nil {
			t.Fatal(err)
		}
		free, err := s.CreateTicket(ctx, f.Customers[0], store.NewTicket{Type: "incident", Service: f.Services[0].Name, Summary: "Nobody's yet"})
		if err != nil {
			t.Fatal(err)
		}
		if _, page := b.get("/agent/tickets/" + free.Key); !strings.Contains(page, ">Agent Zero</option>") {
			t.Fatal("an active agent of the service is not offered as assignee")
		}

		// Deactivating needs the box ticked.
		resp = b.post(person+"/active", url.Values{"active": {"false"}})
		if body := adminWant(t, "unconfirmed deactivation", resp, http.StatusUnprocessableEntity); adminFieldError(body, "confirm") == "" {
			t.Error("unconfirmed deactivation: no message next to the box")
		}
		if u, _ := s.User(ctx, agent.UserID); !u.Active {
			t.Fatal("deactivated without confirmation")
		}
		resp = b.post(person+"/active", url.Values{"active": {"false"}, "confirm": {"yes"}})
		adminWant(t, "deactivate", resp, http.StatusOK, "Agent Zero is deactivated", "Reactivate Agent Zero", "deactivated them and signed them out of one browser")

		// Signed out, and cannot sign in again.
		if resp, _ := agentBrowser.client.Get(agentBrowser.base + "/agent"); resp.Request.URL.Path != "/login" {
			t.Errorf("the deactivated agent's browser is at %s, want the sign-in page", resp.Request.URL.Path)
		}
		if _, resp := adminSignIn(t, d, "zero@fixture.test", testPassword, "/agent"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a deactivated agent signs in: %d", resp.StatusCode)
		}
		// Not offered as assignee; still shown where they hold a ticket.
		if _, page := b.get("/agent/tickets/" + free.Key); strings.Contains(page, ">Agent Zero") {
			t.Error("a deactivated agent is offered as assignee")
		}
		if _, page := b.get("/agent/tickets/" + held.Key); !strings.Contains(page, "selected>Agent Zero (no longer assignable)</option>") {
			t.Error("the ticket's deactivated assignee is not shown in the picker")
		}

		// The list marks and filters inactive people.
		_, list := b.get("/admin/people?status=inactive")
		if !strings.Contains(list, ">Agent Zero</a> <span class=\"badge\">Inactive</span>") || strings.Contains(list, "Customer 1<") {
			t.Error("inactive filter")
		}
		_, list = b.get("/admin/people?status=active")
		if strings.Contains(list, "Agent Zero") || !strings.Contains(list, "Customer 1<") {
			t.Error("active filter")
		}
		_, list = b.get("/admin/people")
		if !strings.Contains(list, "Agent Zero") || !strings.Contains(list, "Customer 1<") {
			t.Error("everyone")
		}

		// Reactivated, the agent signs in again.
		resp = b.post(person+"/active", url.Values{"active": {"true"}})
		adminWant(t, "reactivate", resp, http.StatusOK, "Agent Zero is active again", "Deactivate Agent Zero")
		if _, resp := adminSignIn(t, d, "zero@fixture.test", testPassword, "/agent"); resp.StatusCode != http.StatusOK {
			t.Errorf("a reactivated agent signs in: %d", resp.StatusCode)
		}
	})
}

func TestAdminPersonRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		f := d.fixture
		other := adminAs(t, d, f.Admin, "/admin")
		b := adminAs(t, d, f.Admin, "/admin/people")
		self := fmt.Sprintf("/admin/people/%d", f.Admin.UserID)

		// The only admin cannot step down or lock herself out.
		code, page := b.get(self)
		if code != http.StatusOK || strings.Contains(page, "Deactivate Ada Admin") || !strings.Contains(page, "You cannot deactivate yourself") {
			t.Errorf("own page: %d", code)
		}
		resp := b.post(self, url.Values{"name": {"Ada Admin"}, "email": {"admin@fixture.test"}, "role": {"agent"}})
		if body := adminWant(t, "self-demotion", resp, http.StatusUnprocessableEntity); !strings.Contains(adminFieldError(body, "role"), "your own admin role") {
			t.Errorf("self-demotion: message %q", adminFieldError(body, "role"))
		}
		resp = b.post(self+"/active", url.Values{"active": {"false"}, "confirm": {"yes"}})
		if body := adminWant(t, "self-deactivation", resp, http.StatusUnprocessableEntity); !strings.Contains(adminFieldError(body, "active"), "cannot deactivate yourself") {
			t.Errorf("self-deactivation: message %q", adminFieldError(body, "active"))
		}
		if u, _ := s.User(ctx, f.Admin.UserID); u.Role != directory.RoleAdmin || !u.Active {
			t.Fatalf("the admin changed: %+v", u)
		}

		// An agent made a customer leaves her team and her open ticket.
		agent := f.Agents[1]
		tk, err := s.CreateTicket(ctx, agent, store.NewTicket{Type: "incident", Service: f.Services[1].Name, Summary: "Disk full", AssigneeID: agent.UserID})
		if err != nil {
			t.Fatal(err)
		}
		orgs, _ := s.Organizations(ctx)
		resp = b.post(fmt.Sprintf("/admin/people/%d", agent.UserID), url.Values{"name": {"Agent 1"}, "email": {"agent1@fixture.test"},
			"role": {"customer"}, "organization": {fmt.Sprint(orgs[0].ID)}})
		adminWant(t, "agent to customer", resp, http.StatusOK,
			"Agent 1 is a customer now: they left 1 team, and 1 open ticket went back to the queues unassigned.", "took them out of Infrastructure")
		if got, _ := s.Ticket(ctx, f.Admin, tk.Key); got.AssigneeID != 0 {
			t.Errorf("%s still assigned to %d", tk.Key, got.AssigneeID)
		}
		teams, _ := s.Teams(ctx)
		for _, tm := range teams {
			if slices.Contains(tm.MemberIDs, agent.UserID) {
				t.Errorf("the new customer is still in %s", tm.Name)
			}
		}

		// Setting her own password signs the admin's other browsers out and
		// keeps this one signed in.
		resp = b.post(self+"/password", url.Values{"password": {"a new secret"}, "password_again": {"a new secret"}})
		adminWant(t, "own password", resp, http.StatusOK, "Your other browsers were signed out.")
		if code, _ := b.get("/admin"); code != http.StatusOK {
			t.Errorf("after setting her own password the admin gets %d", code)
		}
		if resp, _ := other.client.Get(other.base + "/admin"); resp.Request.URL.Path != "/login" {
			t.Errorf("the admin's other browser is at %s, want the sign-in page", resp.Request.URL.Path)
		}
		// Setting someone else's ends all of theirs.
		customer := d.login(t, f.Customers[0])
		resp = b.post(fmt.Sprintf("/admin/people/%d/password", f.Customers[0].UserID), url.Values{"password": {"reset by IT"}, "password_again": {"reset by IT"}})
		adminWant(t, "reset a password", resp, http.StatusOK, "Their sessions ended")
		if resp, _ := customer.client.Get(customer.base + "/portal"); resp.Request.URL.Path != "/login" {
			t.Errorf("after a reset the customer's browser is at %s, want the sign-in page", resp.Request.URL.Path)
		}
	})
}
