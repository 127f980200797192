package sla

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func mustSchedule(t testing.TB, c Calendar) *Schedule {
	t.Helper()
	s, err := c.Schedule()
	if err != nil {
		t.Fatalf("calendar %s: %v", c.Name, err)
	}
	return s
}

// everyDay is a calendar with the same windows on all seven days.
func everyDay(tz string, windows ...string) Calendar {
	hours := map[string][]string{}
	for _, d := range Weekdays {
		hours[d] = windows
	}
	return Calendar{Name: "every day " + tz, TimeZone: tz, Hours: hours}
}

// local reads "2006-01-02 15:04" in a zone; in a repeated hour Go picks
// one of the two, so tests name such instants in UTC instead.
func local(t testing.TB, tz, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func utc(s string) time.Time {
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return v
}

const (
	berlin  = "Europe/Berlin"
	newYork = "America/New_York"
	london  = "Europe/London"
)

func TestWorkingTime(t *testing.T) {
	business := WorkingWeek("Business", london, "09:00-17:00")
	split := WorkingWeek("Split", london, "09:00-12:00", "13:00-17:30")
	holidays := WorkingWeek("Holidays", london, "09:00-17:00")
	holidays.Holidays = []Holiday{{Date: "2025-12-25", Name: "Christmas 2025 only"}, {Date: "12-26", Name: "Boxing Day"}, {Date: "01-01"}}
	// A 24x7 calendar with a holiday on another date takes the slow path
	// through day plans rather than the shortcut for real time.
	berlin247 := everyDay(berlin, "00:00-24:00")
	berlin247.Holidays = []Holiday{{Date: "2025-08-15"}}
	newYork247 := everyDay(newYork, "00:00-24:00")
	newYork247.Holidays = []Holiday{{Date: "2025-08-15"}}

	tests := []struct {
		name     string
		cal      Calendar
		from, to time.Time
		want     time.Duration
	}{
		{"within a day", business, local(t, london, "2025-03-03 10:00"), local(t, london, "2025-03-03 12:30"), 150 * time.Minute},
		{"before and after hours", business, local(t, london, "2025-03-03 06:00"), local(t, london, "2025-03-03 20:00"), 8 * time.Hour},
		{"over a weekend", business, local(t, london, "2025-03-07 16:00"), local(t, london, "2025-03-10 10:00"), 2 * time.Hour},
		{"a whole week", business, local(t, london, "2025-03-03 00:00"), local(t, london, "2025-03-10 00:00"), 40 * time.Hour},
		{"saturday to sunday", business, local(t, london, "2025-03-08 09:00"), local(t, london, "2025-03-09 17:00"), 0},
		{"reversed", business, local(t, london, "2025-03-04 10:00"), local(t, london, "2025-03-03 10:00"), 0},
		{"two windows a day", split, local(t, london, "2025-03-03 00:00"), local(t, london, "2025-03-04 00:00"), 7*time.Hour + 30*time.Minute},
		{"lunch does not count", split, local(t, london, "2025-03-03 11:30"), local(t, london, "2025-03-03 13:30"), time.Hour},
		{"one-off holiday", holidays, local(t, london, "2025-12-24 09:00"), local(t, london, "2025-12-27 00:00"), 8 * time.Hour},
		// 2026-12-25 is a Friday and worked: the 2025 holiday does not recur.
		{"one-off holiday is not yearly", holidays, local(t, london, "2026-12-24 09:00"), local(t, london, "2026-12-26 00:00"), 16 * time.Hour},
		{"yearly holiday", holidays, local(t, london, "2029-12-26 00:00"), local(t, london, "2029-12-27 00:00"), 0},
		{"yearly new year", holidays, local(t, london, "2031-12-31 09:00"), local(t, london, "2032-01-02 17:00"), 16 * time.Hour},
		// London's clocks went forward on 2025-03-30 and back on 2025-10-26,
		// both Sundays; the business week around them is whole.
		{"business week after spring change", business, local(t, london, "2025-03-28 12:00"), local(t, london, "2025-03-31 12:00"), 8 * time.Hour},
		{"business week after autumn change", business, local(t, london, "2025-10-24 12:00"), local(t, london, "2025-10-27 12:00"), 8 * time.Hour},

		// Berlin: 2025-03-30 02:00 CET -> 03:00 CEST; 2025-10-26 03:00 CEST -> 02:00 CET.
		{"berlin 9-17 on spring change day", everyDay(berlin, "09:00-17:00"), local(t, berlin, "2025-03-30 00:00"), local(t, berlin, "2025-03-31 00:00"), 8 * time.Hour},
		{"berlin 9-17 on autumn change day", everyDay(berlin, "09:00-17:00"), local(t, berlin, "2025-10-26 00:00"), local(t, berlin, "2025-10-27 00:00"), 8 * time.Hour},
		{"berlin window spans spring change", everyDay(berlin, "00:00-06:00"), local(t, berlin, "2025-03-30 00:00"), local(t, berlin, "2025-03-31 00:00"), 5 * time.Hour},
		{"berlin window spans autumn change", everyDay(berlin, "00:00-06:00"), local(t, berlin, "2025-10-26 00:00"), local(t, berlin, "2025-10-27 00:00"), 7 * time.Hour},
		{"berlin 24x7 spring day", berlin247, local(t, berlin, "2025-03-30 00:00"), local(t, berlin, "2025-03-31 00:00"), 23 * time.Hour},
		{"berlin 24x7 autumn day", berlin247, local(t, berlin, "2025-10-26 00:00"), local(t, berlin, "2025-10-27 00:00"), 25 * time.Hour},
		// 02:30 does not exist on the spring day: the window starts at the change.
		{"berlin window starts in skipped hour", everyDay(berlin, "02:30-04:00"), local(t, berlin, "2025-03-30 00:00"), local(t, berlin, "2025-03-31 00:00"), time.Hour},
		// 02:30 happens twice on the autumn day: the window starts at the first.
		{"berlin window starts in repeated hour", everyDay(berlin, "02:30-04:00"), local(t, berlin, "2025-10-26 00:00"), local(t, berlin, "2025-10-27 00:00"), 150 * time.Minute},
		{"berlin part of repeated hour", everyDay(berlin, "00:00-06:00"), utc("2025-10-26 00:45"), utc("2025-10-26 01:15"), 30 * time.Minute},

		// New York: 2025-03-09 02:00 EST -> 03:00 EDT; 2025-11-02 02:00 EDT -> 01:00 EST.
		{"new york 9-17 on spring change day", everyDay(newYork, "09:00-17:00"), local(t, newYork, "2025-03-09 00:00"), local(t, newYork, "2025-03-10 00:00"), 8 * time.Hour},
		{"new york 9-17 on autumn change day", everyDay(newYork, "09:00-17:00"), local(t, newYork, "2025-11-02 00:00"), local(t, newYork, "2025-11-03 00:00"), 8 * time.Hour},
		{"new york window spans spring change", everyDay(newYork, "00:00-06:00"), local(t, newYork, "2025-03-09 00:00"), local(t, newYork, "2025-03-10 00:00"), 5 * time.Hour},
		{"new york window spans autumn change", everyDay(newYork, "00:00-06:00"), local(t, newYork, "2025-11-02 00:00"), local(t, newYork, "2025-11-03 00:00"), 7 * time.Hour},
		{"new york 24x7 spring day", newYork247, local(t, newYork, "2025-03-09 00:00"), local(t, newYork, "2025-03-10 00:00"), 23 * time.Hour},
		{"new york 24x7 autumn day", newYork247, local(t, newYork, "2025-11-02 00:00"), local(t, newYork, "2025-11-03 00:00"), 25 * time.Hour},
		{"new york window starts in skipped hour", everyDay(newYork, "02:30-04:00"), local(t, newYork, "2025-03-09 00:00"), local(t, newYork, "2025-03-10 00:00"), time.Hour},
		// 01:30 EDT is 05:30 UTC, the first of the two; 03:00 EST is 08:00 UTC.
		{"new york window starts in repeated hour", everyDay(newYork, "01:30-03:00"), local(t, newYork, "2025-11-02 00:00"), local(t, newYork, "2025-11-03 00:00"), 150 * time.Minute},
		{"new york window ends in repeated hour", everyDay(newYork, "00:00-01:30"), local(t, newYork, "2025-11-02 00:00"), local(t, newYork, "2025-11-03 00:00"), 90 * time.Minute},

		{"shortcut 24x7 is real time", TwentyFourSeven("24x7", berlin), local(t, berlin, "2025-03-29 12:00"), local(t, berlin, "2025-03-30 12:00"), 23 * time.Hour},
		{"long range", business, local(t, london, "2025-01-06 00:00"), local(t, london, "2026-01-05 00:00"), 52 * 40 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, tt.cal)
			if got := s.WorkingTime(tt.from, tt.to); got != tt.want {
				t.Errorf("WorkingTime(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	business := WorkingWeek("Business", london, "09:00-17:00")
	split := WorkingWeek("Split", london, "09:00-12:00", "13:00-17:30")
	holidays := WorkingWeek("Holidays", london, "09:00-17:00")
	holidays.Holidays = []Holiday{{Date: "2025-12-25"}, {Date: "12-26"}}
	berlinNights := everyDay(berlin, "00:00-06:00")
	nyDays := WorkingWeek("NY", newYork, "09:00-17:00")
	nyDays.Hours["sunday"] = []string{"09:00-17:00"}

	tests := []struct {
		name string
		cal  Calendar
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"same day", business, local(t, london, "2025-03-03 10:00"), 2 * time.Hour, local(t, london, "2025-03-03 12:00")},
		{"before opening", business, local(t, london, "2025-03-03 07:00"), time.Hour, local(t, london, "2025-03-03 10:00")},
		{"fills the day exactly", business, local(t, london, "2025-03-03 09:00"), 8 * time.Hour, local(t, london, "2025-03-03 17:00")},
		{"over the weekend", business, local(t, london, "2025-03-07 16:00"), 2 * time.Hour, local(t, london, "2025-03-10 10:00")},
		{"raised on saturday", business, local(t, london, "2025-03-08 11:00"), time.Hour, local(t, london, "2025-03-10 10:00")},
		{"a working week", business, local(t, london, "2025-03-05 13:00"), 40 * time.Hour, local(t, london, "2025-03-12 13:00")},
		{"over lunch", split, local(t, london, "2025-03-03 11:00"), 2 * time.Hour, local(t, london, "2025-03-03 14:00")},
		{"fills the morning exactly", split, local(t, london, "2025-03-03 09:00"), 3 * time.Hour, local(t, london, "2025-03-03 12:00")},
		{"over holidays and a weekend", holidays, local(t, london, "2025-12-24 16:00"), 2 * time.Hour, local(t, london, "2025-12-29 10:00")},
		{"yearly holiday in 2030", holidays, local(t, london, "2030-12-25 16:00"), 2 * time.Hour, local(t, london, "2030-12-27 10:00")},
		{"zero", business, local(t, london, "2025-03-08 11:00"), 0, local(t, london, "2025-03-08 11:00")},
		{"berlin nights over spring change", berlinNights, local(t, berlin, "2025-03-30 00:00"), 3 * time.Hour, local(t, berlin, "2025-03-30 04:00")},
		{"berlin nights over autumn change", berlinNights, local(t, berlin, "2025-10-26 00:00"), 6 * time.Hour, utc("2025-10-26 04:00")},
		{"new york day of spring change", nyDays, local(t, newYork, "2025-03-09 08:00"), 8 * time.Hour, local(t, newYork, "2025-03-09 17:00")},
		{"new york day of autumn change", nyDays, local(t, newYork, "2025-11-02 08:00"), 9 * time.Hour, local(t, newYork, "2025-11-03 10:00")},
		{"24x7 over spring change", TwentyFourSeven("24x7", berlin), local(t, berlin, "2025-03-30 00:00"), 4 * time.Hour, local(t, berlin, "2025-03-30 05:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, tt.cal)
			got, ok := s.Add(tt.from, tt.d)
			if !ok || !got.Equal(tt.want) {
				t.Errorf("Add(%s, %v) = %s, %v; want %s", tt.from, tt.d, got, ok, tt.want)
			}
		})
	}
}

// TestAddInvertsWorkingTime checks, over random instants and durations,
// that Add gives the earliest instant at which WorkingTime reaches d.
func TestAddInvertsWorkingTime(t *testing.T) {
	cals := []Calendar{
		WorkingWeek("London", london, "09:00-12:00", "13:00-17:30"),
		everyDay(berlin, "00:00-06:00", "22:00-24:00"),
		everyDay(newYork, "01:30-02:30", "09:00-17:00"),
		TwentyFourSeven("24x7", newYork),
	}
	cals[0].Holidays = []Holiday{{Date: "12-25"}, {Date: "2025-04-18"}}
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range cals {
		s := mustSchedule(t, c)
		for i := 0; i < 2000; i++ {
			from := base.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour))))
			d := time.Duration(rng.Int64N(int64(60*time.Hour))) + time.Millisecond
			end, ok := s.Add(from, d)
			if !ok {
				t.Fatalf("%s: Add(%s, %v) found no time", c.Name, from, d)
			}
			if got := s.WorkingTime(from, end); got != d {
				t.Fatalf("%s: WorkingTime(%s, Add(.., %v) = %s) = %v", c.Name, from, d, end, got)
			}
			if got := s.WorkingTime(from, end.Add(-time.Nanosecond)); got >= d {
				t.Fatalf("%s: Add(%s, %v) = %s is not the earliest", c.Name, from, d, end)
			}
		}
	}
}

