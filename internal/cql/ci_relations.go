package cql

import (
	"sort"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/cmdb"
)

// Relation is how the CIs a relationship function selects relate to the
// CI it names. Each function reads from the CI selected: dependsOn(x)
// selects the CIs that depend on x.
type Relation int

// The relations. The first four follow chains of relationships, the way
// impact analysis does, and never loop on a cycle; the others are direct
// links only.
const (
	// DependsOn selects what depends on or runs on x, directly or through
	// other CIs: everything that fails when x fails (impact upstream).
	DependsOn Relation = iota
	// DependedOnBy selects what x depends on or runs on, directly or
	// through other CIs: everything x needs (impact downstream).
	DependedOnBy
	// RunsOn selects what runs on x, or on something that runs on x,
	// following runs_on only: the virtual machines on a host and the
	// applications on them.
	RunsOn
	// Hosts selects what x runs on, following runs_on only: a virtual
	// machine's host, an application's machines and their hosts.
	Hosts
	// ConnectsTo selects the CIs linked to x by connects_to.
	ConnectsTo
	// OwnedBy selects the CIs x owns (those with owned_by x).
	OwnedBy
	// Owns selects the CIs that own x.
	Owns
)

// Transitive reports whether the relation follows chains of relationships.
func (r Relation) Transitive() bool { return r <= Hosts }

// predicateDef is a relationship function: a condition of its own.
type predicateDef struct {
	funcDef
	rel Relation
}

// predicates are the functions that are conditions, by lower-case name.
// The transitive ones take a depth as a second argument: dependsOn(x, 1)
// keeps to direct relationships.
var predicates = map[string]predicateDef{
	"dependson":    {funcDef{name: "dependsOn", minArgs: 1, maxArgs: 2, kind: funcCondition}, DependsOn},
	"dependedonby": {funcDef{name: "dependedOnBy", minArgs: 1, maxArgs: 2, kind: funcCondition}, DependedOnBy},
	"runson":       {funcDef{name: "runsOn", minArgs: 1, maxArgs: 2, kind: funcCondition}, RunsOn},
	"hosts":        {funcDef{name: "hosts", minArgs: 1, maxArgs: 2, kind: funcCondition}, Hosts},
	"connectsto":   {funcDef{name: "connectsTo", minArgs: 1, maxArgs: 1, kind: funcCondition}, ConnectsTo},
	"ownedby":      {funcDef{name: "ownedBy", minArgs: 1, maxArgs: 1, kind: funcCondition}, OwnedBy},
	"owns":         {funcDef{name: "owns", minArgs: 1, maxArgs: 1, kind: funcCondition}, Owns},
}

func predicateNames() []string {
	out := make([]string, 0, len(predicates))
	for _, p := range predicates {
		out = append(out, p.name)
	}
	sort.Strings(out)
	return out
}

// relation compiles a relationship function to the set of CIs it selects,
// which the resolver works out: the store walks its graph in memory, which
// at 100 000 CIs is far quicker than recursion in SQL.
func (k *ciCompiler) relation(call *Call) (string, error) {
	fn, ok := predicates[strings.ToLower(call.Name)]
	if !ok {
		return "", errorAt(call.At, "unknown condition %s()%s", call.Name, didYouMean(call.Name, predicateNames()))
	}
	if n := len(call.Args); n < fn.minArgs || n > fn.maxArgs {
		return "", errorAt(call.At, "%s() takes %s, not %d", fn.name, fn.arity(), n)
	}
	ref := call.Args[0]
	if ref.Kind != ValueWord && ref.Kind != ValueString {
		return "", errorAt(ref.At, "%s() takes the name or the id of a CI", fn.name)
	}
	from, err := k.cis(ref)
	if err != nil {
		return "", err
	}
	depth := 0
	if len(call.Args) == 2 {
		d := call.Args[1]
		n, err := strconv.Atoi(strings.TrimSpace(d.Text))
		if d.Kind != ValueWord || err != nil || n < 1 || n > cmdb.MaxDepth {
			return "", errorAt(d.At, "%s is not a depth for %s(): give how many relationships to follow, from 1 to %d", d, fn.name, cmdb.MaxDepth)
		}
		depth = n
	}
	ids, err := k.r.Related(fn.rel, from, depth)
	if err != nil {
		return "", err
	}
	return k.idSet("ci.id", ids), nil
}

// cis resolves a CI's name (or id) to the CIs it names.
func (k *ciCompiler) cis(v Value) ([]int64, error) {
	name := strings.TrimSpace(v.Text)
	ids, err := k.r.CIs(name)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errorAt(v.At, "there is no CI named %s", quote(name))
	}
	return ids, nil
}
