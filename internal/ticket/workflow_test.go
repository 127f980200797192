package ticket

import (
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
)

const (
	customer = directory.RoleCustomer
	agent    = directory.RoleAgent
	admin    = directory.RoleAdmin
)

// smallWorkflow is a valid workflow that each Validate case breaks in one place.
func smallWorkflow() Workflow {
	return Workflow{
		Name: "Small", TicketType: TypeIncident, Initial: "Open",
		Statuses: []Status{{"Open", CategoryToDo}, {"Working", CategoryInProgress}, {"Done", CategoryDone}},
		Transitions: []Transition{
			{ID: "work", Name: "Work", From: []string{"Open"}, To: "Working", Roles: []directory.Role{agent}},
			{ID: "finish", Name: "Finish", From: []string{"Working"}, To: "Done", Roles: []directory.Role{agent, admin}, RequiredFields: []string{"resolution", "fields.cause"}},
			{ID: "reopen", Name: "Reopen", To: "Open", Roles: []directory.Role{customer, agent, admin}},
		},
	}
}

func TestWorkflowValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(w *Workflow)
		field string // "" when valid
	}{
		{"valid", func(w *Workflow) {}, ""},
		{"name trimmed", func(w *Workflow) { w.Name = "  Small  " }, ""},
		{"initial in other case", func(w *Workflow) { w.Initial = "open" }, ""},
		{"no transitions", func(w *Workflow) { w.Transitions = nil }, ""},
		{"every transition field", func(w *Workflow) { w.Transitions[0].RequiredFields = TransitionFields }, ""},
		{"empty name", func(w *Workflow) { w.Name = "  " }, "name"},
		{"unknown ticket type", func(w *Workflow) { w.TicketType = "task" }, "ticket_type"},
		{"no ticket type", func(w *Workflow) { w.TicketType = "" }, "ticket_type"},
		{"no statuses", func(w *Workflow) { w.Statuses = nil; w.Transitions = nil }, "statuses"},
		{"status without name", func(w *Workflow) { w.Statuses[1].Name = " " }, "statuses[1].name"},
		{"status twice", func(w *Workflow) { w.Statuses[2].Name = "WORKING" }, "statuses[2].name"},
		{"bad category", func(w *Workflow) { w.Statuses[0].Category = "closed" }, "statuses[0].category"},
		{"no category", func(w *Workflow) { w.Statuses[2].Category = "" }, "statuses[2].category"},
		{"unknown initial", func(w *Workflow) { w.Initial = "New" }, "initial_status"},
		{"no initial", func(w *Workflow) { w.Initial = "" }, "initial_status"},
		{"transition without id", func(w *Workflow) { w.Transitions[1].ID = "" }, "transitions[1].id"},
		{"transition id twice", func(w *Workflow) { w.Transitions[2].ID = "work" }, "transitions[2].id"},
		{"transition without name", func(w *Workflow) { w.Transitions[0].Name = "" }, "transitions[0].name"},
		{"transition to unknown", func(w *Workflow) { w.Transitions[1].To = "Closed" }, "transitions[1].to"},
		{"transition from unknown", func(w *Workflow) { w.Transitions[0].From = []string{"Open", "Limbo"} }, "transitions[0].from"},
		{"transition without roles", func(w *Workflow) { w.Transitions[2].Roles = nil }, "transitions[2].roles"},
		{"transition with unknown role", func(w *Workflow) { w.Transitions[1].Roles = []directory.Role{agent, "manager"} }, "transitions[1].roles"},
		{"unknown required field", func(w *Workflow) { w.Transitions[1].RequiredFields = []string{"resolution", "approver"} }, "transitions[1].required_fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := smallWorkflow()
			tt.edit(&w)
			err := w.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.KindInvalid || e.Field != tt.field {
				t.Fatalf("Validate() = %#v, want invalid %q", err, tt.field)
			}
		})
	}
}

