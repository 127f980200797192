package demo

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
)

// The infrastructure of the demo's CMDB: what the IT department runs in its
// data centre (Slough), its three offices and its cloud accounts. Host
// names, addresses and versions agree with what the demo's tickets say
// (fw-core-01, AP-LON-4-07, sw-ber-3-02, jump-01, db-reporting-01...).
//
// Networks: data centre 10.40.0.0/16 (servers 10.40.1, applications 10.40.2,
// databases 10.40.3, management 10.40.99), London 10.20.0.0/16, Berlin
// 10.22.0.0/16, New York 10.24.0.0/16, the payments VPC in AWS 10.30.0.0/16.

// Shorthands for the inventory.
const (
	critLow      = cmdb.CriticalityLow
	critMedium   = cmdb.CriticalityMedium
	critHigh     = cmdb.CriticalityHigh
	critCritical = cmdb.CriticalityCritical

	dataCentre = "Data centre, Slough"
	corpDomain = "corp.example.com"
	netDomain  = "net.example.com"
)

// The people the inventory names as owners.
const (
	ownerDana   = "admin@example.com"
	ownerPriya  = "priya.nair@example.com"
	ownerMarcus = "marcus.lindqvist@example.com"
	ownerElena  = "elena.petrova@example.com"
	ownerHenrik = "henrik.larsen@example.com"    // heads Finance
	ownerChloe  = "chloe.dubois@example.com"     // heads Sales
	ownerSarah  = "sarah.goldberg@example.com"   // heads Engineering
	ownerDiego  = "diego.alvarez@example.com"    // builds the payments hub
	ownerRafael = "rafael.costa@example.com"     // runs the cloud accounts
	ownerKenji  = "kenji.watanabe@example.com"   // network engineer
	ownerAisha  = "aisha.rahman@example.com"     // network engineer
	ownerOlivia = "olivia.brennan@example.com"   // servers and backups
	ownerHannah = "hannah.schmidt@example.com"   // identity and endpoints security
	ownerTomB   = "tom.becker@example.com"       // Service Desk: devices
	ownerGrace  = "grace.kim@example.com"        // Finance: reporting
	ownerNadia  = "nadia.haddad@example.com"     // Sales operations
	ownerIngrid = "ingrid.johansson@example.com" // Engineering: developer platform
)

// date gives the day n days before now (after it, for n < 0) as dates are kept.
func (inv *inventory) date(daysAgo int) string {
	return inv.now.AddDate(0, 0, -daysAgo).Format(time.DateOnly)
}

// bought draws a purchase between lo and hi days ago and gives it with the
// end of a warranty of years from it.
func (inv *inventory) bought(lo, hi, years int) (purchase, warranty string) {
	d := inv.now.AddDate(0, 0, -inv.g.between(lo, hi))
	return d.Format(time.DateOnly), d.AddDate(years, 0, 0).Format(time.DateOnly)
}

// unique draws values until one that was not drawn before.
func (inv *inventory) unique(draw func() string) string {
	for {
		if v := draw(); !inv.used[v] {
			inv.used[v] = true
			return v
		}
	}
}

func (inv *inventory) chars(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[inv.g.intn(len(alphabet))]
	}
	return string(b)
}

const (
	digits         = "0123456789"
	serialAlphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZ" // no vowels, as vendors avoid words
)

// Serial numbers as the vendors write them.
func (inv *inventory) serial(vendor string) string {
	return inv.unique(func() string {
		switch vendor {
		case "Dell":
			return inv.chars(7, serialAlphabet) // a service tag
		case "Cisco":
			return fmt.Sprintf("FOC%02d%02d", inv.g.between(25, 29), inv.g.between(1, 52)) + inv.chars(4, serialAlphabet) // factory, year, week
		case "Palo Alto Networks":
			return "0240" + inv.chars(8, digits)
		case "F5":
			return "f5-" + inv.chars(4, "abcdefghijklmnopqrstuvwxyz") + "-" + inv.chars(4, "abcdefghijklmnopqrstuvwxyz")
		case "Lenovo":
			return "J30" + inv.chars(5, serialAlphabet)
		case "Apple":
			return inv.chars(10, serialAlphabet)
		case "Samsung":
			return "R5C" + inv.chars(8, serialAlphabet)
		case "Google":
			return inv.chars(2, digits) + inv.chars(12, serialAlphabet)
		case "Logitech":
			return inv.chars(4, digits) + "LZ" + inv.chars(4, serialAlphabet)
		}
		return inv.chars(10, serialAlphabet)
	})
}

// tag draws an asset tag with a prefix: LT-02417.
func (inv *inventory) tag(prefix string, lo, hi int) string {
	return inv.unique(func() string { return fmt.Sprintf("%s-%05d", prefix, inv.g.between(lo, hi)) })
}

// hardware gives the attributes every physical item has.
func (inv *inventory) hardware(vendor, model, location string, ageLo, ageHi, warrantyYears int, tagPrefix string) map[string]any {
	purchase, warranty := inv.bought(ageLo, ageHi, warrantyYears)
	return map[string]any{"serial_number": inv.serial(vendor), "asset_tag": inv.tag(tagPrefix, 100, 9999),
		"vendor": vendor, "model": model, "location": location, "purchase_date": purchase, "warranty_expiry": warranty}
}

// with gives a's attributes and more's.
func with(a map[string]any, more map[string]any) map[string]any {
	out := maps.Clone(a)
	maps.Copy(out, more)
	return out
}

