package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Deployment is one run of a CI/CD pipeline into an environment.
type Deployment struct {
	ID          int64                   `json:"id"`
	Pipeline    string                  `json:"pipeline"`
	Environment string                  `json:"environment"`
	Version     string                  `json:"version"`
	Status      change.DeploymentStatus `json:"status"`
	Commit      string                  `json:"commit,omitempty"`
	Link        string                  `json:"link,omitempty"`
	ServiceID   int64                   `json:"service_id"`
	Service     string                  `json:"service"`
	Change      string                  `json:"change,omitempty"` // the key of the change that covers it
	Gated       bool                    `json:"gated"`            // the environment needed an approved change
	ReportedBy  string                  `json:"reported_by"`
	StartedAt   time.Time               `json:"started_at"`
	FinishedAt  *time.Time              `json:"finished_at,omitempty"`
}

// DeploymentInput is what a pipeline reports.
type DeploymentInput struct {
	Pipeline    string
	Environment string
	Version     string
	Status      string
	Commit      string
	Link        string
	Change      string // a change key
	Service     string // id or name; defaults to the change's service
}

// ChangeSettings are the admins' settings of change enablement.
type ChangeSettings struct {
	// GatedEnvironments need an approved change whose window contains the
	// time of a deployment (compared in lower case).
	GatedEnvironments []string `json:"gated_environments"`
}

// DefaultGatedEnvironments is what a new Cairn gates.
var DefaultGatedEnvironments = []string{"production"}

// ChangeSettings reads the settings of change enablement.
func (s *Store) ChangeSettings(ctx context.Context) (ChangeSettings, error) {
	return s.reader(ctx).changeSettings()
}

func (c *conn) changeSettings() (ChangeSettings, error) {
	st := ChangeSettings{GatedEnvironments: slices.Clone(DefaultGatedEnvironments)}
	if _, err := c.changeSetting("gated_environments", &st.GatedEnvironments); err != nil {
		return st, err
	}
	if st.GatedEnvironments == nil {
		st.GatedEnvironments = []string{}
	}
	return st, nil
}

// SetChangeSettings replaces the settings of change enablement.
func (s *Store) SetChangeSettings(ctx context.Context, actor directory.Actor, st ChangeSettings) (ChangeSettings, error) {
	if err := changeAdminOnly(actor, "configure change enablement"); err != nil {
		return st, err
	}
	envs := []string{}
	for i, e := range st.GatedEnvironments {
		e = change.NormalizeEnvironment(e)
		if e == "" {
			continue
		}
		if len(e) > 100 {
			return st, errs.Invalid(fmt.Sprintf("gated_environments[%d]", i), "must be at most 100 characters")
		}
		if !slices.Contains(envs, e) {
			envs = append(envs, e)
		}
	}
	st.GatedEnvironments = envs
	return st, s.inTx(ctx, func(c *conn) error {
		if err := c.setChangeSetting("gated_environments", envs); err != nil {
			return err
		}
		return c.appendEvent("change_settings", 0, "change_settings.gated_environments_set", actor, st)
	})
}

// Deployment event types, on stream "deployment"; a refusal is recorded on
// the service's stream, since no deployment was made.
const (
	EventDeploymentReported = "deployment.reported"
	EventDeploymentRefused  = "deployment.refused"
)

func deploymentText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", errs.Required(field)
	}
	if len(s) > max {
		return "", errs.Invalid(field, "must be at most %d characters", max)
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", errs.Invalid(field, "must be a single line")
	}
	return s, nil
}

