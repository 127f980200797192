package ticket

import "testing"

func TestDefaultMatrix(t *testing.T) {
	tests := []struct {
		impact, urgency Level
		want            Priority
	}{
		{LevelHigh, LevelHigh, PriorityHighest},
		{LevelHigh, LevelMedium, PriorityHigh},
		{LevelHigh, LevelLow, PriorityMedium},
		{LevelMedium, LevelHigh, PriorityHigh},
		{LevelMedium, LevelMedium, PriorityMedium},
		{LevelMedium, LevelLow, PriorityLow},
		{LevelLow, LevelHigh, PriorityMedium},
		{LevelLow, LevelMedium, PriorityLow},
		{LevelLow, LevelLow, PriorityLowest},
		// A missing impact or urgency counts as medium.
		{"", "", PriorityMedium},
		{"", LevelHigh, PriorityHigh},
		{"", LevelLow, PriorityLow},
		{LevelHigh, "", PriorityHigh},
		{LevelLow, "", PriorityLow},
		// A level the matrix does not know falls back to Medium.
		{"severe", LevelHigh, PriorityMedium},
	}
	for _, tt := range tests {
		if got := DefaultMatrix.Priority(tt.impact, tt.urgency); got != tt.want {
			t.Errorf("DefaultMatrix.Priority(%q, %q) = %q, want %q", tt.impact, tt.urgency, got, tt.want)
		}
	}
}

func TestParsePriority(t *testing.T) {
	tests := []struct {
		in   string
		want Priority
		ok   bool
	}{
		{"Highest", PriorityHighest, true},
		{"highest", PriorityHighest, true},
		{"HIGH", PriorityHigh, true},
		{"medium", PriorityMedium, true},
		{"Low", PriorityLow, true},
		{"lOwEsT", PriorityLowest, true},
		{"", "", false},
		{"urgent", "", false},
		{"High ", "", false},
		{"1", "", false},
	}
	for _, tt := range tests {
		got, ok := ParsePriority(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParsePriority(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPriorityRank(t *testing.T) {
	tests := []struct {
		p    Priority
		want int
	}{
		{PriorityHighest, 5}, {PriorityHigh, 4}, {PriorityMedium, 3}, {PriorityLow, 2}, {PriorityLowest, 1}, {"Bogus", 0}, {"", 0},
	}
	for _, tt := range tests {
		if got := tt.p.Rank(); got != tt.want {
			t.Errorf("%q.Rank() = %d, want %d", tt.p, got, tt.want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want Level
		ok   bool
	}{
		{"high", LevelHigh, true},
		{"High", LevelHigh, true},
		{"MEDIUM", LevelMedium, true},
		{"low", LevelLow, true},
		{"", "", false},
		{"critical", "", false},
		{"Highest", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseLevel(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseLevel(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
