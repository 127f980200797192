package change

import (
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func TestTally(t *testing.T) {
	all, anyOne, two := Quorum{Kind: QuorumAll}, Quorum{Kind: QuorumAny}, Quorum{Kind: QuorumCount, Count: 2}
	for _, tc := range []struct {
		name              string
		q                 Quorum
		m, approved, decl int
		veto              bool
		want              Decision
	}{
		{"all: none yet", all, 3, 0, 0, false, Pending},
		{"all: two of three", all, 3, 2, 0, false, Pending},
		{"all: every one", all, 3, 3, 0, false, Approved},
		{"all: one decline ends it even without veto", all, 3, 2, 1, false, Declined},
		{"any: first approval decides", anyOne, 4, 1, 0, false, Approved},
		{"any: declines without veto wait for the others", anyOne, 4, 0, 3, false, Pending},
		{"any: every one declined", anyOne, 4, 0, 4, false, Declined},
		{"any: one decline vetoes", anyOne, 4, 0, 1, true, Declined},
		{"any: an approval beats an earlier decline without veto", anyOne, 4, 1, 2, false, Approved},
		{"2 of 3: one approval", two, 3, 1, 0, false, Pending},
		{"2 of 3: two approvals", two, 3, 2, 0, false, Approved},
		{"2 of 3: one decline leaves room", two, 3, 1, 1, false, Pending},
		{"2 of 3: two declines, unreachable", two, 3, 0, 2, false, Declined},
		{"2 of 3: one decline with veto", two, 3, 1, 1, true, Declined},
		{"2 of 3: approved before the veto counts", two, 3, 2, 1, true, Approved},
		{"2 of 5", two, 5, 2, 3, false, Approved},
		{"quorum bigger than the group", Quorum{Kind: QuorumCount, Count: 4}, 3, 3, 0, false, Declined},
		{"nobody to ask", all, 0, 0, 0, false, Declined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tally(tc.q, tc.m, tc.approved, tc.decl, tc.veto); got != tc.want {
				t.Errorf("Tally = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	for _, tc := range []struct {
		steps []Decision
		want  Decision
	}{
		{nil, Pending},
		{[]Decision{Approved}, Approved},
		{[]Decision{Approved, Pending}, Pending},
		{[]Decision{Approved, Approved}, Approved},
		{[]Decision{Pending, Declined}, Declined},
		{[]Decision{Approved, Declined, Approved}, Declined},
	} {
		if got := Combine(tc.steps); got != tc.want {
			t.Errorf("Combine(%v) = %s, want %s", tc.steps, got, tc.want)
		}
	}
}

func TestEffectiveQuorum(t *testing.T) {
	two := Quorum{Kind: QuorumCount, Count: 2}
	if q := EffectiveQuorum(TypeEmergency, two); q.Kind != QuorumAny {
		t.Errorf("emergency: %v, want any one", q)
	}
	if q := EffectiveQuorum(TypeNormal, two); q != two {
		t.Errorf("normal: %v, want as the rule says", q)
	}
}

func TestRuleApplies(t *testing.T) {
	cab := Rule{Name: "CAB", ChangeTypes: []Type{TypeNormal}, MinRisk: LevelHigh, Approver: ApproverTeam, TeamID: 1, Quorum: Quorum{Kind: QuorumCount, Count: 2}, Active: true}
	ecab := Rule{Name: "ECAB", ChangeTypes: []Type{TypeEmergency}, Approver: ApproverTeam, TeamID: 2, Quorum: Quorum{Kind: QuorumAny}, Active: true}
	owners := Rule{Name: "Owners", ChangeTypes: []Type{TypeNormal, TypeEmergency}, Approver: ApproverServiceOwner, Quorum: Quorum{Kind: QuorumAny}, Active: true}
	laptop := Rule{Name: "Manager", RequestTypeID: 7, Approver: ApproverField, FieldKey: "manager", Quorum: Quorum{Kind: QuorumAny}, Active: true}
	for _, tc := range []struct {
		rule Rule
		typ  Type
		risk Level
		want bool
	}{
		{cab, TypeNormal, LevelHigh, true},
		{cab, TypeNormal, LevelCritical, true},
		{cab, TypeNormal, LevelMedium, false},
		{cab, TypeNormal, "", false}, // not assessed: a risk rule cannot tell
		{cab, TypeEmergency, LevelCritical, false},
		{ecab, TypeEmergency, "", true},
		{ecab, TypeNormal, LevelLow, false},
		{owners, TypeNormal, "", true},
		{owners, TypeStandard, LevelLow, false},
		{laptop, TypeNormal, LevelLow, false},
	} {
		if got := tc.rule.AppliesToChange(tc.typ, tc.risk); got != tc.want {
			t.Errorf("%s for %s %q: %v, want %v", tc.rule.Name, tc.typ, tc.risk, got, tc.want)
		}
	}
	off := owners
	off.Active = false
	if off.AppliesToChange(TypeNormal, LevelLow) {
		t.Error("an inactive rule applies")
	}
}

func TestRuleValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rule  Rule
		field string
	}{
		{"team rule", Rule{Name: "CAB", ChangeTypes: []Type{TypeNormal}, Approver: ApproverTeam, TeamID: 3, Quorum: Quorum{Kind: "ALL"}}, ""},
		{"no name", Rule{ChangeTypes: []Type{TypeNormal}, Approver: ApproverServiceOwner, Quorum: Quorum{Kind: QuorumAll}}, "name"},
		{"change rule without types", Rule{Name: "x", Approver: ApproverServiceOwner, Quorum: Quorum{Kind: QuorumAll}}, "change_types"},
		{"standard is pre-approved", Rule{Name: "x", ChangeTypes: []Type{TypeStandard}, Approver: ApproverServiceOwner, Quorum: Quorum{Kind: QuorumAll}}, "change_types[0]"},
		{"team rule without team", Rule{Name: "x", ChangeTypes: []Type{TypeNormal}, Approver: ApproverTeam, Quorum: Quorum{Kind: QuorumAll}}, "team"},
		{"users without users", Rule{Name: "x", ChangeTypes: []Type{TypeNormal}, Approver: ApproverUsers, Quorum: Quorum{Kind: QuorumAll}}, "users"},
		{"field on a change rule", Rule{Name: "x", ChangeTypes: []Type{TypeNormal}, Approver: ApproverField, FieldKey: "m", Quorum: Quorum{Kind: QuorumAll}}, "approver"},
		{"field rule", Rule{Name: "Manager", RequestTypeID: 4, Approver: ApproverField, FieldKey: "manager", Quorum: Quorum{Kind: QuorumAny}}, ""},
		{"request rule with a risk", Rule{Name: "x", RequestTypeID: 4, MinRisk: LevelHigh, Approver: ApproverServiceOwner, Quorum: Quorum{Kind: QuorumAny}}, "min_risk"},
		{"request rule on CI owners", Rule{Name: "x", RequestTypeID: 4, Approver: ApproverCIOwner, Quorum: Quorum{Kind: QuorumAny}}, "approver"},
		{"count without N", Rule{Name: "x", ChangeTypes: []Type{TypeNormal}, Approver: ApproverServiceOwner, Quorum: Quorum{Kind: QuorumCount}}, "quorum.count"},
		{"unknown quorum", Rule{Name: "x", ChangeTypes: []Type{TypeNormal}, Approver: ApproverServiceOwner, Quorum: Quorum{Kind: "most"}}, "quorum.kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rule.Validate()
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

func TestCheckApprovers(t *testing.T) {
	if err := CheckApprovers("CAB", Quorum{Kind: QuorumCount, Count: 3}, 2); !errs.Is(err, errs.KindConflict) {
		t.Errorf("3 of 2: %v, want a conflict", err)
	}
	if err := CheckApprovers("CAB", Quorum{Kind: QuorumAny}, 0); !errs.Is(err, errs.KindConflict) {
		t.Errorf("nobody: %v, want a conflict", err)
	}
	if err := CheckApprovers("CAB", Quorum{Kind: QuorumCount, Count: 2}, 2); err != nil {
		t.Errorf("2 of 2: %v", err)
	}
}
