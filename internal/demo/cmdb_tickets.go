package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Which CIs the demo's tickets name: the major incident its failed switch,
// the problems and changes what they are about, and the open incidents of
// the network and of General IT help the component they report on. Closed
// incidents name none: each link is a command of its own, and the demo
// loads fast.

// majorIncidentSummary is the summary of the demo's major incident (see
// SeedPractices); failedSwitch is the CI that failed.
const (
	majorIncidentSummary = "No Wi-Fi on the whole 4th floor in London"
	failedSwitch         = "sw-lon-4-01"
	berlinController     = "Replace the Wi-Fi controller in Berlin"
	rowBRecabling        = "Re-cable row B of the data centre"
)

// ticketCIsBySummary are the CIs of problems and changes, and of the major
// incident, by the ticket's summary.
var ticketCIsBySummary = map[string][]string{
	majorIncidentSummary: {failedSwitch},

	// Problems.
	"VPN sessions drop every 10 minutes for home users on one ISP": {"GlobalProtect VPN", "vpn-gw-01", "vpn-gw-02"},
	"Wi-Fi roaming fails between floors in London":                 {"wlc-lon-01", "AP-LON-3-01", "AP-LON-3-02"},
	"Intermittent DNS timeouts in the Berlin office":               {"dns-ber-01", "esx-ber-01", "bkp-proxy-ber-01"},
	"Switch stack in New York reboots under load":                  {"sw-nyc-stack-01"},
	"Teams calls choppy over the VPN in the afternoons":            {"vpn-gw-01", "vpn-gw-02", "Microsoft Teams"},
	"DHCP scope exhaustion on the guest network":                   {"DHCP", "Cisco ISE"},
	"Outlook password prompts after every Windows update":          {"Exchange Online", "Microsoft Entra ID"},
	"SAP GUI crashes on the new Windows 11 build":                  {"SAP S/4HANA"},
	"OneDrive sync stalls on long file paths":                      {"SharePoint Online and OneDrive"},
	"BitLocker recovery prompts after the BIOS update":             {"Microsoft Intune"},
	"Print jobs lost on the Berlin print server":                   {"print-ber-01", "PaperCut MF"},
	"Teams audio drops on USB headsets":                            {"Microsoft Teams"},
	"Account lock-outs from stale phone mail profiles":             {"Active Directory", "Exchange Online"},

	// Changes of the change enablement demo (SeedChanges).
	berlinController:                                        {"wlc-ber-01", "wlc-ber-02"},
	"Enable IPv6 on the guest network":                      {"Cisco ISE", "fw-core-01", "fw-core-02"},
	"Rotate the AWS organization's break-glass credentials": {"aws-org-management", "HashiCorp Vault"},
	"Open SSH from the internet for the vendor's support":   {"jump-01", "fw-core-01", "fw-core-02"},
	"Renew the TLS certificate of vpn.example.com":          {"vpn-gw-01", "vpn-gw-02"},
	rowBRecabling: {"tor-dc-b1-01", "tor-dc-b2-01", "db-dc-01", "db-dc-02", "sap-hana-01"},
	"Upgrade the core switch firmware to 17.9":                {"core-dc-01", "core-dc-02"},
	"Move DNS to the new resolvers":                           {"Internal DNS", "dns-dc-01", "dns-dc-02", "DHCP"},
	"Patch the VPN appliances against the exploited advisory": {"vpn-gw-01", "vpn-gw-02"},

	// Network maintenance.
	"Upgrade the core switch firmware in London":             {"core-lon-01"},
	"Upgrade GlobalProtect gateways to 6.2":                  {"vpn-gw-01", "vpn-gw-02", "GlobalProtect VPN"},
	"Add a second internet line in New York":                 {"rtr-nyc-01"},
	"Patch the firewalls for the vendor's critical advisory": {"fw-core-01", "fw-core-02"},
	"Re-address the guest network":                           {"Cisco ISE", "DHCP"},
	"Renew the public TLS certificate on the VPN portal":     {"vpn-gw-01"},
	"Upgrade the data centre uplinks to 10G":                 {"rtr-dc-01", "rtr-dc-02", "core-dc-01", "core-dc-02"},
	"Enable 802.1X on the wired ports in London":             {"Cisco ISE", "sw-lon-1-01", "sw-lon-2-01", "sw-lon-3-01", "sw-lon-4-01"},
	"Move DHCP to the new servers":                           {"DHCP", "dhcp-01"},

	// Firewall rules: the destination, besides the firewalls (firewallRule).
	"Allow the reporting subnet to reach db-reporting-01 on 5432": {"db-reporting-01", "reporting-dw"},
	"Open HTTPS from the build agents to Artifactory":             {"Artifactory"},
	"Egress to the Stripe API from the payments cluster":          {"Payments API", "aws-prod-payments"},
	"Give VPN users access to Grafana":                            {"Grafana"},
	"SFTP to the bank for the daily payment files":                {"sftp-gw-01", "Bank file transfer"},
	"Sales analytics access to the CRM database":                  {"crm-db-01", "crm-db"},
	"LDAPS from staging apps to the directory":                    {"Active Directory"},
	"SNMP from the new monitoring server to the switches":         {"monitoring-01", "LibreNMS"},

	// Cloud configuration.
	"Enforce MFA on all AWS root accounts":                      {"aws-org-management"},
	"Enable GuardDuty in all regions":                           {"aws-security-audit"},
	"Rotate the KMS keys of the data lake":                      {"aws-data-lake"},
	"Block legacy authentication in Microsoft 365":              {"Microsoft Entra ID", "m365-example"},
	"Tighten S3 bucket policies after the audit finding":        {"aws-data-lake"},
	"Turn on Defender for Cloud in the CRM subscription":        {"azure-prod-crm"},
	"Conditional access: block sign-ins from unmanaged devices": {"Microsoft Entra ID", "Microsoft Intune"},
	"Send CloudTrail logs to the central security account":      {"aws-log-archive", "aws-security-audit"},
	"Azure policy: no public IPs on VMs":                        {"azure-prod-crm", "azure-sec-prod"},
	"Revoke the leaked access key in aws-data-lake":             {"aws-data-lake"},
}