// businessServices are the services as the business sees them: one per
// service of the catalogue, the business applications' services, and the
// network of each site.
func (inv *inventory) businessServices() {
	bs := func(name string, crit cmdb.Criticality, team, owner, url, desc string) *ciPlan {
		attrs := map[string]any{"service_owner": owner}
		if url != "" {
			attrs["url"] = url
		}
		return inv.add(&ciPlan{name: name, typ: "business_service", crit: crit, team: team, description: desc, attrs: attrs})
	}
	portal := "https://help.example.com"
	bs("Laptop setup", critMedium, serviceDesk, ownerPriya, portal, "Company laptops from order to handover and through their life.")
	bs("Mobile device provisioning", critMedium, serviceDesk, ownerPriya, portal, "Company phones: enrolment, email and MFA, SIM cards, lock and wipe.")
	bs("Network infrastructure management", critCritical, infrastructure, ownerMarcus, "", "The offices' LAN and Wi-Fi, the VPN, the firewalls and the links to the data centre and the cloud.")
	bs("Cloud security", critHigh, security, ownerElena, "", "Safe AWS, Azure and Microsoft 365 tenants: access, baselines, monitoring and response.")
	bs("General IT help", critHigh, serviceDesk, ownerPriya, portal, "Email, Teams, printing, accounts and the business applications, and how-to questions.")
	bs("Meeting room AV", critLow, infrastructure, ownerMarcus, "", "Teams Rooms kits and booking panels in the meeting rooms; in design for next quarter.").status = cmdb.StatusPlanned
	bs("Email and collaboration", critCritical, serviceDesk, ownerDana, "https://www.office.com", "Microsoft 365: Exchange Online, Teams, SharePoint and OneDrive.")
	bs("Payments", critCritical, infrastructure, ownerHenrik, "https://payhub.corp.example.com", "Supplier and payroll payments: payment runs from SAP through the payments hub to the banks.")
	bs("Finance and accounting", critHigh, infrastructure, ownerHenrik, "https://sap.corp.example.com/fiori", "SAP S/4HANA (P01): ledgers, payables, receivables, and Finance's reporting.")
	bs("Customer relationship management", critHigh, security, ownerChloe, "https://example.my.salesforce.com", "Salesforce for Sales: accounts, opportunities, quotes, and its sync with the CRM database.")
	bs("HR and payroll", critHigh, security, ownerDana, "https://wd3.myworkday.com/example", "Workday: people records, absences, and the payroll data sent to the payments hub.")
	bs("Software delivery", critMedium, infrastructure, ownerSarah, "https://gitlab.example.com", "Source code, pipelines, packages and secrets for Engineering and for IT's own configuration.")
	for _, site := range []struct{ name, desc string }{
		{"Office network London", "Wired network and CORP-WIFI on the four floors of the London office, and its link to the data centre."},
		{"Office network Berlin", "Wired network and Wi-Fi of the Berlin office (three floors) and its link to the data centre."},
		{"Office network New York", "Wired network and Wi-Fi of the New York office and its link to the data centre."},
	} {
		bs(site.name, critHigh, infrastructure, ownerMarcus, "", site.desc)
	}
	bs("Remote access (VPN)", critHigh, infrastructure, ownerMarcus, "https://vpn.example.com", "GlobalProtect for people working from home or travelling.")

	inv.rel("Laptop setup", "depends_on", "Microsoft Intune", "Windows Autopilot", "Apple Business Manager", "Microsoft Entra ID", "Microsoft Defender for Endpoint")
	inv.rel("Mobile device provisioning", "depends_on", "Microsoft Intune", "Microsoft Entra ID", "Exchange Online")
	inv.rel("Network infrastructure management", "depends_on", "Office network London", "Office network Berlin", "Office network New York", "Remote access (VPN)",
		"rtr-dc-01", "rtr-dc-02") // the core switches and firewalls are linked to the catalogue's service directly
	inv.rel("Cloud security", "depends_on", "Microsoft Entra ID", "Microsoft Defender for Endpoint", "Microsoft Sentinel", "HashiCorp Vault",
		"aws-org-management", "aws-security-audit", "aws-log-archive")
	inv.rel("General IT help", "depends_on", "Email and collaboration", "Active Directory", "PaperCut MF", "Cairn")
	inv.rel("Meeting room AV", "depends_on", "Teams Rooms Pro Management", "Microsoft Teams")
	inv.rel("Email and collaboration", "depends_on", "Exchange Online", "Microsoft Teams", "SharePoint Online and OneDrive", "Microsoft Entra ID")
	inv.rel("Payments", "depends_on", "Payments hub", "Payments API", "Bank file transfer")
	inv.rel("Finance and accounting", "depends_on", "SAP S/4HANA", "Finance reporting")
	inv.rel("Customer relationship management", "depends_on", "Salesforce Sales Cloud", "CRM integration")
	inv.rel("HR and payroll", "depends_on", "Workday HCM")
	inv.rel("Software delivery", "depends_on", "GitLab", "GitHub Enterprise Cloud", "Artifactory", "HashiCorp Vault")
	inv.rel("Remote access (VPN)", "depends_on", "GlobalProtect VPN")
	// Every site needs its access switches, Wi-Fi and router, and the
	// directory services that hand out addresses and let people on.
	site := func(name string, devices ...string) {
		inv.rel(name, "depends_on", devices...)
		inv.rel(name, "depends_on", "DHCP", "Internal DNS", "Cisco ISE")
	}
	site("Office network London", "rtr-lon-01", "core-lon-01", "sw-lon-1-01", "sw-lon-2-01", "sw-lon-3-01", "sw-lon-4-01", "wlc-lon-01")
	site("Office network Berlin", "rtr-ber-01", "sw-ber-1-01", "sw-ber-2-01", "sw-ber-3-02")
	site("Office network New York", "rtr-nyc-01", "sw-nyc-stack-01", "wlc-nyc-01")
}

