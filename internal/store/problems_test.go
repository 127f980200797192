package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// probProblem raises a problem on Network as nina and starts investigating it.
func probProblem(t *testing.T, f *fixture, summary string) ticket.Ticket {
	t.Helper()
	p := f.create(t, f.nina, store.NewTicket{Type: "problem", Service: "Network", Summary: summary})
	p, err := f.s.Transition(f.ctx, f.nina, p.Key, store.TransitionInput{To: "investigate"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func probKeys(rs []store.RelatedTicket) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out
}

func TestProblemAnalysis(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		p := probProblem(t, f, "Mail relay drops messages")
		inc := f.incident(t, f.alice, "Mail bounced")
		a, err := s.ProblemAnalysis(f.ctx, f.nina, p.Key)
		if err != nil || !a.Empty() || a.UpdatedAt != nil {
			t.Fatalf("a new problem's analysis = %+v, %v", a, err)
		}
		before := incCounts(t, f)
		for _, tt := range []struct {
			name  string
			actor directory.Actor
			key   string
			a     ticket.Analysis
			kind  errs.Kind
			field string
		}{
			{"six whys", f.nina, p.Key, ticket.Analysis{Whys: make([]ticket.Why, 6)}, "", ""}, // blank rows are dropped: saves nothing new
			{"an answer without its question", f.nina, p.Key, ticket.Analysis{Whys: []ticket.Why{{Answer: "Because"}}}, errs.KindInvalid, "whys[0].question"},
			{"a customer", f.alice, p.Key, ticket.Analysis{RootCause: "x"}, errs.KindNotFound, ""}, // nina's problem is hidden from alice
			{"an agent of another service", f.dave, p.Key, ticket.Analysis{RootCause: "x"}, errs.KindNotFound, ""},
			{"an incident", f.nina, inc.Key, ticket.Analysis{RootCause: "x"}, errs.KindConflict, ""},
		} {
			_, err := s.SaveProblemAnalysis(f.ctx, tt.actor, tt.key, tt.a)
			if tt.kind == "" {
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
				}
				continue
			}
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		after := incCounts(t, f)
		after["problem_analysis"], after["events"] = before["problem_analysis"], before["events"] // the blank save
		sameCounts(t, "refused analyses", before, after)

		f.clock.advance(3600e9)
		in := ticket.Analysis{
			Symptoms:  "Messages to external domains bounce after 10:00.",
			RootCause: "The relay's certificate expired.",
			Whys: []ticket.Why{
				{Question: "Why do messages bounce?", Answer: "The relay refuses TLS."},
				{Question: "Why does it refuse TLS?", Answer: "Its certificate expired."},
				{Question: "Why did it expire unnoticed?", Answer: "No monitoring of expiry dates."},
				{},
			},
			Notes: "Add expiry monitoring.",
		}
		a, err = s.SaveProblemAnalysis(f.ctx, f.nina, p.Key, in)
		if err != nil {
			t.Fatal(err)
		}
		if a.Method != ticket.MethodFiveWhys || len(a.Whys) != 3 || a.RootCause != in.RootCause || a.UpdatedBy != "Nina Network" || a.UpdatedAt == nil || !a.UpdatedAt.Equal(f.clock.now) {
			t.Errorf("saved = %+v", a)
		}
		if read, _ := s.ProblemAnalysis(f.ctx, f.admin, p.Key); len(read.Whys) != 3 || read.Whys[1].Answer != "Its certificate expired." {
			t.Errorf("read back = %+v", read)
		}
		// Switching to free form needs the whys gone.
		_, err = s.SaveProblemAnalysis(f.ctx, f.nina, p.Key, ticket.Analysis{Method: ticket.MethodFreeForm, Whys: in.Whys})
		wantErr(t, "free form with whys", err, errs.KindInvalid, "whys")
		a, err = s.SaveProblemAnalysis(f.ctx, f.nina, p.Key, ticket.Analysis{Method: ticket.MethodFreeForm, RootCause: in.RootCause, Notes: "Long story."})
		if err != nil || a.Method != ticket.MethodFreeForm || len(a.Whys) != 0 || a.Notes != "Long story." {
			t.Errorf("free form = %+v, %v", a, err)
		}
		if n := f.count(t, "problem_analysis"); n != 1 {
			t.Errorf("%d analysis rows, want 1", n)
		}
		hist, _ := s.History(f.ctx, f.nina, p.Key)
		var updates int
		for _, e := range hist {
			if e.Type == ticket.EventAnalysisUpdated {
				updates++
			}
		}
		if updates != 2 {
			t.Errorf("%d analysis events, want 2", updates)
		}
	})
}

