package demo

import (
	"context"
	"fmt"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// service is an entry of the demo's catalogue.
type service struct {
	name, description string
	owner             string   // team
	teams             []string // other teams that work its tickets
	status            catalog.ServiceStatus
}

// requestType is a request type of the demo, with how many tickets it gets
// and what people write on them.
type requestType struct {
	service     string
	name        string
	description string
	ticketType  ticket.Type
	fields      []catalog.Field

	count    int                      // tickets to raise
	staff    bool                     // raised by IT staff rather than customers
	channels []choice[ticket.Channel] // how its tickets arrive
	orgs     []choice[string]         // who raises them; nil: anyone
	approval bool                     // a manager approves it first
	quick    bool                     // usually settled at first contact
	impact   [3]int                   // incidents: weights of high, medium, low
	urgency  [3]int
	// resolutions are what resolving an incident records; nil: Fixed.
	resolutions []choice[string]

	// fill sets the summary and the form's values, and may set the impact
	// and urgency the values imply.
	fill    func(g *gen, p *plan)
	details []string            // what reporters write in the description
	say     map[string][]string // what people comment, by moment (see commonSay)

	id int64 // once created
}

// choice is a value and its weight in a random pick.
type choice[T any] struct {
	v T
	w int
}

// demoServices are the catalogue: five live services and one still designed.
func demoServices() []service {
	return []service{
		{name: "Laptop setup", owner: serviceDesk, status: catalog.ServiceLive,
			description: "Company laptops from order to handover and through their life: the standard models, " +
				"imaging with Windows Autopilot or Apple Business Manager, disk encryption, the software baseline, " +
				"repairs under warranty and replacement after four years."},
		{name: "Mobile device provisioning", owner: serviceDesk, teams: []string{security}, status: catalog.ServiceLive,
			description: "Company phones and tablets: ordering, enrolment in Intune, email and MFA set-up, SIM cards " +
				"and roaming plans, and locking and wiping a device that is lost or stolen."},
		{name: "Network infrastructure management", owner: infrastructure, teams: []string{serviceDesk, security}, status: catalog.ServiceLive,
			description: "The office LAN and Wi-Fi in London, Berlin and New York, the GlobalProtect VPN, the firewalls " +
				"and the links to the data centre and the cloud. Planned maintenance is announced a week ahead."},
		{name: "Cloud security", owner: security, teams: []string{serviceDesk}, status: catalog.ServiceLive,
			description: "Keeping our AWS, Azure and Microsoft 365 tenants safe: access to cloud accounts, phishing " +
				"and other security incidents, configuration baselines and security monitoring."},
		{name: "General IT help", owner: serviceDesk, status: catalog.ServiceLive,
			description: "Everything else: email and calendars, Teams, printing, files and sharing, accounts and " +
				"passwords, and how-to questions. Not sure where to ask? Ask here."},
		{name: "Meeting room AV", owner: infrastructure, teams: []string{serviceDesk}, status: catalog.ServicePipeline,
			description: "Planned for next quarter: Teams Rooms video kits and booking panels in every meeting room, " +
				"with support for booking, set-up before important meetings and faults."},
	}
}

// demoRequestTypes are the request types of every service, in catalogue order.
func demoRequestTypes() []*requestType {
	var out []*requestType
	for _, list := range [][]*requestType{laptopRequests(), mobileRequests(), networkRequests(), securityRequests(), helpRequests()} {
		out = append(out, list...)
	}
	return out
}

// catalog creates the services and their request types.
func (l *loader) catalog(ctx context.Context) error {
	l.services, l.owners = map[string]int64{}, map[string]string{}
	for _, svc := range demoServices() {
		l.owners[svc.name] = svc.owner
		var teamIDs []int64
		for _, t := range svc.teams {
			teamIDs = append(teamIDs, l.teamIDs[t])
		}
		out, err := l.s.CreateService(ctx, directory.System, catalog.Service{
			Name: svc.name, Description: svc.description, OwnerTeamID: l.teamIDs[svc.owner], TeamIDs: teamIDs, Status: svc.status,
		})
		if err != nil {
			return fmt.Errorf("demo: service %s: %w", svc.name, err)
		}
		l.services[svc.name] = out.ID
		l.sum.Services++
		l.tick()
	}
	l.rts = demoRequestTypes()
	for _, rt := range l.rts {
		out, err := l.s.CreateRequestType(ctx, directory.System, catalog.RequestType{
			ServiceID: l.services[rt.service], Name: rt.name, Description: rt.description,
			TicketType: string(rt.ticketType), Fields: rt.fields, Internal: rt.staff,
		})
		if err != nil {
			return fmt.Errorf("demo: request type %s: %w", rt.name, err)
		}
		rt.id = out.ID
		l.sum.RequestTypes++
		l.tick()
	}
	return nil
}

// Shorthands for the forms below.

func text(key, label string, required bool, help string) catalog.Field {
	return catalog.Field{Key: key, Label: label, Type: catalog.FieldText, Required: required, Help: help}
}

func longText(key, label string, required bool, help string) catalog.Field {
	return catalog.Field{Key: key, Label: label, Type: catalog.FieldLongText, Required: required, Help: help}
}

func number(key, label string, required bool, help string) catalog.Field {
	return catalog.Field{Key: key, Label: label, Type: catalog.FieldNumber, Required: required, Help: help}
}

func date(key, label string, required bool, help string) catalog.Field {
	return catalog.Field{Key: key, Label: label, Type: catalog.FieldDate, Required: required, Help: help}
}

func selectOne(key, label string, required bool, help string, options ...string) catalog.Field {
	return catalog.Field{Key: key, Label: label, Type: catalog.FieldSelect, Required: required, Help: help, Options: options}
}

func selectMany(key, label string, required bool, help string, options ...string) catalog.Field {
	return catalog.Field{Key: key, Label: label, Type: catalog.FieldMultiSelect, Required: required, Help: help, Options: options}
}

func userField(key, label string, required bool, help string) catalog.Field {
	return catalog.Field{Key: key, Label: label, Type: catalog.FieldUser, Required: required, Help: help}
}

func checkbox(key, label string, required bool, help string) catalog.Field {
	return catalog.Field{Key: key, Label: label, Type: catalog.FieldCheckbox, Required: required, Help: help}
}

// Channel mixes, the usual ones named.
var (
	customerChannels = []choice[ticket.Channel]{{ticket.ChannelPortal, 50}, {ticket.ChannelEmail, 30}, {ticket.ChannelAgent, 15}, {ticket.ChannelAPI, 5}}
	staffChannels    = []choice[ticket.Channel]{{ticket.ChannelAgent, 75}, {ticket.ChannelAPI, 25}}
)

// troubleshooting is how incidents end that could be something or nothing.
var troubleshooting = []choice[string]{{"Fixed", 85}, {"Cannot reproduce", 15}}
