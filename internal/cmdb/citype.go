package cmdb

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// AttrType is the kind of value an attribute takes.
type AttrType string

// The attribute types.
const (
	AttrText      AttrType = "text"
	AttrNumber    AttrType = "number"
	AttrDate      AttrType = "date"
	AttrBoolean   AttrType = "boolean"
	AttrSelect    AttrType = "select"
	AttrReference AttrType = "reference" // another CI, of RefType or one of its subtypes
	AttrPerson    AttrType = "person"    // a user, by id
	AttrURL       AttrType = "url"
	AttrIP        AttrType = "ip_address"
)

// AttrTypes lists every attribute type.
var AttrTypes = []AttrType{AttrText, AttrNumber, AttrDate, AttrBoolean, AttrSelect, AttrReference, AttrPerson, AttrURL, AttrIP}

// Attribute is one property CIs of a type have.
type Attribute struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Type     AttrType `json:"type"`
	Required bool     `json:"required"`
	// Unique values are unique across the CIs of the type that declares
	// the attribute and of all its subtypes, letter case ignored.
	Unique  bool     `json:"unique"`
	Options []string `json:"options,omitempty"`  // select
	RefType string   `json:"ref_type,omitempty"` // reference: the key of a CI type
	Help    string   `json:"help,omitempty"`
}

// SchemaAttribute is an attribute as CIs of a type have it: its own or
// inherited, with the key of the type that declares it.
type SchemaAttribute struct {
	Attribute
	DefinedBy string `json:"defined_by"`
	definedID int64
}

// DefinedByID is the id of the type that declares the attribute: the scope
// of its uniqueness.
func (a SchemaAttribute) DefinedByID() int64 { return a.definedID }