func TestAddWithoutWorkingTime(t *testing.T) {
	c := WorkingWeek("No days off", london, "09:00-17:00")
	for day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == 2000; day = day.AddDate(0, 0, 1) {
		c.Holidays = append(c.Holidays, Holiday{Date: day.Format("01-02")})
	}
	s := mustSchedule(t, c)
	if got, ok := s.Add(local(t, london, "2025-03-03 10:00"), time.Hour); ok {
		t.Errorf("Add on a calendar of holidays = %s, want none", got)
	}
}

func TestWorking(t *testing.T) {
	s := mustSchedule(t, WorkingWeek("Split", london, "09:00-12:00", "13:00-17:30"))
	for _, tt := range []struct {
		at   string
		want bool
	}{{"2025-03-03 08:59", false}, {"2025-03-03 09:00", true}, {"2025-03-03 11:59", true}, {"2025-03-03 12:00", false}, {"2025-03-03 13:00", true}, {"2025-03-08 10:00", false}} {
		if got := s.Working(local(t, london, tt.at)); got != tt.want {
			t.Errorf("Working(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestCalendarValidate(t *testing.T) {
	ok := func() Calendar { return WorkingWeek("Office", london, "09:00-17:00") }
	tests := []struct {
		name  string
		edit  func(c *Calendar)
		field string
	}{
		{"valid", func(c *Calendar) {}, ""},
		{"no name", func(c *Calendar) { c.Name = "  " }, "name"},
		{"long name", func(c *Calendar) { c.Name = fmt.Sprintf("%0101d", 0) }, "name"},
		{"no zone", func(c *Calendar) { c.TimeZone = "" }, "time_zone"},
		{"unknown zone", func(c *Calendar) { c.TimeZone = "Europe/Atlantis" }, "time_zone"},
		{"local zone", func(c *Calendar) { c.TimeZone = "Local" }, "time_zone"},
		{"unknown day", func(c *Calendar) { c.Hours["funday"] = []string{"09:00-10:00"} }, "hours.funday"},
		{"day twice", func(c *Calendar) { c.Hours["Monday"] = []string{"09:00-10:00"} }, "hours.monday"},
		{"one digit hour", func(c *Calendar) { c.Hours["monday"] = []string{"9:00-17:00"} }, "hours.monday[0]"},
		{"backwards", func(c *Calendar) { c.Hours["monday"] = []string{"17:00-09:00"} }, "hours.monday[0]"},
		{"empty window", func(c *Calendar) { c.Hours["monday"] = []string{"09:00-09:00"} }, "hours.monday[0]"},
		{"past midnight", func(c *Calendar) { c.Hours["monday"] = []string{"09:00-24:30"} }, "hours.monday[0]"},
		{"no dash", func(c *Calendar) { c.Hours["monday"] = []string{"09:00"} }, "hours.monday[0]"},
		{"minutes", func(c *Calendar) { c.Hours["monday"] = []string{"09:60-10:00"} }, "hours.monday[0]"},
		{"overlap", func(c *Calendar) { c.Hours["monday"] = []string{"13:00-17:00", "09:00-13:30"} }, "hours.monday"},
		{"no working time", func(c *Calendar) { c.Hours = map[string][]string{"monday": {}} }, "hours"},
		{"bad holiday", func(c *Calendar) { c.Holidays = []Holiday{{Date: "12-25"}, {Date: "2025-02-30"}} }, "holidays[1].date"},
		{"bad yearly holiday", func(c *Calendar) { c.Holidays = []Holiday{{Date: "13-01"}} }, "holidays[0].date"},
		{"holiday format", func(c *Calendar) { c.Holidays = []Holiday{{Date: "25/12/2025"}} }, "holidays[0].date"},
		{"leap day yearly", func(c *Calendar) { c.Holidays = []Holiday{{Date: "02-29"}} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok()
			tt.edit(&c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			e, isErr := errs.As(err)
			if !isErr || e.Kind != errs.KindInvalid || e.Field != tt.field {
				t.Fatalf("Validate = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func TestCalendarCanonical(t *testing.T) {
	c := Calendar{Name: " Office ", TimeZone: london, Hours: map[string][]string{
		"Monday": {" 13:00-17:30", "09:00-12:00 "}, "tuesday": {}, "SUNDAY": {"00:00-24:00"},
	}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Name != "Office" || len(c.Hours) != 2 || fmt.Sprint(c.Hours["monday"]) != "[09:00-12:00 13:00-17:30]" || fmt.Sprint(c.Hours["sunday"]) != "[00:00-24:00]" {
		t.Errorf("canonical form = %q %v", c.Name, c.Hours)
	}
	if c.Holidays == nil {
		t.Error("holidays is nil, want an empty list")
	}
}

func BenchmarkAdd(b *testing.B) {
	s := mustSchedule(b, WorkingWeek("London", london, "09:00-12:00", "13:00-17:30"))
	from := local(b, london, "2025-03-07 16:00")
	for b.Loop() {
		s.Add(from, 24*time.Hour)
	}
}
