// Package cmdb is the configuration management database: the types of
// configuration item (CI) an admin defines, the CIs themselves, the typed
// relationships between them, the impact analysis that follows those
// relationships, and the rules for importing CIs from files.
//
// It imports neither HTTP nor SQL; internal/store keeps CIs and
// internal/api serves them.
package cmdb

import (
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Status is where a CI is in its lifecycle.
type Status string

// The lifecycle of a CI.
const (
	StatusPlanned     Status = "planned"
	StatusLive        Status = "live"
	StatusMaintenance Status = "maintenance"
	StatusRetired     Status = "retired"
)

// Statuses lists every lifecycle status in order.
var Statuses = []Status{StatusPlanned, StatusLive, StatusMaintenance, StatusRetired}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusPlanned, StatusLive, StatusMaintenance, StatusRetired:
		return true
	}
	return false
}

// Criticality is how much the business suffers when a CI fails.
type Criticality string

// The criticalities, from least to most.
const (
	CriticalityLow      Criticality = "low"
	CriticalityMedium   Criticality = "medium"
	CriticalityHigh     Criticality = "high"
	CriticalityCritical Criticality = "critical"
)

// Criticalities lists every criticality from least to most.
var Criticalities = []Criticality{CriticalityLow, CriticalityMedium, CriticalityHigh, CriticalityCritical}

// Rank orders criticalities: 1 for low up to 4 for critical, 0 when unknown.
func (c Criticality) Rank() int {
	switch c {
	case CriticalityLow:
		return 1
	case CriticalityMedium:
		return 2
	case CriticalityHigh:
		return 3
	case CriticalityCritical:
		return 4
	}
	return 0
}

// Valid reports whether c is a known criticality.
func (c Criticality) Valid() bool { return c.Rank() > 0 }

// ParseStatus reads a status in any letter case; "" gives the default, live.
func ParseStatus(s string) (Status, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return StatusLive, nil
	}
	if st := Status(s); st.Valid() {
		return st, nil
	}
	return "", errs.Invalid("status", "must be one of planned, live, maintenance, retired")
}

// ParseCriticality reads a criticality in any letter case; "" gives the
// default, medium.
func ParseCriticality(s string) (Criticality, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return CriticalityMedium, nil
	}
	if c := Criticality(s); c.Valid() {
		return c, nil
	}
	return "", errs.Invalid("criticality", "must be one of low, medium, high, critical")
}

// CI is one configuration item: a server, an application, a licence...
// Its attributes follow the schema of its type, inherited attributes
// included, and are kept normalized: see ValidateValues.
type CI struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	TypeID      int64          `json:"type_id"`
	Description string         `json:"description"`
	Status      Status         `json:"status"`
	Criticality Criticality    `json:"criticality"`
	OwnerTeamID int64          `json:"owner_team_id,omitempty"`
	Attributes  map[string]any `json:"attributes"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`

	// Names of what the ids point to, for display; read-only.
	Type      string `json:"type"`     // the type's name
	TypeKey   string `json:"type_key"` // the type's key
	OwnerTeam string `json:"owner_team,omitempty"`
}

// Limits on a CI's own fields.
const (
	MaxName        = 200
	MaxDescription = 16 * 1024
)

// CleanName trims a CI's name and checks it is present, short and one line.
func CleanName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Required("name")
	}
	if len(s) > MaxName {
		return "", errs.Invalid("name", "must be at most %d characters", MaxName)
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", errs.Invalid("name", "must be a single line")
	}
	return s, nil
}

// CleanDescription checks the size of a CI's description.
func CleanDescription(s string) (string, error) {
	if len(s) > MaxDescription {
		return "", errs.Invalid("description", "must be at most %d bytes", MaxDescription)
	}
	return strings.TrimSpace(s), nil
}

// CIRef is a CI named in another record: a relationship's other end, a
// ticket's affected CI, a step of an impact path.
type CIRef struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	TypeID      int64       `json:"type_id"`
	Type        string      `json:"type"`
	Status      Status      `json:"status"`
	Criticality Criticality `json:"criticality"`
}

// Change is one field's change, as recorded in the event log. Fields are
// named as the API names them: name, type_id, status, criticality,
// owner_team_id, description, attributes.<key>.
type Change struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// Event is one entry of a CI's history.
type Event struct {
	ID        int64          `json:"id"`
	Type      string         `json:"type"`
	ActorID   int64          `json:"actor_id,omitempty"`
	Actor     string         `json:"actor"`
	Changes   []Change       `json:"changes,omitempty"`
	Data      map[string]any `json:"data,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// The event types of the 'ci' stream of the event log, and those the CMDB
// appends to the streams of CI types, services and tickets.
const (
	EventCreated          = "ci.created"
	EventUpdated          = "ci.updated"
	EventDeleted          = "ci.deleted"
	EventRelated          = "ci.related"
	EventUnrelated        = "ci.unrelated"
	EventServiceLinked    = "ci.service_linked"
	EventServiceUnlinked  = "ci.service_unlinked"
	EventTicketLinked     = "ci.ticket_linked"
	EventTicketUnlinked   = "ci.ticket_unlinked"
	EventTypeCreated      = "ci_type.created"
	EventTypeUpdated      = "ci_type.updated"
	EventTicketCILinked   = "ticket.ci_linked"
	EventTicketCIUnlinked = "ticket.ci_unlinked"
	EventServiceCILinked  = "service.ci_linked"
	EventServiceCIUnlink  = "service.ci_unlinked"
	EventServiceOrgsSet   = "service.organizations_set"
)

// Created lists the fields a new CI is created with, each from null: the
// same shape as Diff, for history and import reports.
func Created(ci CI) []Change {
	out := Diff(CI{}, ci)
	for i := range out {
		out[i].From = nil
	}
	return out
}

// Diff lists the fields that differ between two versions of a CI, by the
// names the API uses. Attribute values are compared by their canonical form.
func Diff(a, b CI) []Change {
	var out []Change
	add := func(field string, from, to any) {
		if from != to {
			out = append(out, Change{Field: field, From: from, To: to})
		}
	}
	add("name", a.Name, b.Name)
	add("type_id", a.TypeID, b.TypeID)
	add("description", a.Description, b.Description)
	add("status", a.Status, b.Status)
	add("criticality", a.Criticality, b.Criticality)
	add("owner_team_id", a.OwnerTeamID, b.OwnerTeamID)
	for _, k := range unionKeys(a.Attributes, b.Attributes) {
		va, oka := a.Attributes[k]
		vb, okb := b.Attributes[k]
		if oka != okb || !SameValue(va, vb) {
			out = append(out, Change{Field: "attributes." + k, From: va, To: vb})
		}
	}
	return out
}
