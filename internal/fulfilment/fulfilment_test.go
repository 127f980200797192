package fulfilment

import (
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func tasks(spec ...any) []Task {
	var out []Task
	for i := 0; i < len(spec); i += 2 {
		out = append(out, Task{Number: len(out) + 1, Stage: spec[i].(int), Status: spec[i+1].(Status)})
	}
	return out
}

const (
	w = StatusWaiting
	o = StatusOpen
	d = StatusDone
	x = StatusCanceled
)

func TestOpen(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tasks []Task
		open  []int
	}{
		{"new plan opens stage one, in parallel", tasks(1, w, 1, w, 2, w), []int{0, 1}},
		{"stage one still open keeps stage two waiting", tasks(1, d, 1, o, 2, w), nil},
		{"stage one done opens stage two", tasks(1, d, 1, d, 2, w, 2, w, 3, w), []int{2, 3}},
		{"stages need not be consecutive", tasks(1, d, 5, w, 9, w), []int{1}},
		{"canceled counts as finished", tasks(1, x, 2, w), []int{1}},
		{"listed out of order", tasks(3, w, 1, d, 2, w), []int{2}},
		{"all done", tasks(1, d, 2, d), nil},
		{"no tasks", nil, nil},
		{"already open stays as is", tasks(1, o, 2, w), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Open(tc.tasks); !slices.Equal(got, tc.open) {
				t.Errorf("Open = %v, want %v", got, tc.open)
			}
		})
	}
}

func TestComplete(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tasks []Task
		want  bool
	}{
		{"all done", tasks(1, d, 2, d), true},
		{"one open", tasks(1, d, 2, o), false},
		{"one waiting", tasks(1, d, 2, w), false},
		{"done and canceled", tasks(1, d, 1, x), true},
		{"all canceled is not fulfilled", tasks(1, x), false},
		{"no tasks is not fulfilled", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Complete(tc.tasks); got != tc.want {
				t.Errorf("Complete = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestStages walks a plan through: done stage by stage, the request is
// complete only after the last task.
func TestStages(t *testing.T) {
	ts := tasks(1, w, 1, w, 2, w, 3, w)
	var order [][]int
	for round := 0; round < 10 && !Complete(ts); round++ {
		opened := Open(ts)
		for _, i := range opened {
			ts[i].Status = StatusOpen
		}
		var nums []int
		for i := range ts {
			if ts[i].Status == StatusOpen {
				nums = append(nums, ts[i].Number)
				ts[i].Status = StatusDone
			}
		}
		order = append(order, nums)
	}
	want := [][]int{{1, 2}, {3}, {4}}
	if !slices.EqualFunc(order, want, slices.Equal[[]int]) {
		t.Errorf("stages ran as %v, want %v", order, want)
	}
}

func TestValidatePlan(t *testing.T) {
	plan := []TaskTemplate{
		{Name: "Hand over", TeamID: 1, Stage: 3},
		{Name: "Order hardware", TeamID: 2, Stage: 1},
		{Name: "Image", TeamID: 1, Stage: 2},
		{Name: "Accounts", TeamID: 3, Stage: 1},
	}
	if err := ValidatePlan(plan); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range plan {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"Order hardware", "Accounts", "Image", "Hand over"}) {
		t.Errorf("ordered %v", names)
	}
	for _, tc := range []struct {
		plan  []TaskTemplate
		field string
	}{
		{[]TaskTemplate{{Name: " ", TeamID: 1, Stage: 1}}, "tasks[0].name"},
		{[]TaskTemplate{{Name: "a", Stage: 1}}, "tasks[0].team"},
		{[]TaskTemplate{{Name: "a", TeamID: 1, Stage: 1}, {Name: "b", TeamID: 1}}, "tasks[1].stage"},
	} {
		if e, ok := errs.As(ValidatePlan(tc.plan)); !ok || e.Field != tc.field {
			t.Errorf("%+v: %v, want an error on %s", tc.plan, e, tc.field)
		}
	}
}
