package change

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// DeploymentStatus is the state a pipeline reports.
type DeploymentStatus string

// The deployment statuses.
const (
	DeployStarted   DeploymentStatus = "started"
	DeploySucceeded DeploymentStatus = "succeeded"
	DeployFailed    DeploymentStatus = "failed"
)

// DeploymentStatuses lists every deployment status.
var DeploymentStatuses = []DeploymentStatus{DeployStarted, DeploySucceeded, DeployFailed}

// ParseDeploymentStatus reads a status in any letter case.
func ParseDeploymentStatus(s string) (DeploymentStatus, error) {
	st := DeploymentStatus(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(DeploymentStatuses, st) {
		return st, nil
	}
	if st == "" {
		return "", errs.Required("status")
	}
	return "", errs.Invalid("status", "must be one of started, succeeded, failed")
}

// NormalizeEnvironment gives the form environments are compared in.
func NormalizeEnvironment(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Candidate is a change that could cover a deployment.
type Candidate struct {
	Key        string
	Status     string
	Window     Window // zero when not planned
	ServiceIDs []int64
}

// GateRequest is a deployment asking to go ahead.
type GateRequest struct {
	Environment string
	ServiceID   int64
	Service     string // the service's name, for messages
	ChangeKey   string // the change the pipeline names; empty: any that covers it
}

// Reasons a deployment is refused, for pipelines to act on.
const (
	ReasonNoChange      = "no_approved_change"  // no change covers the service now
	ReasonNotApproved   = "change_not_approved" // the named change is not Scheduled or Implementing
	ReasonOutsideWindow = "outside_window"      // the named change's window does not contain now
	ReasonOtherService  = "change_not_for_service"
	ReasonNotGated      = "environment_not_gated"
	ReasonCovered       = "covered_by_change"
	ReasonRunFinished   = "run_finished" // completes a run that was allowed when it started
)

// GateDecision says whether a deployment may go ahead and why.
type GateDecision struct {
	Allowed     bool   `json:"allowed"`
	Gated       bool   `json:"gated"`            // the environment needs an approved change
	Reason      string `json:"reason"`           // a Reason* code
	Message     string `json:"message"`          // for people
	Change      string `json:"change,omitempty"` // the change that covers it
	Environment string `json:"environment"`
}

// Gate decides a deployment. An environment not in the gated list is
// always allowed. In a gated one, the deployment needs a change that is
// approved (Scheduled or Implementing), covers the service and whose
// planned window contains now: the change it names, or else any such
// change (the one that started last wins, as the most specific).
func Gate(req GateRequest, gated []string, candidates []Candidate, now time.Time) GateDecision {
	env := NormalizeEnvironment(req.Environment)
	d := GateDecision{Environment: env}
	if !slices.ContainsFunc(gated, func(g string) bool { return NormalizeEnvironment(g) == env }) {
		d.Allowed, d.Reason = true, ReasonNotGated
		d.Message = fmt.Sprintf("environment %q needs no change", env)
		for _, c := range candidates {
			if (req.ChangeKey == "" || strings.EqualFold(c.Key, req.ChangeKey)) && covers(c, req.ServiceID, now) {
				d.Change = c.Key
			}
		}
		return d
	}
	d.Gated = true
	if req.ChangeKey != "" {
		i := slices.IndexFunc(candidates, func(c Candidate) bool { return strings.EqualFold(c.Key, req.ChangeKey) })
		if i < 0 {
			d.Reason, d.Message = ReasonNoChange, fmt.Sprintf("no change %s", strings.ToUpper(req.ChangeKey))
			return d
		}
		c := candidates[i]
		d.Change = c.Key
		switch {
		case !slices.Contains(c.ServiceIDs, req.ServiceID):
			d.Reason = ReasonOtherService
			d.Message = fmt.Sprintf("change %s does not cover service %s", c.Key, req.Service)
		case !IsApproved(c.Status):
			d.Reason = ReasonNotApproved
			d.Message = fmt.Sprintf("change %s is %s; a deployment to %s needs it Scheduled or Implementing", c.Key, c.Status, env)
		case c.Window.Start.IsZero() || !c.Window.Contains(now):
			d.Reason = ReasonOutsideWindow
			if c.Window.Start.IsZero() {
				d.Message = fmt.Sprintf("change %s has no planned window", c.Key)
			} else {
				d.Message = fmt.Sprintf("change %s is planned from %s to %s, not now", c.Key,
					c.Window.Start.UTC().Format(time.RFC3339), c.Window.End.UTC().Format(time.RFC3339))
			}
		default:
			d.Allowed, d.Reason = true, ReasonCovered
			d.Message = fmt.Sprintf("covered by change %s", c.Key)
		}
		return d
	}
	var best *Candidate
	for i, c := range candidates {
		if covers(c, req.ServiceID, now) && (best == nil || c.Window.Start.After(best.Window.Start)) {
			best = &candidates[i]
		}
	}
	if best == nil {
		d.Reason = ReasonNoChange
		d.Message = fmt.Sprintf("environment %s is gated: service %s has no approved change whose window contains now", env, req.Service)
		return d
	}
	d.Allowed, d.Reason, d.Change = true, ReasonCovered, best.Key
	d.Message = fmt.Sprintf("covered by change %s", best.Key)
	return d
}

func covers(c Candidate, serviceID int64, now time.Time) bool {
	return IsApproved(c.Status) && slices.Contains(c.ServiceIDs, serviceID) && !c.Window.Start.IsZero() && c.Window.Contains(now)
}
