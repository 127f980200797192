package catalog

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// FieldType is the kind of value a form field takes.
type FieldType string

// The field types a request type's form can hold.
const (
	FieldText        FieldType = "text"
	FieldLongText    FieldType = "long_text"
	FieldNumber      FieldType = "number"
	FieldDate        FieldType = "date"
	FieldSelect      FieldType = "select"
	FieldMultiSelect FieldType = "multi_select"
	FieldUser        FieldType = "user"
	FieldCheckbox    FieldType = "checkbox"
)

// FieldTypes lists every field type.
var FieldTypes = []FieldType{FieldText, FieldLongText, FieldNumber, FieldDate, FieldSelect, FieldMultiSelect, FieldUser, FieldCheckbox}

// Field is one question of a request type's form. Key names the value in a
// ticket's fields; Label is what people read.
type Field struct {
	Key      string    `json:"key"`
	Label    string    `json:"label"`
	Type     FieldType `json:"type"`
	Required bool      `json:"required"`
	Options  []string  `json:"options,omitempty"`
	Help     string    `json:"help,omitempty"`
}

var fieldKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Limits on submitted values, so a form cannot be used to store megabytes.
const (
	maxTextLen     = 255
	maxLongTextLen = 32 * 1024
)

// ValidateFields checks a form definition: unique well-formed keys, known
// types, and options for the select types.
func ValidateFields(fields []Field) error {
	seen := map[string]bool{}
	for i, f := range fields {
		at := fmt.Sprintf("fields[%d]", i)
		if !fieldKey.MatchString(f.Key) {
			return errs.Invalid(at+".key", "must start with a lowercase letter and hold only a-z, 0-9 and _ (got %q)", f.Key)
		}
		if seen[f.Key] {
			return errs.Invalid(at+".key", "%q is used twice", f.Key)
		}
		seen[f.Key] = true
		if strings.TrimSpace(f.Label) == "" {
			return errs.Required(at + ".label")
		}
		if !slices.Contains(FieldTypes, f.Type) {
			return errs.Invalid(at+".type", "unknown field type %q", f.Type)
		}
		isSelect := f.Type == FieldSelect || f.Type == FieldMultiSelect
		if isSelect && len(f.Options) == 0 {
			return errs.Invalid(at+".options", "a %s field needs at least one option", f.Type)
		}
		if !isSelect && len(f.Options) > 0 {
			return errs.Invalid(at+".options", "only select fields take options")
		}
		opts := map[string]bool{}
		for _, o := range f.Options {
			if strings.TrimSpace(o) == "" || opts[o] {
				return errs.Invalid(at+".options", "options must be non-empty and distinct")
			}
			opts[o] = true
		}
	}
	return nil
}

// UserExists reports whether a user id may be the value of a user field.
type UserExists func(id int64) bool

// ValidateValues checks submitted values against the form and returns them
// normalized: numbers as float64, dates as "YYYY-MM-DD", multi-selects as
// []string, users as int64 ids, checkboxes as bool. Unknown keys are refused
// so that a typo is not silently dropped. The error names the field as
// "fields.<key>".
func ValidateValues(form []Field, values map[string]any, userExists UserExists) (map[string]any, error) {
	out := make(map[string]any, len(values))
	known := make(map[string]bool, len(form))
	for _, f := range form {
		known[f.Key] = true
	}
	for k := range values {
		if !known[k] {
			return nil, errs.Invalid("fields."+k, "is not a field of this request type")
		}
	}
	for _, f := range form {
		name := "fields." + f.Key
		raw, present := values[f.Key]
		if present && isEmpty(raw) {
			present = false
		}
		if !present {
			if f.Required && f.Type != FieldCheckbox {
				return nil, errs.Required(name)
			}
			if f.Required && f.Type == FieldCheckbox {
				return nil, errs.Invalid(name, "must be checked")
			}
			continue
		}
		v, err := normalize(f, raw, userExists)
		if err != nil {
			return nil, errs.Invalid(name, "%s", err.Error())
		}
		if f.Type == FieldCheckbox && f.Required && v == false {
			return nil, errs.Invalid(name, "must be checked")
		}
		out[f.Key] = v
	}
	return out, nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	}
	return false
}

