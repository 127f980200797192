package change

import (
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// allLow answers every default question with its first (safest) answer.
func allLow(m Model) map[string]string {
	out := map[string]string{}
	for _, q := range m.Questions {
		out[q.Key] = q.Options[0].Label
	}
	return out
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestAssess(t *testing.T) {
	m := DefaultModel()
	if err := m.Validate(); err != nil {
		t.Fatalf("the default model is invalid: %v", err)
	}
	low := allLow(m)
	for _, tc := range []struct {
		name    string
		answers map[string]string
		factors Factors
		score   int
		level   Level
		explain []string // lines Explain must give, in order
	}{
		{"safest answers, nothing touched", low, Factors{}, 0, LevelLow, nil},
		{"one service adds nothing", low, Factors{Services: []string{"Mail"}}, 0, LevelLow, nil},
		{"untested", with(low, "tested", "No"), Factors{}, 4, LevelMedium,
			[]string{"+4 Has the change been tested?: No"}},
		{"answers in any letter case", with(low, "tested", "no"), Factors{}, 4, LevelMedium, nil},
		{"critical CI", low, Factors{Criticality: cmdb.CriticalityCritical, CriticalCI: "db-prod-01", Services: []string{"CRM"}}, 5, LevelMedium,
			[]string{"+5 Most critical CI touched or affected: critical (db-prod-01)"}},
		{"three services", low, Factors{Services: []string{"CRM", "Mail", "VPN"}}, 2, LevelLow,
			[]string{"+2 Services affected: 3 (CRM, Mail, VPN)"}},
		{"service points are capped", low, Factors{Services: make([]string, 12)}, 4, LevelMedium, nil},
		{"high: untested, no backout", with(low, "tested", "No", "backout", "No, it cannot be undone"), Factors{}, 9, LevelHigh, nil},
		{"critical: everything at once",
			with(low, "tested", "No", "backout", "No, it cannot be undone", "downtime", "More than 2 hours"),
			Factors{Criticality: cmdb.CriticalityHigh, Services: []string{"A", "B"}}, 18, LevelCritical,
			[]string{"+4 Has the change been tested?: No", "+5 Can the change be backed out?: No, it cannot be undone",
				"+5 How long will users be without the service?: More than 2 hours", "+3 Most critical CI touched or affected: high", "+1 Services affected: 2 (A, B)"}},
		{"thresholds are inclusive", with(low, "downtime", "30 minutes to 2 hours", "users", "One team"), Factors{}, 4, LevelMedium, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Assess(m, tc.answers, tc.factors)
			if err != nil {
				t.Fatal(err)
			}
			if a.Score != tc.score || a.Level != tc.level {
				t.Errorf("score %d level %s, want %d %s", a.Score, a.Level, tc.score, tc.level)
			}
			sum := 0
			for _, c := range a.Contributions {
				sum += c.Points
			}
			if sum != a.Score {
				t.Errorf("contributions add up to %d, score %d", sum, a.Score)
			}
			if tc.explain != nil && strings.Join(a.Explain(), "\n") != strings.Join(tc.explain, "\n") {
				t.Errorf("explanation:\n%s\nwant:\n%s", strings.Join(a.Explain(), "\n"), strings.Join(tc.explain, "\n"))
			}
		})
	}
}

func TestAssessRefuses(t *testing.T) {
	m := DefaultModel()
	for _, tc := range []struct {
		name    string
		answers map[string]string
		field   string
	}{
		{"unanswered", with(allLow(m), "tested", ""), "answers.tested"},
		{"not an option", with(allLow(m), "backout", "Maybe"), "answers.backout"},
		{"unknown question", with(allLow(m), "colour", "Blue"), "answers.colour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Assess(m, tc.answers, Factors{})
			if e, ok := errs.As(err); !ok || e.Field != tc.field || e.Kind != errs.KindInvalid {
				t.Errorf("got %v, want an invalid %s", err, tc.field)
			}
		})
	}
}

func TestModelValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Model)
		field string
	}{
		{"default", func(*Model) {}, ""},
		{"no questions is fine", func(m *Model) { m.Questions = nil }, ""},
		{"bad key", func(m *Model) { m.Questions[0].Key = "Tested?" }, "questions[0].key"},
		{"duplicate key", func(m *Model) { m.Questions[1].Key = m.Questions[0].Key }, "questions[1].key"},
		{"no text", func(m *Model) { m.Questions[2].Text = " " }, "questions[2].text"},
		{"one option", func(m *Model) { m.Questions[0].Options = m.Questions[0].Options[:1] }, "questions[0].options"},
		{"duplicate option", func(m *Model) { m.Questions[0].Options[1].Label = "no"; m.Questions[0].Options[2].Label = "No" }, "questions[0].options[2].label"},
		{"negative score", func(m *Model) { m.Questions[0].Options[0].Score = -1 }, "questions[0].options[0].score"},
		{"thresholds out of order", func(m *Model) { m.Thresholds.High = m.Thresholds.Medium }, "thresholds"},
		{"unknown criticality", func(m *Model) { m.CriticalityPoints["huge"] = 9 }, "criticality_points"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := DefaultModel()
			tc.edit(&m)
			err := m.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e, ok := errs.As(err); !ok || e.Field != tc.field {
				t.Errorf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
}

func TestTemplateValidate(t *testing.T) {
	ok := Template{Name: "Restart a web node", ImplementationPlan: "Drain, restart, check.", Risk: LevelLow}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	high := ok
	high.Risk = LevelHigh
	if e, _ := errs.As(high.Validate()); e == nil || e.Field != "risk" {
		t.Errorf("a high-risk standard change: %v, want refused on risk", e)
	}
	noPlan := ok
	noPlan.ImplementationPlan = "  "
	if e, _ := errs.As(noPlan.Validate()); e == nil || e.Field != "implementation_plan" {
		t.Errorf("no plan: %v", e)
	}
}
