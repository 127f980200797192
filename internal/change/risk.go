package change

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// Level is the risk of a change, from low to critical.
type Level string

// The risk levels, from least to most.
const (
	LevelLow      Level = "low"
	LevelMedium   Level = "medium"
	LevelHigh     Level = "high"
	LevelCritical Level = "critical"
)

// Levels lists every risk level from least to most.
var Levels = []Level{LevelLow, LevelMedium, LevelHigh, LevelCritical}

// Rank orders levels: 1 for low up to 4 for critical, 0 when unknown.
func (l Level) Rank() int { return slices.Index(Levels, l) + 1 }

// Valid reports whether l is a known level.
func (l Level) Valid() bool { return l.Rank() > 0 }

// ParseLevel reads a level in any letter case; empty stays empty.
func ParseLevel(field, s string) (Level, error) {
	l := Level(strings.ToLower(strings.TrimSpace(s)))
	if l == "" || l.Valid() {
		return l, nil
	}
	return "", errs.Invalid(field, "must be one of low, medium, high, critical")
}

// Option is one answer to a question, with the points it adds.
type Option struct {
	Label string `json:"label"`
	Score int    `json:"score"`
}

// Question is one question of the risk questionnaire.
type Question struct {
	Key     string   `json:"key"` // names the answer; stable when the text is edited
	Text    string   `json:"text"`
	Help    string   `json:"help,omitempty"`
	Options []Option `json:"options"`
}

// Thresholds are the scores at which a change becomes medium, high and
// critical risk; below Medium it is low.
type Thresholds struct {
	Medium   int `json:"medium"`
	High     int `json:"high"`
	Critical int `json:"critical"`
}

// Model is the risk questionnaire with the weights of the factors that do
// not come from answers: how critical the change's CIs are, and how many
// services they affect. Admins edit it as a whole.
type Model struct {
	Questions []Question `json:"questions"`
	// CriticalityPoints are added for the most critical CI the change
	// touches or could take down, by criticality.
	CriticalityPoints map[cmdb.Criticality]int `json:"criticality_points"`
	// ServicePoints are added for each affected service beyond the first,
	// up to MaxServicePoints.
	ServicePoints    int        `json:"service_points"`
	MaxServicePoints int        `json:"max_service_points"`
	Thresholds       Thresholds `json:"thresholds"`
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Validate checks a model before it is saved.
func (m *Model) Validate() error {
	if len(m.Questions) > 50 {
		return errs.Invalid("questions", "at most 50 questions")
	}
	keys := map[string]bool{}
	for i := range m.Questions {
		q := &m.Questions[i]
		at := fmt.Sprintf("questions[%d]", i)
		q.Key = strings.TrimSpace(q.Key)
		q.Text = strings.TrimSpace(q.Text)
		q.Help = strings.TrimSpace(q.Help)
		if !keyPattern.MatchString(q.Key) {
			return errs.Invalid(at+".key", "must be lower-case letters, digits and _, starting with a letter")
		}
		if keys[q.Key] {
			return errs.Invalid(at+".key", "key %q is used twice", q.Key)
		}
		keys[q.Key] = true
		if q.Text == "" {
			return errs.Required(at + ".text")
		}
		if len(q.Text) > 500 || len(q.Help) > 2000 {
			return errs.Invalid(at+".text", "is too long")
		}
		if len(q.Options) < 2 || len(q.Options) > 20 {
			return errs.Invalid(at+".options", "a question needs from 2 to 20 answers")
		}
		labels := map[string]bool{}
		for j := range q.Options {
			o := &q.Options[j]
			o.Label = strings.TrimSpace(o.Label)
			oat := fmt.Sprintf("%s.options[%d]", at, j)
			if o.Label == "" {
				return errs.Required(oat + ".label")
			}
			if labels[strings.ToLower(o.Label)] {
				return errs.Invalid(oat+".label", "answer %q is listed twice", o.Label)
			}
			labels[strings.ToLower(o.Label)] = true
			if o.Score < 0 || o.Score > 100 {
				return errs.Invalid(oat+".score", "must be from 0 to 100")
			}
		}
	}
	for c, p := range m.CriticalityPoints {
		if !c.Valid() {
			return errs.Invalid("criticality_points", "unknown criticality %q", c)
		}
		if p < 0 || p > 100 {
			return errs.Invalid("criticality_points", "points must be from 0 to 100")
		}
	}
	if m.ServicePoints < 0 || m.ServicePoints > 100 || m.MaxServicePoints < 0 || m.MaxServicePoints > 100 {
		return errs.Invalid("service_points", "points must be from 0 to 100")
	}
	t := m.Thresholds
	if t.Medium < 1 || t.High <= t.Medium || t.Critical <= t.High {
		return errs.Invalid("thresholds", "need 0 < medium < high < critical")
	}
	return nil
}

// DefaultModel is the questionnaire a new Cairn starts with.
func DefaultModel() Model {
	return Model{
		Questions: []Question{
			{Key: "tested", Text: "Has the change been tested?", Options: []Option{
				{"Yes, in a production-like environment", 0}, {"Partly, or in a different environment", 2}, {"No", 4}}},
			{Key: "backout", Text: "Can the change be backed out?", Options: []Option{
				{"Yes, and the backout has been tested", 0}, {"Yes, but the backout is untested", 2}, {"No, it cannot be undone", 5}}},
			{Key: "downtime", Text: "How long will users be without the service?", Options: []Option{
				{"No downtime", 0}, {"Less than 30 minutes", 1}, {"30 minutes to 2 hours", 3}, {"More than 2 hours", 5}}},
			{Key: "experience", Text: "Has the team made this kind of change before?", Options: []Option{
				{"Routinely", 0}, {"Once or twice", 1}, {"Never", 3}}},
			{Key: "users", Text: "Who will notice if it goes wrong?", Options: []Option{
				{"Nobody outside IT", 0}, {"One team", 1}, {"A department or a customer organization", 2}, {"Everyone", 4}}},
		},
		CriticalityPoints: map[cmdb.Criticality]int{cmdb.CriticalityLow: 0, cmdb.CriticalityMedium: 1, cmdb.CriticalityHigh: 3, cmdb.CriticalityCritical: 5},
		ServicePoints:     1, MaxServicePoints: 4,
		Thresholds: Thresholds{Medium: 4, High: 8, Critical: 13},
	}
}

// Factors are what the store knows of a change beyond the answers: the
// most critical CI it touches or could take down, and how many catalogue
// services it affects (its own and those its CIs carry).
type Factors struct {
	Criticality cmdb.Criticality `json:"criticality,omitempty"` // empty: the change names no CI
	CriticalCI  string           `json:"critical_ci,omitempty"` // the CI that gave it
	Services    []string         `json:"services"`              // names of the affected services
}

// Contribution is one line of a risk's explanation: what added how much.
type Contribution struct {
	Factor string `json:"factor"` // "answer", "criticality", "services", "template"
	Label  string `json:"label"`  // the question, or the factor for people
	Detail string `json:"detail"` // the answer given, or the value of the factor
	Points int    `json:"points"`
}

// Assessment is a change's scored risk with its explanation.
type Assessment struct {
	Level         Level             `json:"level"`
	Score         int               `json:"score"`
	Answers       map[string]string `json:"answers"` // question key → answer label
	Contributions []Contribution    `json:"contributions"`
	Thresholds    Thresholds        `json:"thresholds"`
	AssessedByID  int64             `json:"assessed_by_id,omitempty"`
	AssessedBy    string            `json:"assessed_by"`
	AssessedAt    time.Time         `json:"assessed_at"`
}

// Explain says the assessment in one sentence per contribution that
// added points, for people.
func (a Assessment) Explain() []string {
	var out []string
	for _, c := range a.Contributions {
		if c.Points == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("+%d %s: %s", c.Points, c.Label, c.Detail))
	}
	return out
}

