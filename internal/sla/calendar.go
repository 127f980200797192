package sla

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones work in a bare container too: one binary is enough

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Calendar says when the clock of an SLA counts: working hours per weekday
// in a time zone, less holidays. It is the document admins edit; Schedule
// compiles it for the maths.
type Calendar struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"` // an IANA name such as Europe/London
	// Hours maps a weekday ("monday"...) to its working windows in local
	// wall-clock time, such as ["09:00-12:00", "13:00-17:30"]. A day not
	// listed is not worked; "00:00-24:00" is the whole day.
	Hours    map[string][]string `json:"hours"`
	Holidays []Holiday           `json:"holidays"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Holiday is a day without working time: once ("2025-12-25") or every year
// ("12-25").
type Holiday struct {
	Date string `json:"date"`
	Name string `json:"name,omitempty"`
}

// Weekdays are the keys of Calendar.Hours, indexed by time.Weekday.
var Weekdays = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// MaxCalendarName bounds a calendar's name.
const MaxCalendarName = 100

// Window is a stretch of working time within one local day, from Start to
// End minutes after midnight; End may be 1440 (24:00).
type Window struct{ Start, End int }

// ParseWindow reads "HH:MM-HH:MM". Minutes run to 24:00.
func ParseWindow(s string) (Window, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Window{}, fmt.Errorf("%q is not a window like 09:00-17:00", s)
	}
	start, err := parseClock(a)
	if err != nil {
		return Window{}, err
	}
	end, err := parseClock(b)
	if err != nil {
		return Window{}, err
	}
	if end <= start {
		return Window{}, fmt.Errorf("%q ends before it starts; split a window that crosses midnight over two days", s)
	}
	return Window{start, end}, nil
}

func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) != 2 || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day like 09:30 (00:00 to 24:00)", s)
	}
	return hh*60 + mm, nil
}

func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// Validate checks a calendar and puts it in its canonical form: trimmed
// name, weekday keys in lower case, windows sorted and written HH:MM-HH:MM.
func (c *Calendar) Validate() error {
	_, err := c.compile()
	return err
}

// Schedule validates the calendar and compiles it for working-time maths.
func (c *Calendar) Schedule() (*Schedule, error) { return c.compile() }

func (c *Calendar) compile() (*Schedule, error) {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return nil, errs.Required("name")
	}
	if len(c.Name) > MaxCalendarName {
		return nil, errs.Invalid("name", "must be at most %d characters", MaxCalendarName)
	}
	c.TimeZone = strings.TrimSpace(c.TimeZone)
	if c.TimeZone == "" {
		return nil, errs.Required("time_zone")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || strings.EqualFold(c.TimeZone, "local") {
		return nil, errs.Invalid("time_zone", "%q is not an IANA time zone such as Europe/London", c.TimeZone)
	}
	s := &Schedule{loc: loc, once: map[int64]bool{}, yearly: map[int]bool{}, plans: map[int64]dayPlan{}}
	hours := map[string][]string{}
	total := 0
	// In key order, so that the same mistake is always reported the same way.
	for _, key := range slices.Sorted(maps.Keys(c.Hours)) {
		list := c.Hours[key]
		day := slices.Index(Weekdays[:], strings.ToLower(strings.TrimSpace(key)))
		if day < 0 {
			return nil, errs.Invalid("hours."+key, "is not a weekday; use monday to sunday")
		}
		name := Weekdays[day]
		if _, dup := hours[name]; dup {
			return nil, errs.Invalid("hours."+key, "%s is given twice", name)
		}
		var ws []Window
		for i, text := range list {
			w, err := ParseWindow(text)
			if err != nil {
				return nil, errs.Invalid(fmt.Sprintf("hours.%s[%d]", name, i), "%s", err.Error())
			}
			ws = append(ws, w)
		}
		slices.SortFunc(ws, func(a, b Window) int { return a.Start - b.Start })
		out := make([]string, 0, len(ws))
		for i, w := range ws {
			if i > 0 && w.Start < ws[i-1].End {
				return nil, errs.Invalid("hours."+name, "windows %s and %s overlap", ws[i-1], w)
			}
			out = append(out, w.String())
			total += w.End - w.Start
		}
		s.week[day] = ws
		if len(out) > 0 {
			hours[name] = out
		}
	}
	if total == 0 {
		return nil, errs.Invalid("hours", "a calendar needs working time on at least one weekday")
	}
	c.Hours = hours
	for i := range c.Holidays {
		h := &c.Holidays[i]
		field := fmt.Sprintf("holidays[%d]", i)
		h.Date, h.Name = strings.TrimSpace(h.Date), strings.TrimSpace(h.Name)
		if len(h.Name) > MaxCalendarName {
			return nil, errs.Invalid(field+".name", "must be at most %d characters", MaxCalendarName)
		}
		switch len(h.Date) {
		case len("2006-01-02"):
			d, err := time.Parse("2006-01-02", h.Date)
			if err != nil {
				return nil, errs.Invalid(field+".date", "%q is not a date like 2025-12-25 (once) or 12-25 (every year)", h.Date)
			}
			s.once[dayNumber(d.Date())] = true
		case len("01-02"):
			// 2000 is a leap year, so 02-29 is a yearly holiday that falls
			// only in leap years.
			d, err := time.Parse("2006-01-02", "2000-"+h.Date)
			if err != nil {
				return nil, errs.Invalid(field+".date", "%q is not a date like 2025-12-25 (once) or 12-25 (every year)", h.Date)
			}
			s.yearly[int(d.Month())*100+d.Day()] = true
		default:
			return nil, errs.Invalid(field+".date", "%q is not a date like 2025-12-25 (once) or 12-25 (every year)", h.Date)
		}
	}
	if c.Holidays == nil {
		c.Holidays = []Holiday{}
	}
	s.always = len(c.Holidays) == 0
	for _, ws := range s.week {
		if len(ws) != 1 || ws[0] != (Window{0, 24 * 60}) {
			s.always = false
		}
	}
	return s, nil
}

// TwentyFourSeven is a calendar where every minute counts.
func TwentyFourSeven(name, timeZone string) Calendar {
	hours := map[string][]string{}
	for _, d := range Weekdays {
		hours[d] = []string{"00:00-24:00"}
	}
	return Calendar{Name: name, TimeZone: timeZone, Hours: hours, Holidays: []Holiday{}}
}

// WorkingWeek is a calendar open Monday to Friday in the given windows.
func WorkingWeek(name, timeZone string, windows ...string) Calendar {
	hours := map[string][]string{}
	for _, d := range Weekdays[time.Monday : time.Friday+1] {
		hours[d] = slices.Clone(windows)
	}
	return Calendar{Name: name, TimeZone: timeZone, Hours: hours, Holidays: []Holiday{}}
}
