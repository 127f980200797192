package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Problem management: root cause analysis, the incidents a problem causes
// (caused_by links from each incident to the problem), known errors with
// their workarounds, and resolving a problem with its incidents.
// Everything here is for agents: customers see neither problems' analyses
// nor known errors.

// ProblemAnalysis gives a problem's root cause analysis; an empty one when
// nothing is written yet.
func (s *Store) ProblemAnalysis(ctx context.Context, actor directory.Actor, key string) (ticket.Analysis, error) {
	c := s.reader(ctx)
	t, err := c.practiceTicket(actor, key, "read root cause analyses")
	if err != nil {
		return ticket.Analysis{}, err
	}
	if err := practiceWrongType(t, ticket.TypeProblem); err != nil {
		return ticket.Analysis{}, err
	}
	return c.problemAnalysis(t.ID)
}

func (c *conn) problemAnalysis(ticketID int64) (ticket.Analysis, error) {
	a := ticket.Analysis{Method: ticket.MethodFiveWhys, Whys: []ticket.Why{}}
	var method, whys string
	var updated int64
	err := c.row(`SELECT pa.symptoms, pa.root_cause, pa.method, pa.whys, pa.notes, COALESCE(u.name, 'Cairn'), pa.updated_at
		FROM problem_analysis pa LEFT JOIN users u ON u.id = pa.updated_by WHERE pa.ticket_id = ?`, ticketID).
		Scan(&a.Symptoms, &a.RootCause, &method, &whys, &a.Notes, &a.UpdatedBy, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return a, fmt.Errorf("analysis of %d: %w", ticketID, err)
	}
	a.Method = ticket.AnalysisMethod(method)
	if err := json.Unmarshal([]byte(whys), &a.Whys); err != nil {
		return a, fmt.Errorf("analysis of %d: whys: %w", ticketID, err)
	}
	u := fromMillis(updated)
	a.UpdatedAt = &u
	return a, nil
}

