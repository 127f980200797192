package demo

import (
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

var offices = []string{"London", "Berlin", "New York", "Remote / home"}

func networkRequests() []*requestType {
	return []*requestType{
		{
			service: "Network infrastructure management", name: "Wi-Fi or VPN not working", ticketType: ticket.TypeIncident,
			description: "The office Wi-Fi, the wired network or the VPN fails or is slow.",
			fields: []catalog.Field{
				selectOne("connection", "Connection", true, "", "Office Wi-Fi", "Guest Wi-Fi", "VPN (GlobalProtect)", "Wired network"),
				selectOne("office", "Where are you?", true, "", offices...),
				number("affected", "How many people are affected?", false, "Roughly; 1 if it's only you."),
				date("since", "Since when?", false, ""),
				longText("details", "Details", false, "The error message, the room or floor, what you tried."),
			},
			count: 42, channels: []choice[ticket.Channel]{{ticket.ChannelPortal, 35}, {ticket.ChannelEmail, 25}, {ticket.ChannelAgent, 30}, {ticket.ChannelAPI, 10}},
			urgency: [3]int{35, 45, 20},
			fill:    fillNetworkIssue,
			details: []string{
				"It was fine until about an hour ago.",
				"Colleagues next to me seem to have the same problem.",
				"I restarted the laptop and toggled Wi-Fi off and on, no change.",
				"It happens several times a day and kicks me out of calls.",
				"Working from my phone's hotspot for now.",
			},
			say: map[string][]string{
				"ask":   {"Could you send a screenshot of the error?", "Which room or desk number exactly?", "Does it work from another network, for example your phone's hotspot?"},
				"reply": {"Screenshot attached.", "Room 4.12, the corner one.", "Yes, it works on my hotspot."},
				"ask:Office Wi-Fi": {
					"Which network name (SSID) do you see, and what does the Wi-Fi icon say?",
					"Which floor and room are you in when it drops?",
				},
				"reply:Office Wi-Fi":        {"CORP-WIFI, the icon says 'No internet, secured'.", "4th floor, mostly in room 4.12."},
				"ask:VPN (GlobalProtect)":   {"Could you send a screenshot of the GlobalProtect window with the error?", "Which internet provider do you have at home?"},
				"reply:VPN (GlobalProtect)": {"Screenshot attached: 'Gateway not responding'.", "Virgin Media, fibre."},
				"note":                      {"Checked the monitoring: no alarms for that site.", "Looked at the controller and the switch logs, nothing obvious yet."},
				"note:Office Wi-Fi":         {"Controller shows 40+ clients on AP-LON-4-07, channel utilisation 90%.", "Several clients on the floor failing 802.1X since this morning."},
				"note:VPN (GlobalProtect)":  {"GlobalProtect logs show MTU problems from this ISP.", "Same symptom as the recurring VPN problem."},
				"note:Wired network":        {"Switch sw-ber-3-02 port Gi1/0/34 err-disabled (BPDU guard).", "Port shows CRC errors; suspect the cable."},
				"pending":                   {"Waiting for the ISP engineer, booked for tomorrow morning.", "Case with Palo Alto support open, waiting for their answer."},
			},
			resolutions: troubleshooting,
		},
		{
			service: "Network infrastructure management", name: "Firewall rule change", ticketType: ticket.TypeChange,
			description: "Ask for a firewall rule between networks or to the internet. Security reviews each rule; we implement them in the Tuesday and Thursday change windows.",
			fields: []catalog.Field{
				text("source", "Source", true, "Host, network or security group, e.g. 10.20.4.0/24."),
				text("destination", "Destination", true, "Host name or address, e.g. db-reporting-01.internal."),
				text("ports", "Protocol and ports", true, "e.g. TCP 443, or UDP 500, 4500."),
				selectOne("environment", "Environment", true, "", "Production", "Staging", "Development"),
				date("expires_on", "Remove the rule on", false, "Leave empty for a permanent rule."),
				longText("justification", "Business justification", true, ""),
			},
			count: 16, channels: []choice[ticket.Channel]{{ticket.ChannelPortal, 75}, {ticket.ChannelAPI, 25}},
			orgs: []choice[string]{{"Engineering", 85}, {"Finance", 10}, {"Sales", 5}},
			fill: fillFirewallRule,
			details: []string{
				"Details are in the form. Happy to join a call if anything is unclear.",
				"We need this before the go-live next week.",
				"The vendor confirmed these are the only ports they use.",
			},
			say: map[string][]string{
				"ask":       {"Is this rule needed for good, or only during the migration?", "Could you narrow the source to the specific hosts instead of the whole network?", "Which team owns the destination system? We need their OK too."},
				"reply":     {"Only until the migration is done, say 30 days.", "Yes, it's only 10.30.4.11 and 10.30.4.12.", "The data platform team; Diego approved in Slack."},
				"submit":    {"Reviewed with the requester. Low risk, standard rule template.", "Narrowed the source to two hosts; submitting for approval."},
				"approve":   {"Approved by Security: least privilege, logging enabled.", "CAB approved; scheduled for the Thursday 20:00 window."},
				"decline":   {"Declined: the rule is broader than the need you describe. Please ask again with the specific hosts and ports.", "Declined: this traffic should go through the API gateway rather than a direct rule. We're happy to help set that up."},
				"implement": {"Rule added on fw-core-01, HA sync to fw-core-02 running."},
				"complete":  {"Rule deployed on fw-core-01/02 and tested with the requester: the connection works.", "Rule in place; the hit counter shows the expected traffic."},
				"fail":      {"Commit failed on the secondary firewall (HA sync error); rolled back. New attempt in the next window.", "Traffic is still blocked by the cloud security group; rolled the firewall part back to keep the configurations consistent."},
				"cancel":    {"Canceled at the requester's wish: the service moved into the same VPC, no rule needed."},
			},
		},
		{
			service: "Network infrastructure management", name: "Network maintenance", ticketType: ticket.TypeChange,
			description: "For IT staff: plan work on switches, Wi-Fi, firewalls, VPN and links. Normal changes go to the CAB; standard changes are approved in advance.",
			fields: []catalog.Field{
				selectOne("change_type", "Change type", true, "", "Standard", "Normal", "Emergency"),
				date("planned_start", "Planned date", true, ""),
				number("downtime", "Expected downtime (minutes)", false, ""),
				selectMany("sites", "Affected sites", true, "", "London", "Berlin", "New York", "Data centre", "Cloud"),
				userField("implementer", "Implementer", false, "The engineer who carries it out."),
				longText("rollback", "Rollback plan", true, ""),
			},
			count: 12, staff: true, channels: staffChannels,
			fill: fillNetworkChange,
			details: []string{
				"Tested in the lab last week. Users are told by the comms team.",
				"Plan and rollback attached; the maintenance window is announced on the intranet.",
				"Part of this year's network roadmap, agreed with the office managers.",
			},
			say: map[string][]string{
				"submit":            {"Plan and rollback reviewed with a second engineer; submitting for the CAB.", "Submitting for the CAB; the office managers know about the window."},
				"submit:Standard":   {"Standard change, pre-approved template NW-STD-04."},
				"submit:Emergency":  {"Emergency change: the advisory is being exploited. Asking for emergency approval now."},
				"approve":           {"CAB approved. Tell the office managers about the window.", "Approved: low risk with a tested rollback."},
				"approve:Standard":  {"Standard change: approved by its template."},
				"approve:Emergency": {"Emergency approval by the CAB chair; go ahead tonight."},
				"decline":           {"Declined: clashes with the quarter-end freeze. Please plan it for the week after."},
				"implement":         {"Starting now; the running configuration is backed up."},
				"review":            {"Done; watching the monitoring for an hour before closing."},
				"complete":          {"Completed without incident; no alerts after the change.", "All sites checked; users report no problems."},
				"fail":              {"Rolled back: monitoring showed packet loss on the core after the change. Vendor case opened.", "Failed: the maintenance window ran out before the tests passed; restored the old configuration."},
				"cancel":            {"Canceled: merged into the network refresh planned for next quarter."},
			},
		},
		{
			service: "Network infrastructure management", name: "Recurring network issue", ticketType: ticket.TypeProblem,
			description: "For IT staff: record the problem behind repeated network incidents, its root cause and its workaround.",
			fields: []catalog.Field{
				selectOne("component", "Component", true, "", "Wi-Fi", "VPN", "Switching", "Firewall", "Internet links", "DNS/DHCP"),
				date("first_seen", "First seen", true, ""),
				number("incidents", "Related incidents so far", false, ""),
				longText("workaround", "Workaround", false, ""),
				checkbox("workaround_shared", "Workaround shared with the Service Desk", false, ""),
			},
			count: 5, staff: true, channels: []choice[ticket.Channel]{{ticket.ChannelAgent, 100}},
			fill: fillNetworkProblem,
			details: []string{
				"Several incidents with the same symptom over the last weeks.",
				"Service Desk raised it after the third report this week.",
			},
			say: map[string][]string{
				"close":     {"Closing after two weeks without a recurrence."},
				"duplicate": {"Duplicate of the existing problem for the same symptom; closing."},
			},
		},
	}
}

var networkTopics = []topic{
	{"Office Wi-Fi", 5, []story{
		{"Wi-Fi drops in meeting room 4.12", "Access point AP-LON-4-07 had crashed. Rebooted it and opened a case with the vendor; coverage in 4.12 is back."},
		{"No Wi-Fi on the 3rd floor", "A switch port feeding two access points had failed; moved them to spare ports and the 3rd floor has Wi-Fi again."},
		{"Wi-Fi very slow in the afternoons", "Moved the access point to a channel the neighbours don't use; speeds are back to normal."},
		{"Laptop connects to Wi-Fi but has no internet", "The DHCP scope for the floor was full. Enlarged it and shortened the lease time."},
		{"CORP-WIFI asks for a certificate every morning", "Your Wi-Fi certificate had expired with your password change; renewed it."},
		{"Can't connect to CORP-WIFI after my password change", "Removed the saved network with the old password and renewed the certificate; it connects now."},
	}},
	{"Guest Wi-Fi", 1, []story{
		{"Guest Wi-Fi voucher not accepted", "The vouchers were made for the wrong site; issued new ones for your visitors."},
		{"Visitors can't reach the guest Wi-Fi portal", "The guest portal's certificate had expired; renewed it."},
		{"Guest Wi-Fi blocks the customer demo site", "Unblocked the demo site's category on the guest network."},
	}},
	{"VPN (GlobalProtect)", 5, []story{
		{"VPN drops every 10 minutes", "Lowered the keep-alive interval for your connection; the tunnel stays up now."},
		{"GlobalProtect stuck on 'Connecting'", "Your VPN profile pointed to the old gateway. Pushed the new configuration; please reconnect."},
		{"VPN connected but SAP unreachable", "The split-tunnel list lacked the new SAP subnet; added it."},
		{"VPN very slow from home", "Moved you to the Frankfurt gateway, closer to you; speeds are normal again."},
		{"VPN fails from the hotel network", "The hotel blocks IPsec; switched your client to fall back to SSL."},
		{"Can't connect to the VPN after laptop replacement", "The new laptop had no machine certificate yet; enrolled it."},
	}},
	{"Wired network", 2, []story{
		{"Network port at my desk is dead", "The desk port wasn't patched to the switch after the office move. Patched it, the link is up."},
		{"No network in the training room", "The switch in the training room had lost power; plugged it into the UPS."},
		{"Desk phone and laptop lose network at the same time", "The switch port had shut itself down (loop protection). Found the loop under the desk and re-enabled the port."},
		{"1st floor printer unreachable from the wired network", "The printer was on the wrong VLAN after a firmware reset; fixed the port."},
	}},
}

func fillNetworkIssue(g *gen, p *plan) {
	g.story(p, networkTopics)
	office := g.pick(offices[:3])
	if p.topic == "VPN (GlobalProtect)" {
		office = "Remote / home"
	}
	affected := 1
	switch {
	case g.chance(15):
		affected = g.between(20, 60)
	case g.chance(25):
		affected = g.between(3, 12)
	}
	p.impact = ticket.LevelLow
	if affected >= 20 {
		p.impact = ticket.LevelHigh
	} else if affected >= 3 {
		p.impact = ticket.LevelMedium
	}
	p.fields = map[string]any{"connection": p.topic, "office": office}
	if affected > 1 || g.chance(50) {
		p.fields["affected"] = float64(affected)
	}
	if g.chance(50) {
		p.fields["since"] = g.day(p.created, -1, 0)
	}
	if g.chance(40) {
		p.fields["details"] = g.pick([]string{
			"GlobalProtect says 'Gateway not responding'.",
			"The Wi-Fi icon shows a yellow warning triangle.",
			"Happens in the big meeting rooms mostly.",
			"Other websites load, only internal ones fail.",
		})
	}
}

func fillFirewallRule(g *gen, p *plan) {
	rules := []struct{ source, destination, ports, env, summary string }{
		{"10.20.4.0/24", "db-reporting-01.internal", "TCP 5432", "Production", "Allow the reporting subnet to reach db-reporting-01 on 5432"},
		{"build-agents (sg-0a12f)", "artifactory.internal", "TCP 443", "Development", "Open HTTPS from the build agents to Artifactory"},
		{"10.30.0.0/16", "api.stripe.com", "TCP 443", "Production", "Egress to the Stripe API from the payments cluster"},
		{"vpn-users", "grafana.internal", "TCP 3000", "Production", "Give VPN users access to Grafana"},
		{"10.40.2.15", "sftp.bank-partner.com", "TCP 22", "Production", "SFTP to the bank for the daily payment files"},
		{"staging-k8s-nodes", "smtp.sendgrid.net", "TCP 587", "Staging", "Let staging send mail through SendGrid"},
		{"10.20.8.0/24", "crm-db-01.internal", "TCP 1433", "Production", "Sales analytics access to the CRM database"},
		{"0.0.0.0/0", "partner-portal.example.com", "TCP 443", "Production", "Publish the partner portal to the internet"},
		{"dev-vpc", "pypi.org, files.pythonhosted.org", "TCP 443", "Development", "Let the dev VPC download Python packages"},
		{"10.50.1.0/24", "ldap.internal", "TCP 636", "Staging", "LDAPS from staging apps to the directory"},
		{"monitoring-01", "switch management VLAN 99", "UDP 161", "Production", "SNMP from the new monitoring server to the switches"},
		{"10.20.4.22", "10.60.0.10", "TCP 8443", "Staging", "Temporary access for the vendor's load test"},
	}
	r := rules[g.intn(len(rules))]
	p.summary = r.summary
	p.fields = map[string]any{"source": r.source, "destination": r.destination, "ports": r.ports, "environment": r.env,
		"justification": g.pick([]string{
			"Needed for the new reporting pipeline going live at month end.",
			"The vendor integration cannot work without it; contract signed last week.",
			"Part of the data centre exit: the service moves to AWS.",
			"Replaces a manual file transfer that Finance does every morning.",
		})}
	if g.chance(40) {
		p.fields["expires_on"] = g.day(p.created, 14, 60)
	}
}

func fillNetworkChange(g *gen, p *plan) {
	changes := []struct{ typ, summary string }{
		{"Normal", "Upgrade the core switch firmware in London"},
		{"Normal", "Replace the Wi-Fi access points on the Berlin 2nd floor"},
		{"Normal", "Upgrade GlobalProtect gateways to 6.2"},
		{"Normal", "Add a second internet line in New York"},
		{"Emergency", "Patch the firewalls for the vendor's critical advisory"},
		{"Standard", "Re-address the guest network"},
		{"Standard", "Decommission the old Wi-Fi controller"},
		{"Standard", "Renew the public TLS certificate on the VPN portal"},
		{"Normal", "Upgrade the data centre uplinks to 10G"},
		{"Normal", "Enable 802.1X on the wired ports in London"},
		{"Standard", "Replace the UPS batteries in the Berlin comms room"},
		{"Normal", "Move DHCP to the new servers"},
	}
	c := changes[g.intn(len(changes))]
	p.summary, p.topic = c.summary, c.typ
	p.priority = changePriority(g, c.typ)
	p.fields = map[string]any{
		"change_type":   c.typ,
		"planned_start": g.day(p.created, 2, 14),
		"sites":         g.pickSome([]string{"London", "Berlin", "New York", "Data centre", "Cloud"}, g.between(1, 2)),
		"implementer":   p.agent.id,
		"rollback": g.pick([]string{
			"Restore the saved configuration and boot the previous firmware image (partition B).",
			"Put the old access points back; they stay on the shelf for a week.",
			"Switch DNS back to the old gateway; the TTL is lowered to 5 minutes the day before.",
			"Fail back to the primary line and remove the new routes.",
		}),
	}
	if c.typ != "Standard" || g.chance(50) {
		p.fields["downtime"] = float64(oneOf(g, []int{0, 5, 15, 30, 60}))
	}
}

// changePriority gives a change's priority from its type.
func changePriority(g *gen, typ string) ticket.Priority {
	switch typ {
	case "Emergency":
		return weighted(g, []choice[ticket.Priority]{{ticket.PriorityHighest, 3}, {ticket.PriorityHigh, 1}})
	case "Standard":
		return weighted(g, []choice[ticket.Priority]{{ticket.PriorityLowest, 2}, {ticket.PriorityLow, 3}, {ticket.PriorityMedium, 1}})
	}
	return weighted(g, []choice[ticket.Priority]{{ticket.PriorityHigh, 2}, {ticket.PriorityMedium, 4}, {ticket.PriorityLow, 2}})
}

func fillNetworkProblem(g *gen, p *plan) {
	pr := oneOf(g, []problem{
		{"VPN", "VPN sessions drop every 10 minutes for home users on one ISP", []string{"VPN drops", "VPN very slow"},
			"Collected GlobalProtect logs from six users; all on the same ISP.",
			"Switch the VPN to the SSL tunnel (Settings > Connection).",
			"Root cause: the ISP's carrier-grade NAT drops idle UDP sessions after 10 minutes. Lowered the keep-alive; no drops for two weeks."},
		{"Wi-Fi", "Wi-Fi roaming fails between floors in London", []string{"Wi-Fi drops", "No Wi-Fi"},
			"Controller logs show clients failing to roam between the old and the new access point models.",
			"Forget and rejoin CORP-WIFI after changing floors.",
			"Root cause: mismatched firmware between the access point generations. Upgraded them all; no incidents since."},
		{"DNS/DHCP", "Intermittent DNS timeouts in the Berlin office", []string{"no internet", "slow in the afternoons"},
			"Packet captures show DNS queries to the Berlin resolver timing out at peak times.",
			"Use the London resolver (pushed by DHCP to affected clients).",
			"Root cause: the Berlin resolver VM was starved of CPU by a backup job. Moved the job and gave the VM its own reservation."},
		{"Switching", "Switch stack in New York reboots under load", []string{"port", "training room", "lose network"},
			"Crash dumps from the stack sent to the vendor; same signature each time.",
			"Keep heavy transfers off the New York office network during the day.",
			"Root cause: a memory leak in the switch firmware. Upgraded to the fixed release in the weekend window."},
		{"VPN", "Teams calls choppy over the VPN in the afternoons", []string{"VPN"},
			"The VPN gateway's uplink is saturated between 14:00 and 17:00.",
			"Teams traffic can bypass the VPN: enable 'Optimise Teams' in the client.",
			"Root cause: Teams media went through the tunnel. Split-tunnelled Microsoft 365 media traffic for everyone."},
		{"DNS/DHCP", "DHCP scope exhaustion on the guest network", []string{"Guest"},
			"The guest scope is full every day by 11:00; leases last 8 days.",
			"Issue vouchers for the staff network to important visitors.",
			"Root cause: 8-day leases on a /24. Enlarged the scope to a /22 and cut leases to 4 hours."},
	})
	pr.tell(p)
	p.priority = weighted(g, []choice[ticket.Priority]{{ticket.PriorityHigh, 2}, {ticket.PriorityMedium, 3}, {ticket.PriorityLow, 1}})
	p.fields = map[string]any{"component": pr.area, "first_seen": g.day(p.created, -21, -3), "incidents": float64(g.between(3, 12))}
	if g.chance(50) {
		p.fields["workaround"] = pr.workaround
		p.fields["workaround_shared"] = true
	}
}
