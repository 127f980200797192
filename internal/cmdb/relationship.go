package cmdb

import (
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// RelKind is how two CIs relate, read from the relationship's source. A
// relationship is stored once, with its kind, and read from either end
// with the verb of that end.
type RelKind string

// The relationship kinds.
const (
	RelDependsOn  RelKind = "depends_on"  // the source needs the target to work
	RelRunsOn     RelKind = "runs_on"     // the source is hosted by the target
	RelConnectsTo RelKind = "connects_to" // symmetric: a network link
	RelOwnedBy    RelKind = "owned_by"    // the source belongs to the target
)

// RelKinds lists every relationship kind.
var RelKinds = []RelKind{RelDependsOn, RelRunsOn, RelConnectsTo, RelOwnedBy}

// Verb is a relationship read from one of its ends.
type Verb string

// The verbs: each kind from its source, then from its target.
const (
	VerbDependsOn    Verb = "depends_on"
	VerbDependedOnBy Verb = "depended_on_by"
	VerbRunsOn       Verb = "runs_on"
	VerbHosts        Verb = "hosts"
	VerbConnectsTo   Verb = "connects_to"
	VerbOwnedBy      Verb = "owned_by"
	VerbOwns         Verb = "owns"
)

// Verbs lists every verb.
var Verbs = []Verb{VerbDependsOn, VerbDependedOnBy, VerbRunsOn, VerbHosts, VerbConnectsTo, VerbOwnedBy, VerbOwns}

// Verbs used only in impact paths, between a CI and the catalogue.
const (
	VerbSupports Verb = "supports" // a CI supports a catalogue service built on it
	VerbServes   Verb = "serves"   // a service serves a customer organization
)

var verbLabels = map[Verb]string{
	VerbDependsOn: "depends on", VerbDependedOnBy: "is depended on by",
	VerbRunsOn: "runs on", VerbHosts: "hosts",
	VerbConnectsTo: "connects to",
	VerbOwnedBy:    "is owned by", VerbOwns: "owns",
	VerbSupports: "supports", VerbServes: "serves",
}

// Label is the verb as people read it: "is depended on by".
func (v Verb) Label() string {
	if l, ok := verbLabels[v]; ok {
		return l
	}
	return string(v)
}

// Valid reports whether k is a known kind.
func (k RelKind) Valid() bool {
	switch k {
	case RelDependsOn, RelRunsOn, RelConnectsTo, RelOwnedBy:
		return true
	}
	return false
}

// Symmetric reports whether the kind reads the same from both ends.
func (k RelKind) Symmetric() bool { return k == RelConnectsTo }

// CarriesImpact reports whether a failure of the target reaches the source
// through the kind: what depends on or runs on a CI fails with it. Network
// links and ownership do not carry impact: model a real dependency on a
// switch with depends_on.
func (k RelKind) CarriesImpact() bool { return k == RelDependsOn || k == RelRunsOn }

// VerbFrom is how a relationship of kind k reads from its source
// (outgoing) or its target.
func (k RelKind) VerbFrom(outgoing bool) Verb {
	switch k {
	case RelDependsOn:
		if outgoing {
			return VerbDependsOn
		}
		return VerbDependedOnBy
	case RelRunsOn:
		if outgoing {
			return VerbRunsOn
		}
		return VerbHosts
	case RelConnectsTo:
		return VerbConnectsTo
	case RelOwnedBy:
		if outgoing {
			return VerbOwnedBy
		}
		return VerbOwns
	}
	return Verb(k)
}

// ParseVerb reads a verb as said from the CI a relationship is made on
// ("this CI hosts that one") and gives the kind to store and whether this
// CI is the source. Kinds are verbs too.
func ParseVerb(v string) (kind RelKind, thisIsSource bool, err error) {
	switch Verb(v) {
	case VerbDependsOn:
		return RelDependsOn, true, nil
	case VerbDependedOnBy:
		return RelDependsOn, false, nil
	case VerbRunsOn:
		return RelRunsOn, true, nil
	case VerbHosts:
		return RelRunsOn, false, nil
	case VerbConnectsTo:
		return RelConnectsTo, true, nil
	case VerbOwnedBy:
		return RelOwnedBy, true, nil
	case VerbOwns:
		return RelOwnedBy, false, nil
	}
	return "", false, errs.Invalid("kind", "must be one of depends_on, depended_on_by, runs_on, hosts, connects_to, owned_by, owns")
}

// Relationship links two CIs, read from the CI it is listed on.
type Relationship struct {
	ID        int64     `json:"id"`
	Kind      RelKind   `json:"kind"`  // as stored, read from the source
	Verb      Verb      `json:"verb"`  // as read from this CI
	Label     string    `json:"label"` // the verb for people: "is depended on by"
	SourceID  int64     `json:"source_id"`
	TargetID  int64     `json:"target_id"`
	CI        CIRef     `json:"ci"` // the other end
	CreatedAt time.Time `json:"created_at"`
}