// Assess scores a change: every question must be answered with one of its
// options; the answers' points, the criticality points and the service
// points add up to a score that the thresholds turn into a level.
func Assess(m Model, answers map[string]string, f Factors) (Assessment, error) {
	a := Assessment{Answers: map[string]string{}, Thresholds: m.Thresholds, Contributions: []Contribution{}}
	for k := range answers {
		if !slices.ContainsFunc(m.Questions, func(q Question) bool { return q.Key == k }) {
			return a, errs.Invalid("answers."+k, "is not a question of the questionnaire")
		}
	}
	for _, q := range m.Questions {
		given := strings.TrimSpace(answers[q.Key])
		if given == "" {
			return a, errs.Required("answers." + q.Key)
		}
		i := slices.IndexFunc(q.Options, func(o Option) bool { return strings.EqualFold(o.Label, given) })
		if i < 0 {
			return a, errs.Invalid("answers."+q.Key, "%q is not an answer to %q", given, q.Text)
		}
		o := q.Options[i]
		a.Answers[q.Key] = o.Label
		a.Contributions = append(a.Contributions, Contribution{Factor: "answer", Label: q.Text, Detail: o.Label, Points: o.Score})
		a.Score += o.Score
	}
	if f.Criticality != "" {
		p := m.CriticalityPoints[f.Criticality]
		detail := string(f.Criticality)
		if f.CriticalCI != "" {
			detail = fmt.Sprintf("%s (%s)", f.Criticality, f.CriticalCI)
		}
		a.Contributions = append(a.Contributions, Contribution{Factor: "criticality", Label: "Most critical CI touched or affected", Detail: detail, Points: p})
		a.Score += p
	}
	n := len(f.Services)
	p := min(max(n-1, 0)*m.ServicePoints, m.MaxServicePoints)
	detail := fmt.Sprintf("%d", n)
	if n > 0 {
		detail += " (" + strings.Join(f.Services, ", ") + ")"
	}
	a.Contributions = append(a.Contributions, Contribution{Factor: "services", Label: "Services affected", Detail: detail, Points: p})
	a.Score += p
	a.Level = m.Thresholds.Level(a.Score)
	return a, nil
}

// Level turns a score into a risk level.
func (t Thresholds) Level(score int) Level {
	switch {
	case score >= t.Critical:
		return LevelCritical
	case score >= t.High:
		return LevelHigh
	case score >= t.Medium:
		return LevelMedium
	}
	return LevelLow
}

// Preset is the assessment of a standard change: its template's risk.
func Preset(tpl Template) Assessment {
	return Assessment{
		Level: tpl.Risk, Answers: map[string]string{},
		Contributions: []Contribution{{Factor: "template", Label: "Standard change template", Detail: fmt.Sprintf("%s (preset %s risk)", tpl.Name, tpl.Risk)}},
	}
}