// applications are what IT runs for its users, in house or as SaaS.
func (inv *inventory) applications() {
	app := func(name, vendor, version string, crit cmdb.Criticality, team, owner, url, desc string) *ciPlan {
		attrs := map[string]any{"vendor": vendor, "environment": "production", "application_owner": owner}
		if version != "" {
			attrs["version"] = version
		}
		if url != "" {
			attrs["url"] = url
		}
		return inv.add(&ciPlan{name: name, typ: "application", crit: crit, team: team, description: desc, attrs: attrs})
	}
	// Microsoft 365, the email platform and the rest.
	app("Exchange Online", "Microsoft", "", critCritical, serviceDesk, ownerDana, "https://outlook.office.com", "Mail and calendars for everyone; the service desk's mail channel too.")
	app("Microsoft Teams", "Microsoft", "", critCritical, serviceDesk, ownerDana, "https://teams.microsoft.com", "Chat, meetings and calls, the sales hotline's call queue.")
	app("SharePoint Online and OneDrive", "Microsoft", "", critHigh, serviceDesk, ownerDana, "https://example.sharepoint.com", "Team sites, the intranet and everyone's files.")
	app("Microsoft Entra ID", "Microsoft", "", critCritical, security, ownerElena, "https://entra.microsoft.com", "Cloud identity: sign-in, MFA and conditional access for Microsoft 365, the VPN and the SaaS applications.")
	app("Microsoft Intune", "Microsoft", "", critHigh, serviceDesk, ownerTomB, "https://intune.microsoft.com", "Device management for laptops and phones: enrolment, compliance, apps, lock and wipe.")
	app("Windows Autopilot", "Microsoft", "", critMedium, serviceDesk, ownerTomB, "", "Sets up new Windows laptops from the box with the company profile.")
	app("Apple Business Manager", "Apple", "", critMedium, serviceDesk, ownerTomB, "https://business.apple.com", "Enrols new Macs and iPhones in Intune automatically.")
	app("Microsoft Defender for Endpoint", "Microsoft", "", critHigh, security, ownerHannah, "https://security.microsoft.com", "Endpoint protection and detection on every laptop and server.")
	app("Microsoft Sentinel", "Microsoft", "", critHigh, security, ownerElena, "https://portal.azure.com", "Security monitoring: logs of the firewalls, Entra ID, AWS and the endpoints.")
	// On premises identity and network services.
	app("Active Directory", "Microsoft", "Windows Server 2022 AD DS", critCritical, infrastructure, ownerOlivia, "", "The corp.example.com domain: accounts, groups, Kerberos for the servers and the file and print services.")
	app("Internal DNS", "Microsoft", "Windows Server 2022 DNS, Unbound 1.19", critCritical, infrastructure, ownerKenji, "",
		"The corp.example.com zones (stored in Active Directory) and the resolvers of each office.")
	app("DHCP", "Microsoft", "Windows Server 2019 DHCP", critHigh, infrastructure, ownerKenji, "", "Addresses for the offices' staff, guest and voice networks.")
	app("Cisco ISE", "Cisco", "3.3 patch 4", critHigh, infrastructure, ownerAisha, "https://ise.corp.example.com", "802.1X for CORP-WIFI and the wired ports, and the guest Wi-Fi portal with its vouchers.")
	app("GlobalProtect VPN", "Palo Alto Networks", "6.2.3", critHigh, infrastructure, ownerAisha, "https://vpn.example.com", "The VPN gateways and portal, signing in through Entra ID.")
	// Business applications.
	app("SAP S/4HANA", "SAP", "2023 FPS02", critCritical, infrastructure, ownerHenrik, "https://sap.corp.example.com/fiori", "The ERP, system P01 (Q01 for tests): finance, purchasing and payables.")
	app("Payments hub", "In house", "4.12.0", critCritical, infrastructure, ownerDiego, "https://payhub.corp.example.com",
		"Takes SAP's payment runs and Workday's payroll, checks them and sends them to the banks; reads suppliers' bank details from SAP.")
	app("Payments API", "In house", "2.7.1", critHigh, security, ownerDiego, "https://api.payments.example.com", "The payments hub's API for partners, in AWS (aws-prod-payments), calling Stripe.")
	app("Bank file transfer", "Fortra", "GoAnywhere MFT 7.6", critHigh, infrastructure, ownerDiego, "", "SFTP to the banks for the daily payment and statement files.")
	app("Finance reporting", "Microsoft", "Power BI Report Server (January 2025)", critMedium, infrastructure, ownerGrace, "https://reports.corp.example.com", "Finance's reports on the reporting warehouse and the payments data.")
	app("Salesforce Sales Cloud", "Salesforce", "Spring '25", critHigh, security, ownerChloe, "https://example.my.salesforce.com", "Sales' CRM.")
	app("CRM integration", "In house", "3.2.0", critMedium, security, ownerNadia, "", "Azure Functions that sync Salesforce with the CRM database for Sales analytics.")
	app("Workday HCM", "Workday", "2025R1", critHigh, security, ownerDana, "https://wd3.myworkday.com/example", "The HR system: people, absences, payroll input.")
	// Engineering and IT's own tools.
	app("GitLab", "GitLab", "17.8.2", critHigh, infrastructure, ownerIngrid, "https://gitlab.example.com", "Source code and CI/CD: the deployment pipelines of the payments hub and of the network's configuration (net/vpn-config).")
	app("GitHub Enterprise Cloud", "GitHub", "", critMedium, security, ownerRafael, "https://github.com/example", "The cloud teams' repositories and the pipelines that deploy the cloud accounts' IAM (cloud-iam).")
	app("Artifactory", "JFrog", "7.98.13", critMedium, infrastructure, ownerIngrid, "https://artifactory.corp.example.com", "Packages and container images for the build pipelines.")
	app("HashiCorp Vault", "HashiCorp", "1.18.3", critCritical, security, ownerRafael, "https://vault.corp.example.com", "Secrets of the applications and pipelines, break-glass credentials, the internal CA.")
	app("Grafana", "Grafana Labs", "11.4.0", critMedium, infrastructure, ownerOlivia, "https://grafana.corp.example.com", "Dashboards and alerts on the metrics of the servers and applications, with Prometheus 3.1 on the same machine.")
	app("LibreNMS", "LibreNMS", "24.12.0", critMedium, infrastructure, ownerKenji, "https://nms.corp.example.com", "Network monitoring: SNMP from every switch, router, firewall and controller.")
	app("Veeam Backup & Replication", "Veeam", "12.3", critHigh, infrastructure, ownerOlivia, "", "Backups of the virtual machines and the database servers, to the hardened repository and to AWS.")
	app("PaperCut MF", "PaperCut", "24.1.4", critMedium, serviceDesk, ownerTomB, "https://print.corp.example.com", "Follow-me printing in the offices with badge release.")
	app("Cairn", "Cairn", "", critHigh, serviceDesk, ownerDana, "https://help.example.com", "This service desk: the portal, the queues and the CMDB.")
	app("Teams Rooms Pro Management", "Microsoft", "", critLow, infrastructure, ownerMarcus, "", "Management of the Teams Rooms kits, once they are installed.").status = cmdb.StatusPlanned

	inv.rel("Exchange Online", "runs_on", "m365-example")
	inv.rel("Exchange Online", "depends_on", "Microsoft Entra ID", "Microsoft 365 E5")
	inv.rel("Microsoft Teams", "runs_on", "m365-example")
	inv.rel("Microsoft Teams", "depends_on", "Microsoft Entra ID", "Microsoft 365 E5")
	inv.rel("SharePoint Online and OneDrive", "runs_on", "m365-example")
	inv.rel("SharePoint Online and OneDrive", "depends_on", "Microsoft Entra ID", "Microsoft 365 E5")
	inv.rel("Microsoft Entra ID", "runs_on", "m365-example")
	inv.rel("Microsoft Intune", "runs_on", "m365-example")
	inv.rel("Microsoft Intune", "depends_on", "Microsoft Entra ID", "Microsoft 365 E5")
	inv.rel("Windows Autopilot", "depends_on", "Microsoft Intune")
	inv.rel("Apple Business Manager", "depends_on", "Microsoft Intune")
	inv.rel("Microsoft Defender for Endpoint", "depends_on", "Microsoft 365 E5")
	inv.rel("Microsoft Sentinel", "runs_on", "azure-sec-prod")
	// The domain controllers serve DNS, and DNS keeps its zones in the
	// directory: each needs the other, a cycle impact analysis must bear.
	inv.rel("Active Directory", "runs_on", "addc-01", "addc-02", "addc-lon-01", "addc-ber-01")
	inv.rel("Active Directory", "depends_on", "Internal DNS")
	inv.rel("Internal DNS", "runs_on", "dns-lon-01", "dns-ber-01")
	inv.rel("Internal DNS", "depends_on", "Active Directory")
	inv.rel("DHCP", "runs_on", "dhcp-01")
	inv.rel("DHCP", "depends_on", "Active Directory")
	inv.rel("Cisco ISE", "runs_on", "ise-01", "ise-02")
	inv.rel("Cisco ISE", "depends_on", "Active Directory")
	inv.rel("GlobalProtect VPN", "runs_on", "vpn-gw-01", "vpn-gw-02")
	inv.rel("GlobalProtect VPN", "depends_on", "Microsoft Entra ID", "GlobalProtect subscription")
	// SAP sends its payment runs through the payments hub, which reads the
	// suppliers' bank details from SAP: another cycle.
	inv.rel("SAP S/4HANA", "runs_on", "sap-app-01", "sap-app-02")
	inv.rel("SAP S/4HANA", "depends_on", "sap-hana-p01", "Payments hub", "SAP S/4HANA licence")
	inv.rel("Payments hub", "runs_on", "payhub-app-01", "payhub-app-02")
	inv.rel("Payments hub", "depends_on", "payments-db", "SAP S/4HANA", "Bank file transfer", "HashiCorp Vault", "lb-dc-01")
	inv.rel("Payments API", "runs_on", "aws-prod-payments")
	inv.rel("Payments API", "depends_on", "Payments hub")
	inv.rel("Bank file transfer", "runs_on", "sftp-gw-01")
	inv.rel("Finance reporting", "runs_on", "db-reporting-01")
	inv.rel("Finance reporting", "depends_on", "reporting-dw", "payments-db-replica")
	inv.rel("Salesforce Sales Cloud", "depends_on", "Microsoft Entra ID", "Salesforce Sales Cloud Enterprise")
	inv.rel("CRM integration", "runs_on", "azure-prod-crm")
	inv.rel("CRM integration", "depends_on", "Salesforce Sales Cloud", "crm-db")
	inv.rel("Workday HCM", "depends_on", "Microsoft Entra ID", "Workday HCM subscription")
	inv.rel("GitLab", "runs_on", "gitlab-01", "gitlab-runner-01")
	inv.rel("GitLab", "depends_on", "gitlab-db", "Artifactory", "lb-dc-01", "GitLab Premium")
	inv.rel("GitHub Enterprise Cloud", "depends_on", "Microsoft Entra ID")
	inv.rel("Artifactory", "runs_on", "artifactory-01")
	inv.rel("HashiCorp Vault", "runs_on", "vault-01", "vault-02", "vault-03")
	inv.rel("Grafana", "runs_on", "grafana-01")
	inv.rel("LibreNMS", "runs_on", "monitoring-01")
	inv.rel("Veeam Backup & Replication", "runs_on", "veeam-01")
	inv.rel("Veeam Backup & Replication", "depends_on", "bkp-repo-01", "bkp-proxy-ber-01", "Veeam Data Platform Foundation")
	inv.rel("PaperCut MF", "runs_on", "print-lon-01", "print-ber-01")
	inv.rel("PaperCut MF", "depends_on", "Active Directory")
	inv.rel("Cairn", "runs_on", "cairn-01")
	inv.rel("Cairn", "depends_on", "cairn-db", "Exchange Online", "lb-dc-01")
}

