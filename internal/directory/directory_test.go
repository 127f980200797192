package directory

import (
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func wantInvalid(t *testing.T, what string, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("%s: unexpected error %v", what, err)
		}
		return
	}
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.KindInvalid || e.Field != field {
		t.Errorf("%s: error %#v, want invalid %q", what, err, field)
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"alice@example.com", "alice@example.com", false},
		{"  Alice@Example.COM \n", "alice@example.com", false},
		{"first.last+tag@sub.example.org", "first.last+tag@sub.example.org", false},
		{"", "", true},
		{"   ", "", true},
		{"alice", "", true},
		{"alice@", "", true},
		{"@example.com", "", true},
		{"alice@@example.com", "", true},
		{"Alice <alice@example.com>", "", true},
		{"alice@example.com, bob@example.com", "", true},
		{"alice smith@example.com", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail("email", tt.in)
		field := ""
		if tt.bad {
			field = "email"
		}
		wantInvalid(t, "NormalizeEmail("+tt.in+")", err, field)
		if got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The field name is the caller's.
	_, err := NormalizeEmail("reporter_email", "nope")
	wantInvalid(t, "field name", err, "reporter_email")
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"Alice", "Alice", false},
		{"  Service Desk  ", "Service Desk", false},
		{strings.Repeat("a", 200), strings.Repeat("a", 200), false},
		{"", "", true},
		{" \t ", "", true},
		{strings.Repeat("a", 201), "", true},
	}
	for _, tt := range tests {
		got, err := ValidateName("name", tt.in)
		field := ""
		if tt.bad {
			field = "name"
		}
		wantInvalid(t, "ValidateName", err, field)
		if got != tt.want {
			t.Errorf("ValidateName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewUser(t *testing.T) {
	tests := []struct {
		email, name string
		role        Role
		field       string
	}{
		{" Bob@Example.com", " Bob ", RoleAgent, ""},
		{"c@example.com", "C", RoleCustomer, ""},
		{"a@example.com", "A", RoleAdmin, ""},
		{"", "Bob", RoleAgent, "email"},
		{"bob", "Bob", RoleAgent, "email"},
		{"bob@example.com", "", RoleAgent, "name"},
		{"bob@example.com", "Bob", "", "role"},
		{"bob@example.com", "Bob", "Admin", "role"},
		{"bob@example.com", "Bob", "superuser", "role"},
	}
	for _, tt := range tests {
		u, err := NewUser(tt.email, tt.name, tt.role)
		wantInvalid(t, "NewUser("+tt.email+")", err, tt.field)
		if tt.field != "" {
			continue
		}
		if u.Email != strings.ToLower(strings.TrimSpace(tt.email)) || u.Name != strings.TrimSpace(tt.name) || u.Role != tt.role || !u.Active {
			t.Errorf("NewUser(%q, %q, %q) = %+v", tt.email, tt.name, tt.role, u)
		}
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		r            Role
		valid, staff bool
	}{
		{RoleCustomer, true, false},
		{RoleAgent, true, true},
		{RoleAdmin, true, true},
		{"", false, false},
		{"Agent", false, false},
		{"root", false, false},
	}
	for _, tt := range tests {
		if tt.r.Valid() != tt.valid || tt.r.Staff() != tt.staff {
			t.Errorf("%q: Valid() = %v, Staff() = %v; want %v, %v", tt.r, tt.r.Valid(), tt.r.Staff(), tt.valid, tt.staff)
		}
	}
	if len(Roles) != 3 || Roles[0] != RoleCustomer || Roles[2] != RoleAdmin {
		t.Errorf("Roles = %v, want customer, agent, admin", Roles)
	}
	if System.Role != RoleAdmin || System.UserID != 0 {
		t.Errorf("System = %+v, want an admin with no user", System)
	}
}