// SaveProblemAnalysis replaces a problem's root cause analysis.
func (s *Store) SaveProblemAnalysis(ctx context.Context, actor directory.Actor, key string, a ticket.Analysis) (ticket.Analysis, error) {
	if err := a.Clean(); err != nil {
		return a, err
	}
	var out ticket.Analysis
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.practiceTicket(actor, key, "write root cause analyses")
		if err != nil {
			return err
		}
		if err := practiceWrongType(t, ticket.TypeProblem); err != nil {
			return err
		}
		old, err := c.problemAnalysis(t.ID)
		if err != nil {
			return err
		}
		whys, _ := json.Marshal(a.Whys)
		_, err = c.exec(`INSERT INTO problem_analysis (ticket_id, symptoms, root_cause, method, whys, notes, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (ticket_id) DO UPDATE SET symptoms = excluded.symptoms, root_cause = excluded.root_cause, method = excluded.method,
			whys = excluded.whys, notes = excluded.notes, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			t.ID, a.Symptoms, a.RootCause, string(a.Method), string(whys), a.Notes, nullID(actor.UserID), millis(c.now))
		if err != nil {
			return fmt.Errorf("analysis of %s: %w", t.Key, err)
		}
		// The log names what changed; the text itself is in the table.
		var changed []string
		oldWhys, _ := json.Marshal(old.Whys)
		for field, diff := range map[string]bool{"symptoms": old.Symptoms != a.Symptoms, "root_cause": old.RootCause != a.RootCause,
			"method": old.UpdatedAt != nil && old.Method != a.Method, "whys": string(oldWhys) != string(whys), "notes": old.Notes != a.Notes} {
			if diff {
				changed = append(changed, field)
			}
		}
		if len(changed) > 0 {
			slices.Sort(changed)
			if err := c.appendEvent("ticket", t.ID, ticket.EventAnalysisUpdated, actor, map[string]any{"fields": changed, "internal": true}); err != nil {
				return err
			}
			if err := c.practiceTouch(t.ID); err != nil {
				return err
			}
		}
		out, err = c.problemAnalysis(t.ID)
		return err
	})
	return out, err
}

// ProblemIncidents lists the incidents caused by a problem that the actor
// may see, oldest first.
func (s *Store) ProblemIncidents(ctx context.Context, actor directory.Actor, key string) ([]RelatedTicket, error) {
	c := s.reader(ctx)
	t, err := c.practiceTicket(actor, key, "list a problem's incidents")
	if err != nil {
		return nil, err
	}
	if err := practiceWrongType(t, ticket.TypeProblem); err != nil {
		return nil, err
	}
	return c.problemIncidents(actor, t.ID, false)
}

// problemIncidents lists a problem's incidents the actor may see; openOnly
// leaves out those done.
func (c *conn) problemIncidents(actor directory.Actor, problemID int64, openOnly bool) ([]RelatedTicket, error) {
	cond, args := visibleTickets(actor)
	q := `SELECT l.id, t.key, t.type, t.summary, t.status, t.status_category, t.priority
		FROM ticket_links l JOIN tickets t ON t.id = l.source_id
		WHERE l.target_id = ? AND l.kind = 'caused_by' AND t.type = 'incident' AND ` + cond
	if openOnly {
		q += ` AND t.status_category <> 'done'`
	}
	return c.practiceRelated(q+` ORDER BY t.id`, append([]any{problemID}, args...)...)
}

// NewProblem is a problem raised while grouping incidents into it.
type NewProblem struct {
	Summary     string
	Description string
	Service     string // id or name; empty: the first incident's service
}

// GroupResult says what grouping incidents into a problem did.
type GroupResult struct {
	Problem ticket.Ticket `json:"problem"`
	Created bool          `json:"created"` // the problem was raised for this
	Linked  []string      `json:"linked"`  // incidents linked now
	Already []string      `json:"already"` // incidents that were linked before
}

// MaxGroup is the most incidents grouped at once.
const MaxGroup = 200

// GroupIncidents links incidents to a problem as caused by it: an existing
// problem (problemKey) or a new one (np), raised in the same transaction.
// Incidents linked before are left as they are.
func (s *Store) GroupIncidents(ctx context.Context, actor directory.Actor, incidentKeys []string, problemKey string, np *NewProblem) (GroupResult, error) {
	out := GroupResult{Linked: []string{}, Already: []string{}}
	if !actor.Role.Staff() {
		return out, errs.Forbidden("only agents may group incidents into problems")
	}
	keys := practiceKeys(incidentKeys)
	if len(keys) == 0 {
		return out, errs.Required("incidents")
	}
	if len(keys) > MaxGroup {
		return out, errs.Invalid("incidents", "at most %d at once", MaxGroup)
	}
	problemKey = strings.TrimSpace(problemKey)
	if (problemKey == "") == (np == nil) {
		return out, errs.Invalid("problem", "choose an existing problem or describe a new one, not both")
	}
	err := s.inTx(ctx, func(c *conn) error {
		incidents := make([]ticket.Ticket, len(keys))
		for i, k := range keys {
			t, err := c.ticket(actor, k)
			field := fmt.Sprintf("incidents[%d]", i)
			if errs.Is(err, errs.KindNotFound) {
				return errs.Invalid(field, "no ticket %s", k)
			}
			if err != nil {
				return err
			}
			if t.Type != ticket.TypeIncident {
				return errs.Invalid(field, "%s is a %s, not an incident", t.Key, strings.ReplaceAll(string(t.Type), "_", " "))
			}
			incidents[i] = t
		}
		var problem ticket.Ticket
		if np != nil {
			serviceID := incidents[0].ServiceID
			if ref := strings.TrimSpace(np.Service); ref != "" {
				svc, err := c.serviceRef(ref)
				if errs.Is(err, errs.KindNotFound) {
					return errs.Invalid("service", "%s", err.Error())
				}
				if err != nil {
					return err
				}
				serviceID = svc.ID
			}
			desc := strings.TrimSpace(np.Description)
			if desc == "" {
				desc = "Raised from incidents " + strings.Join(keys, ", ") + "."
			}
			var err error
			problem, err = c.incidentRaise(actor, practiceRaise{Type: ticket.TypeProblem, ServiceID: serviceID,
				Summary: np.Summary, Description: desc, ReporterID: actor.UserID, Channel: ticket.ChannelAgent})
			if err != nil {
				return err
			}
			out.Created = true
		} else {
			var err error
			problem, err = c.ticket(actor, problemKey)
			if errs.Is(err, errs.KindNotFound) {
				return errs.Invalid("problem", "no ticket %s", strings.ToUpper(problemKey))
			}
			if err != nil {
				return err
			}
			if problem.Type != ticket.TypeProblem {
				return errs.Invalid("problem", "%s is a %s, not a problem", problem.Key, strings.ReplaceAll(string(problem.Type), "_", " "))
			}
			if problem.StatusCategory == ticket.CategoryDone {
				return errs.Conflict("resolved", "problem %s is %s; reopen it first or choose another", problem.Key, problem.Status)
			}
		}
		for _, inc := range incidents {
			_, created, err := c.incidentLink(actor, inc, problem, ticket.LinkCausedBy)
			if err != nil {
				return err
			}
			if created {
				out.Linked = append(out.Linked, inc.Key)
				if err := c.practiceTouch(inc.ID); err != nil {
					return err
				}
			} else {
				out.Already = append(out.Already, inc.Key)
			}
		}
		if len(out.Linked) > 0 {
			if err := c.practiceTouch(problem.ID); err != nil {
				return err
			}
		}
		var err error
		out.Problem, err = c.ticket(directory.System, problem.Key)
		return err
	})
	return out, err
}

// ProblemResolution says what resolving a problem did to its incidents.
type ProblemResolution struct {
	Problem  ticket.Ticket  `json:"problem"`
	Cascade  ticket.Cascade `json:"cascade"`
	Notified []string       `json:"notified"` // incidents told with a public comment
	Resolved []string       `json:"resolved"` // incidents resolved with the problem
}

// ResolveProblem moves a problem to a done status of its workflow with the
// resolution and comment, and then, by cascade, does nothing to its open
// incidents, tells their customers with a public comment (notify), or
// resolves them too (resolve) with the same resolution, which must then be
// one of the incident resolution codes. Only incidents the actor may see
// are touched. Everything happens in one transaction: if one incident
// cannot be resolved, nothing is.
func (s *Store) ResolveProblem(ctx context.Context, actor directory.Actor, key string, cascade ticket.Cascade, resolution, comment string) (ProblemResolution, error) {
	out := ProblemResolution{Cascade: cascade, Notified: []string{}, Resolved: []string{}}
	if cascade == "" {
		out.Cascade = ticket.CascadeNone
	}
	if _, err := ticket.ParseCascade(string(out.Cascade)); err != nil {
		return out, err
	}
	resolution = strings.TrimSpace(resolution)
	err := s.inTx(ctx, func(c *conn) error {
		p, err := c.practiceTicket(actor, key, "resolve problems")
		if err != nil {
			return err
		}
		if err := practiceWrongType(p, ticket.TypeProblem); err != nil {
			return err
		}
		if p.StatusCategory == ticket.CategoryDone {
			return errs.Conflict("resolved", "%s is %s already", p.Key, p.Status)
		}
		if out.Cascade == ticket.CascadeResolve {
			st, err := c.incidentSettings()
			if err != nil {
				return err
			}
			if resolution, err = st.Resolution(resolution); err != nil {
				return err
			}
		}
		wf, err := c.workflow(p.WorkflowID)
		if err != nil {
			return err
		}
		tr, ok := wf.DoneTransition(p.Status, actor.Role)
		if !ok {
			return errs.Conflict("transition_not_allowed", "no transition of workflow %q resolves %s from %q", wf.Name, p.Key, p.Status)
		}
		resolved, err := c.incidentMove(actor, p, TransitionInput{To: tr.ID, Resolution: resolution, Comment: comment})
		if err != nil {
			return err
		}
		incidents, err := c.problemIncidents(actor, p.ID, true)
		if err != nil {
			return err
		}
		note := ticket.ProblemResolvedComment(p, resolution, comment)
		for _, r := range incidents {
			inc, err := c.ticket(actor, r.Key)
			if err != nil {
				return err
			}
			switch out.Cascade {
			case ticket.CascadeNotify:
				if _, err := c.addComment(actor, inc, note, false); err != nil {
					return err
				}
				if err := c.practiceTouch(inc.ID); err != nil {
					return err
				}
				out.Notified = append(out.Notified, inc.Key)
			case ticket.CascadeResolve:
				iwf, err := c.workflow(inc.WorkflowID)
				if err != nil {
					return err
				}
				itr, ok := iwf.DoneTransition(inc.Status, actor.Role)
				if !ok {
					return errs.Conflict("transition_not_allowed", "incident %s cannot be resolved from %q; resolve it first or do not cascade", inc.Key, inc.Status)
				}
				if _, err := c.incidentMove(actor, inc, TransitionInput{To: itr.ID, Resolution: resolution, Comment: note}); err != nil {
					return err
				}
				out.Resolved = append(out.Resolved, inc.Key)
			}
		}
		if err := c.appendEvent("ticket", p.ID, ticket.EventProblemResolved, actor, map[string]any{
			"cascade": out.Cascade, "notified": out.Notified, "resolved": out.Resolved,
		}); err != nil {
			return err
		}
		out.Problem = resolved
		return nil
	})
	return out, err
}

// Known errors.

const knownErrorColumns = `k.id, k.problem_id, t.key, t.summary, t.status, k.title, k.symptoms, k.workaround, k.status,
	COALESCE(k.created_by, 0), COALESCE(u.name, 'Cairn'), k.created_at, k.updated_at`

const knownErrorJoins = ` FROM known_errors k JOIN tickets t ON t.id = k.problem_id LEFT JOIN users u ON u.id = k.created_by`

func scanKnownError(sc interface{ Scan(...any) error }) (ticket.KnownError, error) {
	var k ticket.KnownError
	var status string
	var created, updated int64
	err := sc.Scan(&k.ID, &k.ProblemID, &k.Problem, &k.ProblemSummary, &k.ProblemStatus, &k.Title, &k.Symptoms, &k.Workaround,
		&status, &k.CreatedByID, &k.CreatedBy, &created, &updated)
	k.Status, k.CreatedAt, k.UpdatedAt = ticket.KnownErrorStatus(status), fromMillis(created), fromMillis(updated)
	return k, err
}

func (c *conn) knownError(id int64) (ticket.KnownError, error) {
	k, err := scanKnownError(c.row(`SELECT `+knownErrorColumns+knownErrorJoins+` WHERE k.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, errs.NotFound("no known error %d", id)
	}
	if err != nil {
		return k, fmt.Errorf("known error %d: %w", id, err)
	}
	return k, nil
}