// databases are the database instances, each on the server it runs on.
func (inv *inventory) databases() {
	db := func(name, engine, version string, port int, crit cmdb.Criticality, team, host, desc string) *ciPlan {
		inv.rel(name, "runs_on", host)
		return inv.add(&ciPlan{name: name, typ: "database", crit: crit, team: team, description: desc,
			attrs: map[string]any{"engine": engine, "version": version, "environment": "production", "port": port}})
	}
	db("payments-db", "PostgreSQL", "16.4", 5432, critCritical, infrastructure, "db-dc-01", "The payments hub's database: payment runs, bank details, statuses.")
	db("payments-db-replica", "PostgreSQL", "16.4", 5432, critHigh, infrastructure, "db-dc-02", "Streaming replica of payments-db, for failover and for Finance reporting.")
	inv.rel("payments-db-replica", "depends_on", "payments-db")
	db("payments-db-aurora", "PostgreSQL", "16.6 (Aurora)", 5432, critCritical, security, "aws-prod-payments",
		"Where payments-db moves when the data centre exit reaches the payments hub.").status = cmdb.StatusPlanned
	db("sap-hana-p01", "Other", "SAP HANA 2.0 SPS07", 30015, critCritical, infrastructure, "sap-hana-01", "The HANA database of SAP P01.")
	db("crm-db", "SQL Server", "2019 CU29", 1433, critMedium, infrastructure, "crm-db-01", "Copy of the Salesforce data for Sales analytics.")
	db("reporting-dw", "PostgreSQL", "15.10", 5432, critMedium, infrastructure, "db-reporting-01", "Finance's reporting warehouse, loaded nightly from SAP and the payments data.")
	db("gitlab-db", "PostgreSQL", "14.15", 5432, critHigh, infrastructure, "gitlab-01", "GitLab's bundled database.")
	db("cairn-db", "PostgreSQL", "16.6", 5432, critHigh, serviceDesk, "cairn-01", "This service desk's database, on its application server.")
}

