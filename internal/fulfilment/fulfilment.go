// Package fulfilment holds the rules of service request fulfilment: the
// task plan of a request type (task templates, each for a team and a
// stage), and how a request's tasks open stage by stage and complete the
// request. Tasks of one stage run in parallel; stage N opens when every
// task of the stages before it is done. It imports neither HTTP nor SQL.
package fulfilment

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// TaskTemplate is one task of a request type's plan.
type TaskTemplate struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	TeamID      int64  `json:"team_id"`
	Team        string `json:"team,omitempty"` // read-only
	Stage       int    `json:"stage"`          // 1 first; equal stages run in parallel
}

// MaxTasks is the most tasks a plan may hold.
const MaxTasks = 50

// ValidatePlan checks a plan and orders it by stage, keeping the given
// order within a stage. Stages need not be consecutive.
func ValidatePlan(plan []TaskTemplate) error {
	if len(plan) > MaxTasks {
		return errs.Invalid("tasks", "a plan holds at most %d tasks", MaxTasks)
	}
	for i := range plan {
		t := &plan[i]
		at := fmt.Sprintf("tasks[%d]", i)
		t.Name = strings.TrimSpace(t.Name)
		t.Description = strings.TrimSpace(t.Description)
		if t.Name == "" {
			return errs.Required(at + ".name")
		}
		if len(t.Name) > 200 {
			return errs.Invalid(at+".name", "must be at most 200 characters")
		}
		if len(t.Description) > 8000 {
			return errs.Invalid(at+".description", "must be at most 8000 bytes")
		}
		if t.TeamID == 0 {
			return errs.Required(at + ".team")
		}
		if t.Stage < 1 || t.Stage > 100 {
			return errs.Invalid(at+".stage", "must be from 1 to 100")
		}
	}
	slices.SortStableFunc(plan, func(a, b TaskTemplate) int { return a.Stage - b.Stage })
	return nil
}

// Status is where a task stands.
type Status string

// The task statuses.
const (
	StatusWaiting  Status = "waiting" // its stage has not opened yet
	StatusOpen     Status = "open"    // the team may work it
	StatusDone     Status = "done"
	StatusCanceled Status = "canceled" // the request ended without it
)

// Finished reports whether a task needs no more work.
func (s Status) Finished() bool { return s == StatusDone || s == StatusCanceled }

// Task is one piece of a request's fulfilment, for one team.
type Task struct {
	ID          int64      `json:"id"`
	Ticket      string     `json:"ticket"`  // the request's key
	Request     string     `json:"request"` // the request's summary
	Number      int        `json:"number"`  // 1, 2... within the request
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Stage       int        `json:"stage"`
	TeamID      int64      `json:"team_id"`
	Team        string     `json:"team"`
	Status      Status     `json:"status"`
	Note        string     `json:"note,omitempty"` // what the team said when it finished
	DoneByID    int64      `json:"done_by_id,omitempty"`
	DoneBy      string     `json:"done_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	OpenedAt    *time.Time `json:"opened_at,omitempty"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
}

// Open gives the indexes of the waiting tasks to open now: those of the
// lowest stage that still has unfinished tasks, once every task of the
// stages before it is finished. A stage with an open task keeps the next
// one closed.
func Open(tasks []Task) []int {
	stage, ok := current(tasks)
	if !ok {
		return nil
	}
	var out []int
	for i, t := range tasks {
		if t.Stage == stage && t.Status == StatusWaiting {
			out = append(out, i)
		}
	}
	return out
}

// current is the lowest stage with an unfinished task.
func current(tasks []Task) (int, bool) {
	stage, ok := 0, false
	for _, t := range tasks {
		if !t.Status.Finished() && (!ok || t.Stage < stage) {
			stage, ok = t.Stage, true
		}
	}
	return stage, ok
}

// Complete reports whether a request's tasks are all finished and at least
// one was done: the request is then fulfilled.
func Complete(tasks []Task) bool {
	done := false
	for _, t := range tasks {
		if !t.Status.Finished() {
			return false
		}
		done = done || t.Status == StatusDone
	}
	return done
}

// CleanNote checks what a team writes when it finishes a task.
func CleanNote(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 8000 {
		return "", errs.Invalid("note", "must be at most 8000 bytes")
	}
	return s, nil
}
