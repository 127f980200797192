package cql

import (
	"strings"
)

type fieldKind int

const (
	kindKey        fieldKind = iota
	kindType                 // ticket type
	kindStatus               // a workflow status, by name
	kindCategory             // status category
	kindPriority             // ordered by rank
	kindLevel                // impact, urgency: ordered high > medium > low
	kindRef                  // service, request type, organization, team: by name
	kindUser                 // reporter, assignee: by email or name
	kindText                 // summary, description: substring search
	kindFullText             // text: the full-text index
	kindChannel              // intake channel
	kindResolution           // free text, compared whole or in part
	kindDate                 // Unix milliseconds
	kindSLA                  // the ticket's SLA clocks (sla.go)
)

// fieldDef is a built-in field: where it lives in the tickets table and
// what may be asked of it.
type fieldDef struct {
	name     string   // canonical, as error messages name it
	aliases  []string // other spellings, lower case
	kind     fieldKind
	column   string // over tickets t
	nullable bool   // the column may be NULL
	entity   Entity // what kindRef names
	ops      []Op
	sort     string // ORDER BY expression; "" when the field does not sort
	ci       bool   // a field of CIs (ci.go), not of tickets
}

var (
	opsEq       = []Op{OpEq, OpNe, OpIn, OpNotIn, OpIs, OpIsNot}
	opsOrdered  = []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn, OpIs, OpIsNot}
	opsText     = []Op{OpLike, OpNotLike, OpIs, OpIsNot}
	opsTextEq   = []Op{OpEq, OpNe, OpLike, OpNotLike, OpIn, OpNotIn, OpIs, OpIsNot}
	opsFullText = []Op{OpLike, OpNotLike}
	opsChecked  = []Op{OpEq, OpNe, OpIs, OpIsNot}
)

const levelOrder = "CASE %s WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END"

// builtins are every field of a ticket a query can name.
var builtins = []*fieldDef{
	{name: "key", aliases: []string{"issuekey"}, kind: kindKey, column: "t.key", ops: opsOrdered, sort: "t.id"},
	{name: "type", aliases: []string{"issuetype"}, kind: kindType, column: "t.type", ops: opsEq, sort: "t.type"},
	{name: "status", kind: kindStatus, column: "t.status", ops: opsEq, sort: "t.status"},
	{name: "category", aliases: []string{"status category", "statuscategory", "status_category"}, kind: kindCategory,
		column: "t.status_category", ops: opsEq,
		sort: "CASE t.status_category WHEN 'to_do' THEN 1 WHEN 'in_progress' THEN 2 ELSE 3 END"},
	{name: "priority", kind: kindPriority, column: "t.priority_rank", ops: opsOrdered, sort: "t.priority_rank"},
	{name: "impact", kind: kindLevel, column: "t.impact", ops: opsOrdered, sort: strings.Replace(levelOrder, "%s", "t.impact", 1)},
	{name: "urgency", kind: kindLevel, column: "t.urgency", ops: opsOrdered, sort: strings.Replace(levelOrder, "%s", "t.urgency", 1)},
	{name: "service", kind: kindRef, entity: EntityService, column: "t.service_id", ops: opsEq,
		sort: "(SELECT lower(name) FROM services WHERE id = t.service_id)"},
	{name: "request type", aliases: []string{"requesttype", "request_type"}, kind: kindRef, entity: EntityRequestType,
		column: "t.request_type_id", nullable: true, ops: opsEq,
		sort: "(SELECT lower(name) FROM request_types WHERE id = t.request_type_id)"},
	{name: "summary", kind: kindText, column: "t.summary", ops: opsText, sort: "lower(t.summary)"},
	{name: "description", kind: kindText, column: "t.description", ops: opsText},
	{name: "text", kind: kindFullText, ops: opsFullText},
	{name: "reporter", kind: kindUser, column: "t.reporter_id", ops: opsEq,
		sort: "(SELECT lower(name) FROM users WHERE id = t.reporter_id)"},
	{name: "assignee", kind: kindUser, column: "t.assignee_id", nullable: true, ops: opsEq,
		sort: "(SELECT lower(name) FROM users WHERE id = t.assignee_id)"},
	{name: "organization", aliases: []string{"organisation"}, kind: kindRef, entity: EntityOrganization,
		column: "t.organization_id", nullable: true, ops: opsEq,
		sort: "(SELECT lower(name) FROM organizations WHERE id = t.organization_id)"},
	{name: "team", kind: kindRef, entity: EntityTeam, column: "t.team_id", nullable: true, ops: opsEq,
		sort: "(SELECT lower(name) FROM teams WHERE id = t.team_id)"},
	{name: "channel", kind: kindChannel, column: "t.channel", ops: opsEq, sort: "t.channel"},
	{name: "resolution", kind: kindResolution, column: "t.resolution", ops: opsTextEq, sort: "t.resolution"},
	{name: "created", aliases: []string{"createddate"}, kind: kindDate, column: "t.created_at", ops: opsOrdered, sort: "t.created_at"},
	{name: "updated", aliases: []string{"updateddate"}, kind: kindDate, column: "t.updated_at", ops: opsOrdered, sort: "t.updated_at"},
	{name: "resolved", aliases: []string{"resolutiondate"}, kind: kindDate, column: "t.resolved_at", nullable: true, ops: opsOrdered, sort: "t.resolved_at"},
	{name: "sla", kind: kindSLA, nullable: true, ops: []Op{OpEq, OpNe, OpIn, OpNotIn}, sort: slaSort},
}

var builtinByName = func() map[string]*fieldDef {
	m := map[string]*fieldDef{}
	for _, f := range builtins {
		m[f.name] = f
		for _, a := range f.aliases {
			m[a] = f
		}
	}
	return m
}()

// lookupBuiltin finds a built-in field by name or alias, letter case ignored.
func lookupBuiltin(name string) *fieldDef {
	return builtinByName[strings.ToLower(strings.TrimSpace(name))]
}

func builtinNames() []string {
	out := make([]string, len(builtins))
	for i, f := range builtins {
		out[i] = f.name
	}
	return out
}

func allows(ops []Op, op Op) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

func opList(ops []Op) string {
	parts := make([]string, len(ops))
	for i, o := range ops {
		parts[i] = o.String()
	}
	return strings.Join(parts, ", ")
}

// suggest picks the candidate closest to name, if one is close enough to be
// a typo of it.
func suggest(name string, candidates []string) string {
	name = strings.ToLower(name)
	best, bestDist := "", -1
	for _, c := range candidates {
		d := distance(name, strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	n := len([]rune(name))
	limit := 1 + n/4
	if limit > 3 {
		limit = 3
	}
	if bestDist < 0 || bestDist > limit || n == 0 {
		return ""
	}
	return best
}

// didYouMean gives ` (did you mean "x"?)`, or "" without a close candidate.
func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return "; did you mean " + quote(s) + "?"
	}
	return ""
}

// distance is the Levenshtein distance between a and b, in characters.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 30 // not worth comparing
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