// servers are the physical servers: the hypervisor hosts, the database and
// SAP servers, and the backup servers.
func (inv *inventory) servers() {
	esx := func(name, vendor, model, location, ip, osv string, cores, mem int, st cmdb.Status, desc string, switches ...string) {
		c := inv.add(&ciPlan{name: name, typ: "server", status: st, crit: critHigh, team: infrastructure, description: desc,
			attrs: with(inv.hardware(vendor, model, location, 400, 1600, 5, "SRV"), map[string]any{
				"hostname": name + "." + corpDomain, "ip_address": ip, "operating_system": osv, "environment": "production",
				"cpu_cores": cores, "memory_gb": mem})})
		if st == cmdb.StatusPlanned {
			c.attrs["purchase_date"] = inv.date(40)
			c.attrs["warranty_expiry"] = inv.date(40 - 5*365)
		}
		inv.rel(name, "connects_to", switches...)
	}
	// Row B holds the database, SAP and backup servers; row C the
	// virtualisation cluster. Each rack pair has two top-of-rack switches.
	rowB := []string{"tor-dc-b1-01", "tor-dc-b2-01"}
	rowC := []string{"tor-dc-c1-01", "tor-dc-c2-01"}
	esx8 := "VMware ESXi 8.0 Update 3"
	cluster := "Hypervisor host of the production cluster."
	esx("esx-dc-01", "Dell", "PowerEdge R750", dataCentre+", rack C1", "10.40.1.11", esx8, 64, 1024, cmdb.StatusLive, cluster, rowC...)
	esx("esx-dc-02", "Dell", "PowerEdge R750", dataCentre+", rack C2", "10.40.1.12", esx8, 64, 1024, cmdb.StatusLive, cluster, rowC...)
	esx("esx-dc-03", "Dell", "PowerEdge R750", dataCentre+", rack C3", "10.40.1.13", esx8, 64, 768, cmdb.StatusLive, cluster, rowC...)
	esx("esx-dc-04", "Dell", "PowerEdge R750", dataCentre+", rack C4", "10.40.1.14", esx8, 64, 768, cmdb.StatusLive, cluster, rowC...)
	esx("esx-dc-05", "Dell", "PowerEdge R760", dataCentre+", rack C4", "10.40.1.15", esx8, 96, 1536, cmdb.StatusPlanned,
		"Racked and cabled; joins the cluster when esx-dc-01 and esx-dc-02 are replaced.", rowC...)
	esx("esx-lon-01", "Dell", "PowerEdge R650", "London, ground floor comms room", "10.20.1.11", "VMware ESXi 8.0 Update 2", 32, 384, cmdb.StatusLive, "The London office's host: domain controller, resolver and print server.", "core-lon-01")
	esx("esx-ber-01", "Dell", "PowerEdge R650", "Berlin, 1st floor comms room", "10.22.1.11", "VMware ESXi 8.0 Update 2", 24, 256, cmdb.StatusLive, "The Berlin office's host: domain controller, resolver, print server and backup proxy.", "sw-ber-1-01")
	esx("esx-nyc-01", "Dell", "PowerEdge R640", "New York, 12th floor comms room", "10.24.1.11", "VMware ESXi 7.0 Update 3", 20, 192, cmdb.StatusMaintenance,
		"The New York office's host. In maintenance: a failed power supply, Dell replaces it under warranty.", "sw-nyc-stack-01")

	linux := func(name, vendor, model, location, ip, distro, kernel string, cores, mem int, crit cmdb.Criticality, desc string) {
		inv.add(&ciPlan{name: name, typ: "linux_server", crit: crit, team: infrastructure, description: desc,
			attrs: with(inv.hardware(vendor, model, location, 300, 1400, 5, "SRV"), map[string]any{
				"hostname": name + "." + corpDomain, "ip_address": ip, "operating_system": distro, "environment": "production",
				"cpu_cores": cores, "memory_gb": mem, "distribution": distro, "kernel_version": kernel})})
	}
	linux("db-dc-01", "Dell", "PowerEdge R760", dataCentre+", rack B1", "10.40.3.21", "Red Hat Enterprise Linux 9.4", "5.14.0-427.42.1.el9_4.x86_64", 32, 512, critCritical,
		"Database server: the payments database's primary.")
	linux("db-dc-02", "Dell", "PowerEdge R760", dataCentre+", rack B3", "10.40.3.22", "Red Hat Enterprise Linux 9.4", "5.14.0-427.42.1.el9_4.x86_64", 32, 512, critHigh,
		"Database server: the payments database's replica, in another rack.")
	linux("sap-hana-01", "Lenovo", "ThinkSystem SR850 V3", dataCentre+", rack B2", "10.40.3.31", "SUSE Linux Enterprise Server for SAP 15 SP5", "5.14.21-150500.55.83-default", 112, 3072, critCritical,
		"The HANA appliance of SAP P01.")
	linux("bkp-repo-01", "Dell", "PowerEdge R760xd2", dataCentre+", rack B4", "10.40.1.41", "Ubuntu 22.04 LTS", "5.15.0-130-generic", 16, 128, critHigh,
		"Veeam's hardened, immutable backup repository (480 TB).")
	for _, name := range []string{"db-dc-01", "db-dc-02", "sap-hana-01", "bkp-repo-01"} {
		inv.rel(name, "connects_to", rowB...)
	}

	inv.add(&ciPlan{name: "veeam-01", typ: "windows_server", crit: critHigh, team: infrastructure, description: "Veeam's backup server.",
		attrs: with(inv.hardware("Dell", "PowerEdge R660", dataCentre+", rack B3", 300, 1000, 5, "SRV"), map[string]any{
			"hostname": "veeam-01." + corpDomain, "ip_address": "10.40.1.40", "operating_system": "Windows Server 2022 Standard", "environment": "production",
			"cpu_cores": 16, "memory_gb": 128, "edition": "Standard", "domain": corpDomain})})
	inv.rel("veeam-01", "connects_to", rowB...)
}

// virtualMachines are the virtual machines of the hypervisor hosts.
func (inv *inventory) virtualMachines() {
	vm := func(name, host, ip, osv string, cores, mem int, crit cmdb.Criticality, team, desc string) *ciPlan {
		hv := "VMware ESXi 8.0 (" + host + ")"
		if host == "esx-nyc-01" {
			hv = "VMware ESXi 7.0 (" + host + ")"
		}
		inv.rel(name, "runs_on", host)
		return inv.add(&ciPlan{name: name, typ: "virtual_machine", crit: crit, team: team, description: desc,
			attrs: map[string]any{"hostname": name + "." + corpDomain, "ip_address": ip, "operating_system": osv, "environment": "production",
				"cpu_cores": cores, "memory_gb": mem, "hypervisor": hv}})
	}
	const (
		win22  = "Windows Server 2022 Datacenter"
		win19  = "Windows Server 2019 Datacenter"
		ubu24  = "Ubuntu 24.04 LTS"
		ubu22  = "Ubuntu 22.04 LTS"
		rhel94 = "Red Hat Enterprise Linux 9.4"
		sles   = "SUSE Linux Enterprise Server for SAP 15 SP5"
	)
	vm("addc-01", "esx-dc-01", "10.40.1.21", win22, 4, 16, critCritical, infrastructure, "Domain controller and DNS server of corp.example.com.")
	vm("addc-02", "esx-dc-02", "10.40.1.22", win22, 4, 16, critCritical, infrastructure, "Domain controller and DNS server of corp.example.com.")
	vm("addc-lon-01", "esx-lon-01", "10.20.1.21", win22, 2, 8, critHigh, infrastructure, "The London office's domain controller.")
	vm("addc-ber-01", "esx-ber-01", "10.22.1.21", win22, 2, 8, critHigh, infrastructure, "The Berlin office's domain controller.")
	vm("dns-lon-01", "esx-lon-01", "10.20.1.53", ubu22, 2, 4, critHigh, infrastructure, "The London resolver (Unbound); New York uses it too.")
	vm("dns-ber-01", "esx-ber-01", "10.22.1.53", ubu22, 2, 4, critHigh, infrastructure, "The Berlin resolver (Unbound).")
	vm("dns-dc-01", "esx-dc-01", "10.40.1.53", ubu24, 2, 4, critHigh, infrastructure, "One of the new central resolvers the offices move to.").status = cmdb.StatusPlanned
	vm("dns-dc-02", "esx-dc-03", "10.40.1.54", ubu24, 2, 4, critHigh, infrastructure, "One of the new central resolvers the offices move to.").status = cmdb.StatusPlanned
	vm("dhcp-01", "esx-dc-04", "10.40.1.67", win19, 2, 8, critHigh, infrastructure, "DHCP for every office, relayed by the site routers.")
	vm("ise-01", "esx-dc-01", "10.40.1.81", "Cisco ISE 3.3 (Linux)", 16, 64, critHigh, infrastructure, "Cisco ISE, primary node.")
	vm("ise-02", "esx-dc-03", "10.40.1.82", "Cisco ISE 3.3 (Linux)", 16, 64, critHigh, infrastructure, "Cisco ISE, secondary node.")
	vm("payhub-app-01", "esx-dc-01", "10.40.2.31", rhel94, 8, 32, critCritical, infrastructure, "Payments hub application server.")
	vm("payhub-app-02", "esx-dc-02", "10.40.2.32", rhel94, 8, 32, critCritical, infrastructure, "Payments hub application server.")
	vm("sftp-gw-01", "esx-dc-03", "10.40.2.15", rhel94, 2, 8, critHigh, infrastructure, "GoAnywhere MFT: SFTP to the banks, in the DMZ.")
	vm("sap-app-01", "esx-dc-01", "10.40.2.41", sles, 16, 128, critCritical, infrastructure, "SAP P01 application server (ASCS and dialog instance).")
	vm("sap-app-02", "esx-dc-02", "10.40.2.42", sles, 16, 128, critCritical, infrastructure, "SAP P01 application server (dialog instance).")
	vm("crm-db-01", "esx-dc-02", "10.40.3.41", win19, 8, 64, critMedium, infrastructure, "SQL Server for the CRM copy.")
	vm("db-reporting-01", "esx-dc-03", "10.40.3.51", ubu22, 8, 64, critMedium, infrastructure, "PostgreSQL server of the reporting warehouse.")
	vm("gitlab-01", "esx-dc-01", "10.40.2.61", ubu22, 16, 64, critHigh, infrastructure, "GitLab (Omnibus) with its bundled PostgreSQL.")
	vm("gitlab-runner-01", "esx-dc-03", "10.40.2.62", ubu24, 8, 32, critMedium, infrastructure, "GitLab runner (Docker executor).")
	vm("artifactory-01", "esx-dc-04", "10.40.2.64", ubu22, 8, 32, critMedium, infrastructure, "JFrog Artifactory.")
	vm("vault-01", "esx-dc-01", "10.40.2.71", ubu24, 2, 8, critCritical, security, "HashiCorp Vault, raft node.")
	vm("vault-02", "esx-dc-02", "10.40.2.72", ubu24, 2, 8, critCritical, security, "HashiCorp Vault, raft node.")
	vm("vault-03", "esx-dc-03", "10.40.2.73", ubu24, 2, 8, critCritical, security, "HashiCorp Vault, raft node.")
	vm("grafana-01", "esx-dc-04", "10.40.2.82", ubu24, 2, 8, critMedium, infrastructure, "Grafana with its MySQL.")
	vm("monitoring-01", "esx-dc-03", "10.40.99.20", ubu24, 4, 16, critMedium, infrastructure, "LibreNMS, polling the management VLAN 99.")
	vm("cairn-01", "esx-dc-02", "10.40.2.91", ubu24, 4, 8, critHigh, serviceDesk, "This service desk's application server.")
	vm("jump-01", "esx-dc-03", "10.40.99.10", ubu24, 2, 4, critMedium, security, "SSH jump host for administrators, MFA required; the only way into the management VLAN.")
	vm("print-lon-01", "esx-lon-01", "10.20.1.60", win22, 4, 8, critMedium, serviceDesk, "Print server of the London office (PaperCut application server).")
	vm("print-ber-01", "esx-ber-01", "10.22.1.60", win22, 2, 8, critMedium, serviceDesk, "Print server of the Berlin office (PaperCut site server).")
	vm("bkp-proxy-ber-01", "esx-ber-01", "10.22.1.70", win22, 8, 16, critMedium, infrastructure, "Veeam proxy backing up the Berlin office's host.")
}

