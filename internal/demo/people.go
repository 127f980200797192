package demo

import (
	"strings"

	"github.com/cairn-itsm/cairn/internal/directory"
)

// The customer organizations and the agent teams.
var (
	organizations = []string{"Finance", "Sales", "Engineering"}
	teams         = []string{serviceDesk, infrastructure, security}
)

const (
	serviceDesk    = "Service Desk"
	infrastructure = "Infrastructure & Network"
	security       = "Security & Cloud"
)

// person is a demo user, with what the generator needs to know of them.
type person struct {
	name, email string
	role        directory.Role
	org         string // customers
	team        string // staff
	lead        bool   // heads their organization or team: approves
	weight      int    // how often a customer raises tickets, or an agent takes them, relatively

	id, orgID int64           // once created
	actor     directory.Actor // as the store checks them, once their teams serve services
}

func (p *person) first() string { return strings.Fields(p.name)[0] }

// staffAndCustomers lists everyone, the fixed logins among them.
func staffAndCustomers() []*person {
	var out []*person
	for _, in := range Logins {
		p := &person{name: in.Name, email: in.Email, role: in.Role, org: in.Organization, weight: 2}
		switch in.Role {
		case directory.RoleAdmin:
			p.team = serviceDesk
		case directory.RoleAgent:
			p.team, p.weight = serviceDesk, 3 // works more tickets than anyone
		}
		out = append(out, p)
	}
	customers := []struct {
		org   string
		names []string
	}{
		{"Finance", []string{"Henrik Larsen", "Rajesh Iyer", "Sophie Laurent", "Michael O'Brien", "Grace Kim", "Fatima Zahra", "Emily Clarke"}},
		{"Sales", []string{"Chloe Dubois", "James Whitaker", "Nadia Haddad", "Lukas Novak", "Isabella Romano", "Kwame Mensah", "Mei Lin"}},
		{"Engineering", []string{"Sarah Goldberg", "Ahmed Khan", "Diego Alvarez", "Yuki Tanaka", "Ingrid Johansson", "Oliver Wright", "Zanele Dlamini", "Pavel Kuznetsov", "Ana Pereira"}},
	}
	for _, c := range customers {
		for i, name := range c.names {
			// The first of each organization is its head, who approves.
			out = append(out, &person{name: name, email: emailOf(name), role: directory.RoleCustomer, org: c.org, lead: i == 0, weight: 1})
		}
	}
	agents := []struct {
		team  string
		names []string
	}{
		{serviceDesk, []string{"Priya Nair", "Tom Becker", "Lucía Fernández", "Daniel Okafor"}},
		{infrastructure, []string{"Marcus Lindqvist", "Aisha Rahman", "Kenji Watanabe", "Olivia Brennan"}},
		{security, []string{"Elena Petrova", "Rafael Costa", "Hannah Schmidt", "Victor Nguyen"}},
	}
	for _, a := range agents {
		for i, name := range a.names {
			out = append(out, &person{name: name, email: emailOf(name), role: directory.RoleAgent, team: a.team, lead: i == 0, weight: 2})
		}
	}
	return out
}

// emailOf makes first.last@example.com from a name, accents and
// apostrophes dropped.
func emailOf(name string) string {
	r := strings.NewReplacer("'", "", "á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n")
	return strings.ToLower(strings.Join(strings.Fields(r.Replace(name)), ".")) + "@example.com"
}
