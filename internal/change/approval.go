package change

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// QuorumKind says how many approvers of a step must approve.
type QuorumKind string

// The quorum kinds.
const (
	QuorumAll   QuorumKind = "all"   // every approver
	QuorumAny   QuorumKind = "any"   // one approver
	QuorumCount QuorumKind = "count" // N of the M approvers
)

// Quorum is how many approvals a step needs.
type Quorum struct {
	Kind  QuorumKind `json:"kind"`
	Count int        `json:"count,omitempty"` // N, for QuorumCount
}

// Validate checks a quorum.
func (q *Quorum) Validate() error {
	q.Kind = QuorumKind(strings.ToLower(strings.TrimSpace(string(q.Kind))))
	switch q.Kind {
	case QuorumAll, QuorumAny:
		q.Count = 0
	case QuorumCount:
		if q.Count < 1 || q.Count > 100 {
			return errs.Invalid("quorum.count", "must be from 1 to 100")
		}
	default:
		return errs.Invalid("quorum.kind", "must be one of all, any, count")
	}
	return nil
}

// Needed is how many approvals of m approvers reach the quorum.
func (q Quorum) Needed(m int) int {
	switch q.Kind {
	case QuorumAny:
		return min(1, m)
	case QuorumCount:
		return q.Count
	}
	return m
}

// Describe says the quorum over m approvers: "all 3", "any one of 4", "2 of 3".
func (q Quorum) Describe(m int) string {
	switch q.Kind {
	case QuorumAny:
		return fmt.Sprintf("any one of %d", m)
	case QuorumCount:
		return fmt.Sprintf("%d of %d", q.Count, m)
	}
	return fmt.Sprintf("all %d", m)
}

// Decision is where an approval, a step or the whole approval stands.
type Decision string

// The decisions.
const (
	Pending  Decision = "pending"
	Approved Decision = "approved"
	Declined Decision = "declined"
	Canceled Decision = "canceled" // withdrawn: the ticket moved on without it
)

// Tally decides a step from its votes: approved once the quorum has
// approved; declined when a decline vetoes (the rule says one decline is
// final) or when too many declined for the quorum to be reached; pending
// otherwise. m is the number of approvers of the step.
func Tally(q Quorum, m, approved, declined int, veto bool) Decision {
	need := q.Needed(m)
	switch {
	case m == 0 || need > m:
		return Declined // cannot ever be reached; refused when steps are made
	case approved >= need:
		return Approved
	case veto && declined > 0:
		return Declined
	case declined > m-need:
		return Declined
	}
	return Pending
}

// Combine decides the whole approval from its steps: declined as soon as
// one step is, approved when every step is, pending otherwise.
func Combine(steps []Decision) Decision {
	if len(steps) == 0 {
		return Pending
	}
	if slices.Contains(steps, Declined) {
		return Declined
	}
	for _, s := range steps {
		if s != Approved {
			return Pending
		}
	}
	return Approved
}

// ApproverKind says where a rule finds its approvers.
type ApproverKind string

// The approver kinds.
const (
	// ApproverTeam is a named team, such as a CAB.
	ApproverTeam ApproverKind = "team"
	// ApproverServiceOwner is the owner team of each service the change
	// or request is on.
	ApproverServiceOwner ApproverKind = "service_owner"
	// ApproverCIOwner is the owner team of each CI the change names.
	ApproverCIOwner ApproverKind = "ci_owner"
	// ApproverUsers are named people.
	ApproverUsers ApproverKind = "users"
	// ApproverField is the person a request's form names in a user field,
	// such as the requester's manager.
	ApproverField ApproverKind = "field"
)

// ApproverKinds lists every approver kind.
var ApproverKinds = []ApproverKind{ApproverTeam, ApproverServiceOwner, ApproverCIOwner, ApproverUsers, ApproverField}