func TestGroupIncidents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		var incs []ticket.Ticket
		for _, sum := range []string{"VPN drops at 9", "VPN drops again", "VPN slow", "VPN down for Carol"} {
			a := f.alice
			if strings.Contains(sum, "Carol") {
				a = f.carol
			}
			incs = append(incs, f.incident(t, a, sum))
		}
		laptopInc := f.create(t, f.alice, store.NewTicket{Type: "incident", Service: "Laptops", Summary: "Laptop VPN client crashes"})
		req := f.laptopRequest(t, f.alice, "A laptop")
		p := probProblem(t, f, "VPN concentrator overloaded")
		done := probProblem(t, f, "Old problem")
		if _, err := s.Transition(f.ctx, f.nina, done.Key, store.TransitionInput{To: "resolve"}); err != nil {
			t.Fatal(err)
		}

		before := incCounts(t, f)
		refusals := []struct {
			name    string
			actor   directory.Actor
			keys    []string
			problem string
			np      *store.NewProblem
			kind    errs.Kind
			field   string
		}{
			{"no incidents", f.nina, []string{" ", ""}, p.Key, nil, errs.KindInvalid, "incidents"},
			{"neither problem nor new", f.nina, []string{incs[0].Key}, "", nil, errs.KindInvalid, "problem"},
			{"both problem and new", f.nina, []string{incs[0].Key}, p.Key, &store.NewProblem{Summary: "x"}, errs.KindInvalid, "problem"},
			{"a service request", f.admin, []string{incs[0].Key, req.Key}, p.Key, nil, errs.KindInvalid, "incidents[1]"},
			{"an incident nina cannot see", f.nina, []string{incs[0].Key, laptopInc.Key}, p.Key, nil, errs.KindInvalid, "incidents[1]"},
			{"an unknown key", f.nina, []string{"IT-9999"}, p.Key, nil, errs.KindInvalid, "incidents[0]"},
			{"into an incident", f.nina, []string{incs[0].Key}, incs[1].Key, nil, errs.KindInvalid, "problem"},
			{"into a resolved problem", f.nina, []string{incs[0].Key}, done.Key, nil, errs.KindConflict, ""},
			{"a new problem without a summary", f.nina, []string{incs[0].Key}, "", &store.NewProblem{Summary: " "}, errs.KindInvalid, "summary"},
			{"a new problem on an unknown service", f.nina, []string{incs[0].Key}, "", &store.NewProblem{Summary: "x", Service: "Mainframe"}, errs.KindInvalid, "service"},
			{"by a customer", f.alice, []string{incs[0].Key}, p.Key, nil, errs.KindForbidden, ""},
		}
		for _, tt := range refusals {
			_, err := s.GroupIncidents(f.ctx, tt.actor, tt.keys, tt.problem, tt.np)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused groupings", before, incCounts(t, f))

		steps := []struct {
			name    string
			actor   directory.Actor
			keys    []string
			problem string
			np      *store.NewProblem
			linked  []string
			already []string
		}{
			{"two into an existing problem", f.nina, []string{incs[0].Key, strings.ToLower(incs[1].Key), incs[0].Key}, p.Key, nil,
				[]string{incs[0].Key, incs[1].Key}, []string{}},
			{"again with one more", f.nina, []string{incs[1].Key, incs[2].Key}, strings.ToLower(p.Key), nil,
				[]string{incs[2].Key}, []string{incs[1].Key}},
			{"into a new problem", f.admin, []string{incs[3].Key, laptopInc.Key}, "", &store.NewProblem{Summary: "VPN client and server disagree"},
				[]string{incs[3].Key, laptopInc.Key}, []string{}},
		}
		var created ticket.Ticket
		for _, st := range steps {
			res, err := s.GroupIncidents(f.ctx, st.actor, st.keys, st.problem, st.np)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if !slices.Equal(res.Linked, st.linked) || !slices.Equal(res.Already, st.already) || res.Created != (st.np != nil) {
				t.Errorf("%s: linked %v already %v created %v; want %v %v", st.name, res.Linked, res.Already, res.Created, st.linked, st.already)
			}
			if st.np != nil {
				created = res.Problem
			} else if res.Problem.Key != p.Key {
				t.Errorf("%s: problem %s, want %s", st.name, res.Problem.Key, p.Key)
			}
		}
		if created.Type != ticket.TypeProblem || created.Status != "Open" || created.Summary != "VPN client and server disagree" ||
			created.ServiceID != f.network.ID || created.ReporterID != f.adminUser.ID || !strings.Contains(created.Description, incs[3].Key) {
			t.Errorf("new problem = %+v", created)
		}
		got, err := s.ProblemIncidents(f.ctx, f.nina, p.Key)
		if want := []string{incs[0].Key, incs[1].Key, incs[2].Key}; err != nil || !slices.Equal(probKeys(got), want) {
			t.Errorf("p's incidents = %v, %v; want %v", probKeys(got), err, want)
		}
		// Each incident now reads "is caused by" the problem.
		causes, _ := s.IncidentCauses(f.ctx, f.nina, incs[0].Key)
		if len(causes) != 1 || causes[0].Key != p.Key {
			t.Errorf("incident causes = %+v", causes)
		}
		// Nina sees only the new problem's incident on her service.
		got, err = s.ProblemIncidents(f.ctx, f.admin, created.Key)
		if err != nil || len(got) != 2 {
			t.Errorf("new problem's incidents as admin = %v, %v", probKeys(got), err)
		}
		if got, _ := s.ProblemIncidents(f.ctx, f.nina, created.Key); len(got) != 1 || got[0].Key != incs[3].Key {
			t.Errorf("new problem's incidents as nina = %v", probKeys(got))
		}
		if _, err := s.ProblemIncidents(f.ctx, f.alice, p.Key); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("a customer lists a problem's incidents: %v", err)
		}
	})
}