type valueError string

func (e valueError) Error() string { return string(e) }

// ParseNumber reads a number given as a JSON number or as text; the
// CMDB's number attributes read theirs the same way. Its errors say what
// is wrong with the value, without naming the field.
func ParseNumber(raw any) (float64, error) {
	switch x := raw.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, valueError("must be a finite number")
		}
		return x, nil
	case string:
		// strconv, not fmt.Sscan: Sscan stops at the first bad byte and
		// would read "12abc" as 12.
		n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, valueError(fmt.Sprintf("%q is not a number", x))
		}
		return n, nil
	}
	return 0, valueError("must be a number")
}

// ParseDate reads a date as YYYY-MM-DD and gives it in that form.
func ParseDate(raw any) (string, error) {
	s, ok := raw.(string)
	if !ok {
		return "", valueError("must be a date as YYYY-MM-DD")
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return "", valueError(fmt.Sprintf("%q is not a date as YYYY-MM-DD", s))
	}
	return d.Format(time.DateOnly), nil
}

func normalize(f Field, raw any, userExists UserExists) (any, error) {
	switch f.Type {
	case FieldText, FieldLongText:
		s, ok := raw.(string)
		if !ok {
			return nil, valueError("must be text")
		}
		s = strings.TrimSpace(s)
		limit := maxTextLen
		if f.Type == FieldLongText {
			limit = maxLongTextLen
		} else if strings.ContainsAny(s, "\r\n") {
			return nil, valueError("must be a single line")
		}
		if len(s) > limit {
			return nil, valueError(fmt.Sprintf("must be at most %d characters", limit))
		}
		return s, nil
	case FieldNumber:
		n, err := ParseNumber(raw)
		if err != nil {
			return nil, err
		}
		return n, nil
	case FieldDate:
		d, err := ParseDate(raw)
		if err != nil {
			return nil, err
		}
		return d, nil
	case FieldSelect:
		s, ok := raw.(string)
		if !ok || !slices.Contains(f.Options, s) {
			return nil, valueError(fmt.Sprintf("must be one of: %s", strings.Join(f.Options, ", ")))
		}
		return s, nil
	case FieldMultiSelect:
		var items []string
		switch x := raw.(type) {
		case []string:
			items = x
		case []any:
			for _, it := range x {
				s, ok := it.(string)
				if !ok {
					return nil, valueError("must be a list of options")
				}
				items = append(items, s)
			}
		case string:
			items = []string{x}
		default:
			return nil, valueError("must be a list of options")
		}
		seen := map[string]bool{}
		var out []string
		for _, s := range items {
			if !slices.Contains(f.Options, s) {
				return nil, valueError(fmt.Sprintf("%q is not one of: %s", s, strings.Join(f.Options, ", ")))
			}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		return out, nil
	case FieldUser:
		var id int64
		switch x := raw.(type) {
		case float64:
			if x != math.Trunc(x) || x <= 0 {
				return nil, valueError("must be a user id")
			}
			id = int64(x)
		case int64:
			if x <= 0 {
				return nil, valueError("must be a user id")
			}
			id = x
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil || n <= 0 {
				return nil, valueError(fmt.Sprintf("%q is not a user id", x))
			}
			id = n
		default:
			return nil, valueError("must be a user id")
		}
		if userExists != nil && !userExists(id) {
			return nil, valueError(fmt.Sprintf("no user with id %d", id))
		}
		return id, nil
	case FieldCheckbox:
		switch x := raw.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "on", "yes", "1":
				return true, nil
			case "false", "off", "no", "0":
				return false, nil
			}
		}
		return nil, valueError("must be true or false")
	}
	return nil, valueError("has an unknown type")
}
