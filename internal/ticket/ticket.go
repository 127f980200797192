// Package ticket holds the service desk's core records: tickets of the four
// ITIL types, their priority rules, comments, links and attachments, and the
// workflows that move them from status to status.
package ticket

import (
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Type is the ITIL practice a ticket belongs to.
type Type string

// The ticket types.
const (
	TypeIncident       Type = "incident"
	TypeServiceRequest Type = "service_request"
	TypeProblem        Type = "problem"
	TypeChange         Type = "change"
)

// Types lists every ticket type.
var Types = []Type{TypeIncident, TypeServiceRequest, TypeProblem, TypeChange}

// ValidType reports whether s names a ticket type.
func ValidType(s string) bool {
	switch Type(s) {
	case TypeIncident, TypeServiceRequest, TypeProblem, TypeChange:
		return true
	}
	return false
}

// Channel is how a ticket reached the desk.
type Channel string

// The intake channels.
const (
	ChannelPortal Channel = "portal"
	ChannelEmail  Channel = "email"
	ChannelAPI    Channel = "api"
	ChannelAgent  Channel = "agent"
)

// ValidChannel reports whether c is a known channel.
func ValidChannel(c Channel) bool {
	switch c {
	case ChannelPortal, ChannelEmail, ChannelAPI, ChannelAgent:
		return true
	}
	return false
}

// Ticket is one incident, service request, problem or change.
type Ticket struct {
	ID             int64          `json:"id"`
	Key            string         `json:"key"`
	Type           Type           `json:"type"`
	RequestTypeID  int64          `json:"request_type_id,omitempty"`
	ServiceID      int64          `json:"service_id"`
	Summary        string         `json:"summary"`
	Description    string         `json:"description"`
	ReporterID     int64          `json:"reporter_id"`
	OrganizationID int64          `json:"organization_id,omitempty"` // shared with this organization
	AssigneeID     int64          `json:"assignee_id,omitempty"`
	TeamID         int64          `json:"team_id,omitempty"`
	WorkflowID     int64          `json:"workflow_id"`
	Status         string         `json:"status"`
	StatusCategory Category       `json:"status_category"`
	Priority       Priority       `json:"priority"`
	Impact         Level          `json:"impact,omitempty"`
	Urgency        Level          `json:"urgency,omitempty"`
	Resolution     string         `json:"resolution,omitempty"`
	Fields         map[string]any `json:"fields"`
	Channel        Channel        `json:"channel"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	ResolvedAt     *time.Time     `json:"resolved_at,omitempty"`

	// Names of what the ids point to, for display; read-only.
	Service       string `json:"service"`
	RequestType   string `json:"request_type,omitempty"`
	Reporter      string `json:"reporter"`
	ReporterEmail string `json:"reporter_email"`
	Assignee      string `json:"assignee,omitempty"`
	Organization  string `json:"organization,omitempty"`
	Team          string `json:"team,omitempty"`
}

// Limits on free text, checked before anything is written.
const (
	MaxSummary     = 255
	MaxDescription = 64 * 1024
	MaxComment     = 64 * 1024
)

// CleanSummary trims a summary and checks it is present, short and one line.
func CleanSummary(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Required("summary")
	}
	if len(s) > MaxSummary {
		return "", errs.Invalid("summary", "must be at most %d characters", MaxSummary)
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", errs.Invalid("summary", "must be a single line")
	}
	return s, nil
}

// CleanDescription checks the size of a description.
func CleanDescription(s string) (string, error) {
	if len(s) > MaxDescription {
		return "", errs.Invalid("description", "must be at most %d bytes", MaxDescription)
	}
	return strings.TrimRight(s, " \t\r\n"), nil
}

// Comment is a reply on a ticket. Internal comments are notes among agents
// that customers never see.
type Comment struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"-"`
	AuthorID  int64     `json:"author_id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	Internal  bool      `json:"internal"`
	CreatedAt time.Time `json:"created_at"`
}

// CleanComment checks a comment body.
func CleanComment(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", errs.Required("body")
	}
	if len(body) > MaxComment {
		return "", errs.Invalid("body", "must be at most %d bytes", MaxComment)
	}
	return body, nil
}

// LinkKind is how two tickets relate. Each kind reads from the source ticket.
type LinkKind string

// The link kinds.
const (
	LinkRelates    LinkKind = "relates_to"
	LinkCausedBy   LinkKind = "caused_by"
	LinkDuplicates LinkKind = "duplicates"
	LinkBlocks     LinkKind = "blocks"
)

// ValidLinkKind reports whether k is a known link kind.
func ValidLinkKind(k LinkKind) bool {
	switch k {
	case LinkRelates, LinkCausedBy, LinkDuplicates, LinkBlocks:
		return true
	}
	return false
}

// Inverse is how a link reads from its target.
func (k LinkKind) Inverse() string {
	switch k {
	case LinkCausedBy:
		return "causes"
	case LinkDuplicates:
		return "is_duplicated_by"
	case LinkBlocks:
		return "is_blocked_by"
	}
	return string(k)
}

// Link connects two tickets.
type Link struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"` // as read from the ticket it is listed on
	TicketKey string    `json:"ticket"`
	Summary   string    `json:"summary"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Attachment is a file on a ticket. Its bytes are stored once per content hash.
type Attachment struct {
	ID          int64     `json:"id"`
	TicketID    int64     `json:"-"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  int64     `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// MaxAttachment is the largest file a ticket accepts.
const MaxAttachment = 10 << 20

// Change is one field's change, as recorded in the event log.
type Change struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// Event is one entry of a ticket's history.
type Event struct {
	ID        int64     `json:"id"`
	Type      string    `json:"type"`
	ActorID   int64     `json:"actor_id,omitempty"`
	Actor     string    `json:"actor"`
	Changes   []Change  `json:"changes,omitempty"`
	Data      any       `json:"data,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// The event types a ticket's history can hold.
const (
	EventCreated         = "ticket.created"
	EventUpdated         = "ticket.updated"
	EventTransitioned    = "ticket.transitioned"
	EventCommented       = "ticket.commented"
	EventLinked          = "ticket.linked"
	EventUnlinked        = "ticket.unlinked"
	EventAttachmentAdded = "ticket.attachment_added"
)