func TestResolveProblemCascade(t *testing.T) {
	tests := []struct {
		name     string
		cascade  ticket.Cascade
		comment  string
		notified int
		resolved int
	}{
		{"none", ticket.CascadeNone, "", 0, 0},
		{"notify", ticket.CascadeNotify, "Patched the concentrator.", 2, 0},
		{"resolve", ticket.CascadeResolve, "Patched the concentrator.", 0, 2},
	}
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := probProblem(t, f, "VPN concentrator overloaded: "+tt.name)
				open1 := f.incident(t, f.alice, "VPN drops: "+tt.name)
				open2 := f.incident(t, f.carol, "VPN slow: "+tt.name)
				done := f.incident(t, f.alice, "VPN was down: "+tt.name)
				hidden := f.create(t, f.alice, store.NewTicket{Type: "incident", Service: "Laptops", Summary: "VPN client: " + tt.name})
				if _, err := s.GroupIncidents(f.ctx, f.admin, []string{open1.Key, open2.Key, done.Key, hidden.Key}, p.Key, nil); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Transition(f.ctx, f.nina, done.Key, store.TransitionInput{To: "resolve", Resolution: "Workaround"}); err != nil {
					t.Fatal(err)
				}
				commentsBefore := f.count(t, "comments")
				res, err := s.ResolveProblem(f.ctx, f.nina, p.Key, tt.cascade, "Fixed", tt.comment)
				if err != nil {
					t.Fatal(err)
				}
				if res.Problem.Status != "Resolved" || res.Problem.Resolution != "Fixed" || res.Problem.ResolvedAt == nil {
					t.Errorf("problem after = %s %q", res.Problem.Status, res.Problem.Resolution)
				}
				if len(res.Notified) != tt.notified || len(res.Resolved) != tt.resolved {
					t.Errorf("notified %v resolved %v", res.Notified, res.Resolved)
				}
				for _, k := range []string{open1.Key, open2.Key} {
					inc, _ := s.Ticket(f.ctx, f.admin, k)
					all, _ := s.Comments(f.ctx, f.admin, k)
					switch tt.cascade {
					case ticket.CascadeResolve:
						if inc.Status != "Resolved" || inc.Resolution != "Fixed" || len(all) != 1 || all[0].Internal || !strings.Contains(all[0].Body, p.Key) {
							t.Errorf("%s after resolve cascade: %s %q, comments %+v", k, inc.Status, inc.Resolution, all)
						}
					case ticket.CascadeNotify:
						if inc.Status != "Open" || len(all) != 1 || all[0].Internal || !strings.Contains(all[0].Body, "Patched the concentrator.") {
							t.Errorf("%s after notify: %s, comments %+v", k, inc.Status, all)
						}
					default:
						if inc.Status != "Open" || len(all) != 0 {
							t.Errorf("%s after none: %s, %d comments", k, inc.Status, len(all))
						}
					}
				}
				// The incident already done and the one nina cannot see are left alone.
				if d, _ := s.Ticket(f.ctx, f.admin, done.Key); d.Resolution != "Workaround" {
					t.Errorf("the resolved incident changed: %q", d.Resolution)
				}
				if h, _ := s.Ticket(f.ctx, f.admin, hidden.Key); h.Status != "Open" {
					t.Errorf("the hidden incident moved to %s", h.Status)
				}
				wantComments := commentsBefore + tt.notified + tt.resolved
				if tt.comment != "" {
					wantComments++ // on the problem itself
				}
				if n := f.count(t, "comments"); n != wantComments {
					t.Errorf("%d comments, want %d", n, wantComments)
				}
				if types := incEventTypes(t, f, f.nina, p.Key); !slices.Contains(types, ticket.EventProblemResolved) {
					t.Errorf("problem history %v lacks %s", types, ticket.EventProblemResolved)
				}
			})
		}

		t.Run("refusals write nothing", func(t *testing.T) {
			if _, err := s.SetIncidentSettings(f.ctx, f.admin, ticket.IncidentSettings{ResolutionCodes: []string{"Fixed"}}); err != nil {
				t.Fatal(err)
			}
			p := probProblem(t, f, "Refusals")
			inc := f.incident(t, f.alice, "Caused by refusals")
			if _, err := s.GroupIncidents(f.ctx, f.nina, []string{inc.Key}, p.Key, nil); err != nil {
				t.Fatal(err)
			}
			before := incCounts(t, f)
			for _, tt := range []struct {
				name       string
				actor      directory.Actor
				key        string
				cascade    ticket.Cascade
				resolution string
				kind       errs.Kind
				field      string
			}{
				{"a resolution that is no incident code", f.nina, p.Key, ticket.CascadeResolve, "Patched", errs.KindInvalid, "resolution"},
				{"an unknown cascade", f.nina, p.Key, "close", "Fixed", errs.KindInvalid, "cascade"},
				{"an incident", f.nina, inc.Key, ticket.CascadeNone, "Fixed", errs.KindConflict, ""},
				{"a customer", f.alice, p.Key, ticket.CascadeNone, "Fixed", errs.KindNotFound, ""},
				{"an agent who cannot see it", f.dave, p.Key, ticket.CascadeNone, "Fixed", errs.KindNotFound, ""},
			} {
				_, err := s.ResolveProblem(f.ctx, tt.actor, tt.key, tt.cascade, tt.resolution, "")
				wantErr(t, tt.name, err, tt.kind, tt.field)
			}
			sameCounts(t, "refused resolutions", before, incCounts(t, f))
			if _, err := s.ResolveProblem(f.ctx, f.nina, p.Key, ticket.CascadeResolve, "fixed", ""); err != nil {
				t.Fatal(err)
			}
			_, err := s.ResolveProblem(f.ctx, f.nina, p.Key, ticket.CascadeNone, "", "")
			if e, ok := errs.As(err); !ok || e.Code != "resolved" {
				t.Errorf("resolve twice: %v", err)
			}
			if got, _ := s.Ticket(f.ctx, f.admin, inc.Key); got.Resolution != "Fixed" {
				t.Errorf("the incident's resolution %q, want the code as listed", got.Resolution)
			}
		})
	})
}

func TestKnownErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		vpn := probProblem(t, f, "VPN concentrator overloaded")
		mail := probProblem(t, f, "Mail relay certificate")
		inc := f.incident(t, f.alice, "VPN drops every hour")

		before := incCounts(t, f)
		for _, tt := range []struct {
			name  string
			actor directory.Actor
			key   string
			k     ticket.KnownError
			kind  errs.Kind
			field string
		}{
			{"no workaround", f.nina, vpn.Key, ticket.KnownError{Title: "x"}, errs.KindInvalid, "workaround"},
			{"no title", f.nina, vpn.Key, ticket.KnownError{Workaround: "x"}, errs.KindInvalid, "title"},
			{"on an incident", f.nina, inc.Key, ticket.KnownError{Title: "x", Workaround: "y"}, errs.KindConflict, ""},
			{"by a customer", f.alice, inc.Key, ticket.KnownError{Title: "x", Workaround: "y"}, errs.KindForbidden, ""},
		} {
			_, err := s.CreateKnownError(f.ctx, tt.actor, tt.key, tt.k)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused known errors", before, incCounts(t, f))

		mk := func(p ticket.Ticket, title, symptoms, workaround string) ticket.KnownError {
			t.Helper()
			f.clock.advance(60e9)
			k, err := s.CreateKnownError(f.ctx, f.nina, p.Key, ticket.KnownError{Title: title, Symptoms: symptoms, Workaround: workaround})
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		k1 := mk(vpn, "VPN drops after 60 minutes", "Session ends; client shows error 809.", "Reconnect, or use the backup gateway vpn2.")
		k2 := mk(vpn, "VPN slow at 9:00", "Pages load slowly in the morning.", "Use split tunnelling: 100% of traffic goes via VPN otherwise.")
		k3 := mk(mail, "Mail to partners bounces", "Bounce mentions TLS_handshake.", "Send through the webmail gateway.")
		if k1.Problem != vpn.Key || k1.ProblemSummary != vpn.Summary || k1.Status != ticket.KnownErrorActive || k1.CreatedBy != "Nina Network" {
			t.Errorf("k1 = %+v", k1)
		}
		// Retire one.
		k3.Status = ticket.KnownErrorRetired
		f.clock.advance(60e9)
		if _, err := s.UpdateKnownError(f.ctx, f.nina, k3.ID, k3); err != nil {
			t.Fatal(err)
		}
		ids := func(p store.KnownErrorPage) []int64 {
			var out []int64
			for _, k := range p.KnownErrors {
				out = append(out, k.ID)
			}
			return out
		}
		searches := []struct {
			name string
			f    store.KnownErrorFilter
			want []int64
		}{
			{"all, latest changed first", store.KnownErrorFilter{}, []int64{k3.ID, k2.ID, k1.ID}},
			{"title, any case", store.KnownErrorFilter{Text: "vpn DROPS"}, []int64{k1.ID}},
			{"symptoms", store.KnownErrorFilter{Text: "error 809"}, []int64{k1.ID}},
			{"workaround", store.KnownErrorFilter{Text: "webmail"}, []int64{k3.ID}},
			{"a literal percent sign", store.KnownErrorFilter{Text: "100%"}, []int64{k2.ID}},
			{"a literal underscore", store.KnownErrorFilter{Text: "tls_h"}, []int64{k3.ID}},
			{"an underscore is no wildcard", store.KnownErrorFilter{Text: "vpn_"}, nil},
			{"active only", store.KnownErrorFilter{Statuses: []ticket.KnownErrorStatus{ticket.KnownErrorActive}}, []int64{k2.ID, k1.ID}},
			{"of a problem", store.KnownErrorFilter{Problem: strings.ToLower(mail.Key)}, []int64{k3.ID}},
			{"text and status", store.KnownErrorFilter{Text: "mail", Statuses: []ticket.KnownErrorStatus{ticket.KnownErrorActive}}, nil},
			{"paged", store.KnownErrorFilter{Limit: 1, Offset: 1}, []int64{k2.ID}},
		}
		for _, sc := range searches {
			page, err := s.KnownErrors(f.ctx, f.dave, sc.f) // known errors are shared by every agent
			if err != nil || !slices.Equal(ids(page), sc.want) {
				t.Errorf("%s: %v, %v; want %v", sc.name, ids(page), err, sc.want)
			}
		}
		if page, _ := s.KnownErrors(f.ctx, f.nina, store.KnownErrorFilter{Limit: 1}); page.Total != 3 || len(page.KnownErrors) != 1 {
			t.Errorf("page of 1: total %d, %d rows", page.Total, len(page.KnownErrors))
		}
		if _, err := s.KnownErrors(f.ctx, f.alice, store.KnownErrorFilter{}); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("a customer searches known errors: %v", err)
		}
		if _, err := s.KnownError(f.ctx, f.alice, k1.ID); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("a customer reads a known error: %v", err)
		}
		_, err := s.KnownErrors(f.ctx, f.nina, store.KnownErrorFilter{Statuses: []ticket.KnownErrorStatus{"open"}})
		wantErr(t, "unknown status", err, errs.KindInvalid, "status")

		// Applying a known error posts its workaround and links the problem.
		res, err := s.ApplyKnownError(f.ctx, f.nina, k1.ID, strings.ToLower(inc.Key), false)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Linked || res.Problem != vpn.Key || res.Comment.Internal || !strings.Contains(res.Comment.Body, "backup gateway vpn2") {
			t.Errorf("applied = %+v", res)
		}
		if cms, _ := s.Comments(f.ctx, f.alice, inc.Key); len(cms) != 1 {
			t.Errorf("the reporter sees %d comments, want the workaround", len(cms))
		}
		if got, _ := s.ProblemIncidents(f.ctx, f.nina, vpn.Key); !slices.Equal(probKeys(got), []string{inc.Key}) {
			t.Errorf("the problem's incidents = %v", probKeys(got))
		}
		res, err = s.ApplyKnownError(f.ctx, f.nina, k2.ID, inc.Key, true)
		if err != nil || res.Linked || !res.Comment.Internal {
			t.Errorf("second known error of the same problem = %+v, %v", res, err)
		}
		req := f.laptopRequest(t, f.alice, "A laptop")
		before = incCounts(t, f)
		for _, tt := range []struct {
			name  string
			actor directory.Actor
			id    int64
			key   string
			kind  errs.Kind
			field string
		}{
			{"to a service request", f.admin, k1.ID, req.Key, errs.KindConflict, ""},
			{"an unknown known error", f.nina, 9999, inc.Key, errs.KindNotFound, ""},
			{"to no incident", f.nina, k1.ID, " ", errs.KindInvalid, "incident"},
			{"by a customer", f.alice, k1.ID, inc.Key, errs.KindForbidden, ""},
			{"to an incident dave cannot see", f.dave, k1.ID, inc.Key, errs.KindNotFound, ""},
		} {
			_, err := s.ApplyKnownError(f.ctx, tt.actor, tt.id, tt.key, false)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused applications", before, incCounts(t, f))
	})
}