// KnownError finds a known error. Known errors are shared by every agent,
// whatever service their problem is on: they are the desk's knowledge.
func (s *Store) KnownError(ctx context.Context, actor directory.Actor, id int64) (ticket.KnownError, error) {
	if !actor.Role.Staff() {
		return ticket.KnownError{}, errs.NotFound("no known error %d", id)
	}
	return s.reader(ctx).knownError(id)
}

// CreateKnownError records a known error of a problem.
func (s *Store) CreateKnownError(ctx context.Context, actor directory.Actor, problemKey string, k ticket.KnownError) (ticket.KnownError, error) {
	if err := k.Clean(); err != nil {
		return k, err
	}
	var out ticket.KnownError
	err := s.inTx(ctx, func(c *conn) error {
		p, err := c.practiceTicket(actor, problemKey, "record known errors")
		if err != nil {
			return err
		}
		if err := practiceWrongType(p, ticket.TypeProblem); err != nil {
			return err
		}
		id, err := c.insert(`INSERT INTO known_errors (problem_id, title, symptoms, workaround, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, k.Title, k.Symptoms, k.Workaround, string(k.Status), nullID(actor.UserID), millis(c.now), millis(c.now))
		if err != nil {
			return fmt.Errorf("known error of %s: %w", p.Key, err)
		}
		if out, err = c.knownError(id); err != nil {
			return err
		}
		if err := c.appendEvent("known_error", id, "known_error.created", actor, out); err != nil {
			return err
		}
		if err := c.practiceTouch(p.ID); err != nil {
			return err
		}
		return c.appendEvent("ticket", p.ID, ticket.EventKnownErrorRecorded, actor, map[string]any{"known_error_id": id, "title": out.Title, "internal": true})
	})
	return out, err
}

// UpdateKnownError replaces a known error's title, symptoms, workaround and
// status.
func (s *Store) UpdateKnownError(ctx context.Context, actor directory.Actor, id int64, k ticket.KnownError) (ticket.KnownError, error) {
	if !actor.Role.Staff() {
		return k, errs.NotFound("no known error %d", id)
	}
	if err := k.Clean(); err != nil {
		return k, err
	}
	var out ticket.KnownError
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.knownError(id)
		if err != nil {
			return err
		}
		if _, err := c.exec(`UPDATE known_errors SET title = ?, symptoms = ?, workaround = ?, status = ?, updated_at = ? WHERE id = ?`,
			k.Title, k.Symptoms, k.Workaround, string(k.Status), millis(c.now), id); err != nil {
			return fmt.Errorf("known error %d: %w", id, err)
		}
		if out, err = c.knownError(id); err != nil {
			return err
		}
		if err := c.appendEvent("known_error", id, "known_error.updated", actor, map[string]any{"from": old, "to": out}); err != nil {
			return err
		}
		return c.appendEvent("ticket", old.ProblemID, ticket.EventKnownErrorUpdated, actor, map[string]any{
			"known_error_id": id, "title": out.Title, "status": out.Status, "internal": true})
	})
	return out, err
}

// KnownErrorFilter narrows the known errors listed. Empty fields do not
// filter.
type KnownErrorFilter struct {
	Text          string // in title, symptoms or workaround, letter case ignored
	Statuses      []ticket.KnownErrorStatus
	Problem       string // a problem's key
	Limit, Offset int
}

// KnownErrorPage is one page of known errors with the number of all matches.
type KnownErrorPage struct {
	KnownErrors []ticket.KnownError `json:"known_errors"`
	Total       int                 `json:"total"`
	Limit       int                 `json:"limit"`
	Offset      int                 `json:"offset"`
}

// KnownErrors lists known errors, the latest changed first. Agents search
// them while working an incident.
func (s *Store) KnownErrors(ctx context.Context, actor directory.Actor, f KnownErrorFilter) (KnownErrorPage, error) {
	page := KnownErrorPage{KnownErrors: []ticket.KnownError{}, Limit: f.Limit, Offset: max(f.Offset, 0)}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	page.Limit = min(page.Limit, MaxPage)
	if !actor.Role.Staff() {
		return page, errs.Forbidden("only agents may search known errors")
	}
	var where []string
	var args []any
	if len(f.Statuses) > 0 {
		where = append(where, "k.status IN ("+placeholders(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			if !ticket.ValidKnownErrorStatus(st) {
				return page, errs.Invalid("status", "must be active, fixed or retired")
			}
			args = append(args, string(st))
		}
	}
	if p := strings.ToUpper(strings.TrimSpace(f.Problem)); p != "" {
		where = append(where, "t.key = ?")
		args = append(args, p)
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		pat := "%" + likeEscape(strings.ToLower(text)) + "%"
		where = append(where, `(lower(k.title) LIKE ? ESCAPE '\' OR lower(k.symptoms) LIKE ? ESCAPE '\' OR lower(k.workaround) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat, pat)
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	c := s.reader(ctx)
	if err := c.row(`SELECT COUNT(*)`+knownErrorJoins+w, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count known errors: %w", err)
	}
	if page.Total == 0 || page.Offset >= page.Total {
		return page, nil
	}
	rows, err := c.query(`SELECT `+knownErrorColumns+knownErrorJoins+w+` ORDER BY k.updated_at DESC, k.id DESC LIMIT ? OFFSET ?`,
		append(args, page.Limit, page.Offset)...)
	if err != nil {
		return page, fmt.Errorf("list known errors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		k, err := scanKnownError(rows)
		if err != nil {
			return page, err
		}
		page.KnownErrors = append(page.KnownErrors, k)
	}
	return page, rows.Err()
}

// AppliedKnownError says what applying a known error to an incident did.
type AppliedKnownError struct {
	Comment ticket.Comment `json:"comment"` // the workaround, posted on the incident
	Problem string         `json:"problem"`
	Linked  bool           `json:"linked"` // false: the incident was linked to the problem already
}

// ApplyKnownError posts a known error's workaround on an incident as a
// comment (public unless internal) and links the incident as caused by the
// known error's problem, in one transaction.
func (s *Store) ApplyKnownError(ctx context.Context, actor directory.Actor, id int64, incidentKey string, internal bool) (AppliedKnownError, error) {
	var out AppliedKnownError
	if strings.TrimSpace(incidentKey) == "" {
		return out, errs.Required("incident")
	}
	err := s.inTx(ctx, func(c *conn) error {
		inc, err := c.practiceTicket(actor, incidentKey, "apply known errors")
		if err != nil {
			return err
		}
		if err := practiceWrongType(inc, ticket.TypeIncident); err != nil {
			return err
		}
		k, err := c.knownError(id)
		if err != nil {
			return err
		}
		// The problem is read as the system: a known error is shared
		// knowledge, even when its problem is on another team's service.
		problem, err := c.ticket(directory.System, k.Problem)
		if err != nil {
			return err
		}
		if out.Comment, err = c.addComment(actor, inc, k.WorkaroundComment(), internal); err != nil {
			return err
		}
		if _, out.Linked, err = c.incidentLink(actor, inc, problem, ticket.LinkCausedBy); err != nil {
			return err
		}
		out.Problem = problem.Key
		if err := c.practiceTouch(inc.ID); err != nil {
			return err
		}
		return c.appendEvent("ticket", inc.ID, ticket.EventKnownErrorApplied, actor, map[string]any{
			"known_error_id": k.ID, "title": k.Title, "problem": problem.Key, "internal": true,
		})
	})
	return out, err
}
