package demo

import (
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func helpRequests() []*requestType {
	return []*requestType{
		{
			service: "General IT help", name: "Get IT help", ticketType: ticket.TypeServiceRequest,
			description: "Ask a question or for a small change: mailboxes, calendars, Teams, printers, files, how-tos.",
			fields: []catalog.Field{
				selectOne("topic", "Topic", true, "", "Email and calendar", "Microsoft Teams", "Printing", "Files and sharing", "Other"),
				selectOne("contact", "How should we reach you?", false, "", "Email", "Teams chat", "Phone"),
				longText("details", "Details", false, ""),
			},
			count: 38, channels: customerChannels,
			fill: fillHelp,
			details: []string{
				"Thanks in advance!",
				"No rush, sometime this week is fine.",
				"My manager is in copy.",
				"I couldn't find this on the intranet.",
				"It's needed for the team starting on Monday.",
			},
			say: map[string][]string{
				"ask:Email and calendar":   {"Which mailbox or calendar is it about, and who else is involved?", "By when do you need it?"},
				"reply:Email and calendar": {"My own mailbox; my assistant Grace is in copy.", "By Friday if possible."},
				"ask:Microsoft Teams":      {"Is this for your whole team, or only for you?", "Who should we contact if we have questions: you or your manager?"},
				"reply:Microsoft Teams":    {"The whole team, eight people.", "Me, please."},
				"ask:Printing":             {"Which printer? There's a label with its name on the front, e.g. PRN-LON-2-01."},
				"reply:Printing":           {"It's PRN-BER-1-03."},
				"ask:Files and sharing":    {"Which site or folder is it exactly? A link would be perfect."},
				"reply:Files and sharing":  {"Here: https://example.sharepoint.com/sites/finance/Shared%20Documents/Audit"},
				"ask:Other":                {"Which room or desk, and by when?"},
				"reply:Other":              {"Desk 3.14, by Friday please."},
				"note":                     {"Owner approved in a Teams chat.", "Checked with the site owner first.", "Similar request last month; same steps."},
			},
		},
		{
			service: "General IT help", name: "Report an IT issue", ticketType: ticket.TypeIncident,
			description: "Something doesn't work: email, Teams, an application or a printer. A broken laptop or the network have request types of their own.",
			fields: []catalog.Field{
				selectOne("app", "What's affected?", true, "", "Outlook / email", "Teams", "SharePoint / OneDrive", "SAP", "Salesforce", "Printer", "Other"),
				text("error", "Error message", false, "Copy the exact text, or describe it."),
				date("since", "Since when?", false, ""),
				checkbox("team_affected", "Others in my team have the same problem", false, ""),
				longText("details", "Details", false, ""),
			},
			count: 55, channels: []choice[ticket.Channel]{{ticket.ChannelPortal, 40}, {ticket.ChannelEmail, 30}, {ticket.ChannelAgent, 22}, {ticket.ChannelAPI, 8}},
			urgency: [3]int{25, 50, 25},
			fill:    fillITIssue,
			details: []string{
				"It started this morning.",
				"I restarted the laptop, no change.",
				"It worked fine until yesterday afternoon.",
				"It's slowing me down a lot, I have a deadline today.",
				"A colleague has the same since the last update.",
			},
			say: map[string][]string{
				"ask":                        {"Could you sign out of Office and back in, and tell me whether it still happens?", "Can you send a screenshot of the error?", "When did it last work?"},
				"reply":                      {"Still happening after signing out and in.", "Screenshot attached.", "It worked until yesterday afternoon."},
				"ask:Outlook / email":        {"Does it also happen in Outlook on the web?", "Can you send a screenshot of the error?"},
				"reply:Outlook / email":      {"The web version works fine.", "Screenshot attached."},
				"note":                       {"Three similar reports today; checking Microsoft 365 service health.", "Remote session: reproduced it, collecting logs.", "Known issue with the current Office build; workaround: roll back to the previous channel."},
				"note:SharePoint / OneDrive": {"Conditional access log shows the sign-in blocked as non-compliant; the device's compliance was stale."},
				"pending":                    {"Waiting for Microsoft support (case 2409170040001234).", "Waiting for the application team to look at it."},
			},
			resolutions: troubleshooting,
		},
		{
			service: "General IT help", name: "Password reset or account unlock", ticketType: ticket.TypeServiceRequest,
			description: "Locked out or forgot a password? For Windows and Microsoft 365, try the self-service reset at aka.ms/sspr first.",
			fields: []catalog.Field{
				selectOne("account", "Which account?", true, "", "Windows / Microsoft 365", "SAP", "Salesforce", "VPN", "MFA (new phone)"),
				checkbox("locked", "My account is locked", false, ""),
			},
			count: 30, channels: []choice[ticket.Channel]{{ticket.ChannelAgent, 50}, {ticket.ChannelPortal, 25}, {ticket.ChannelEmail, 25}},
			quick: true,
			fill:  fillPassword,
			details: []string{
				"Writing from a colleague's laptop.",
				"The self-service reset doesn't send me a code.",
				"Called the service desk.",
			},
			say: map[string][]string{
				"ask":       {"To verify you, please call the service desk on +44 20 7946 0000 from your registered number."},
				"reply":     {"Called you just now."},
				"ask:SAP":   {"Which SAP system: production (P01) or test (Q01)?"},
				"reply:SAP": {"Production, P01."},
				"note":      {"Lock-out source: ActiveSync device 'iPhone 11' with the old password.", "Identity verified by call-back to the number in Workday."},
			},
		},
		{
			service: "General IT help", name: "Problem investigation", ticketType: ticket.TypeProblem,
			description: "For IT staff: find the root cause behind repeated incidents and record known errors with their workarounds.",
			fields: []catalog.Field{
				selectOne("area", "Area", true, "", "Email and collaboration", "Endpoints", "Business applications", "Identity and access", "Printing"),
				date("first_seen", "First seen", true, ""),
				number("incidents", "Related incidents so far", false, ""),
				longText("workaround", "Workaround", false, ""),
				userField("owner", "Problem owner", false, ""),
			},
			count: 7, staff: true, channels: []choice[ticket.Channel]{{ticket.ChannelAgent, 80}, {ticket.ChannelAPI, 20}},
			fill: fillHelpProblem,
			details: []string{
				"Raised after the weekly incident review: the same symptom keeps coming back.",
				"Several incidents with the same cause; linking them here.",
			},
			say: map[string][]string{
				"investigate": {"Reproduced it in the lab with a test account.", "Opened a case with the vendor and sent them the traces."},
				"close":       {"No recurrence for two weeks; closing."},
				"duplicate":   {"Same root cause as an existing problem; closing this one."},
			},
		},
	}
}

var helpTopics = []topic{
	{"Email and calendar", 5, []story{
		{"Set up out-of-office forwarding while I'm on parental leave", "Forwarding and your out-of-office are set up; both end by themselves on the date you gave."},
		{"Access to the finance-ap@ shared mailbox", "Done: the mailbox shows in Outlook after a restart (it can take up to an hour)."},
		{"Create a distribution list for the EMEA sales team", "Created sales-emea@example.com with everyone on your list; you are its owner."},
		{"Recover an email I deleted last week", "Recovered it from the recoverable items; it's back in your inbox."},
		{"Add my assistant as a delegate on my calendar", "Added them as a delegate with editor rights; they'll see your calendar after restarting Outlook."},
		{"Mailbox almost full, need more space", "Turned on the online archive; older mail moves there by itself and your mailbox has room again."},
	}},
	{"Microsoft Teams", 3, []story{
		{"Create a Teams channel for the audit", "Created the private channel 'Audit' and added the people you named; you own it."},
		{"Add an external partner to our team", "Added the guest; they'll get an invitation email."},
		{"How do I record a Teams meeting?", "Here is our how-to: https://intranet.example.com/it/teams-recording. In short: More actions > Start recording."},
		{"Teams phone number for the sales hotline", "The hotline has the number +44 20 7946 0123 now, ringing the sales call queue."},
	}},
	{"Printing", 3, []story{
		{"Add the new 2nd floor printer to my laptop", "Set up. You'll find it in the printer list as PRN-LON-2-01."},
		{"Printer in Berlin prints only in black and white", "Colour printing is enabled for your account."},
		{"Badge doesn't release my print jobs", "Registered your new badge at the printers; your jobs release again."},
		{"Scan to email not working on the 3rd floor copier", "The copier's mail relay password had expired; updated it. Scans arrive again."},
	}},
	{"Files and sharing", 3, []story{
		{"Restore a deleted folder in SharePoint", "Restored from the recycle bin; all 214 files are back."},
		{"Share a OneDrive folder with our auditor", "Shared read-only with the auditor; the link expires in 30 days."},
		{"Move the team drive to SharePoint", "Migrated the share to the team's SharePoint site; the old drive is read-only for a month."},
		{"Access to the OneDrive files of a colleague who left", "Gave you access to the files; please copy what you need within 30 days."},
	}},
	{"Other", 2, []story{
		{"Meeting room screen for the board meeting on Friday", "Set up and tested the screen and the conference camera; it's ready for your meeting."},
		{"Headset for the new call centre desk", "Delivered a Jabra headset to the desk and paired it."},
		{"Bigger monitor for working with spreadsheets", "Swapped your monitor for a 32-inch one."},
		{"Second monitor at my desk", "Installed and connected a second monitor at your desk."},
	}},
}

func fillHelp(g *gen, p *plan) {
	g.story(p, helpTopics)
	p.fields = map[string]any{"topic": p.topic}
	if g.chance(50) {
		p.fields["contact"] = g.pick([]string{"Email", "Teams chat", "Teams chat", "Phone"})
	}
	if g.chance(40) {
		p.fields["details"] = g.pick([]string{"See the summary, thanks!", "Needed by Friday if possible.", "Same set-up as my colleague's please.", "It's for the whole team of eight people."})
	}
}

var itIssueTopics = []topic{
	{"Outlook / email", 6, []story{
		{"Outlook keeps asking for my password", "Cleared the cached credentials and re-created your Outlook profile. No more prompts."},
		{"Emails stuck in the outbox", "An attachment was over the 25 MB limit; removed it and shared the file as a OneDrive link. The rest went out."},
		{"Outlook search returns no results", "Rebuilt the search index; results show up again."},
		{"Meeting invites from external partners don't arrive", "The partner's domain was caught by the spam filter; allowed it."},
		{"Shared mailbox disappeared from Outlook", "Your access was removed in a clean-up by mistake; restored it."},
		{"Outlook crashes when opening attachments", "Repaired the Office installation and updated it to the current build."},
	}},
	{"Teams", 4, []story{
		{"No sound in Teams calls", "Your headset was set up twice as the default device; fixed the audio settings."},
		{"Teams shows me as offline all day", "Cleared the Teams cache and signed in again; your status updates now."},
		{"Can't share my screen in Teams", "macOS hadn't given Teams the screen recording permission; granted it."},
		{"Teams chat messages arrive hours late", "A Microsoft 365 service incident caused it; Microsoft has fixed it."},
	}},
	{"SharePoint / OneDrive", 3, []story{
		{"OneDrive sync stuck on 'Processing changes'", "Re-synced your OneDrive after removing a file with an invalid name."},
		{"Access denied on the Finance SharePoint site", "Granted access to the site through its members group."},
		{"Excel file locked by a user who left", "Released the lock on the file; you can edit it again."},
	}},
	{"SAP", 2, []story{
		{"SAP GUI error 'No logon possible'", "The SAP basis team renewed the licence key; logons work again."},
		{"SAP invoice posting times out", "A long-running batch job was blocking postings; the basis team moved it to the night."},
		{"Can't approve purchase orders in SAP Fiori", "Added the missing approval role to your SAP user."},
	}},
	{"Salesforce", 2, []story{
		{"Salesforce Outlook integration stopped syncing", "Re-authorised the Outlook integration; emails sync again."},
		{"Salesforce report exports are empty", "Your report filtered on an archived field; fixed the report."},
		{"Can't sign in to Salesforce: SSO error", "Added you to the Salesforce app's assignment group; single sign-on works now."},
	}},
	{"Printer", 2, []story{
		{"3rd floor printer shows a paper jam but there is none", "Cleaned the sensor in tray 2; no more phantom jams."},
		{"Print jobs disappear from the queue", "Cleared the print queue and restarted the spooler on the print server."},
		{"Printer prints garbage characters", "Installed the right driver; print-outs are fine now."},
	}},
	{"Other", 2, []story{
		{"Adobe Acrobat asks for a licence again", "Re-activated the licence with your company account."},
		{"Zoom add-in missing from Outlook", "Reinstalled the add-in through the Company Portal."},
		{"Can't open .msg files", "Set Outlook as the default app for .msg files again."},
		{"Laptop clock is one hour off", "Set the time zone back to automatic."},
	}},
}

var itIssueErrors = map[string][]string{
	"Outlook / email":       {"Need password", "Cannot start Microsoft Outlook. Cannot open the Outlook window.", "0x800CCC0E"},
	"Teams":                 {"We're sorry, we've run into an issue.", "caa70004"},
	"SharePoint / OneDrive": {"Access denied: you need permission to access this site.", "Sync pending"},
	"SAP":                   {"No logon possible (no correct entry in the license table)", "TIME_OUT"},
	"Salesforce":            {"AADSTS50105: the signed in user is not assigned to a role for the application."},
	"Printer":               {"Paper jam in tray 2", "Error printing"},
	"Other":                 {"License expired", "The file cannot be opened"},
}

func fillITIssue(g *gen, p *plan) {
	g.story(p, itIssueTopics)
	p.fields = map[string]any{"app": p.topic}
	if g.chance(55) {
		p.fields["error"] = g.pick(itIssueErrors[p.topic])
	}
	if g.chance(50) {
		p.fields["since"] = g.day(p.created, -2, 0)
	}
	p.impact = ticket.LevelLow
	if g.chance(25) {
		p.fields["team_affected"] = true
		p.impact = oneOf(g, []ticket.Level{ticket.LevelMedium, ticket.LevelMedium, ticket.LevelHigh})
	}
	if g.chance(35) {
		p.fields["details"] = g.pick([]string{"Restarting doesn't help.", "It started after the update on Tuesday.", "Only happens on the VPN.", "Happens for the whole Accounts Payable team."})
	}
}

var passwordTopics = []topic{
	{"Windows / Microsoft 365", 5, []story{
		{"Locked out after a password change", "Unlocked. The lock-outs came from your old phone still syncing mail with the old password; please remove the account there."},
		{"Forgot my password after the holidays", "Identity verified by call-back; a temporary password is on its way by SMS."},
		{"Password expired while travelling, can't sign in", "Reset done. You'll choose a new password at your first sign-in."},
		{"Account locked: too many attempts from my old phone", "Unlocked, and removed the old phone from your account so that it can't lock you out again."},
	}},
	{"SAP", 2, []story{
		{"SAP password reset", "SAP password reset; the initial password is in your inbox."},
		{"SAP user locked", "Unlocked your user in P01."},
	}},
	{"Salesforce", 1, []story{
		{"Reset my Salesforce password", "Reset link sent; it's valid for 24 hours."},
		{"Salesforce says my user is frozen", "Unfroze your Salesforce user."},
	}},
	{"VPN", 1, []story{
		{"VPN says my credentials are wrong", "The VPN takes your Windows password and your laptop had cached the old one. Signed out and in together; it works."},
	}},
	{"MFA (new phone)", 3, []story{
		{"New phone: move my Authenticator", "Cleared your MFA methods; sign in and register the Authenticator app on the new phone."},
		{"Lost my phone, can't approve sign-ins", "Issued a temporary access pass by call-back; register the Authenticator on your new phone with it."},
		{"MFA codes go to my old number", "Changed your MFA phone number to the new one."},
	}},
}

func fillPassword(g *gen, p *plan) {
	g.story(p, passwordTopics)
	p.fields = map[string]any{"account": p.topic}
	if p.topic != "MFA (new phone)" && g.chance(60) {
		p.fields["locked"] = true
	}
}

func fillHelpProblem(g *gen, p *plan) {
	pr := oneOf(g, []problem{
		{"Email and collaboration", "Outlook password prompts after every Windows update", []string{"Outlook keeps asking"},
			"Reproduced it on a test laptop: the update resets the Web Account Manager cache.",
			"Remove the cached credentials in Credential Manager and restart Outlook.",
			"Root cause: a conditional access policy evaluated stale device compliance after updates. Fixed the policy; the prompts stopped."},
		{"Endpoints", "Dell docks lose external monitors after sleep", []string{"monitor", "dock"},
			"All affected docks run firmware 01.00.14; collected logs from five laptops.",
			"Undock and dock again.",
			"Root cause: a bug in the dock firmware. The fixed version is rolled out to all docks; no new incidents for two weeks."},
		{"Business applications", "SAP GUI crashes on the new Windows 11 build", []string{"SAP"},
			"Crash reproduces with SAP GUI 7.70 patch 2 on the new build; opened a case with SAP.",
			"Use SAP GUI for HTML from the portal.",
			"SAP's patch 4 for the GUI is rolled out through Intune; the crash no longer reproduces."},
		{"Email and collaboration", "OneDrive sync stalls on long file paths", []string{"OneDrive"},
			"Every stalled client had a path longer than 400 characters in the Finance library.",
			"Shorten the folder names; the Service Desk has a script that lists long paths.",
			"Restructured the Finance library with its owners; paths are short enough again and sync runs."},
		{"Endpoints", "BitLocker recovery prompts after the BIOS update", []string{"BitLocker", "boot"},
			"The BIOS update changes the TPM measurements; BitLocker was not suspended first.",
			"Give the recovery key from the self-service portal.",
			"Root cause: the update package didn't suspend BitLocker. Fixed the package; later updates caused no prompts."},
		{"Printing", "Print jobs lost on the Berlin print server", []string{"Print", "printer"},
			"The spooler on prn-ber-01 crashes when a job uses the old PCL5 driver.",
			"Print through the London queue meanwhile.",
			"Removed the PCL5 driver from the server and moved the queues to the universal driver; no lost jobs since."},
		{"Email and collaboration", "Teams audio drops on USB headsets", []string{"sound"},
			"Drops happen only with one headset model on USB-C hubs.",
			"Plug the headset straight into the laptop.",
			"Vendor firmware for the headsets rolled out; audio is stable."},
		{"Identity and access", "Account lock-outs from stale phone mail profiles", []string{"Locked out", "locked"},
			"Lock-out sources are phones syncing mail with old passwords.",
			"Remove and re-add the mail account on the phone after a password change.",
			"Moved phone mail to modern authentication only; old passwords no longer lock accounts."},
	})
	pr.tell(p)
	p.priority = weighted(g, []choice[ticket.Priority]{{ticket.PriorityHigh, 2}, {ticket.PriorityMedium, 3}, {ticket.PriorityLow, 1}})
	p.fields = map[string]any{"area": pr.area, "first_seen": g.day(p.created, -30, -3), "owner": p.agent.id}
	if g.chance(70) {
		p.fields["incidents"] = float64(g.between(3, 15))
	}
	if g.chance(50) {
		p.fields["workaround"] = pr.workaround
	}
}