// CIType is a kind of CI with its attributes. A type may extend a parent
// type: it has the parent's attributes (and the parent's parent's) before
// its own, and its CIs count as CIs of the parent in filters, references
// and unique checks.
type CIType struct {
	ID          int64       `json:"id"`
	Key         string      `json:"key"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	ParentID    int64       `json:"parent_id,omitempty"`
	Attributes  []Attribute `json:"attributes"` // its own, not inherited
	BuiltIn     bool        `json:"built_in"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`

	// Read-only, filled by NewTypeSet.
	Parent string            `json:"parent,omitempty"` // the parent's name
	Schema []SchemaAttribute `json:"schema"`           // every attribute, inherited first
}

var attrKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// reservedKeys are the CI's own fields: an attribute may not take their
// names, so that an import column or a filter means one thing.
var reservedKeys = []string{"id", "name", "type", "type_id", "type_key", "description", "status", "criticality",
	"owner_team", "owner_team_id", "attributes", "created_at", "updated_at"}

// Limits on a type's definition.
const (
	maxTypeName    = 100
	maxAttributes  = 100
	maxOptions     = 200
	maxLabelLength = 200
)

// Validate checks a type's own fields and attributes. An empty key is made
// from the name ("Linux server" gives "linux_server"); an empty label from
// the key. Inheritance and references are checked by NewTypeSet, which sees
// the other types.
func (t *CIType) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return errs.Required("name")
	}
	if len(t.Name) > maxTypeName || strings.ContainsAny(t.Name, "\r\n") {
		return errs.Invalid("name", "must be one line of at most %d characters", maxTypeName)
	}
	t.Key = strings.TrimSpace(t.Key)
	if t.Key == "" {
		t.Key = Slug(t.Name)
	}
	if !attrKey.MatchString(t.Key) {
		return errs.Invalid("key", "must start with a lowercase letter and hold only a-z, 0-9 and _ (got %q)", t.Key)
	}
	if _, err := strconv.ParseInt(t.Key, 10, 64); err == nil {
		return errs.Invalid("key", "must not be a number")
	}
	if len(t.Description) > MaxDescription {
		return errs.Invalid("description", "must be at most %d bytes", MaxDescription)
	}
	if t.Attributes == nil {
		t.Attributes = []Attribute{}
	}
	if len(t.Attributes) > maxAttributes {
		return errs.Invalid("attributes", "a type has at most %d attributes", maxAttributes)
	}
	seen := map[string]bool{}
	for i := range t.Attributes {
		a := &t.Attributes[i]
		at := fmt.Sprintf("attributes[%d]", i)
		a.Key = strings.TrimSpace(a.Key)
		if !attrKey.MatchString(a.Key) {
			return errs.Invalid(at+".key", "must start with a lowercase letter and hold only a-z, 0-9 and _ (got %q)", a.Key)
		}
		if slices.Contains(reservedKeys, a.Key) {
			return errs.Invalid(at+".key", "%q is a field of every CI; choose another key", a.Key)
		}
		if seen[a.Key] {
			return errs.Invalid(at+".key", "%q is used twice", a.Key)
		}
		seen[a.Key] = true
		a.Label = strings.TrimSpace(a.Label)
		if a.Label == "" {
			a.Label = labelOf(a.Key)
		}
		if len(a.Label) > maxLabelLength {
			return errs.Invalid(at+".label", "must be at most %d characters", maxLabelLength)
		}
		if !slices.Contains(AttrTypes, a.Type) {
			return errs.Invalid(at+".type", "unknown attribute type %q", a.Type)
		}
		if a.Type == AttrSelect {
			if len(a.Options) == 0 || len(a.Options) > maxOptions {
				return errs.Invalid(at+".options", "a select attribute needs from 1 to %d options", maxOptions)
			}
			opts := map[string]bool{}
			for j, o := range a.Options {
				o = strings.TrimSpace(o)
				if o == "" || opts[strings.ToLower(o)] || len(o) > maxLabelLength {
					return errs.Invalid(at+".options", "options must be non-empty, short and distinct (letter case ignored)")
				}
				opts[strings.ToLower(o)] = true
				a.Options[j] = o
			}
		} else if len(a.Options) > 0 {
			return errs.Invalid(at+".options", "only select attributes take options")
		}
		a.RefType = strings.TrimSpace(a.RefType)
		if a.Type == AttrReference && a.RefType == "" {
			return errs.Required(at + ".ref_type")
		}
		if a.Type != AttrReference && a.RefType != "" {
			return errs.Invalid(at+".ref_type", "only reference attributes name a CI type")
		}
		if a.Unique && a.Type == AttrBoolean {
			return errs.Invalid(at+".unique", "a boolean cannot be unique")
		}
		if len(a.Help) > 1000 {
			return errs.Invalid(at+".help", "must be at most 1000 characters")
		}
	}
	return nil
}

// Slug makes a key from a name: lowercase letters and digits, other runs
// of characters as one _.
func Slug(name string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if b.Len() == 0 && unicode.IsDigit(r) {
				b.WriteString("t_")
			}
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
	}
	s := b.String()
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "_")
	}
	return s
}

func labelOf(key string) string {
	s := strings.ReplaceAll(key, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// TypeSet is every CI type with its inheritance resolved: each type's
// schema, subtypes and lookups by id, key or name.
type TypeSet struct {
	list     []CIType
	byID     map[int64]int
	byKey    map[string]int
	byName   map[string]int
	children map[int64][]int64
}

// NewTypeSet checks the types together and fills in each one's Parent and
// Schema: parents exist, inheritance has no cycle, no type redeclares an
// inherited attribute, and reference attributes name existing types. Each
// type must have passed Validate. The error names the field of the first
// type at fault, and the type in its message.
func NewTypeSet(types []CIType) (*TypeSet, error) { return CheckTypes(types, 0) }

// CheckTypes is NewTypeSet for a change to the type with id focus (a new
// type may have any id not in use): a clash between an attribute of the
// focus and one of another type is reported at the focus's attribute.
func CheckTypes(types []CIType, focus int64) (*TypeSet, error) {
	ts := &TypeSet{byID: map[int64]int{}, byKey: map[string]int{}, byName: map[string]int{}, children: map[int64][]int64{}}
	ts.list = slices.Clone(types)
	for i, t := range ts.list {
		if _, dup := ts.byID[t.ID]; dup {
			return nil, fmt.Errorf("ci types: id %d twice", t.ID)
		}
		if _, dup := ts.byKey[t.Key]; dup {
			return nil, &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "key", Message: fmt.Sprintf("a CI type with key %q exists already", t.Key)}
		}
		if _, dup := ts.byName[strings.ToLower(t.Name)]; dup {
			return nil, &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("a CI type named %q exists already", t.Name)}
		}
		ts.byID[t.ID], ts.byKey[t.Key], ts.byName[strings.ToLower(t.Name)] = i, i, i
	}
	for _, t := range ts.list {
		if t.ParentID == 0 {
			continue
		}
		if _, ok := ts.byID[t.ParentID]; !ok {
			return nil, errs.Invalid("parent", "type %q: no CI type with id %d", t.Name, t.ParentID)
		}
		ts.children[t.ParentID] = append(ts.children[t.ParentID], t.ID)
	}
	// A walk up from each type must reach a root within len(types) steps.
	for _, t := range ts.list {
		id := t.ParentID
		for steps := 0; id != 0; steps++ {
			if id == t.ID || steps > len(ts.list) {
				return nil, errs.Invalid("parent", "type %q would inherit from itself: inheritance cannot go round in a circle", t.Name)
			}
			id = ts.list[ts.byID[id]].ParentID
		}
	}
	for i := range ts.list {
		t := &ts.list[i]
		var chain []int // root first
		for id := t.ID; id != 0; id = ts.list[ts.byID[id]].ParentID {
			chain = append([]int{ts.byID[id]}, chain...)
		}
		type declaration struct {
			owner CIType
			index int
		}
		declared := map[string]declaration{}
		t.Schema = []SchemaAttribute{}
		for _, ci := range chain {
			owner := ts.list[ci]
			for j, a := range owner.Attributes {
				if by, dup := declared[a.Key]; dup {
					msg := fmt.Sprintf("type %q inherits attribute %q from %q, which declares it too", owner.Name, a.Key, by.owner.Name)
					switch focus {
					case owner.ID:
						return nil, errs.Invalid(fmt.Sprintf("attributes[%d].key", j), "%s", msg)
					case by.owner.ID:
						return nil, errs.Invalid(fmt.Sprintf("attributes[%d].key", by.index), "%s", msg)
					case 0:
						return nil, errs.Invalid("attributes", "%s", msg)
					}
					return nil, errs.Invalid("parent", "%s", msg)
				}
				declared[a.Key] = declaration{owner, j}
				if a.Type == AttrReference {
					if _, ok := ts.byKey[a.RefType]; !ok {
						return nil, errs.Invalid(fmt.Sprintf("attributes[%d].ref_type", j), "type %q: no CI type with key %q", owner.Name, a.RefType)
					}
				}
				t.Schema = append(t.Schema, SchemaAttribute{Attribute: a, DefinedBy: owner.Key, definedID: owner.ID})
			}
		}
		t.Parent = ""
		if t.ParentID != 0 {
			t.Parent = ts.list[ts.byID[t.ParentID]].Name
		}
	}
	return ts, nil
}

// Types lists the types in the order they were given.
func (ts *TypeSet) Types() []CIType { return slices.Clone(ts.list) }

// ByID finds a type by id.
func (ts *TypeSet) ByID(id int64) (CIType, bool) {
	i, ok := ts.byID[id]
	if !ok {
		return CIType{}, false
	}
	return ts.list[i], true
}

// Lookup finds a type by id ("12"), key ("linux_server") or name
// ("Linux server", letter case ignored).
func (ts *TypeSet) Lookup(ref string) (CIType, bool) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return ts.ByID(id)
	}
	if i, ok := ts.byKey[ref]; ok {
		return ts.list[i], true
	}
	if i, ok := ts.byName[strings.ToLower(ref)]; ok {
		return ts.list[i], true
	}
	return CIType{}, false
}

// Subtree gives the type and all its subtypes, the type first.
func (ts *TypeSet) Subtree(id int64) []int64 {
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		out = append(out, ts.children[out[i]]...)
	}
	return out
}

// IsA reports whether type id is ancestor or one of its subtypes.
func (ts *TypeSet) IsA(id, ancestor int64) bool {
	for steps := 0; id != 0 && steps <= len(ts.list); steps++ {
		if id == ancestor {
			return true
		}
		i, ok := ts.byID[id]
		if !ok {
			return false
		}
		id = ts.list[i].ParentID
	}
	return false
}

// UniqueScopes gives, for a type, its unique attributes as "scope type id,
// key" pairs: the set its CIs' unique values are indexed under.
func UniqueScopes(schema []SchemaAttribute) []string {
	var out []string
	for _, a := range schema {
		if a.Unique {
			out = append(out, fmt.Sprintf("%d:%s", a.definedID, a.Key))
		}
	}
	slices.Sort(out)
	return out
}
