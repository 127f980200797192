package ticket

import "strings"

// Priority orders work. The names follow Jira Service Management's so that
// existing habits and clients carry over.
type Priority string

// The priorities, highest first.
const (
	PriorityHighest Priority = "Highest"
	PriorityHigh    Priority = "High"
	PriorityMedium  Priority = "Medium"
	PriorityLow     Priority = "Low"
	PriorityLowest  Priority = "Lowest"
)

// Priorities lists every priority, highest first.
var Priorities = []Priority{PriorityHighest, PriorityHigh, PriorityMedium, PriorityLow, PriorityLowest}

// ParsePriority accepts a priority name in any letter case.
func ParsePriority(s string) (Priority, bool) {
	for _, p := range Priorities {
		if strings.EqualFold(string(p), s) {
			return p, true
		}
	}
	return "", false
}

// Rank is 5 for Highest down to 1 for Lowest (0 when unknown): the higher,
// the more urgent. It sorts priorities in SQL.
func (p Priority) Rank() int {
	for i, q := range Priorities {
		if q == p {
			return len(Priorities) - i
		}
	}
	return 0
}

// Level is an impact or an urgency.
type Level string

// The levels of impact and urgency.
const (
	LevelHigh   Level = "high"
	LevelMedium Level = "medium"
	LevelLow    Level = "low"
)

// ParseLevel accepts a level in any letter case.
func ParseLevel(s string) (Level, bool) {
	for _, l := range []Level{LevelHigh, LevelMedium, LevelLow} {
		if strings.EqualFold(string(l), s) {
			return l, true
		}
	}
	return "", false
}

// Matrix derives an incident's priority from its impact and urgency, the
// ITIL way: the wider the impact and the sooner it hurts, the higher.
type Matrix map[Level]map[Level]Priority

// DefaultMatrix is the usual 3 x 3 matrix (impact rows, urgency columns).
var DefaultMatrix = Matrix{
	LevelHigh:   {LevelHigh: PriorityHighest, LevelMedium: PriorityHigh, LevelLow: PriorityMedium},
	LevelMedium: {LevelHigh: PriorityHigh, LevelMedium: PriorityMedium, LevelLow: PriorityLow},
	LevelLow:    {LevelHigh: PriorityMedium, LevelMedium: PriorityLow, LevelLow: PriorityLowest},
}

// Priority looks up the matrix; a missing impact or urgency counts as medium.
func (m Matrix) Priority(impact, urgency Level) Priority {
	if impact == "" {
		impact = LevelMedium
	}
	if urgency == "" {
		urgency = LevelMedium
	}
	if p, ok := m[impact][urgency]; ok {
		return p
	}
	return PriorityMedium
}