// Rule chooses approvers for changes, or for the service requests of one
// request type.
type Rule struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// RequestTypeID makes it a rule of that request type's requests; 0
	// makes it a change rule.
	RequestTypeID int64 `json:"request_type_id,omitempty"`
	// ChangeTypes are the change types it applies to: normal, emergency
	// or both. Change rules only.
	ChangeTypes []Type `json:"change_types"`
	// MinRisk applies the rule only from this risk up; empty: any risk.
	MinRisk  Level        `json:"min_risk,omitempty"`
	Approver ApproverKind `json:"approver"`
	TeamID   int64        `json:"team_id,omitempty"`   // ApproverTeam
	UserIDs  []int64      `json:"user_ids"`            // ApproverUsers
	FieldKey string       `json:"field_key,omitempty"` // ApproverField
	Quorum   Quorum       `json:"quorum"`
	// DeclineVetoes makes one decline decline the step; otherwise a step
	// is declined only once its quorum cannot be reached.
	DeclineVetoes bool      `json:"decline_vetoes"`
	Active        bool      `json:"active"`
	Position      int       `json:"position"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Validate checks a rule before it is saved.
func (r *Rule) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		return errs.Required("name")
	}
	if len(r.Name) > 200 {
		return errs.Invalid("name", "must be at most 200 characters")
	}
	if r.RequestTypeID == 0 {
		if len(r.ChangeTypes) == 0 {
			return errs.Required("change_types")
		}
		for i, t := range r.ChangeTypes {
			if !t.NeedsApproval() {
				return errs.Invalid(fmt.Sprintf("change_types[%d]", i), "must be normal or emergency: standard changes are pre-approved")
			}
		}
		slices.Sort(r.ChangeTypes)
		r.ChangeTypes = slices.Compact(r.ChangeTypes)
	} else {
		if len(r.ChangeTypes) > 0 {
			return errs.Invalid("change_types", "a request type's rule applies to its requests, not to changes")
		}
		if r.MinRisk != "" {
			return errs.Invalid("min_risk", "requests have no risk level")
		}
		if r.Approver == ApproverCIOwner {
			return errs.Invalid("approver", "requests name no CIs; choose another approver")
		}
	}
	if r.ChangeTypes == nil {
		r.ChangeTypes = []Type{}
	}
	if r.MinRisk != "" && !r.MinRisk.Valid() {
		return errs.Invalid("min_risk", "must be one of low, medium, high, critical")
	}
	switch r.Approver {
	case ApproverTeam:
		if r.TeamID == 0 {
			return errs.Required("team")
		}
	case ApproverServiceOwner, ApproverCIOwner:
	case ApproverUsers:
		if len(r.UserIDs) == 0 {
			return errs.Required("users")
		}
		if len(r.UserIDs) > 100 {
			return errs.Invalid("users", "at most 100 people")
		}
	case ApproverField:
		if r.RequestTypeID == 0 {
			return errs.Invalid("approver", "only a request type's rule can name a form field")
		}
		if !keyPattern.MatchString(r.FieldKey) {
			return errs.Required("field_key")
		}
	default:
		return errs.Invalid("approver", "must be one of team, service_owner, ci_owner, users, field")
	}
	if r.Approver != ApproverTeam {
		r.TeamID = 0
	}
	if r.Approver != ApproverUsers {
		r.UserIDs = nil
	}
	if r.Approver != ApproverField {
		r.FieldKey = ""
	}
	if r.UserIDs == nil {
		r.UserIDs = []int64{}
	}
	return r.Quorum.Validate()
}

// AppliesToChange reports whether a change rule applies to a change of the
// given type and risk. A rule with a minimum risk needs an assessed risk.
func (r Rule) AppliesToChange(t Type, risk Level) bool {
	if !r.Active || r.RequestTypeID != 0 || !slices.Contains(r.ChangeTypes, t) {
		return false
	}
	return r.MinRisk == "" || risk.Rank() >= r.MinRisk.Rank()
}

// EffectiveQuorum is the quorum a step of a change of type t needs: an
// emergency cannot wait for a full board, so any one approver decides.
func EffectiveQuorum(t Type, q Quorum) Quorum {
	if t == TypeEmergency {
		return Quorum{Kind: QuorumAny}
	}
	return q
}

// CheckApprovers refuses a step that could never be decided: no approver,
// or fewer than its quorum needs.
func CheckApprovers(name string, q Quorum, m int) error {
	if m == 0 {
		return errs.Conflict("no_approvers", "approval step %q finds no one who may approve", name)
	}
	if q.Needed(m) > m {
		return errs.Conflict("no_approvers", "approval step %q needs %d approvals but finds only %d approvers", name, q.Needed(m), m)
	}
	return nil
}

// ParseVote reads an approver's decision: approve or decline.
func ParseVote(s string) (Decision, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "approve", "approved":
		return Approved, nil
	case "decline", "declined", "reject":
		return Declined, nil
	case "":
		return "", errs.Required("decision")
	}
	return "", errs.Invalid("decision", "must be approve or decline")
}