// network is the network of the data centre and the offices. Servers and
// switches are linked (connects_to); access points need their switch's
// power and their controller (depends_on).
func (inv *inventory) network() {
	dev := func(name, role, vendor, model, fw, location, ip string, crit cmdb.Criticality, age int, desc string) *ciPlan {
		return inv.add(&ciPlan{name: name, typ: "network_device", crit: crit, team: infrastructure, description: desc,
			attrs: with(inv.hardware(vendor, model, location, age, age+500, 5, "NET"), map[string]any{
				"hostname": strings.ToLower(name) + "." + netDomain, "ip_address": ip, "device_role": role, "firmware_version": fw})})
	}
	dc := func(rack string) string { return dataCentre + ", rack " + rack }
	// The data centre.
	dev("core-dc-01", "switch", "Cisco", "Catalyst 9500-48Y4C", "IOS XE 17.6.5", dc("A1"), "10.40.99.1", critCritical, 900, "Core switch, active in the pair; StackWise Virtual with core-dc-02.")
	dev("core-dc-02", "switch", "Cisco", "Catalyst 9500-48Y4C", "IOS XE 17.6.5", dc("A2"), "10.40.99.2", critCritical, 900, "Core switch, standby in the pair.")
	for i, tor := range []struct{ name, rack, row string }{
		{"tor-dc-b1-01", "B1", "B"}, {"tor-dc-b2-01", "B2", "B"}, {"tor-dc-c1-01", "C1", "C"}, {"tor-dc-c2-01", "C2", "C"},
	} {
		dev(tor.name, "switch", "Cisco", "Nexus 93180YC-FX3", "NX-OS 10.3(4a)", dc(tor.rack), fmt.Sprintf("10.40.99.%d", 11+i), critHigh, 700,
			"Top-of-rack switch of row "+tor.row+"; each server of the row has a link to both of the row's switches.")
		inv.rel(tor.name, "connects_to", "core-dc-01", "core-dc-02")
	}
	dev("fw-core-01", "firewall", "Palo Alto Networks", "PA-3430", "PAN-OS 11.1.4-h7", dc("A1"), "10.40.99.5", critCritical, 500, "Core firewall, active; HA pair with fw-core-02.")
	dev("fw-core-02", "firewall", "Palo Alto Networks", "PA-3430", "PAN-OS 11.1.4-h7", dc("A2"), "10.40.99.6", critCritical, 500, "Core firewall, passive.")
	dev("vpn-gw-01", "firewall", "Palo Alto Networks", "PA-1420", "PAN-OS 11.1.2-h3", dc("A1"), "10.40.99.7", critHigh, 400, "GlobalProtect portal and gateway (vpn.example.com).")
	dev("vpn-gw-02", "firewall", "Palo Alto Networks", "PA-1420", "PAN-OS 11.1.2-h3", dc("A2"), "10.40.99.8", critHigh, 400, "GlobalProtect gateway, the second of the pair.")
	dev("lb-dc-01", "load balancer", "F5", "BIG-IP i5800", "BIG-IP 17.1.1.3", dc("A1"), "10.40.99.21", critCritical, 1100, "Load balancer, active: the payments hub, GitLab and Cairn behind it.")
	dev("lb-dc-02", "load balancer", "F5", "BIG-IP i5800", "BIG-IP 17.1.1.3", dc("A2"), "10.40.99.22", critHigh, 1100, "Load balancer, standby.")
	dev("rtr-dc-01", "router", "Cisco", "ASR 1001-HX", "IOS XE 17.9.4a", dc("A1"), "10.40.99.3", critCritical, 1000, "Internet and WAN edge: the offices' SD-WAN links end here.")
	dev("rtr-dc-02", "router", "Cisco", "ASR 1001-HX", "IOS XE 17.9.4a", dc("A2"), "10.40.99.4", critCritical, 1000, "Internet and WAN edge, second line.")
	inv.rel("core-dc-01", "connects_to", "core-dc-02")
	inv.rel("fw-core-01", "connects_to", "fw-core-02", "core-dc-01")
	inv.rel("fw-core-02", "connects_to", "core-dc-02")
	inv.rel("rtr-dc-01", "connects_to", "fw-core-01")
	inv.rel("rtr-dc-02", "connects_to", "fw-core-02")
	inv.rel("vpn-gw-01", "connects_to", "fw-core-01", "vpn-gw-02")
	inv.rel("vpn-gw-02", "connects_to", "fw-core-02")
	inv.rel("lb-dc-01", "connects_to", "core-dc-01", "lb-dc-02")
	inv.rel("lb-dc-02", "connects_to", "core-dc-02")

	// London: a core switch, one access switch per floor, a Wi-Fi
	// controller; the 3rd floor still has the older access points.
	lon := func(where string) string { return "London, " + where }
	dev("rtr-lon-01", "router", "Cisco", "Catalyst 8300-1N1S-6T", "IOS XE 17.9.4a", lon("ground floor comms room"), "10.20.99.1", critHigh, 600, "The London office's SD-WAN router.")
	dev("core-lon-01", "switch", "Cisco", "Catalyst 9500-16X", "IOS XE 17.6.5", lon("ground floor comms room"), "10.20.99.2", critHigh, 900, "The London office's core switch.")
	for floor := 1; floor <= 4; floor++ {
		dev(fmt.Sprintf("sw-lon-%d-01", floor), "switch", "Cisco", "Catalyst 9300-48P", "IOS XE 17.9.5", lon(fmt.Sprintf("floor %d comms cupboard", floor)),
			fmt.Sprintf("10.20.99.%d", 10+floor), critHigh, 600, fmt.Sprintf("Access switch of floor %d: desks, phones, and PoE for the floor's access points.", floor))
		inv.rel(fmt.Sprintf("sw-lon-%d-01", floor), "connects_to", "core-lon-01")
	}
	dev("wlc-lon-01", "other", "Cisco", "Catalyst 9800-40", "IOS XE 17.9.5", lon("ground floor comms room"), "10.20.99.20", critHigh, 600, "Wi-Fi controller of the London office (CORP-WIFI, CORP-GUEST).")
	inv.rel("rtr-lon-01", "connects_to", "core-lon-01", "rtr-dc-01")
	inv.rel("wlc-lon-01", "connects_to", "core-lon-01")
	for i := 1; i <= 2; i++ {
		ap := fmt.Sprintf("AP-LON-3-%02d", i)
		dev(ap, "access point", "Cisco", "Aironet 2802I", "AireOS 8.10.190.0", lon("floor 3"), fmt.Sprintf("10.20.30.%d", 10+i), critMedium, 1700, "Access point of the older generation.")
		inv.rel(ap, "depends_on", "sw-lon-3-01", "wlc-lon-01")
	}
	for i := 1; i <= 7; i++ {
		ap := fmt.Sprintf("AP-LON-4-%02d", i)
		desc := "Access point, powered by sw-lon-4-01."
		if i == 7 {
			desc = "Access point of meeting room 4.12, the busiest on the floor."
		}
		dev(ap, "access point", "Cisco", "Catalyst 9136I", "IOS XE 17.9.5", lon("floor 4"), fmt.Sprintf("10.20.40.%d", 10+i), critMedium, 500, desc)
		inv.rel(ap, "depends_on", "sw-lon-4-01", "wlc-lon-01")
	}

	// Berlin: the first floor's switch is the office's core; its Wi-Fi
	// controller is being replaced (wlc-ber-02 takes over, cmdbChanges).
	ber := func(where string) string { return "Berlin, " + where }
	dev("rtr-ber-01", "router", "Cisco", "Catalyst 8300-1N1S-6T", "IOS XE 17.9.4a", ber("1st floor comms room"), "10.22.99.1", critHigh, 600, "The Berlin office's SD-WAN router.")
	dev("sw-ber-1-01", "switch", "Cisco", "Catalyst 9300-48P", "IOS XE 17.9.5", ber("1st floor comms room"), "10.22.99.11", critHigh, 700, "Core and access switch of the 1st floor.")
	dev("sw-ber-2-01", "switch", "Cisco", "Catalyst 9300-48P", "IOS XE 17.9.5", ber("2nd floor comms cupboard"), "10.22.99.12", critHigh, 700, "Access switch of the 2nd floor.")
	dev("sw-ber-3-02", "switch", "Cisco", "Catalyst 9300-48P", "IOS XE 17.9.5", ber("3rd floor comms cupboard"), "10.22.99.13", critHigh, 700, "Access switch of the 3rd floor.")
	dev("wlc-ber-01", "other", "Cisco", "5520 Wireless Controller", "AireOS 8.10.190.0", ber("1st floor comms room"), "10.22.99.20", critHigh, 2400,
		"Wi-Fi controller of the Berlin office; end of life, replaced by wlc-ber-02.")
	dev("wlc-ber-02", "other", "Cisco", "Catalyst 9800-L", "IOS XE 17.9.5", ber("1st floor comms room"), "10.22.99.21", critHigh, 60,
		"The Berlin office's new Wi-Fi controller.").status = cmdb.StatusPlanned
	inv.rel("sw-ber-1-01", "connects_to", "rtr-ber-01")
	inv.rel("rtr-ber-01", "connects_to", "rtr-dc-01")
	inv.rel("sw-ber-2-01", "connects_to", "sw-ber-1-01")
	inv.rel("sw-ber-3-02", "connects_to", "sw-ber-1-01")
	inv.rel("wlc-ber-01", "connects_to", "sw-ber-1-01")
	inv.rel("wlc-ber-02", "connects_to", "sw-ber-1-01")
	for i := 1; i <= 2; i++ {
		ap := fmt.Sprintf("AP-BER-2-%02d", i)
		dev(ap, "access point", "Cisco", "Aironet 2802I", "AireOS 8.10.190.0", ber("2nd floor"), fmt.Sprintf("10.22.20.%d", 10+i), critMedium, 1800, "Access point, due for replacement.")
		inv.rel(ap, "depends_on", "sw-ber-2-01", "wlc-ber-01")
	}

	// New York: one switch stack for the floor.
	nyc := func(where string) string { return "New York, " + where }
	dev("rtr-nyc-01", "router", "Cisco", "Catalyst 8200-1N-4T", "IOS XE 17.9.4a", nyc("12th floor comms room"), "10.24.99.1", critHigh, 800, "The New York office's SD-WAN router.")
	dev("sw-nyc-stack-01", "switch", "Cisco", "Catalyst 9300-48P (stack of 4)", "IOS XE 17.3.4", nyc("12th floor comms room"), "10.24.99.11", critHigh, 1300,
		"The New York office's switch stack; its firmware leaks memory under load (see the problem record).")
	dev("wlc-nyc-01", "other", "Cisco", "Catalyst 9800-L", "IOS XE 17.9.5", nyc("12th floor comms room"), "10.24.99.20", critHigh, 800, "Wi-Fi controller of the New York office.")
	inv.rel("sw-nyc-stack-01", "connects_to", "rtr-nyc-01")
	inv.rel("rtr-nyc-01", "connects_to", "rtr-dc-02")
	inv.rel("wlc-nyc-01", "connects_to", "sw-nyc-stack-01")
	dev("AP-NYC-1-01", "access point", "Cisco", "Catalyst 9136I", "IOS XE 17.9.5", nyc("12th floor"), "10.24.20.11", critMedium, 800, "Access point.")
	inv.rel("AP-NYC-1-01", "depends_on", "sw-nyc-stack-01", "wlc-nyc-01")
}

