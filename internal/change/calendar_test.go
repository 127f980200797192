package change

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

var day = time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)

func at(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }

func win(from, to int) Window { return Window{at(from), at(to)} }

func TestWindow(t *testing.T) {
	for _, tc := range []struct {
		a, b Window
		want bool
	}{
		{win(0, 2), win(1, 3), true},
		{win(0, 2), win(2, 4), false}, // back to back
		{win(0, 10), win(3, 4), true},
		{win(5, 6), win(0, 5), false},
	} {
		if got := tc.a.Overlaps(tc.b); got != tc.want || tc.b.Overlaps(tc.a) != tc.want {
			t.Errorf("%v overlaps %v: %v, want %v both ways", tc.a, tc.b, got, tc.want)
		}
	}
	w := win(1, 2)
	if !w.Contains(at(1)) || w.Contains(at(2)) || w.Contains(at(0)) {
		t.Error("Contains is [start, end)")
	}
	if err := ValidateWindow("planned", win(2, 1)); err == nil {
		t.Error("an end before the start passes")
	}
}

func TestConflicts(t *testing.T) {
	c := Planned{Key: "IT-1", Summary: "Patch db01", Open: true, Status: StatusScheduled, Window: win(20, 22), ServiceIDs: []int64{1, 2}, CIIDs: []int64{10}}
	for _, tc := range []struct {
		name    string
		c       Planned
		others  []Planned
		freezes []Freeze
		want    []string // kind:change-or-freeze
	}{
		{"alone", c, nil, nil, nil},
		{"same CI, overlapping", c, []Planned{{Key: "IT-2", Open: true, Window: win(21, 23), CIIDs: []int64{10}}}, nil, []string{"collision:IT-2"}},
		{"same service, overlapping", c, []Planned{{Key: "IT-2", Open: true, Window: win(19, 21), ServiceIDs: []int64{2}}}, nil, []string{"collision:IT-2"}},
		{"same service, back to back", c, []Planned{{Key: "IT-2", Open: true, Window: win(22, 23), ServiceIDs: []int64{2}}}, nil, nil},
		{"overlapping, nothing shared", c, []Planned{{Key: "IT-2", Open: true, Window: win(20, 22), ServiceIDs: []int64{3}, CIIDs: []int64{11}}}, nil, nil},
		{"the other is closed", c, []Planned{{Key: "IT-2", Open: false, Window: win(20, 22), ServiceIDs: []int64{1}}}, nil, nil},
		{"the other has no window", c, []Planned{{Key: "IT-2", Open: true, ServiceIDs: []int64{1}}}, nil, nil},
		{"itself is skipped", c, []Planned{c}, nil, nil},
		{"a closed change collides with nothing", Planned{Key: "IT-1", Open: false, Window: win(20, 22), ServiceIDs: []int64{1}},
			[]Planned{{Key: "IT-2", Open: true, Window: win(20, 22), ServiceIDs: []int64{1}}}, nil, nil},
		{"freeze on all services", c, nil, []Freeze{{ID: 5, Name: "Quarter end", Start: at(0), End: at(48), AllServices: true}}, []string{"freeze:5"}},
		{"freeze on one of its services", c, nil, []Freeze{{ID: 5, Name: "Payroll", Start: at(21), End: at(30), ServiceIDs: []int64{2, 9}}}, []string{"freeze:5"}},
		{"freeze on another service", c, nil, []Freeze{{ID: 5, Name: "Payroll", Start: at(0), End: at(48), ServiceIDs: []int64{9}}}, nil},
		{"freeze before", c, nil, []Freeze{{ID: 5, Name: "Earlier", Start: at(0), End: at(20), AllServices: true}}, nil},
		{"both", c, []Planned{{Key: "IT-3", Open: true, Window: win(21, 25), CIIDs: []int64{10}, ServiceIDs: []int64{1}}},
			[]Freeze{{ID: 6, Name: "Peak", Start: at(21), End: at(22), AllServices: true}}, []string{"collision:IT-3", "freeze:6"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, cf := range Conflicts(tc.c, tc.others, tc.freezes) {
				if cf.Kind == ConflictCollision {
					got = append(got, "collision:"+cf.Change)
				} else {
					got = append(got, "freeze:"+strconv.FormatInt(cf.FreezeID, 10))
				}
				if cf.Message == "" || !cf.Overlap.End.After(cf.Overlap.Start) {
					t.Errorf("conflict %+v lacks a message or an overlap", cf)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConflictDetails(t *testing.T) {
	c := Planned{Key: "IT-1", Open: true, Window: win(20, 22), ServiceIDs: []int64{1, 2}, CIIDs: []int64{10, 11}}
	o := Planned{Key: "IT-2", Status: "Scheduled", Open: true, Window: win(21, 30), ServiceIDs: []int64{2, 1}, CIIDs: []int64{11}}
	cs := Conflicts(c, []Planned{o}, nil)
	if len(cs) != 1 {
		t.Fatalf("got %d conflicts", len(cs))
	}
	cf := cs[0]
	if !slices.Equal(cf.ServiceIDs, []int64{1, 2}) || !slices.Equal(cf.CIIDs, []int64{11}) {
		t.Errorf("shared services %v CIs %v", cf.ServiceIDs, cf.CIIDs)
	}
	if cf.Overlap != win(21, 22) {
		t.Errorf("overlap %v, want 21:00-22:00", cf.Overlap)
	}
	if cf.Message != "IT-2 (Scheduled) works on the same CI and 2 services at the same time" {
		t.Errorf("message %q", cf.Message)
	}
}

func TestCollisions(t *testing.T) {
	all := []Planned{
		{Key: "IT-1", Open: true, Window: win(0, 10), ServiceIDs: []int64{1}},
		{Key: "IT-2", Open: true, Window: win(5, 6), ServiceIDs: []int64{1}},
		{Key: "IT-3", Open: true, Window: win(8, 12), ServiceIDs: []int64{2}},
		{Key: "IT-4", Open: true, Window: win(9, 11), ServiceIDs: []int64{2, 1}},
		{Key: "IT-5", Open: true, ServiceIDs: []int64{1}}, // no window
		{Key: "IT-6", Open: true, Window: win(30, 31), ServiceIDs: []int64{3}},
	}
	freezes := []Freeze{{ID: 1, Name: "Night", Start: at(30), End: at(40), ServiceIDs: []int64{3}}}
	got := map[string][]string{}
	for key, cs := range Collisions(all, freezes) {
		for _, c := range cs {
			if c.Kind == ConflictCollision {
				got[key] = append(got[key], c.Change)
			} else {
				got[key] = append(got[key], c.Name)
			}
		}
	}
	want := map[string][]string{
		"IT-1": {"IT-2", "IT-4"}, "IT-2": {"IT-1"}, "IT-3": {"IT-4"}, "IT-4": {"IT-1", "IT-3"}, "IT-6": {"Night"},
	}
	for k, v := range want {
		slices.Sort(got[k])
		if !slices.Equal(got[k], v) {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s has conflicts %v, want none", k, got[k])
		}
	}
}

func TestFreezeValidate(t *testing.T) {
	f := Freeze{Name: "Q4", Start: at(0), End: at(1), ServiceIDs: []int64{2, 2, 1}}
	if err := f.Validate(); err != nil || !slices.Equal(f.ServiceIDs, []int64{1, 2}) {
		t.Errorf("%v %v", err, f.ServiceIDs)
	}
	none := Freeze{Name: "Q4", Start: at(0), End: at(1)}
	if err := none.Validate(); err == nil {
		t.Error("a freeze of no service passes")
	}
	back := Freeze{Name: "Q4", Start: at(1), End: at(0), AllServices: true}
	if err := back.Validate(); err == nil {
		t.Error("a freeze that ends before it starts passes")
	}
}
