package ticket

import (
	"fmt"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Problem management: a problem ticket carries a root cause analysis, groups
// the incidents it causes, records known errors with their workarounds,
// and when it is resolved may resolve or notify its incidents.

// AnalysisMethod is how a problem's root cause was looked for.
type AnalysisMethod string

// The analysis methods.
const (
	MethodFiveWhys AnalysisMethod = "five_whys" // up to five questions, each asking why of the answer before
	MethodFreeForm AnalysisMethod = "free_form" // prose
)

// Why is one question of a five-whys analysis and its answer.
type Why struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Analysis is a problem's root cause analysis.
type Analysis struct {
	Symptoms  string         `json:"symptoms"`
	RootCause string         `json:"root_cause"`
	Method    AnalysisMethod `json:"method"`
	Whys      []Why          `json:"whys"`
	Notes     string         `json:"notes"` // the free-form analysis, or remarks beside the whys
	UpdatedBy string         `json:"updated_by,omitempty"`
	UpdatedAt *time.Time     `json:"updated_at,omitempty"`
}

// Limits of an analysis.
const (
	MaxWhys         = 5
	MaxAnalysisText = 16 * 1024
	MaxWhyText      = 1000
)

// Clean trims the analysis and checks it. Pairs left wholly empty are
// dropped, so that a form with five blank rows saves none. Without a
// method, whys make it five whys and their absence free form.
func (a *Analysis) Clean() error {
	for field, p := range map[string]*string{"symptoms": &a.Symptoms, "root_cause": &a.RootCause, "notes": &a.Notes} {
		*p = strings.TrimSpace(*p)
		if len(*p) > MaxAnalysisText {
			return errs.Invalid(field, "must be at most %d bytes", MaxAnalysisText)
		}
	}
	whys := make([]Why, 0, len(a.Whys))
	for i, w := range a.Whys {
		w.Question, w.Answer = strings.TrimSpace(w.Question), strings.TrimSpace(w.Answer)
		if w.Question == "" && w.Answer == "" {
			continue
		}
		at := fmt.Sprintf("whys[%d]", i)
		if w.Question == "" {
			return errs.Required(at + ".question")
		}
		if len(w.Question) > MaxWhyText {
			return errs.Invalid(at+".question", "must be at most %d bytes", MaxWhyText)
		}
		if len(w.Answer) > MaxWhyText {
			return errs.Invalid(at+".answer", "must be at most %d bytes", MaxWhyText)
		}
		whys = append(whys, w)
	}
	if len(whys) > MaxWhys {
		return errs.Invalid("whys", "a five-whys analysis has at most %d questions", MaxWhys)
	}
	a.Whys = whys
	switch a.Method {
	case "":
		a.Method = MethodFreeForm
		if len(whys) > 0 {
			a.Method = MethodFiveWhys
		}
	case MethodFiveWhys:
	case MethodFreeForm:
		if len(whys) > 0 {
			return errs.Invalid("whys", "a free-form analysis has no whys; choose five_whys")
		}
	default:
		return errs.Invalid("method", "must be five_whys or free_form")
	}
	return nil
}

// Empty reports whether nothing of the analysis is written yet.
func (a Analysis) Empty() bool {
	return a.Symptoms == "" && a.RootCause == "" && a.Notes == "" && len(a.Whys) == 0
}

// KnownErrorStatus says whether a known error's workaround still applies.
type KnownErrorStatus string

// The known error statuses.
const (
	KnownErrorActive  KnownErrorStatus = "active"  // the workaround is the answer for now
	KnownErrorFixed   KnownErrorStatus = "fixed"   // a permanent fix removed the error
	KnownErrorRetired KnownErrorStatus = "retired" // no longer relevant
)

// KnownErrorStatuses lists the statuses.
var KnownErrorStatuses = []KnownErrorStatus{KnownErrorActive, KnownErrorFixed, KnownErrorRetired}

// ValidKnownErrorStatus reports whether s names a status.
func ValidKnownErrorStatus(s KnownErrorStatus) bool {
	return s == KnownErrorActive || s == KnownErrorFixed || s == KnownErrorRetired
}

// KnownError is a problem whose cause is known, with the workaround agents
// apply to its incidents until it is fixed.
type KnownError struct {
	ID             int64            `json:"id"`
	ProblemID      int64            `json:"-"`
	Problem        string           `json:"problem"` // the problem ticket's key
	ProblemSummary string           `json:"problem_summary"`
	ProblemStatus  string           `json:"problem_status"`
	Title          string           `json:"title"`
	Symptoms       string           `json:"symptoms"`
	Workaround     string           `json:"workaround"`
	Status         KnownErrorStatus `json:"status"`
	CreatedByID    int64            `json:"created_by_id,omitempty"`
	CreatedBy      string           `json:"created_by"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
}

// Clean trims a known error's text and checks it; a missing status is active.
func (k *KnownError) Clean() error {
	var err error
	if k.Title, err = CleanSummary(k.Title); err != nil {
		if e, ok := errs.As(err); ok {
			e.Field = "title"
		}
		return err
	}
	k.Symptoms, k.Workaround = strings.TrimSpace(k.Symptoms), strings.TrimSpace(k.Workaround)
	if len(k.Symptoms) > MaxAnalysisText {
		return errs.Invalid("symptoms", "must be at most %d bytes", MaxAnalysisText)
	}
	if k.Workaround == "" {
		return errs.Required("workaround")
	}
	if len(k.Workaround) > MaxAnalysisText {
		return errs.Invalid("workaround", "must be at most %d bytes", MaxAnalysisText)
	}
	if k.Status == "" {
		k.Status = KnownErrorActive
	}
	if !ValidKnownErrorStatus(k.Status) {
		return errs.Invalid("status", "must be active, fixed or retired")
	}
	return nil
}

// WorkaroundComment is the comment that applying a known error posts on an
// incident.
func (k KnownError) WorkaroundComment() string {
	return fmt.Sprintf("**Workaround** (known error %s, problem %s)\n\n%s", k.Title, k.Problem, k.Workaround)
}

// Cascade is what resolving a problem does to its open incidents.
type Cascade string

// The cascades.
const (
	CascadeNone    Cascade = "none"    // leave them as they are
	CascadeNotify  Cascade = "notify"  // tell their customers with a public comment
	CascadeResolve Cascade = "resolve" // resolve them too, with the problem's resolution
)

// ParseCascade reads a cascade; empty means none.
func ParseCascade(s string) (Cascade, error) {
	switch c := Cascade(strings.ToLower(strings.TrimSpace(s))); c {
	case "":
		return CascadeNone, nil
	case CascadeNone, CascadeNotify, CascadeResolve:
		return c, nil
	}
	return "", errs.Invalid("cascade", "must be none, notify or resolve")
}

// ProblemResolvedComment is what an incident's customers read when the
// problem behind it is resolved.
func ProblemResolvedComment(problem Ticket, resolution, comment string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The problem behind this incident, %s (%s), has been resolved", problem.Key, problem.Summary)
	if resolution != "" {
		fmt.Fprintf(&b, ": %s", resolution)
	}
	b.WriteString(".")
	if c := strings.TrimSpace(comment); c != "" {
		b.WriteString("\n\n" + c)
	}
	return b.String()
}
