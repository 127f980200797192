package demo

import (
	"fmt"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func mobileRequests() []*requestType {
	return []*requestType{
		{
			service: "Mobile device provisioning", name: "New mobile phone", ticketType: ticket.TypeServiceRequest,
			description: "Order a company phone or replace a broken one. Phones arrive enrolled, with Outlook, Teams and the Authenticator app.",
			fields: []catalog.Field{
				userField("for_user", "Who is the phone for?", true, ""),
				selectOne("model", "Model", true, "The Pro models only for roles that need them, approved by your director.", "iPhone 15", "iPhone 15 Pro", "Samsung Galaxy S24", "Google Pixel 8"),
				selectOne("plan", "Plan", true, "", "Domestic", "Domestic + EU roaming", "Worldwide"),
				checkbox("keep_number", "Keep my current number", false, "Send us the PUK of your current SIM if you want to keep the number."),
				date("needed_by", "Needed by", false, ""),
				text("cost_center", "Cost centre", true, "Four digits, e.g. 5200 for Sales."),
			},
			count: 16, channels: customerChannels, approval: true,
			orgs: []choice[string]{{"Sales", 60}, {"Finance", 20}, {"Engineering", 20}},
			fill: fillNewPhone,
			details: []string{
				"Standard set-up please.",
				"I travel to customers a lot, so roaming matters.",
				"The old phone can go back to IT once the new one works.",
				"Could you also move my Authenticator to the new phone?",
			},
			say: map[string][]string{
				"ask": {
					"Do you want to keep your current number? Then please send us the PUK of the current SIM.",
					"Which office should we send it to?",
					"The Pro model needs your director's approval; could you forward it?",
				},
				"reply":   {"Yes, keep the number please; the PUK is in the letter I scanned.", "Berlin office please.", "Forwarded the approval just now."},
				"resolve": {"The phone is enrolled and ready. Pick it up at the IT bar, sign in with your company account and approve the MFA prompt.", "Sent by courier, tracking in your inbox. The number moves over tomorrow morning.", "Handed over and moved contacts and the Authenticator from the old phone. Please return the old one to IT within two weeks."},
				"note":    {"Ordered in the Vodafone business portal, order 77-1928374.", "Number port requested, takes 2 working days.", "Enrolled in Intune, compliance policy applied."},
			},
		},
		{
			service: "Mobile device provisioning", name: "Lost or stolen device", ticketType: ticket.TypeIncident,
			description: "Report a lost or stolen phone, tablet or laptop straight away, so that we can lock and wipe it.",
			fields: []catalog.Field{
				selectOne("device", "Device", true, "", "Phone", "Tablet", "Laptop"),
				date("last_seen", "When did you last see it?", true, ""),
				text("where", "Where was it lost?", true, "As precisely as you can, e.g. 'taxi from Heathrow T5 to the office'."),
				checkbox("police_report", "I've reported it to the police", false, ""),
				longText("details", "Anything else we should know?", false, ""),
			},
			count: 10, channels: []choice[ticket.Channel]{{ticket.ChannelAgent, 45}, {ticket.ChannelEmail, 30}, {ticket.ChannelPortal, 25}},
			impact: [3]int{10, 45, 45}, urgency: [3]int{70, 25, 5}, resolutions: []choice[string]{{"Done", 1}},
			fill: fillLostDevice,
			details: []string{
				"Called from a colleague's phone.",
				"It has my email and Teams on it, nothing else I think.",
				"I noticed only when I got home.",
			},
			say: map[string][]string{
				"ask":     {"Was the device locked with a PIN or passcode?", "Do you have a police report number? The insurer needs it.", "Could anything confidential be on it besides email?"},
				"reply":   {"Yes, a 6-digit PIN.", "Police reference 4418 0973.", "Only email and Teams, nothing downloaded."},
				"resolve": {"Wiped the device through Intune and removed it from your account. MFA is registered on your new phone; the replacement is ordered in a separate request.", "Wiped and blocked (IMEI blacklisted with the carrier). Your password was reset as a precaution."},
				"note":    {"Remote wipe issued 14:12, confirmed by the device 14:20.", "Device never checked in after the wipe; blocked in Entra ID and revoked all sessions.", "Informed Security as the lost-device procedure asks."},
				"pending": {"Wipe command queued; waiting for the device to come online.", "Waiting for the carrier to confirm the IMEI block."},
			},
		},
	}
}

func fillNewPhone(g *gen, p *plan) {
	who := p.reporter
	if g.chance(40) {
		who = g.colleague(p.reporter)
	}
	model := g.pick([]string{"iPhone 15", "iPhone 15", "iPhone 15", "Samsung Galaxy S24", "Google Pixel 8", "iPhone 15 Pro"})
	plan := g.pick([]string{"Domestic", "Domestic + EU roaming", "Domestic + EU roaming", "Worldwide"})
	if p.reporter.org == "Sales" && g.chance(50) {
		plan = "Worldwide"
	}
	p.fields = map[string]any{"for_user": who.id, "model": model, "plan": plan, "cost_center": costCenters[p.reporter.org]}
	if g.chance(50) {
		p.fields["keep_number"] = true
	}
	if g.chance(60) {
		p.fields["needed_by"] = g.day(p.created, 3, 14)
	}
	if who != p.reporter {
		p.summary = fmt.Sprintf(g.pick([]string{"%[1]s for %[2]s", "New phone for %[2]s (%[1]s)"}), model, who.name)
		if g.chance(50) {
			p.summary = fmt.Sprintf(g.pick([]string{"Phone for new team member %s", "Company phone for %s"}), who.name)
		}
		return
	}
	p.summary = g.pick([]string{
		"Replacement phone: cracked screen", "Phone battery dies by noon, need a replacement", "Upgrade from iPhone 11 (no more updates)",
		"Company phone for the on-call rotation", "Android phone for app testing", "New phone, old one no longer charges",
		"Phone with roaming for the US roadshow",
	})
}

func fillLostDevice(g *gen, p *plan) {
	lost := []struct{ device, where, summary string }{
		{"Phone", "Train from Brighton to London Victoria", "Lost my phone on the train"},
		{"Laptop", "Car park at the Reading office, car broken into", "Laptop stolen from my car"},
		{"Phone", "Taxi from Heathrow T5 to the office", "Phone left in a taxi from the airport"},
		{"Tablet", "Hotel in Lisbon after the team offsite", "iPad missing after the offsite"},
		{"Phone", "Conference venue in Barcelona", "Work phone stolen at a conference"},
		{"Phone", "Somewhere between home and the office", "Lost phone, can't approve MFA prompts"},
		{"Laptop", "Café near Alexanderplatz, Berlin", "Laptop bag stolen at a café"},
		{"Phone", "Boat trip on holiday", "Phone fell overboard on holiday"},
		{"Laptop", "Airport security in Frankfurt", "Left my laptop at airport security"},
	}
	l := lost[g.intn(len(lost))]
	p.summary = l.summary
	p.fields = map[string]any{"device": l.device, "last_seen": g.day(p.created, -2, 0), "where": l.where}
	if l.device == "Laptop" || g.chance(30) {
		p.fields["police_report"] = true
	}
	if l.device == "Laptop" {
		p.impact = ticket.LevelMedium
	}
}