func TestWorkflowValidateTrimsName(t *testing.T) {
	w := smallWorkflow()
	w.Name = "  Small  "
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	if w.Name != "Small" {
		t.Errorf("Name = %q, want it trimmed", w.Name)
	}
}

func TestDefaultWorkflows(t *testing.T) {
	seen := map[Type]bool{}
	for _, w := range DefaultWorkflows() {
		if err := w.Validate(); err != nil {
			t.Errorf("default workflow %s: %v", w.Name, err)
		}
		if seen[w.TicketType] {
			t.Errorf("two default workflows for %s", w.TicketType)
		}
		seen[w.TicketType] = true
		// Every status but the initial one is reachable, and every status
		// that is not done has a way forward.
		for _, st := range w.Statuses {
			into, out := false, false
			for _, tr := range w.Transitions {
				if tr.To == st.Name {
					into = true
				}
				if len(tr.From) == 0 || slices.Contains(tr.From, st.Name) {
					out = true
				}
			}
			if !into && st.Name != w.Initial {
				t.Errorf("%s: status %q cannot be reached", w.Name, st.Name)
			}
			if !out && st.Category != CategoryDone {
				t.Errorf("%s: status %q is a dead end", w.Name, st.Name)
			}
		}
	}
	for _, typ := range Types {
		if !seen[typ] {
			t.Errorf("no default workflow for %s", typ)
		}
	}
	// The slices are fresh on each call: editing one must not change the next.
	a := DefaultWorkflows()
	a[0].Transitions[0].Roles[0] = directory.RoleCustomer
	a[0].Statuses[0].Name = "Edited"
	b := DefaultWorkflows()
	if b[0].Statuses[0].Name == "Edited" {
		t.Error("DefaultWorkflows shares its statuses between calls")
	}
	if b[0].Transitions[0].Roles[0] == directory.RoleCustomer {
		t.Error("DefaultWorkflows shares its role lists between calls")
	}
}

func defaultWorkflow(t *testing.T, typ Type) Workflow {
	t.Helper()
	for _, w := range DefaultWorkflows() {
		if w.TicketType == typ {
			return w
		}
	}
	t.Fatalf("no default workflow for %s", typ)
	return Workflow{}
}

