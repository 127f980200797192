// Package directory holds the people Cairn knows: customer organizations,
// users with their role, and the teams agents work in.
package directory

import (
	"net/mail"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Role says what a user may do. Every user has exactly one.
type Role string

// The roles, from least to most trusted.
const (
	RoleCustomer Role = "customer"
	RoleAgent    Role = "agent"
	RoleAdmin    Role = "admin"
)

// Roles lists every role in order of trust.
var Roles = []Role{RoleCustomer, RoleAgent, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleCustomer || r == RoleAgent || r == RoleAdmin
}

// Staff reports whether r works the service desk (agent or admin).
func (r Role) Staff() bool { return r == RoleAgent || r == RoleAdmin }

// Organization is a customer company or department.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person who signs in: a customer, an agent or an admin.
type User struct {
	ID             int64     `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	Role           Role      `json:"role"`
	OrganizationID int64     `json:"organization_id,omitempty"` // 0: none
	Active         bool      `json:"active"`
	CreatedAt      time.Time `json:"created_at"`
}

// Team is a group of agents that serves some services.
type Team struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	MemberIDs []int64   `json:"member_ids"`
	CreatedAt time.Time `json:"created_at"`
}

// Actor is who is asking: the identity every command and query is checked
// against. TeamIDs are an agent's teams and ServiceIDs the services those
// teams serve, read once per request so that queries filter on plain values.
type Actor struct {
	UserID         int64
	Name           string
	Role           Role
	OrganizationID int64
	TeamIDs        []int64
	ServiceIDs     []int64
}

// System is the actor for work Cairn does on its own (demo data, workers).
var System = Actor{Role: RoleAdmin, Name: "Cairn"}

// NormalizeEmail lowercases and trims an address and checks its form.
func NormalizeEmail(field, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", errs.Required(field)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email {
		return "", errs.Invalid(field, "%q is not an email address", email)
	}
	return email, nil
}

// ValidateName checks a required display name.
func ValidateName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errs.Required(field)
	}
	if len(name) > 200 {
		return "", errs.Invalid(field, "must be at most 200 characters")
	}
	return name, nil
}

// NewUser validates the fields of a user to be created.
func NewUser(email, name string, role Role) (User, error) {
	e, err := NormalizeEmail("email", email)
	if err != nil {
		return User{}, err
	}
	n, err := ValidateName("name", name)
	if err != nil {
		return User{}, err
	}
	if !role.Valid() {
		return User{}, errs.Invalid("role", "must be one of customer, agent, admin")
	}
	return User{Email: e, Name: n, Role: role, Active: true}, nil
}
