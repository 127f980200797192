package change

import (
	"testing"
	"time"
)

func TestGate(t *testing.T) {
	now := at(12)
	gated := []string{"Production", "prod-eu"}
	scheduled := Candidate{Key: "IT-1", Status: StatusScheduled, Window: win(10, 14), ServiceIDs: []int64{1}}
	implementing := Candidate{Key: "IT-2", Status: StatusImplementing, Window: win(11, 13), ServiceIDs: []int64{1, 2}}
	planning := Candidate{Key: "IT-3", Status: StatusPlanning, Window: win(10, 14), ServiceIDs: []int64{1}}
	awaiting := Candidate{Key: "IT-4", Status: StatusAwaitingApproval, Window: win(10, 14), ServiceIDs: []int64{1}}
	later := Candidate{Key: "IT-5", Status: StatusScheduled, Window: win(20, 22), ServiceIDs: []int64{1}}
	ended := Candidate{Key: "IT-6", Status: StatusScheduled, Window: win(2, 12), ServiceIDs: []int64{1}}
	unplanned := Candidate{Key: "IT-7", Status: StatusScheduled, ServiceIDs: []int64{1}}
	completed := Candidate{Key: "IT-8", Status: "Completed", Window: win(10, 14), ServiceIDs: []int64{1}}
	for _, tc := range []struct {
		name       string
		env        string
		service    int64
		change     string
		candidates []Candidate
		allowed    bool
		reason     string
		covering   string
	}{
		{"ungated environment", "staging", 1, "", nil, true, ReasonNotGated, ""},
		{"ungated, still linked to its change", "staging", 1, "", []Candidate{scheduled}, true, ReasonNotGated, "IT-1"},
		{"gated, letter case and blanks ignored", " PRODUCTION ", 1, "", []Candidate{scheduled}, true, ReasonCovered, "IT-1"},
		{"gated, no change at all", "production", 1, "", nil, false, ReasonNoChange, ""},
		{"gated, change on another service", "production", 3, "", []Candidate{scheduled, implementing}, false, ReasonNoChange, ""},
		{"gated, only unapproved changes", "production", 1, "", []Candidate{planning, awaiting}, false, ReasonNoChange, ""},
		{"gated, approved change later", "production", 1, "", []Candidate{later}, false, ReasonNoChange, ""},
		{"gated, window ended at now", "production", 1, "", []Candidate{ended}, false, ReasonNoChange, ""},
		{"gated, approved change without window", "production", 1, "", []Candidate{unplanned}, false, ReasonNoChange, ""},
		{"gated, completed change", "production", 1, "", []Candidate{completed}, false, ReasonNoChange, ""},
		{"gated, implementing covers", "prod-eu", 2, "", []Candidate{scheduled, implementing}, true, ReasonCovered, "IT-2"},
		{"gated, latest start wins", "production", 1, "", []Candidate{scheduled, implementing}, true, ReasonCovered, "IT-2"},
		{"named change covers", "production", 1, "it-1", []Candidate{scheduled, implementing}, true, ReasonCovered, "IT-1"},
		{"named change not approved", "production", 1, "IT-4", []Candidate{scheduled, awaiting}, false, ReasonNotApproved, "IT-4"},
		{"named change outside window", "production", 1, "IT-5", []Candidate{scheduled, later}, false, ReasonOutsideWindow, "IT-5"},
		{"named change without window", "production", 1, "IT-7", []Candidate{unplanned}, false, ReasonOutsideWindow, "IT-7"},
		{"named change for another service", "production", 2, "IT-1", []Candidate{scheduled}, false, ReasonOtherService, "IT-1"},
		{"named change unknown", "production", 1, "IT-99", []Candidate{scheduled}, false, ReasonNoChange, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Gate(GateRequest{Environment: tc.env, ServiceID: tc.service, Service: "svc", ChangeKey: tc.change}, gated, tc.candidates, now)
			if d.Allowed != tc.allowed || d.Reason != tc.reason || d.Change != tc.covering {
				t.Errorf("got allowed=%v reason=%s change=%q (%s), want %v %s %q", d.Allowed, d.Reason, d.Change, d.Message, tc.allowed, tc.reason, tc.covering)
			}
			if d.Message == "" {
				t.Error("no message")
			}
		})
	}
}

func TestLink(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	tok := SignLink(secret, 42, now.Add(LinkLifetime))
	if id, err := VerifyLink(secret, tok, now); err != nil || id != 42 {
		t.Fatalf("a fresh link: %d %v", id, err)
	}
	if _, err := VerifyLink(secret, tok, now.Add(LinkLifetime)); err == nil {
		t.Error("an expired link passes")
	}
	if _, err := VerifyLink([]byte("another secret"), tok, now); err == nil {
		t.Error("a link signed with another secret passes")
	}
	// Changing the id or the expiry breaks the signature.
	for _, bad := range []string{"43" + tok[2:], tok[:3] + "9" + tok[4:], tok + "x", "", "a.b.c", "42..x"} {
		if _, err := VerifyLink(secret, bad, now); err == nil {
			t.Errorf("tampered link %q passes", bad)
		}
	}
}

func TestRate(t *testing.T) {
	var r Rate
	for _, o := range []Outcome{OutcomeSuccess, OutcomeSuccess, OutcomeFailed, OutcomeBackedOut, ""} {
		r.Count(o)
	}
	if r.Reviewed != 4 || r.Succeeded != 2 || r.Failed != 1 || r.BackedOut != 1 || r.Rate != 0.5 {
		t.Errorf("%+v", r)
	}
}