// Incidents name the component their form points at.
var (
	itIssueCIs = map[string]string{
		"Outlook / email": "Exchange Online", "Teams": "Microsoft Teams", "SharePoint / OneDrive": "SharePoint Online and OneDrive",
		"SAP": "SAP S/4HANA", "Salesforce": "Salesforce Sales Cloud", "Printer": "PaperCut MF",
	}
	wifiControllers = map[string]string{"London": "wlc-lon-01", "Berlin": "wlc-ber-01", "New York": "wlc-nyc-01"}
)

// ticketCIs gives the names of the CIs a ticket is about.
func ticketCIs(t ticket.Ticket) []string {
	if names, ok := ticketCIsBySummary[t.Summary]; ok {
		if t.RequestType == "Firewall rule change" {
			return append([]string{"fw-core-01"}, names...) // the rule goes on the active firewall; HA copies it
		}
		return names
	}
	field := func(k string) string { s, _ := t.Fields[k].(string); return s }
	if t.Type == ticket.TypeIncident && t.StatusCategory == ticket.CategoryDone {
		return nil
	}
	switch t.RequestType {
	case "Firewall rule change":
		return []string{"fw-core-01"}
	case "Report an IT issue":
		if ci := itIssueCIs[field("app")]; ci != "" {
			return []string{ci}
		}
	case "Wi-Fi or VPN not working":
		office := field("office")
		switch field("connection") {
		case "VPN (GlobalProtect)":
			return []string{"GlobalProtect VPN"}
		case "Guest Wi-Fi":
			return []string{"Cisco ISE"}
		case "Office Wi-Fi":
			if office == "London" && t.Summary == "Wi-Fi drops in meeting room 4.12" {
				return []string{"AP-LON-4-07"}
			}
			if ci := wifiControllers[office]; ci != "" {
				return []string{ci}
			}
		case "Wired network":
			if _, ok := siteCode[office]; ok {
				return []string{"Office network " + office} // which switch is not known yet
			}
		}
	}
	return nil
}