func TestWorkflowFind(t *testing.T) {
	incident := defaultWorkflow(t, TypeIncident)
	change := defaultWorkflow(t, TypeChange)
	tests := []struct {
		name   string
		w      Workflow
		from   string
		role   directory.Role
		ref    string
		wantID string
		kind   errs.Kind // when an error is wanted
		field  string
	}{
		{name: "by id", w: incident, from: "Open", role: agent, ref: "start", wantID: "start"},
		{name: "by status", w: incident, from: "Open", role: agent, ref: "In progress", wantID: "start"},
		{name: "by status any case", w: incident, from: "Open", role: admin, ref: "in PROGRESS", wantID: "start"},
		{name: "by transition name", w: incident, from: "In progress", role: agent, ref: "Wait for customer", wantID: "ask"},
		{name: "by transition name any case", w: incident, from: "Open", role: agent, ref: "resolve", wantID: "resolve"},
		{name: "ref trimmed", w: incident, from: "Open", role: agent, ref: "  start ", wantID: "start"},
		{name: "from in other case", w: incident, from: "open", role: agent, ref: "start", wantID: "start"},
		// Two transitions lead to "In progress"; the role picks which.
		{name: "customer responds", w: incident, from: "Waiting for customer", role: customer, ref: "In progress", wantID: "respond"},
		{name: "agent starts", w: incident, from: "Waiting for customer", role: agent, ref: "In progress", wantID: "start"},
		{name: "customer closes", w: incident, from: "Resolved", role: customer, ref: "Closed", wantID: "close"},
		{name: "customer reopens", w: incident, from: "Resolved", role: customer, ref: "reopen", wantID: "reopen"},
		{name: "change implement", w: change, from: "Scheduled", role: agent, ref: "Implementing", wantID: "implement"},

		{name: "empty ref", w: incident, from: "Open", role: agent, ref: " ", kind: errs.KindInvalid, field: "to"},
		{name: "unknown", w: incident, from: "Open", role: agent, ref: "Teleport", kind: errs.KindInvalid, field: "to"},
		{name: "id of other workflow", w: incident, from: "Open", role: agent, ref: "approve", kind: errs.KindInvalid, field: "to"},
		{name: "not from this status", w: incident, from: "Open", role: agent, ref: "Closed", kind: errs.KindConflict},
		{name: "not from this status by id", w: incident, from: "Open", role: admin, ref: "reopen", kind: errs.KindConflict},
		{name: "to the status it is in", w: incident, from: "In progress", role: agent, ref: "In progress", kind: errs.KindConflict},
		{name: "status with no way in", w: incident, from: "Closed", role: admin, ref: "Pending", kind: errs.KindConflict},
		{name: "change skips approval", w: change, from: "Planning", role: admin, ref: "Scheduled", kind: errs.KindConflict},
		{name: "customer may not resolve", w: incident, from: "Open", role: customer, ref: "Resolved", kind: errs.KindForbidden},
		{name: "customer may not start", w: incident, from: "Open", role: customer, ref: "start", kind: errs.KindForbidden},
		{name: "agent may not respond for the customer", w: incident, from: "Waiting for customer", role: agent, ref: "respond", kind: errs.KindForbidden},
		{name: "unknown role", w: incident, from: "Open", role: "guest", ref: "start", kind: errs.KindForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := tt.w.Find(tt.from, tt.role, tt.ref)
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("Find(%q, %s, %q) = %v", tt.from, tt.role, tt.ref, err)
				}
				if tr.ID != tt.wantID {
					t.Fatalf("Find(%q, %s, %q) = %q, want %q", tt.from, tt.role, tt.ref, tr.ID, tt.wantID)
				}
				return
			}
			e, ok := errs.As(err)
			if !ok || e.Kind != tt.kind || e.Field != tt.field {
				t.Fatalf("Find(%q, %s, %q) = %q, %#v; want %s with field %q", tt.from, tt.role, tt.ref, tr.ID, err, tt.kind, tt.field)
			}
		})
	}
}

func TestWorkflowAvailable(t *testing.T) {
	incident := defaultWorkflow(t, TypeIncident)
	problem := defaultWorkflow(t, TypeProblem)
	small := smallWorkflow()
	tests := []struct {
		w    Workflow
		from string
		role directory.Role
		want []string
	}{
		{incident, "Open", customer, nil},
		{incident, "Open", agent, []string{"start", "pend", "ask", "resolve"}},
		{incident, "Open", admin, []string{"start", "pend", "ask", "resolve"}},
		{incident, "Waiting for customer", customer, []string{"respond"}},
		{incident, "Waiting for customer", agent, []string{"start", "resolve"}},
		{incident, "Resolved", customer, []string{"close", "reopen"}},
		{incident, "resolved", agent, []string{"close", "reopen"}},
		{incident, "Closed", admin, nil},
		{problem, "Open", customer, nil},
		{problem, "Resolved", agent, []string{"close", "reopen"}},
		// A transition from any status is not offered from its own target.
		{small, "Open", customer, nil},
		{small, "Working", customer, []string{"reopen"}},
		{small, "Done", agent, []string{"reopen"}},
		{small, "Open", agent, []string{"work"}},
		{small, "Working", admin, []string{"finish", "reopen"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tr := range tt.w.Available(tt.from, tt.role) {
			got = append(got, tr.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s.Available(%q, %s) = %v, want %v", tt.w.Name, tt.from, tt.role, got, tt.want)
		}
	}
}

func TestWorkflowStatus(t *testing.T) {
	w := smallWorkflow()
	if st, ok := w.Status("working"); !ok || st.Name != "Working" || st.Category != CategoryInProgress {
		t.Errorf(`Status("working") = %+v, %v`, st, ok)
	}
	if _, ok := w.Status("Gone"); ok {
		t.Error(`Status("Gone") found a status`)
	}
}