// cloud is the cloud accounts: the AWS organization and its member
// accounts, two Azure subscriptions and the Microsoft 365 tenant.
func (inv *inventory) cloud() {
	acct := func(name, provider, env, billing string, crit cmdb.Criticality, desc string) *ciPlan {
		var id string
		switch provider {
		case "AWS":
			id = inv.unique(func() string { return inv.chars(12, digits) })
		default: // a subscription or tenant id
			id = inv.unique(func() string {
				h := strings.ToLower(inv.chars(32, "0123456789abcdef"))
				return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
			})
		}
		attrs := map[string]any{"provider": provider, "account_id": id, "billing_owner": billing}
		if env != "" {
			attrs["environment"] = env
		}
		return inv.add(&ciPlan{name: name, typ: "cloud_account", crit: crit, team: security, description: desc, attrs: attrs})
	}
	acct("aws-org-management", "AWS", "production", ownerElena, critCritical, "The AWS organization's management account: SSO, billing, service control policies. Break-glass credentials in Vault.")
	acct("aws-log-archive", "AWS", "production", ownerElena, critHigh, "Central CloudTrail and Config logs of every account, write once.")
	acct("aws-security-audit", "AWS", "production", ownerElena, critHigh, "Security tooling: GuardDuty and Security Hub administrator.")
	acct("aws-prod-payments", "AWS", "production", ownerHenrik, critCritical, "The payments VPC (10.30.0.0/16): the payments API, and payments-db once it moves.")
	acct("aws-data-lake", "AWS", "production", ownerSarah, critMedium, "Engineering's data lake (S3, Athena).")
	acct("azure-prod-crm", "Azure", "production", ownerChloe, critMedium, "The CRM integration's Azure Functions and storage.")
	acct("azure-sec-prod", "Azure", "production", ownerElena, critHigh, "Microsoft Sentinel and its Log Analytics workspace.")
	acct("m365-example", "Other", "production", ownerDana, critCritical, "The Microsoft 365 tenant example.onmicrosoft.com (Entra ID, Exchange Online, Teams, SharePoint, Intune).")
	for _, a := range []string{"aws-log-archive", "aws-security-audit", "aws-prod-payments", "aws-data-lake"} {
		inv.rel(a, "owned_by", "aws-org-management")
	}
}

