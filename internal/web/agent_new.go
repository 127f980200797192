package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

type agentNewTicketView struct {
	Services     []agentOption
	RequestTypes []agentOptionGroup
	Types        []agentOption
	Impacts      []agentOption
	Urgencies    []agentOption
	Priorities   []agentOption
}

func (w *Web) agentNewTicket(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.agentRenderNewTicket(rw, r, id, http.StatusOK, Page{Values: map[string]any{}})
}

func (w *Web) agentRenderNewTicket(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, p Page) {
	ctx := r.Context()
	val := func(k string) string { s, _ := p.Values[k].(string); return s }
	services, err := w.store.Services(ctx, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rts, err := w.store.RequestTypes(ctx, 0, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var v agentNewTicketView
	v.Services = []agentOption{{Value: "", Label: "Choose a service"}}
	names := map[int64]string{}
	for _, s := range services {
		if s.Status == catalog.ServiceRetired {
			continue
		}
		names[s.ID] = s.Name
		label := s.Name
		if s.Status != catalog.ServiceLive {
			label += " (" + string(s.Status) + ")"
		}
		v.Services = append(v.Services, agentOption{Value: s.Name, Label: label, Selected: strings.EqualFold(val("service"), s.Name)})
	}
	for _, rt := range rts {
		svc, ok := names[rt.ServiceID]
		if !ok {
			continue
		}
		if len(v.RequestTypes) == 0 || v.RequestTypes[len(v.RequestTypes)-1].Label != svc {
			v.RequestTypes = append(v.RequestTypes, agentOptionGroup{Label: svc})
		}
		g := &v.RequestTypes[len(v.RequestTypes)-1]
		value := strconv.FormatInt(rt.ID, 10)
		g.Options = append(g.Options, agentOption{Value: value, Label: rt.Name, Selected: val("request_type") == value})
	}
	v.Types = []agentOption{{Value: "", Label: "As the request type says"}}
	for _, t := range ticket.Types {
		v.Types = append(v.Types, agentOption{Value: string(t), Label: agentTypeLabel(t), Selected: val("type") == string(t)})
	}
	levels := func(field string) []agentOption {
		out := []agentOption{{Value: "", Label: "Not given"}}
		for _, l := range []ticket.Level{ticket.LevelHigh, ticket.LevelMedium, ticket.LevelLow} {
			out = append(out, agentOption{Value: string(l), Label: agentTypeLabel(ticket.Type(l)), Selected: val(field) == string(l)})
		}
		return out
	}
	v.Impacts, v.Urgencies = levels("impact"), levels("urgency")
	v.Priorities = []agentOption{{Value: "", Label: "From impact and urgency"}}
	for _, pr := range ticket.Priorities {
		v.Priorities = append(v.Priorities, agentOption{Value: string(pr), Label: string(pr), Selected: val("priority") == string(pr)})
	}
	p.Title, p.Section, p.Identity, p.Data = "New ticket", "agent", id, v
	w.render(rw, r, status, "agent_new", p)
}

func (w *Web) agentCreateTicket(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	values := map[string]any{}
	for _, k := range []string{"service", "request_type", "type", "reporter", "summary", "description", "impact", "urgency", "priority"} {
		values[k] = r.PostFormValue(k)
	}
	str := func(k string) string { return values[k].(string) }
	nt := store.NewTicket{Service: str("service"), RequestType: str("request_type"), Type: str("type"), Summary: str("summary"),
		Description: str("description"), Impact: str("impact"), Urgency: str("urgency"), Priority: str("priority"), Channel: ticket.ChannelAgent}
	var err error
	if strings.TrimSpace(str("reporter")) == "" {
		err = errs.Required("reporter")
	} else if u, uerr := w.store.UserByEmail(ctx, str("reporter")); errs.Is(uerr, errs.KindNotFound) {
		err = errs.Invalid("reporter", "nobody has the address %s", strings.TrimSpace(str("reporter")))
	} else if uerr != nil {
		err = uerr
	} else {
		nt.ReporterID, nt.OrganizationID = u.ID, 0
	}
	var t ticket.Ticket
	if err == nil {
		t, err = w.store.CreateTicket(ctx, id.Actor, nt)
	}
	if err != nil {
		e, ok := errs.As(err)
		if !ok || e.Kind != errs.KindInvalid {
			w.fail(rw, r, err)
			return
		}
		field := e.Field
		if strings.HasPrefix(field, "fields.") {
			field = "request_type" // the form is the request type's; it is filled in on the portal
		}
		p := Page{Values: values, Errors: map[string]string{}}
		if _, known := values[field]; known {
			p.Errors[field] = agentFieldMessage(e)
		} else {
			p.Error = agentFieldMessage(e)
		}
		w.agentRenderNewTicket(rw, r, id, http.StatusUnprocessableEntity, p)
		return
	}
	redirectWithFlash(rw, r, agentTicketURL(t.Key), t.Key+" raised for "+t.Reporter+".")
}
