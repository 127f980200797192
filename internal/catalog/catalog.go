// Package catalog is the service catalogue: the services IT offers and the
// request types through which customers ask for them.
package catalog

import (
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// ServiceStatus is where a service is in its lifecycle.
type ServiceStatus string

// The lifecycle of a service: designed (pipeline), offered (live), withdrawn (retired).
const (
	ServicePipeline ServiceStatus = "pipeline"
	ServiceLive     ServiceStatus = "live"
	ServiceRetired  ServiceStatus = "retired"
)

// Valid reports whether s is a known lifecycle status.
func (s ServiceStatus) Valid() bool {
	return s == ServicePipeline || s == ServiceLive || s == ServiceRetired
}

// Service is an entry of the service catalogue.
type Service struct {
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	OwnerTeamID int64         `json:"owner_team_id,omitempty"`
	TeamIDs     []int64       `json:"team_ids"` // teams that work its tickets, owner included
	Status      ServiceStatus `json:"status"`
	CreatedAt   time.Time     `json:"created_at"`
}

// Validate checks a service before it is saved.
func (s *Service) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return errs.Required("name")
	}
	if len(s.Name) > 200 {
		return errs.Invalid("name", "must be at most 200 characters")
	}
	if s.Status == "" {
		s.Status = ServicePipeline
	}
	if !s.Status.Valid() {
		return errs.Invalid("status", "must be one of pipeline, live, retired")
	}
	return nil
}

// RequestType is one way of asking for a service, with its own form.
type RequestType struct {
	ID          int64     `json:"id"`
	ServiceID   int64     `json:"service_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	TicketType  string    `json:"ticket_type"`
	Internal    bool      `json:"internal"` // raised by agents only; hidden from the portal
	Fields      []Field   `json:"fields"`
	CreatedAt   time.Time `json:"created_at"`
}

// Validate checks a request type and its form definition.
func (rt *RequestType) Validate(validTicketType func(string) bool) error {
	rt.Name = strings.TrimSpace(rt.Name)
	if rt.Name == "" {
		return errs.Required("name")
	}
	if rt.ServiceID == 0 {
		return errs.Required("service")
	}
	if !validTicketType(rt.TicketType) {
		return errs.Invalid("ticket_type", "must be one of incident, service_request, problem, change")
	}
	if rt.Fields == nil {
		rt.Fields = []Field{}
	}
	return ValidateFields(rt.Fields)
}