// licences are the software licences and subscriptions IT manages.
func (inv *inventory) licences() {
	lic := func(name, vendor, product, kind string, seats int, expiresIn int, cost int, team string, crit cmdb.Criticality) {
		attrs := map[string]any{"vendor": vendor, "product": product, "licence_type": kind, "seats": seats}
		if kind != "perpetual" {
			attrs["expiry_date"] = inv.date(-expiresIn)
		}
		if cost > 0 {
			attrs["annual_cost"] = cost
		}
		inv.add(&ciPlan{name: name, typ: "software_licence", crit: crit, team: team, attrs: attrs,
			description: fmt.Sprintf("%d seats of %s.", seats, product)})
	}
	lic("Microsoft 365 E5", "Microsoft", "Microsoft 365 E5", "subscription", 450, 212, 275400, serviceDesk, critCritical)
	lic("Microsoft Visio Plan 2", "Microsoft", "Visio Plan 2", "subscription", 25, 212, 4500, serviceDesk, critLow)
	lic("Adobe Acrobat Pro", "Adobe", "Acrobat Pro (named users)", "subscription", 80, 24, 22080, serviceDesk, critLow)
	lic("JetBrains All Products Pack", "JetBrains", "All Products Pack", "subscription", 40, 95, 31160, serviceDesk, critLow)
	lic("Salesforce Sales Cloud Enterprise", "Salesforce", "Sales Cloud Enterprise", "subscription", 120, 301, 237600, security, critHigh)
	lic("Workday HCM subscription", "Workday", "Human Capital Management", "subscription", 450, 560, 189000, security, critHigh)
	lic("GlobalProtect subscription", "Palo Alto Networks", "GlobalProtect (2 gateways)", "subscription", 500, 48, 14500, infrastructure, critHigh)
	lic("VMware vSphere Foundation", "Broadcom", "VMware vSphere Foundation (per core)", "subscription", 448, 330, 67200, infrastructure, critHigh)
	lic("Veeam Data Platform Foundation", "Veeam", "Data Platform Foundation (instances)", "subscription", 50, 160, 11500, infrastructure, critMedium)
	lic("SAP S/4HANA licence", "SAP", "S/4HANA Enterprise Management (professional users)", "perpetual", 300, 0, 0, infrastructure, critCritical)
	lic("GitLab Premium", "GitLab", "GitLab Premium (self-managed)", "subscription", 60, 250, 20736, infrastructure, critMedium)
}

// meetingRooms are the Teams Rooms kits of the service being designed:
// ordered, not installed yet.
func (inv *inventory) meetingRooms() {
	for _, r := range []struct{ name, model, location string }{
		{"Teams Rooms kit LON 4.12", "Rally Bar with Tap IP", "London, floor 4, room 4.12"},
		{"Teams Rooms kit BER 2.14", "Rally Bar with Tap IP", "Berlin, 2nd floor, room 2.14"},
		{"Booking panel LON 4.12", "Tap Scheduler", "London, floor 4, room 4.12"},
	} {
		attrs := inv.hardware("Logitech", r.model, r.location, 20, 30, 2, "AV")
		inv.add(&ciPlan{name: r.name, typ: "hardware", status: cmdb.StatusPlanned, crit: critLow, team: infrastructure,
			description: "Delivered; installed when the Meeting room AV service goes live.", attrs: attrs})
		inv.rel(r.name, "depends_on", "Teams Rooms Pro Management")
		inv.rel("Meeting room AV", "depends_on", r.name)
	}
}

// catalogue links the catalogue's services to the CIs they are built on and
// names their customers.
func (inv *inventory) catalogue() {
	all := organizations
	inv.services = []serviceCIs{
		{"Laptop setup", []string{"Laptop setup", "Microsoft Intune", "Windows Autopilot", "Apple Business Manager", "Microsoft Defender for Endpoint"}, all},
		{"Mobile device provisioning", []string{"Mobile device provisioning", "Microsoft Intune", "Exchange Online"}, all},
		{networkService, []string{networkService, "Office network London", "Office network Berlin", "Office network New York", "Remote access (VPN)",
			"core-dc-01", "core-dc-02", "fw-core-01", "fw-core-02"}, all},
		{"Cloud security", []string{"Cloud security", "Microsoft Entra ID", "Microsoft Sentinel", "aws-org-management", "aws-security-audit", "azure-sec-prod", "m365-example"},
			[]string{"Engineering", "Finance"}},
		{"General IT help", []string{"General IT help", "Email and collaboration", "Active Directory", "PaperCut MF",
			"Payments", "Finance and accounting", "Customer relationship management", "HR and payroll"}, all},
		{"Meeting room AV", []string{"Meeting room AV", "Teams Rooms Pro Management"}, []string{"Sales", "Finance"}},
	}
}
