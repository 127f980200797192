package cmdb

import (
	"maps"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Input is what creating a CI gives, or what changing one changes. Nil
// fields are not given: a new CI takes the default (status live,
// criticality medium, no owner team), a changed one keeps its value.
type Input struct {
	Name        *string
	Type        *string // an id, key or name
	Description *string
	Status      *string
	Criticality *string
	OwnerTeam   *string // a team's id or name; "" clears it
	// Attributes are merged into the current values; a nil value removes
	// one. Values of attributes the type no longer has are dropped.
	Attributes map[string]any
}

// Apply gives the CI that results from applying in to old (nil for a new
// CI), validated and normalized against the types. The team and the values
// that name other records are resolved with look; a reference or a person
// that old holds already is kept without a lookup, so that a CI whose
// referenced CI was deleted can still be edited.
func Apply(ts *TypeSet, old *CI, in Input, look Lookups) (CI, error) {
	var ci CI
	if old != nil {
		ci = *old
		ci.Attributes = maps.Clone(old.Attributes)
	} else {
		ci = CI{Status: StatusLive, Criticality: CriticalityMedium}
	}
	var err error
	if in.Name != nil {
		if ci.Name, err = CleanName(*in.Name); err != nil {
			return ci, err
		}
	} else if old == nil {
		return ci, errs.Required("name")
	}
	if in.Type != nil {
		if strings.TrimSpace(*in.Type) == "" {
			return ci, errs.Required("type")
		}
		t, ok := ts.Lookup(*in.Type)
		if !ok {
			return ci, errs.Invalid("type", "no CI type %q", strings.TrimSpace(*in.Type))
		}
		ci.TypeID = t.ID
	} else if old == nil {
		return ci, errs.Required("type")
	}
	t, ok := ts.ByID(ci.TypeID)
	if !ok {
		return ci, errs.Invalid("type", "no CI type with id %d", ci.TypeID)
	}
	ci.Type, ci.TypeKey = t.Name, t.Key
	if in.Description != nil {
		if ci.Description, err = CleanDescription(*in.Description); err != nil {
			return ci, err
		}
	}
	if in.Status != nil {
		st := Status(strings.ToLower(strings.TrimSpace(*in.Status)))
		if !st.Valid() {
			return ci, errs.Invalid("status", "must be one of planned, live, maintenance, retired")
		}
		ci.Status = st
	}
	if in.Criticality != nil {
		cr := Criticality(strings.ToLower(strings.TrimSpace(*in.Criticality)))
		if !cr.Valid() {
			return ci, errs.Invalid("criticality", "must be one of low, medium, high, critical")
		}
		ci.Criticality = cr
	}
	if in.OwnerTeam != nil {
		ref := strings.TrimSpace(*in.OwnerTeam)
		switch {
		case ref == "" || ref == "0":
			ci.OwnerTeamID, ci.OwnerTeam = 0, ""
		case look.Team != nil:
			if ci.OwnerTeamID, err = look.Team(ref); err != nil {
				if e, ok := errs.As(err); ok {
					return ci, errs.Invalid("owner_team", "%s", e.Message)
				}
				return ci, err
			}
		default:
			if ci.OwnerTeamID, err = positiveID(ref, "a team"); err != nil {
				return ci, errs.Invalid("owner_team", "%s", err.Error())
			}
		}
	}

	inSchema := map[string]bool{}
	for _, a := range t.Schema {
		inSchema[a.Key] = true
	}
	values := map[string]any{}
	for k, v := range ci.Attributes {
		if inSchema[k] {
			values[k] = v
		}
	}
	for k, v := range in.Attributes {
		if v == nil {
			delete(values, k)
		} else {
			values[k] = v
		}
	}
	ci.Attributes, err = ValidateValues(t.Schema, values, keepKnown(t.Schema, old, look))
	return ci, err
}

// keepKnown wraps the lookups so that the references and people old holds
// already resolve without asking.
func keepKnown(schema []SchemaAttribute, old *CI, look Lookups) Lookups {
	if old == nil {
		return look
	}
	known := map[string]bool{}
	for _, a := range schema {
		if id, ok := old.Attributes[a.Key].(int64); ok && (a.Type == AttrReference || a.Type == AttrPerson) {
			known[string(a.Type)+"\x00"+a.RefType+"\x00"+strconv.FormatInt(id, 10)] = true
		}
	}
	if len(known) == 0 {
		return look
	}
	out := look
	if look.CI != nil {
		out.CI = func(ref, refType string) (int64, error) {
			if known[string(AttrReference)+"\x00"+refType+"\x00"+ref] {
				return strconv.ParseInt(ref, 10, 64)
			}
			return look.CI(ref, refType)
		}
	}
	if look.User != nil {
		out.User = func(ref string) (int64, error) {
			if known[string(AttrPerson)+"\x00\x00"+ref] {
				return strconv.ParseInt(ref, 10, 64)
			}
			return look.User(ref)
		}
	}
	return out
}
