package demo

import (
	"fmt"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func securityRequests() []*requestType {
	return []*requestType{
		{
			service: "Cloud security", name: "Report a phishing email", ticketType: ticket.TypeIncident,
			description: "Send us a suspicious email. Tell us straight away if you clicked a link or typed your password.",
			fields: []catalog.Field{
				text("sender", "Sender address", true, ""),
				date("received_on", "Received on", true, ""),
				checkbox("clicked", "I clicked a link or opened an attachment", false, ""),
				checkbox("entered_password", "I entered my password or a code", false, ""),
				longText("headers", "Headers or the email itself", false, "In Outlook: File > Properties > Internet headers. The 'Report phishing' button sends everything by itself."),
			},
			count: 30, channels: []choice[ticket.Channel]{{ticket.ChannelAPI, 45}, {ticket.ChannelEmail, 30}, {ticket.ChannelPortal, 20}, {ticket.ChannelAgent, 5}},
			fill: fillPhishing,
			details: []string{
				"Looks suspicious, the sender address doesn't match the company.",
				"I wasn't expecting anything from them.",
				"Several people in my team got the same email.",
			},
			say: map[string][]string{
				"ask":   {"Can you forward the original as an attachment, so that we get the full headers?", "Did anyone else in your team get the same email?", "Did you open it on your laptop or on your phone?"},
				"reply": {"Forwarded it as an attachment just now.", "Yes, at least three people in my team got it.", "On my phone, in the Outlook app."},
				"resolve:reported": {
					"Thanks for reporting! Confirmed phishing: we removed the email from all mailboxes and blocked the sender's domain.",
					"This one is genuine: it's the notification of our new expenses tool. Nothing to do, but thanks for checking!",
					"Thanks! Confirmed phishing; the look-alike domain is blocked now.",
				},
				"resolve:clicked": {
					"The link led to a fake login page; it's blocked at the proxy now. As you didn't type anything there, nothing else to do. Thanks for telling us quickly!",
					"Scanned your laptop with Defender: clean. The link is blocked now.",
				},
				"resolve:entered": {
					"As you entered your password, we reset it, signed you out everywhere and checked your sign-ins: no access by the attacker.",
					"Password reset, sessions revoked and MFA registered again. The sign-in logs show no use of your account by the attacker.",
				},
				"note":         {"Defender: 31 copies delivered, soft-deleted with Threat Explorer.", "URL detonated in the sandbox: credential harvester, Microsoft 365 look-alike.", "Sender domain registered two days ago."},
				"note:entered": {"Sign-in logs clean: no unfamiliar IPs after the click.", "Revoked refresh tokens and forced a password change."},
				"pending":      {"Waiting for the takedown of the look-alike domain.", "Waiting for Microsoft to confirm the message trace."},
				"extra":        {"Two more colleagues got the same email since.", "I deleted it from my inbox now; is that fine?"},
			},
			resolutions: []choice[string]{{"Done", 1}},
		},
		{
			service: "Cloud security", name: "Access to a cloud account", ticketType: ticket.TypeServiceRequest,
			description: "Ask for access to an AWS account, an Azure subscription or a Google Cloud project. Production access needs your manager's approval and expires.",
			fields: []catalog.Field{
				selectOne("platform", "Platform", true, "", "AWS", "Azure", "Google Cloud"),
				text("account", "Account, subscription or project", true, "e.g. aws-prod-payments or sub-data-platform-dev."),
				selectOne("role", "Access level", true, "", "Read-only", "Developer", "Administrator"),
				selectMany("environments", "Environments", true, "", "Production", "Staging", "Development", "Sandbox"),
				userField("approver", "Approving manager", true, ""),
				date("until", "Access needed until", false, "Production access ends after 90 days at most."),
			},
			count: 18, channels: []choice[ticket.Channel]{{ticket.ChannelPortal, 80}, {ticket.ChannelAPI, 20}},
			orgs:     []choice[string]{{"Engineering", 70}, {"Finance", 20}, {"Sales", 10}},
			approval: true,
			fill:     fillCloudAccess,
			details: []string{
				"I joined the team last week.",
				"Needed for the on-call rotation starting next week.",
				"My manager has agreed; they are the approver in the form.",
			},
			say: map[string][]string{
				"ask":     {"Administrator access to production is limited to 30 days; is that enough?", "We have two payment accounts; which one do you mean?", "Your manager hasn't approved yet; could you remind them?"},
				"reply":   {"30 days is plenty.", "The production one, aws-prod-payments.", "Done, they approved this morning."},
				"resolve": {"Added you to the SSO group; the account shows in the AWS access portal within 15 minutes.", "Granted through Privileged Identity Management: activate the role when you need it, for up to 8 hours.", "Read-only access granted. It ends on the date you gave; ask again if you need longer."},
				"note":    {"Manager's approval received by email.", "Access review: already has Developer in staging, adding read-only to production only.", "Group aws-prod-payments-readonly updated in Entra ID."},
			},
		},
		{
			service: "Cloud security", name: "Cloud configuration change", ticketType: ticket.TypeChange,
			description: "For IT staff: changes to the cloud landing zones, IAM policies, security baselines and monitoring.",
			fields: []catalog.Field{
				selectOne("platform", "Platform", true, "", "AWS", "Azure", "Google Cloud", "Microsoft 365"),
				selectOne("change_type", "Change type", true, "", "Standard", "Normal", "Emergency"),
				date("planned_start", "Planned date", true, ""),
				userField("peer_reviewer", "Peer reviewer", true, "Another engineer who reviewed the plan."),
				longText("rollback", "Rollback plan", true, ""),
				checkbox("tested", "Tested in the sandbox first", false, ""),
			},
			count: 12, staff: true, channels: staffChannels,
			fill: fillCloudChange,
			details: []string{
				"Terraform plan reviewed; the diff is attached to the merge request.",
				"Follow-up from the last cloud security review.",
				"Rolled out to the sandbox last week without problems.",
			},
			say: map[string][]string{
				"submit":            {"Terraform plan attached to the merge request; peer reviewed.", "Plan reviewed with the peer reviewer; submitting for approval."},
				"submit:Standard":   {"Standard change from the baseline catalogue."},
				"submit:Emergency":  {"Emergency: the key is exposed in a public repository. Asking for emergency approval now."},
				"approve":           {"Approved. Announce it in #cloud-platform before you start.", "Approved by the CAB; go ahead in the agreed window."},
				"approve:Standard":  {"Standard change: approved by its template."},
				"approve:Emergency": {"Emergency approval; go ahead immediately."},
				"decline":           {"Declined: the plan changes production without a sandbox test. Please test it first."},
				"implement":         {"Applying the Terraform plan now."},
				"review":            {"Applied; watching CloudTrail and the alerts for a day."},
				"complete":          {"Applied everywhere; no failed API calls or alerts since.", "Done; the compliance dashboard shows 100% for the control."},
				"fail":              {"Rolled back: the policy blocked the CI pipeline's role. Will add an exception and retry.", "Failed: Terraform state lock conflict in two accounts; reverted the ones already applied."},
				"cancel":            {"Canceled: superseded by the landing zone upgrade."},
			},
		},
	}
}

func fillPhishing(g *gen, p *plan) {
	lures := []struct{ sender, summary string }{
		{"docusign@docs-sign-secure.com", "Suspicious DocuSign email asking me to review an invoice"},
		{"it-support@examp1e-helpdesk.com", "Email pretending to be IT, asking me to re-validate my mailbox"},
		{"ceo.office.private@gmail.com", "Email from the 'CEO' asking me to buy gift cards"},
		{"no-reply@microsoft-365-alerts.net", "Fake Microsoft 365 password expiry notice"},
		{"tracking@dhl-parcel-track.info", "DHL delivery notice with a strange link"},
		{"payroll@hr-benefits-portal.com", "Phishing: 'updated salary letter' with an HTML attachment"},
		{"billing@supplier-invoices.co", "Supplier says their bank details changed; looks fake"},
		{"sharepoint@share-point-docs.com", "Shared document link asks for my password"},
		{"messages@linkedln-mail.com", "LinkedIn message leading to a login page"},
		{"voicemail@teams-voicemsg.net", "Voicemail notification with an .htm attachment"},
		{"finance.director@example-co.com", "Urgent wire transfer request from the 'Finance Director'"},
		{"benefits@example-benefits-update.org", "Benefits enrolment email asking for my SSO login"},
		{"adobe@adobe-sign-docs.net", "Adobe Sign document I wasn't expecting"},
		{"noreply@zoom-meeting-invite.us", "Zoom invite from an unknown sender with a login link"},
		{"security@paypa1-support.com", "PayPal 'account locked' email to my work address"},
	}
	l := lures[g.intn(len(lures))]
	p.summary = l.summary
	p.fields = map[string]any{"sender": l.sender, "received_on": g.day(p.created, -1, 0)}
	clicked := g.chance(22)
	entered := clicked && g.chance(40)
	switch {
	case entered:
		p.topic = "entered"
		p.fields["clicked"], p.fields["entered_password"] = true, true
		p.impact, p.urgency = ticket.LevelHigh, ticket.LevelHigh
		p.summary = g.pick([]string{"Entered my password on a fake login page", "I think I fell for a phishing email", "Typed my password into a suspicious Microsoft page"})
	case clicked:
		p.topic = "clicked"
		p.fields["clicked"] = true
		p.impact, p.urgency = ticket.LevelMedium, ticket.LevelHigh
	default:
		p.topic = "reported"
		p.impact = ticket.LevelLow
		p.urgency = oneOf(g, []ticket.Level{ticket.LevelLow, ticket.LevelMedium, ticket.LevelMedium})
	}
	if p.channel == ticket.ChannelAPI {
		p.description = "Reported with the 'Report phishing' button in Outlook."
	}
	if p.channel == ticket.ChannelAPI || g.chance(30) {
		p.fields["headers"] = fmt.Sprintf("Return-Path: <%s>\nReceived: from mail-%d.outbound.example.net (%d.%d.%d.%d)\nAuthentication-Results: spf=softfail; dkim=none; dmarc=fail\nSubject: %s",
			l.sender, g.between(10, 99), g.between(45, 212), g.intn(256), g.intn(256), g.between(1, 254), l.summary)
	}
}

func fillCloudAccess(g *gen, p *plan) {
	accounts := []struct{ platform, account, org string }{
		{"AWS", "aws-prod-payments", "Engineering"}, {"AWS", "aws-staging-payments", "Engineering"},
		{"AWS", "aws-data-lake", "Engineering"}, {"AWS", "aws-sandbox-eng", "Engineering"},
		{"Azure", "sub-data-platform-dev", "Engineering"}, {"Google Cloud", "gcp-ml-experiments", "Engineering"},
		{"Azure", "sub-finance-reporting", "Finance"}, {"Google Cloud", "gcp-analytics-prod", "Finance"},
		{"Azure", "sub-crm-prod", "Sales"},
	}
	var mine []int
	for i, a := range accounts {
		if a.org == p.reporter.org {
			mine = append(mine, i)
		}
	}
	a := accounts[oneOf(g, mine)]
	role := "Read-only"
	if p.reporter.org == "Engineering" {
		role = oneOf(g, []string{"Read-only", "Developer", "Developer", "Administrator"})
	}
	envs := []string{"Production"}
	switch {
	case a.account == "aws-sandbox-eng":
		envs = []string{"Sandbox"}
	case role == "Developer":
		envs = g.pickSome([]string{"Production", "Staging", "Development"}, g.between(1, 3))
	}
	approver := g.head(p.reporter.org)
	if approver == p.reporter {
		approver = g.colleague(p.reporter)
	}
	p.fields = map[string]any{"platform": a.platform, "account": a.account, "role": role, "environments": envs, "approver": approver.id}
	if g.chance(60) {
		p.fields["until"] = g.day(p.created, 14, 90)
	}
	p.summary = fmt.Sprintf(g.pick([]string{"%[2]s access to %[1]s", "Need %[2]s access in %[1]s", "Access to %[1]s for the migration project", "Please add me to %[1]s (%[2]s)", "%[1]s: %[2]s role for on-call"}), a.account, role)
}

func fillCloudChange(g *gen, p *plan) {
	changes := []struct{ platform, typ, summary string }{
		{"AWS", "Normal", "Enforce MFA on all AWS root accounts"},
		{"AWS", "Standard", "Enable GuardDuty in all regions"},
		{"AWS", "Normal", "Rotate the KMS keys of the data lake"},
		{"Microsoft 365", "Normal", "Block legacy authentication in Microsoft 365"},
		{"AWS", "Normal", "Tighten S3 bucket policies after the audit finding"},
		{"Azure", "Standard", "Turn on Defender for Cloud in the CRM subscription"},
		{"Microsoft 365", "Normal", "Conditional access: block sign-ins from unmanaged devices"},
		{"AWS", "Standard", "Send CloudTrail logs to the central security account"},
		{"Azure", "Standard", "Remove IAM users unused for 90 days"},
		{"Azure", "Normal", "Azure policy: no public IPs on VMs"},
		{"AWS", "Normal", "Update the WAF rules of the partner portal"},
		{"AWS", "Emergency", "Revoke the leaked access key in aws-data-lake"},
	}
	c := changes[g.intn(len(changes))]
	p.summary, p.topic = c.summary, c.typ
	p.priority = changePriority(g, c.typ)
	p.fields = map[string]any{
		"platform": c.platform, "change_type": c.typ, "planned_start": g.day(p.created, 1, 10),
		"peer_reviewer": g.agent(security, p.agent).id,
		"rollback": g.pick([]string{
			"Revert the merge request and apply the previous Terraform state.",
			"Set the policy back to audit mode.",
			"Re-enable the old key; it stays in pending deletion for 30 days.",
		}),
	}
	if c.typ != "Emergency" {
		p.fields["tested"] = g.chance(80)
	}
}
