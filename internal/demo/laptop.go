package demo

import (
	"fmt"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// costCenters are the organizations' cost centres, as forms ask for them.
var costCenters = map[string]string{"Finance": "4100", "Sales": "5200", "Engineering": "6300"}

func laptopRequests() []*requestType {
	return []*requestType{
		{
			service: "Laptop setup", name: "New laptop", ticketType: ticket.TypeServiceRequest,
			description: "Order a laptop for a new starter, a replacement or a second device. Standard models ship in 3 to 5 working days.",
			fields: []catalog.Field{
				userField("for_user", "Who is the laptop for?", true, "The person who will use it. New starters have an account a week before their first day."),
				selectOne("reason", "Reason", true, "", "New starter", "Replacement (end of life)", "Replacement (damaged)", "Additional device"),
				selectOne("model", "Model", true, "Engineering may order the Precision or the MacBook Pro; everyone else the Latitude or the MacBook Air.",
					"Dell Latitude 7450 (standard)", "Dell Precision 5690 (engineering)", "MacBook Pro 14\"", "MacBook Air 13\""),
				selectMany("accessories", "Accessories", false, "", "Docking station", "24\" monitor", "Headset", "Keyboard and mouse", "Laptop bag"),
				date("needed_by", "Needed by", true, "We need 5 working days for standard models."),
				text("cost_center", "Cost centre", true, "Four digits, e.g. 4100 for Finance."),
				checkbox("manager_approval", "My manager has approved this purchase", true, ""),
			},
			count: 20, channels: customerChannels, approval: true,
			fill: fillNewLaptop,
			details: []string{
				"Standard set-up please, plus our team's shared drives.",
				"A docking station for the home office would be great too.",
				"Please prepare it with the usual Office set-up.",
			},
			say: map[string][]string{
				"ask": {
					"Could you confirm the delivery address: the office or home?",
					"Which keyboard layout do you need: UK, US or German?",
					"Does this role really need the Precision, or is the standard Latitude enough?",
				},
				"reply": {"Office please, 3rd floor reception.", "UK layout, thanks.", "The standard Latitude is fine."},
				"resolve": {
					"The laptop is imaged, encrypted and enrolled in Intune. It's waiting at the IT bar on the 2nd floor; bring your badge to collect it.",
					"Shipped with DHL, the tracking number is in your inbox. Sign in with your company account and the set-up finishes by itself.",
					"Handed over in person and moved the files from the old laptop. The old one is wiped and goes back to the leasing company.",
				},
				"note": {"Ordered from Dell, PO 4500123456, ETA 4 working days.", "Stock check: 3 Latitudes left in the London cupboard.", "Autopilot profile assigned, device hash uploaded."},
			},
		},
		{
			service: "Laptop setup", name: "Report a broken laptop", ticketType: ticket.TypeIncident,
			description: "The laptop won't start, or its screen, keyboard or battery fails, or it is too slow to work. We repair it under warranty or lend you one meanwhile.",
			fields: []catalog.Field{
				text("asset_tag", "Asset tag", true, "On the sticker under the laptop, e.g. LT-02417."),
				selectOne("problem", "What's wrong?", true, "", "Won't start", "Screen", "Keyboard or trackpad", "Battery or charging", "Slow or freezing", "Other"),
				date("since", "Since when?", false, ""),
				checkbox("loaner", "I need a loaner laptop meanwhile", false, ""),
				longText("details", "What happened?", false, "Error messages, what you tried, whether it was dropped or got wet."),
			},
			count: 36, channels: []choice[ticket.Channel]{{ticket.ChannelPortal, 45}, {ticket.ChannelEmail, 20}, {ticket.ChannelAgent, 35}},
			impact: [3]int{5, 20, 75}, urgency: [3]int{35, 45, 20}, resolutions: troubleshooting,
			fill: fillBrokenLaptop,
			details: []string{
				"I can't work at all at the moment, I'm using a colleague's PC to send this.",
				"It started this morning; yesterday everything was fine.",
				"I restarted twice and held the power button for 30 seconds, no change.",
				"Nothing was dropped or spilled as far as I know.",
				"I have a client presentation tomorrow, so this is quite urgent for me.",
			},
			say: map[string][]string{
				"ask": {
					"Could you bring the laptop to the IT bar on the 2nd floor today?",
					"Did anything get spilled on it, or was it dropped?",
					"Is your work saved in OneDrive? We may have to reinstall Windows.",
				},
				"reply": {"I'll come by at 2pm.", "No spills; it fell off the desk last week but worked after that.", "Yes, everything is in OneDrive."},
				"ask:Won't start": {
					"Does it show an error code or blinking lights when you press the power button?",
					"Could you bring the laptop to the IT bar on the 2nd floor today?",
				},
				"reply:Won't start": {"The power light blinks amber twice, then white.", "I'll come by at 2pm."},
				"note":              {"Dell warranty case 198273645 opened, engineer booked for Thursday.", "Same model and BIOS as two other tickets this week, keep an eye on it.", "Loaner LT-LN-07 handed out, due back after the repair."},
				"pending":           {"Waiting for the Dell engineer (case 198273645).", "Waiting for the replacement part from Dell."},
			},
		},
		{
			service: "Laptop setup", name: "Software install", ticketType: ticket.TypeServiceRequest,
			description: "Ask for software that isn't in the Company Portal. Licensed software needs your manager's approval.",
			fields: []catalog.Field{
				selectOne("software", "Software", true, "", softwareOptions...),
				text("other_software", "Other software", false, "Name and version, with a link to the vendor."),
				number("licences", "Number of licences", true, ""),
				userField("for_user", "For whom?", false, "Leave empty if it is for you."),
				longText("justification", "Why do you need it?", true, ""),
			},
			count: 28, channels: []choice[ticket.Channel]{{ticket.ChannelPortal, 70}, {ticket.ChannelEmail, 25}, {ticket.ChannelAgent, 5}},
			approval: true,
			fill:     fillSoftware,
			details: []string{
				"Could this be installed this week?",
				"My manager is in copy and has agreed.",
				"A colleague in my team has it already, so I'd need the same version.",
				"It's for a project starting next Monday.",
			},
			say: map[string][]string{
				"ask": {
					"Is this for you only, or for the whole team? Licences are charged per seat.",
					"Which version do you need? We package the current release.",
					"Does it need any plug-ins or extensions?",
				},
				"reply":   {"Just me for now, thanks.", "The current release is fine.", "No, the standard install is enough."},
				"resolve": {"Installed through the Company Portal; you'll find it in the Start menu after a restart.", "Licence assigned. Sign in with your company account to activate it.", "Packaged and pushed through Intune; it should appear within the hour.", "Published in the Company Portal under 'Developer tools'; install it from there when you like."},
				"note":    {"Licence pool has 4 seats left.", "Needs packaging: the vendor has no MSI.", "Checked with Security: it is on the approved software list."},
			},
		},
	}
}

var softwareOptions = []string{
	"Microsoft Visio", "Microsoft Project", "Adobe Acrobat Pro", "Adobe Creative Cloud", "Tableau Desktop",
	"Power BI Desktop", "Visual Studio Code", "Docker Desktop", "JetBrains IntelliJ IDEA", "Other (name it below)",
}

func fillNewLaptop(g *gen, p *plan) {
	reason := g.pick([]string{"New starter", "New starter", "New starter", "Replacement (end of life)", "Replacement (end of life)", "Replacement (damaged)", "Additional device"})
	who := p.reporter
	if reason == "New starter" {
		who = g.colleague(p.reporter)
	}
	model := "Dell Latitude 7450 (standard)"
	switch {
	case p.reporter.org == "Engineering" && g.chance(60):
		model = g.pick([]string{"Dell Precision 5690 (engineering)", "MacBook Pro 14\""})
	case g.chance(20):
		model = "MacBook Air 13\""
	}
	start := p.created.AddDate(0, 0, g.between(5, 20))
	for start.Weekday() == time.Saturday || start.Weekday() == time.Sunday {
		start = start.AddDate(0, 0, 1) // people start on weekdays
	}
	neededBy := start.Format(time.DateOnly)
	p.fields = map[string]any{
		"for_user": who.id, "reason": reason, "model": model, "needed_by": neededBy,
		"cost_center": costCenters[p.reporter.org], "manager_approval": true,
	}
	if g.chance(60) {
		p.fields["accessories"] = g.pickSome([]string{"Docking station", "24\" monitor", "Headset", "Keyboard and mouse", "Laptop bag"}, g.between(1, 3))
	}
	switch reason {
	case "New starter":
		p.detail = g.pick([]string{"If possible please have it ready on the morning of the first day; onboarding starts at 9.", who.first() + " starts on " + start.Format("Monday 2 January") + "."})
		p.summary = fmt.Sprintf(g.pick([]string{"New laptop for %s", "Laptop for new starter %s", "Onboarding: laptop for %s", "Laptop and dock for %s (new in the team)"}), who.name)
	case "Replacement (end of life)":
		p.detail = "The current one is from the first rollout and takes ages to start."
		p.summary = g.pick([]string{"Replacement laptop: mine is more than 4 years old", "Laptop refresh, current one out of warranty", "My laptop is too slow for Teams and Excel, requesting a new one", "Replace my 2019 ThinkPad"})
	case "Replacement (damaged)":
		p.summary = g.pick([]string{"Replacement laptop after coffee spill", "Need a replacement: cracked screen can't be repaired", "Replacement for a laptop damaged in transit"})
	default:
		p.summary = g.pick([]string{"Second laptop for testing on macOS", "Spare laptop for the training room", "Loaner laptop for a 3-month contractor"})
	}
}

var brokenLaptopTopics = []topic{
	{"Won't start", 4, []story{
		{"Laptop won't boot after Windows update", "Rolled back the faulty update and paused updates for a week while the vendor fixes it. It boots normally again."},
		{"Stuck on the BitLocker recovery screen", "Entered the BitLocker recovery key and re-sealed the TPM; it starts normally again."},
		{"Laptop doesn't power on at all", "The mainboard had failed; Dell replaced it on site under warranty. Your files were safe in OneDrive."},
		{"Black screen after the Dell logo", "Repaired the boot record from the recovery environment; Windows starts again."},
		{"Boot loop after BIOS update", "Flashed the previous BIOS version back; it boots again. We hold the update until Dell fixes it."},
	}},
	{"Screen", 3, []story{
		{"Screen flickers when I open the lid", "The display cable was loose; the Dell engineer reseated it and the flicker is gone."},
		{"Cracked screen: dropped my laptop", "Screen replaced under warranty; your data was untouched."},
		{"External monitor not detected through the dock", "Updated the dock's firmware and the graphics driver; the external monitors are detected again."},
		{"Lines across the display", "Replaced the display panel under warranty."},
		{"Laptop screen stays black but the external monitor works", "The panel's backlight had failed; replaced the screen."},
	}},
	{"Keyboard or trackpad", 2, []story{
		{"Several keys stopped working", "The Dell engineer replaced the keyboard on site today, under warranty."},
		{"Trackpad cursor jumps around", "Updated the touchpad driver and turned palm rejection up; the cursor behaves again."},
		{"Keyboard types the wrong characters", "The keyboard layout had switched to US; set it back to UK and removed the extra layout."},
		{"Space bar stuck after a coffee spill", "Cleaned and replaced the keyboard; please keep drinks at a safe distance!"},
	}},
	{"Battery or charging", 3, []story{
		{"Battery drains in under an hour", "Ran the Dell diagnostics: the battery had failed. Replaced it under warranty; the laptop is ready for collection."},
		{"Laptop won't charge from the USB-C dock", "The dock's power supply was too weak for this model; swapped it for a 130 W one."},
		{"Battery swelling, trackpad is lifting", "Removed the swollen battery safely and fitted a new one. Thanks for reporting it quickly!"},
		{"Charger stopped working", "The charger was faulty; replaced it."},
	}},
	{"Slow or freezing", 3, []story{
		{"Laptop extremely slow since Monday", "The disk was full of an old Teams cache. Cleared it and updated Teams; the laptop is quick again."},
		{"Laptop freezes when joining Teams calls", "Updated the graphics driver and Teams; calls run smoothly now."},
		{"Fan running constantly and the laptop is hot", "Cleaned the fan and updated the BIOS; temperatures are normal again."},
		{"Excel freezes the whole laptop", "Upgraded the memory to 32 GB; your big workbooks open without freezing now."},
	}},
	{"Other", 2, []story{
		{"Laptop makes a clicking noise", "The fan bearing was worn; replaced the fan."},
		{"Webcam not working", "The camera was turned off in the privacy settings; turned it on again and updated the driver."},
		{"No sound from the laptop speakers", "Replaced the speaker module under warranty."},
		{"USB ports stopped working", "Reinstalled the chipset drivers; the USB ports work again."},
	}},
}

func fillBrokenLaptop(g *gen, p *plan) {
	g.story(p, brokenLaptopTopics)
	p.fields = map[string]any{
		"asset_tag": fmt.Sprintf("LT-%05d", g.between(1200, 4800)),
		"problem":   p.topic,
	}
	if g.chance(60) {
		p.fields["since"] = g.day(p.created, -3, 0)
	}
	if g.chance(30) {
		p.fields["loaner"] = true
	}
	if g.chance(50) {
		p.fields["details"] = g.pick([]string{
			"It happened right after the update that installed last night.",
			"I tried another charger and another dock, same thing.",
			"The laptop was in my bag on the train, no visible damage.",
			"Happens every time after it wakes from sleep.",
			"I already tried restarting and the Dell SupportAssist check, it found nothing.",
		})
	}
}

func fillSoftware(g *gen, p *plan) {
	var sw, other string
	switch p.reporter.org {
	case "Engineering":
		sw = g.pick([]string{"Visual Studio Code", "Docker Desktop", "JetBrains IntelliJ IDEA", "Other (name it below)"})
		other = g.pick([]string{"Wireshark 4.2", "DBeaver Community", "Postman", "Python 3.12"})
	case "Finance":
		sw = g.pick([]string{"Power BI Desktop", "Tableau Desktop", "Adobe Acrobat Pro", "Microsoft Visio", "Microsoft Project"})
	default:
		sw = g.pick([]string{"Adobe Acrobat Pro", "Adobe Creative Cloud", "Microsoft Visio", "Other (name it below)"})
		other = g.pick([]string{"Miro desktop app", "Zoom client", "Lucidchart", "Gong for Outlook"})
	}
	name := sw
	p.fields = map[string]any{"software": sw, "licences": 1.0}
	if sw == "Other (name it below)" {
		name = other
		p.fields["other_software"] = other
	}
	if g.chance(20) {
		p.fields["licences"] = float64(g.between(2, 6))
		p.summary = fmt.Sprintf(g.pick([]string{"%s licences for the team", "%s for the whole team", "Team licences for %s"}), name)
	} else {
		p.summary = fmt.Sprintf(g.pick([]string{"Install %s", "Please install %s on my laptop", "%s licence request", "Request for %s", "Need %s for a project"}), name)
	}
	if g.chance(25) {
		who := g.colleague(p.reporter)
		p.fields["for_user"] = who.id
		p.summary = fmt.Sprintf("Install %s for %s", name, who.name)
	}
	reasons := map[string][]string{
		"Finance":     {"Needed for the monthly management reporting pack.", "Our auditors send their files in this format.", "The FP&A team builds the forecast models in it.", "I'm taking over the board pack, which is built with it."},
		"Sales":       {"For customer proposals and editing signed contracts.", "Marketing shares the campaign material in this format.", "I'm running the partner workshops next quarter.", "Customers send their RFPs in this format."},
		"Engineering": {"Needed for local development of the payments service.", "The on-call runbook needs it to debug production issues.", "Our team adopted it as the standard tool this sprint.", "Needed to reproduce a customer bug."},
	}
	p.fields["justification"] = g.pick(reasons[p.reporter.org])
}
