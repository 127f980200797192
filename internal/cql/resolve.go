package cql

import (
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Entity is a kind of named record that a query refers to.
type Entity int

// The entities a Resolver looks up.
const (
	EntityService Entity = iota
	EntityRequestType
	EntityUser
	EntityTeam
	EntityOrganization
)

func (e Entity) String() string {
	return [...]string{"service", "request type", "user", "team", "organization"}[e]
}

// CustomField is one field of a request type's form. Several request types
// may have a field of the same key; a query means all of them.
type CustomField struct {
	Key     string
	Label   string
	Type    catalog.FieldType
	Options []string
}

// Resolver looks up what a query names while it is compiled. The store
// implements it over the database; letter case is ignored in every name.
type Resolver interface {
	// IDs gives the ids of the records of kind e named name (a user by
	// email or display name); none when there is no such record.
	IDs(e Entity, name string) ([]int64, error)
	// Names lists the names of the records of kind e, for "did you mean"
	// hints. It may answer nil for users, of whom there are many.
	Names(e Entity) ([]string, error)
	// Statuses lists the statuses of every workflow, with their category.
	Statuses() ([]ticket.Status, error)
	// TeamMembers gives the ids of a team's members; found is false when
	// there is no such team.
	TeamMembers(team string) (ids []int64, found bool, err error)
	// CustomFields lists the fields of every request type's form.
	CustomFields() ([]CustomField, error)
	// CurrentUser is the id of who runs the query: 0 for none.
	CurrentUser() int64
	// Now is the time relative dates count from.
	Now() time.Time
	// Location is the time zone of startOfDay() and of dates without one.
	Location() *time.Location
}
