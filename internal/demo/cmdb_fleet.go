package demo

import (
	"fmt"
	"strconv"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
)

// The laptops and phones of the demo's people, as Intune and the asset
// register know them: one laptop each, a phone for the staff on call and
// for the heads of the organizations and some of Sales, a loaner, one in
// stock, and a few returned ones waiting for collection.

// laptopModel is a model of the laptop catalogue, with how old the ones in
// use are (days) and the system they run.
type laptopModel struct {
	vendor, model string
	ageLo, ageHi  int
	systems       []string
}

var (
	latitude7450 = laptopModel{"Dell", "Latitude 7450", 90, 500, []string{"Windows 11 Enterprise 24H2", "Windows 11 Enterprise 23H2"}}
	latitude7440 = laptopModel{"Dell", "Latitude 7440", 500, 1000, []string{"Windows 11 Enterprise 23H2"}}
	latitude7430 = laptopModel{"Dell", "Latitude 7430", 1100, 1440, []string{"Windows 11 Enterprise 23H2"}} // due for replacement after 4 years
	precision    = laptopModel{"Dell", "Precision 5690", 100, 600, []string{"Windows 11 Enterprise 24H2"}}
	macbookPro   = laptopModel{"Apple", "MacBook Pro 14\" (M3 Pro)", 150, 650, []string{"macOS Sequoia 15.3", "macOS Sequoia 15.3", "macOS Sonoma 14.7"}}
	macbookAir   = laptopModel{"Apple", "MacBook Air 13\" (M3)", 150, 600, []string{"macOS Sequoia 15.3", "macOS Sonoma 14.7"}}
)

// phoneModel is a model of the phone catalogue with its type allocation
// code, the first eight digits of its IMEIs.
type phoneModel struct {
	vendor, model, tac, system string
}

var phoneModels = []choice[phoneModel]{
	{phoneModel{"Apple", "iPhone 15", "35328115", "iOS 18.3"}, 6},
	{phoneModel{"Apple", "iPhone 15 Pro", "35300372", "iOS 18.3"}, 2},
	{phoneModel{"Samsung", "Galaxy S24", "35083281", "Android 14 (One UI 6.1)"}, 2},
	{phoneModel{"Google", "Pixel 8", "35863917", "Android 15"}, 1},
}

// siteCode is how host names and locations name an office.
var siteCode = map[string]string{"London": "LON", "Berlin": "BER", "New York": "NYC"}

// office draws where someone works, by their organization or team.
func (inv *inventory) office(p *person) string {
	w := map[string][3]int{ // London, Berlin, New York
		"Finance": {80, 0, 20}, "Sales": {40, 15, 45}, "Engineering": {45, 55, 0},
		serviceDesk: {75, 25, 0}, infrastructure: {50, 30, 20}, security: {40, 40, 20},
	}[p.org+p.team]
	if p.email == adminLogin.Email || p.email == deskAgent || w == [3]int{} {
		return "London"
	}
	return weighted(inv.g, []choice[string]{{"London", w[0]}, {"Berlin", w[1]}, {"New York", w[2]}})
}

// laptopModelOf draws the model someone has: what their work needs, now
// and then an older one.
func (inv *inventory) laptopModelOf(p *person) laptopModel {
	if inv.g.chance(12) {
		return latitude7430
	}
	switch {
	case p.org == "Engineering":
		return oneOf(inv.g, []laptopModel{precision, macbookPro})
	case p.org == "Sales":
		return oneOf(inv.g, []laptopModel{macbookAir, latitude7450})
	case p.org == "Finance":
		return oneOf(inv.g, []laptopModel{latitude7450, latitude7450, latitude7440})
	case p.team == infrastructure || p.team == security:
		return oneOf(inv.g, []laptopModel{macbookPro, latitude7450, latitude7450})
	}
	return oneOf(inv.g, []laptopModel{latitude7450, latitude7440})
}