// RecordDeployment records what a pipeline reports. A run is one row: a
// report of success or failure completes the run of the same pipeline,
// environment, version and service that started before. A run that
// starts (or is reported finished without a start) in a gated environment
// needs a change that covers it: approved, on its service, with a window
// that contains now. Without one, nothing is recorded but the refusal (on
// the service's history) and the decision says why; the caller answers
// 409. Agents report deployments of the services they serve; admins of any.
func (s *Store) RecordDeployment(ctx context.Context, actor directory.Actor, in DeploymentInput) (Deployment, change.GateDecision, error) {
	var d Deployment
	var gate change.GateDecision
	if err := changeStaffOnly(actor, "report deployments"); err != nil {
		return d, gate, err
	}
	var err error
	if d.Pipeline, err = deploymentText("pipeline", in.Pipeline, 200, true); err != nil {
		return d, gate, err
	}
	if d.Environment, err = deploymentText("environment", change.NormalizeEnvironment(in.Environment), 100, true); err != nil {
		return d, gate, err
	}
	if d.Version, err = deploymentText("version", in.Version, 200, true); err != nil {
		return d, gate, err
	}
	if d.Commit, err = deploymentText("commit", in.Commit, 100, false); err != nil {
		return d, gate, err
	}
	if d.Link, err = deploymentText("link", in.Link, 2000, false); err != nil {
		return d, gate, err
	}
	if d.Link != "" {
		if u, err := url.Parse(d.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return d, gate, errs.Invalid("link", "must be an http or https URL")
		}
	}
	if d.Status, err = change.ParseDeploymentStatus(in.Status); err != nil {
		return d, gate, err
	}
	if strings.TrimSpace(in.Change) == "" && strings.TrimSpace(in.Service) == "" {
		return d, gate, &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: "service", Message: "is required: name the service, the change, or both"}
	}
	err = s.inTx(ctx, func(c *conn) error {
		var chg ticket.Ticket
		if key := strings.TrimSpace(in.Change); key != "" {
			t, err := c.ticket(actor, key)
			if errs.Is(err, errs.KindNotFound) || (err == nil && t.Type != ticket.TypeChange) {
				return errs.Invalid("change", "no change %s", strings.ToUpper(key))
			}
			if err != nil {
				return err
			}
			chg = t
		}
		svcID := chg.ServiceID
		if strings.TrimSpace(in.Service) != "" {
			svc, err := c.serviceRef(in.Service)
			if errs.Is(err, errs.KindNotFound) {
				return errs.Invalid("service", "%s", err.Error())
			}
			if err != nil {
				return err
			}
			svcID = svc.ID
		}
		svc, err := c.service(svcID)
		if err != nil {
			return err
		}
		d.ServiceID, d.Service = svc.ID, svc.Name
		if actor.Role != directory.RoleAdmin && !slices.Contains(actor.ServiceIDs, svc.ID) {
			return errs.Forbidden("you do not work on service %s", svc.Name)
		}
		settings, err := c.changeSettings()
		if err != nil {
			return err
		}
		if d.Status != change.DeployStarted {
			done, err := c.deploymentFinish(actor, &d)
			if err != nil || done {
				gate = change.GateDecision{Allowed: true, Gated: d.Gated, Reason: change.ReasonRunFinished, Change: d.Change, Environment: d.Environment,
					Message: "completes the run that started at " + d.StartedAt.Format(time.RFC3339)}
				return err
			}
		}
		candidates, err := c.deploymentCandidates(svc.ID, chg)
		if err != nil {
			return err
		}
		gate = change.Gate(change.GateRequest{Environment: d.Environment, ServiceID: svc.ID, Service: svc.Name, ChangeKey: chg.Key},
			settings.GatedEnvironments, candidates, c.now)
		d.Gated, d.Change = gate.Gated, gate.Change
		if !gate.Allowed {
			return c.appendEvent("service", svc.ID, EventDeploymentRefused, actor, map[string]any{
				"pipeline": d.Pipeline, "environment": d.Environment, "version": d.Version, "status": d.Status,
				"commit": d.Commit, "change": chg.Key, "reason": gate.Reason, "message": gate.Message,
			})
		}
		var changeID int64
		if gate.Change != "" {
			if err := c.row(`SELECT id FROM tickets WHERE key = ?`, gate.Change).Scan(&changeID); err != nil {
				return err
			}
		}
		var finished any
		if d.Status != change.DeployStarted {
			finished = millis(c.now)
			t := c.now
			d.FinishedAt = &t
		}
		d.StartedAt, d.ReportedBy = c.now, actor.Name
		d.ID, err = c.insert(`INSERT INTO deployments (pipeline, environment, version, status, commit_sha, link, service_id, change_id, gated,
			reported_by, started_at, finished_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Pipeline, d.Environment, d.Version, string(d.Status), d.Commit, d.Link, d.ServiceID, nullID(changeID), d.Gated,
			nullID(actor.UserID), millis(c.now), finished, millis(c.now))
		if err != nil {
			return fmt.Errorf("record deployment: %w", err)
		}
		return c.appendEvent("deployment", d.ID, EventDeploymentReported, actor, d)
	})
	return d, gate, err
}

// deploymentFinish completes the started run a report of success or
// failure belongs to; done is false when there is none.
func (c *conn) deploymentFinish(actor directory.Actor, d *Deployment) (bool, error) {
	var id int64
	err := c.row(`SELECT id FROM deployments WHERE pipeline = ? AND environment = ? AND version = ? AND service_id = ? AND status = 'started'
		ORDER BY id DESC LIMIT 1`, d.Pipeline, d.Environment, d.Version, d.ServiceID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	set, args := `status = ?, finished_at = ?, updated_at = ?`, []any{string(d.Status), millis(c.now), millis(c.now)}
	if d.Commit != "" {
		set, args = set+`, commit_sha = ?`, append(args, d.Commit)
	}
	if d.Link != "" {
		set, args = set+`, link = ?`, append(args, d.Link)
	}
	_, err = c.exec(`UPDATE deployments SET `+set+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return false, fmt.Errorf("finish deployment: %w", err)
	}
	list, err := c.deployments(directory.System, DeploymentFilter{ID: id})
	if err != nil {
		return false, err
	}
	*d = list[0]
	return true, c.appendEvent("deployment", id, EventDeploymentReported, actor, d)
}

// deploymentCandidates lists the open changes that could cover a
// deployment to a service, and the named change whatever its state.
func (c *conn) deploymentCandidates(serviceID int64, named ticket.Ticket) ([]change.Candidate, error) {
	rows, err := c.query(`SELECT t.id, t.key, t.status, ch.planned_start, ch.planned_end FROM tickets t JOIN changes ch ON ch.ticket_id = t.id
		WHERE (t.id IN (SELECT ticket_id FROM change_services WHERE service_id = ?) AND t.status_category <> 'done') OR t.id = ?
		ORDER BY t.id`, serviceID, named.ID)
	if err != nil {
		return nil, fmt.Errorf("changes of service %d: %w", serviceID, err)
	}
	var out []change.Candidate
	var ids []int64
	for rows.Next() {
		var id int64
		var cd change.Candidate
		var start, end sql.NullInt64
		if err := rows.Scan(&id, &cd.Key, &cd.Status, &start, &end); err != nil {
			rows.Close()
			return nil, err
		}
		if start.Valid && end.Valid {
			cd.Window = change.Window{Start: fromMillis(start.Int64), End: fromMillis(end.Int64)}
		}
		out = append(out, cd)
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	scopes, err := c.changeScopes(ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		out[i].ServiceIDs = scopes[id].services
	}
	if named.ID != 0 && !slices.ContainsFunc(out, func(cd change.Candidate) bool { return cd.Key == named.Key }) {
		// A named change without a record: unplanned, on its ticket's service.
		out = append(out, change.Candidate{Key: named.Key, Status: named.Status, ServiceIDs: []int64{named.ServiceID}})
	}
	return out, nil
}

// DeploymentFilter chooses deployments.
type DeploymentFilter struct {
	ID        int64
	ServiceID int64
	ChangeID  int64
	Limit     int // 0: 50; at most MaxPage
}

// Deployments lists deployments, newest first: those of the services the
// actor works on (every one for an admin).
func (s *Store) Deployments(ctx context.Context, actor directory.Actor, f DeploymentFilter) ([]Deployment, error) {
	if err := changeStaffOnly(actor, "see deployments"); err != nil {
		return nil, err
	}
	return s.reader(ctx).deployments(actor, f)
}

func (c *conn) deployments(actor directory.Actor, f DeploymentFilter) ([]Deployment, error) {
	q := `SELECT d.id, d.pipeline, d.environment, d.version, d.status, d.commit_sha, d.link, d.service_id, s.name, COALESCE(t.key, ''),
		d.gated, COALESCE(u.name, 'Cairn'), d.started_at, d.finished_at
		FROM deployments d JOIN services s ON s.id = d.service_id LEFT JOIN tickets t ON t.id = d.change_id LEFT JOIN users u ON u.id = d.reported_by
		WHERE 1=1`
	var args []any
	if actor.Role != directory.RoleAdmin {
		if len(actor.ServiceIDs) == 0 {
			return []Deployment{}, nil
		}
		q += ` AND d.service_id IN (` + placeholders(len(actor.ServiceIDs)) + `)`
		args = append(args, int64Args(actor.ServiceIDs)...)
	}
	for col, v := range map[string]int64{"d.id": f.ID, "d.service_id": f.ServiceID, "d.change_id": f.ChangeID} {
		if v != 0 {
			q += ` AND ` + col + ` = ?`
			args = append(args, v)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxPage)
	rows, err := c.query(q+` ORDER BY d.started_at DESC, d.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("deployments: %w", err)
	}
	defer rows.Close()
	out := []Deployment{}
	for rows.Next() {
		var d Deployment
		var status string
		var started int64
		var finished sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Pipeline, &d.Environment, &d.Version, &status, &d.Commit, &d.Link, &d.ServiceID, &d.Service, &d.Change,
			&d.Gated, &d.ReportedBy, &started, &finished); err != nil {
			return nil, err
		}
		d.Status, d.StartedAt, d.FinishedAt = change.DeploymentStatus(status), fromMillis(started), approvalTime(finished)
		out = append(out, d)
	}
	return out, rows.Err()
}