// linkTickets links the tickets to the CIs they are about, as the agent
// working it (or the lead of the service's team) did after the ticket's
// latest event, and brings the CMDB up to date with the Berlin controller
// change.
func (l *loader) linkTickets(ctx context.Context, ids map[string]int64) error {
	byID := map[int64]*person{}
	for _, p := range l.people {
		if p.id != 0 {
			byID[p.id] = p
		}
	}
	serviceTeam := map[int64]string{}
	for name, id := range l.services {
		serviceTeam[id] = l.owners[name]
	}
	lead := func(team string) *person {
		for _, p := range l.people {
			if p.team == team && p.lead && p.role == directory.RoleAgent {
				return p
			}
		}
		return nil
	}
	// The links are made in the order of their times, so that each CI's
	// history reads in order.
	type link struct {
		t     ticket.Ticket
		at    time.Time
		by    *person
		names []string
	}
	var links []link
	for offset := 0; ; {
		page, err := l.s.Tickets(ctx, directory.System, store.TicketFilter{Sort: "key", Ascending: true, Limit: store.MaxPage, Offset: offset})
		if err != nil {
			return err
		}
		for _, t := range page.Tickets {
			names := ticketCIs(t)
			if len(names) == 0 {
				continue
			}
			who := byID[t.AssigneeID]
			if who == nil || who.actor.UserID == 0 {
				who = lead(serviceTeam[t.ServiceID])
			}
			at, err := l.afterLastEvent(ctx, t.Key)
			if err != nil {
				return err
			}
			links = append(links, link{t, at, who, names})
		}
		offset += len(page.Tickets)
		if len(page.Tickets) == 0 || offset >= page.Total {
			break
		}
	}
	slices.SortStableFunc(links, func(a, b link) int { return a.at.Compare(b.at) })
	for _, k := range links {
		actx := store.AtTime(ctx, k.at)
		by := directory.System
		if k.by != nil {
			by = k.by.actor
		}
		for _, name := range k.names {
			if _, err := l.s.LinkTicketCI(actx, by, k.t.Key, ids[name]); err != nil {
				return fmt.Errorf("link %s to %s: %w", k.t.Key, name, err)
			}
		}
		if k.t.Summary == berlinController && k.t.Status == "Completed" {
			if err := l.berlinControllerReplaced(actx, by, ids); err != nil {
				return fmt.Errorf("%s: %w", k.t.Key, err)
			}
		}
	}
	return nil
}

// afterLastEvent is a few minutes after a ticket's latest event, and no
// later than the load: when the agent named its CIs.
func (l *loader) afterLastEvent(ctx context.Context, key string) (time.Time, error) {
	events, err := l.s.History(ctx, directory.System, key)
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	for _, e := range events {
		if e.CreatedAt.After(last) {
			last = e.CreatedAt
		}
	}
	at := last.Add(3 * time.Minute)
	if at.After(l.now) {
		at = l.now
	}
	if at.Before(last) {
		at = last
	}
	return at, nil
}

// berlinControllerReplaced records in the CMDB what the completed Berlin
// change did: the access points moved to the new controller, which went
// live, and the old one was retired.
func (l *loader) berlinControllerReplaced(ctx context.Context, by directory.Actor, ids map[string]int64) error {
	oldWLC, newWLC := ids["wlc-ber-01"], ids["wlc-ber-02"]
	for _, name := range []string{"AP-BER-2-01", "AP-BER-2-02"} {
		rels, err := l.s.Relationships(ctx, ids[name])
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rels, func(r cmdb.Relationship) bool { return r.CI.ID == oldWLC && r.Kind == cmdb.RelDependsOn })
		if i < 0 {
			continue
		}
		if err := l.s.DeleteRelationship(ctx, by, ids[name], rels[i].ID); err != nil {
			return err
		}
		if _, err := l.s.AddRelationship(ctx, by, ids[name], string(cmdb.VerbDependsOn), newWLC); err != nil {
			return err
		}
	}
	liveStatus, retiredStatus := string(cmdb.StatusLive), string(cmdb.StatusRetired)
	if _, err := l.s.UpdateCI(ctx, by, newWLC, store.CIPatch{Status: &liveStatus}); err != nil {
		return err
	}
	desc := "The Berlin office's former Wi-Fi controller, retired: its access points moved to wlc-ber-02. Waiting for disposal."
	_, err := l.s.UpdateCI(ctx, by, oldWLC, store.CIPatch{Status: &retiredStatus, Description: &desc})
	return err
}