// fleet adds everyone's laptop and the phones.
func (inv *inventory) fleet() {
	// Tags the demo's tickets name: the loaner and the laptop in stock.
	inv.used["LT-LN-07"], inv.used["LT-02611"] = true, true
	offices := map[string]string{}
	for _, p := range inv.g.people {
		offices[p.email] = inv.office(p)
		inv.laptop(inv.laptopModelOf(p), offices[p.email], p, cmdb.StatusLive, "")
	}
	inv.laptop(latitude7440, "London", nil, cmdb.StatusLive, "LT-LN-07")
	inv.laptop(latitude7450, "London", nil, cmdb.StatusPlanned, "LT-02611")
	inv.laptop(laptopModel{"Dell", "Latitude 7420", 1500, 1700, []string{"Windows 11 Enterprise 22H2"}}, "London", nil, cmdb.StatusRetired, "")

	used := map[string]bool{}
	for _, p := range inv.g.people {
		onCall := p.team == infrastructure || p.team == security
		if !onCall && !p.lead && p.email != "bob@example.com" {
			continue
		}
		inv.phone(weighted(inv.g, phoneModels), offices[p.email], p, cmdb.StatusLive, used)
	}
	inv.phone(phoneModel{"Apple", "iPhone 11", "35391110", "iOS 17.7"}, "London", nil, cmdb.StatusRetired, used)
}

// laptop adds a laptop: someone's (p), or, with p nil, a loaner, one in
// stock or a returned one. tag "" draws one.
func (inv *inventory) laptop(m laptopModel, office string, p *person, status cmdb.Status, tag string) {
	if tag == "" {
		tag = inv.tag("LT", 1200, 4800)
	}
	purchase, warranty := inv.bought(m.ageLo, m.ageHi, 3)
	attrs := map[string]any{
		"serial_number": inv.serial(m.vendor), "asset_tag": tag, "vendor": m.vendor, "model": m.model,
		"location": office, "purchase_date": purchase, "warranty_expiry": warranty,
		"hostname": siteCode[office] + "-" + tag, "operating_system": oneOf(inv.g, m.systems),
	}
	var desc string
	switch {
	case p != nil:
		attrs["assigned_to"] = p.email
		desc = p.name + "'s laptop."
	case tag == "LT-LN-07":
		desc = "Loaner laptop at the London IT bar, lent while a laptop is repaired."
	case status == cmdb.StatusPlanned:
		desc = "In stock at the London IT bar, imaged and ready to hand over."
	default:
		desc = "Returned at replacement and wiped (certificate on file); waiting for the leasing company to collect it."
	}
	inv.add(&ciPlan{name: tag, typ: "laptop", status: status, crit: critLow, team: serviceDesk, description: desc, attrs: attrs})
}

// phone adds a phone with its IMEI and number.
func (inv *inventory) phone(m phoneModel, office string, p *person, status cmdb.Status, numbers map[string]bool) {
	tag := inv.tag("MD", 100, 2999)
	purchase, warranty := inv.bought(120, 700, 2)
	if status == cmdb.StatusRetired {
		purchase, warranty = inv.bought(1500, 1700, 2)
	}
	attrs := map[string]any{
		"serial_number": inv.serial(m.vendor), "asset_tag": tag, "vendor": m.vendor, "model": m.model,
		"location": office, "purchase_date": purchase, "warranty_expiry": warranty,
		"imei": inv.imei(m.tac), "operating_system": m.system,
	}
	desc := "Returned when its owner moved to a newer model; wiped, kept as a spare for testing."
	if p != nil {
		attrs["assigned_to"] = p.email
		attrs["phone_number"] = inv.phoneNumber(office, numbers)
		desc = p.name + "'s phone."
		if p.role == directory.RoleAgent {
			desc = p.name + "'s phone, for the on-call rota."
		}
	}
	inv.add(&ciPlan{name: tag, typ: "mobile_device", status: status, crit: critLow, team: serviceDesk, description: desc, attrs: attrs})
}

// imei draws an IMEI of a model: its TAC, six digits and the Luhn check
// digit, as on a real phone.
func (inv *inventory) imei(tac string) string {
	return inv.unique(func() string {
		body := tac + inv.chars(6, digits)
		sum := 0
		for i := range len(body) {
			d := int(body[len(body)-1-i] - '0')
			if i%2 == 0 { // every second digit from the right, the check digit's neighbour first
				if d *= 2; d > 9 {
					d -= 9
				}
			}
			sum += d
		}
		return body + strconv.Itoa((10-sum%10)%10)
	})
}

// phoneNumber draws a number of the company's mobile contracts, in the
// ranges kept for fiction: Ofcom's 07700 900xxx and the US 555-01xx.
func (inv *inventory) phoneNumber(office string, used map[string]bool) string {
	for {
		n := fmt.Sprintf("+44 7700 900%03d", inv.g.intn(1000))
		if office == "New York" {
			n = fmt.Sprintf("+1 212 555 01%02d", inv.g.intn(100))
		}
		if !used[n] {
			used[n] = true
			return n
		}
	}
}
