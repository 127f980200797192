package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/ticket"
)

// agentNames turns the ids in a history into names, reading what it needs once.
type agentNames struct {
	w      *Web
	ctx    context.Context
	staff  map[int64]string
	teams  map[int64]string
	orgs   map[int64]string
	labels map[string]string // custom field key ("fields.device") → label
}

func (n *agentNames) user(v any) string {
	id, ok := agentID(v)
	if !ok || id == 0 {
		return "nobody"
	}
	if name, ok := n.staff[id]; ok {
		return name
	}
	if u, err := n.w.store.User(n.ctx, id); err == nil {
		n.staff[id] = u.Name
		return u.Name
	}
	return "user " + strconv.FormatInt(id, 10)
}

func (n *agentNames) team(v any) string {
	id, _ := agentID(v)
	if name, ok := n.teams[id]; ok {
		return name
	}
	if id == 0 {
		return "no team"
	}
	return "team " + strconv.FormatInt(id, 10)
}

func (n *agentNames) org(v any) string {
	id, _ := agentID(v)
	if n.orgs == nil {
		n.orgs = map[int64]string{}
		if orgs, err := n.w.store.Organizations(n.ctx); err == nil {
			for _, o := range orgs {
				n.orgs[o.ID] = o.Name
			}
		}
	}
	if name, ok := n.orgs[id]; ok {
		return name
	}
	return "organization " + strconv.FormatInt(id, 10)
}

func agentID(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func (n *agentNames) history(events []ticket.Event) []agentHistoryEntry {
	out := make([]agentHistoryEntry, 0, len(events))
	for _, ev := range events {
		e := agentHistoryEntry{Actor: ev.Actor, At: ev.CreatedAt, Kind: strings.TrimPrefix(ev.Type, "ticket.")}
		data, _ := ev.Data.(map[string]any)
		switch ev.Type {
		case ticket.EventCreated:
			line := "raised the ticket"
			if ch, _ := data["channel"].(string); ch != "" {
				line += " (" + ch + ")"
			}
			e.Lines = []string{line}
		case ticket.EventUpdated, ticket.EventTransitioned:
			for _, c := range ev.Changes {
				e.Lines = append(e.Lines, n.change(c))
			}
		case ticket.EventCommented:
			if internal, _ := data["internal"].(bool); internal {
				e.Lines = []string{"added an internal note"}
			} else {
				e.Lines = []string{"replied"}
			}
		case ticket.EventLinked:
			kind, _ := data["kind"].(string)
			other, _ := data["ticket"].(string)
			e.Lines = []string{"linked it: " + agentOr(agentLinkWords[kind], kind) + " " + other}
		case ticket.EventUnlinked:
			e.Lines = []string{"removed a link"}
		case ticket.EventAttachmentAdded:
			name, _ := data["filename"].(string)
			size, _ := agentID(data["size"])
			e.Lines = []string{"attached " + name + " (" + agentByteSize(size) + ")"}
		default:
			e.Lines = []string{strings.ReplaceAll(e.Kind, "_", " ")}
		}
		if len(e.Lines) == 0 {
			continue
		}
		out = append(out, e)
	}
	slices.Reverse(out) // newest first
	return out
}

func (n *agentNames) change(c ticket.Change) string {
	switch c.Field {
	case "status":
		return fmt.Sprintf("changed the status from %s to %s", agentShowValue(c.From), agentShowValue(c.To))
	case "description":
		return "edited the description"
	case "resolution":
		if agentShowValue(c.To) == "none" {
			return "cleared the resolution"
		}
		return "set the resolution to " + agentShowValue(c.To)
	case "assignee_id":
		from, _ := agentID(c.From)
		to, _ := agentID(c.To)
		switch {
		case from == 0:
			return "assigned it to " + n.user(c.To)
		case to == 0:
			return "unassigned " + n.user(c.From)
		}
		return fmt.Sprintf("reassigned it from %s to %s", n.user(c.From), n.user(c.To))
	case "team_id":
		return fmt.Sprintf("changed the team from %s to %s", n.team(c.From), n.team(c.To))
	case "organization_id":
		if to, _ := agentID(c.To); to == 0 {
			return "stopped sharing it with " + n.org(c.From)
		}
		return "shared it with " + n.org(c.To)
	}
	label := n.labels[c.Field]
	if label == "" {
		label = strings.ReplaceAll(strings.TrimPrefix(c.Field, "fields."), "_", " ")
	}
	if agentShowValue(c.From) == "none" {
		return fmt.Sprintf("set %s to %s", label, agentShowValue(c.To))
	}
	return fmt.Sprintf("changed %s from %s to %s", label, agentShowValue(c.From), agentShowValue(c.To))
}

// agentShowValue writes a field value as people read it.
func agentShowValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		if x == "" {
			return "none"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = agentShowValue(e)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

func agentTypeLabel(t ticket.Type) string {
	s := strings.ReplaceAll(string(t), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// agentByteSize writes a file size: "812 B", "12 KB", "3.4 MB".
func agentByteSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}

// Raising a ticket for a customer.
