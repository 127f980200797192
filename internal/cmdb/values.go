package cmdb

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// Lookups resolve the values that name other records. Any may be nil, and
// then any well-formed id is accepted.
type Lookups struct {
	// CI resolves a reference: an id or a CI's name, which must be a CI of
	// the type with key refType or of one of its subtypes.
	CI func(ref string, refType string) (int64, error)
	// User resolves a person: a user id or an email address.
	User func(ref string) (int64, error)
	// Team resolves an owner team: an id or a name.
	Team func(ref string) (int64, error)
}

// MaxText is the longest text value an attribute holds.
const MaxText = 1024

// ValidateValues checks a CI's attribute values against its type's schema
// and returns them normalized, like the forms of the service catalogue:
// text trimmed, numbers as float64, dates as "YYYY-MM-DD", booleans as
// bool, select values spelled as the option is, references and people as
// int64 ids, URLs as given (http and https only), IP addresses in their
// canonical form. Empty values count as absent. A key that is not in the
// schema is refused so that a typo is not silently dropped. Errors name the
// field as "attributes.<key>".
func ValidateValues(schema []SchemaAttribute, values map[string]any, look Lookups) (map[string]any, error) {
	out := make(map[string]any, len(values))
	known := make(map[string]bool, len(schema))
	for _, a := range schema {
		known[a.Key] = true
	}
	for _, k := range sortedKeys(values) {
		if !known[k] {
			return nil, errs.Invalid("attributes."+k, "is not an attribute of this CI type")
		}
	}
	for _, a := range schema {
		name := "attributes." + a.Key
		raw, present := values[a.Key]
		if present && isEmpty(raw) {
			present = false
		}
		if !present {
			if a.Required {
				return nil, errs.Required(name)
			}
			continue
		}
		v, err := Normalize(a.Attribute, raw, look)
		if err != nil {
			var ve valueError
			if errors.As(err, &ve) {
				return nil, errs.Invalid(name, "%s", string(ve))
			}
			// A lookup that found nothing says so with an *errs.Error;
			// anything else is an outage, not bad input.
			if e, ok := errs.As(err); ok {
				return nil, errs.Invalid(name, "%s", e.Message)
			}
			return nil, err
		}
		out[a.Key] = v
	}
	return out, nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

type valueError string

func (e valueError) Error() string { return string(e) }

// Normalize checks one value against its attribute and gives its normal form.
func Normalize(a Attribute, raw any, look Lookups) (any, error) {
	switch a.Type {
	case AttrText:
		s, ok := scalarText(raw)
		if !ok {
			return nil, valueError("must be text")
		}
		if strings.ContainsAny(s, "\r\n") {
			return nil, valueError("must be a single line")
		}
		if len(s) > MaxText {
			return nil, valueError(fmt.Sprintf("must be at most %d characters", MaxText))
		}
		return s, nil
	case AttrNumber:
		switch x := raw.(type) { // imports and the store hand over integers too
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		}
		n, err := catalog.ParseNumber(raw)
		if err != nil {
			return nil, valueError(err.Error())
		}
		return n, nil
	case AttrDate:
		d, err := catalog.ParseDate(raw)
		if err != nil {
			return nil, valueError(err.Error())
		}
		return d, nil
	case AttrBoolean:
		switch x := raw.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "yes", "y", "on", "1":
				return true, nil
			case "false", "no", "n", "off", "0":
				return false, nil
			}
		}
		return nil, valueError("must be true or false")
	case AttrSelect:
		s, ok := raw.(string)
		if ok {
			s = strings.TrimSpace(s)
			for _, o := range a.Options {
				if strings.EqualFold(o, s) {
					return o, nil
				}
			}
		}
		return nil, valueError(fmt.Sprintf("must be one of: %s", strings.Join(a.Options, ", ")))
	case AttrReference:
		ref, ok := refText(raw)
		if !ok {
			return nil, valueError("must be the id or the name of a CI")
		}
		if look.CI != nil {
			id, err := look.CI(ref, a.RefType)
			if err != nil {
				return nil, err
			}
			return id, nil
		}
		return positiveID(ref, "a CI")
	case AttrPerson:
		ref, ok := refText(raw)
		if !ok {
			return nil, valueError("must be a user's id or email address")
		}
		if look.User != nil {
			id, err := look.User(ref)
			if err != nil {
				return nil, err
			}
			return id, nil
		}
		return positiveID(ref, "a user")
	case AttrURL:
		s, ok := raw.(string)
		if !ok {
			return nil, valueError("must be a URL")
		}
		s = strings.TrimSpace(s)
		u, err := url.Parse(s)
		// Only web addresses: a "javascript:" URL shown as a link would run.
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, valueError(fmt.Sprintf("%q is not an http or https URL", s))
		}
		if len(s) > MaxText {
			return nil, valueError(fmt.Sprintf("must be at most %d characters", MaxText))
		}
		return s, nil
	case AttrIP:
		s, ok := raw.(string)
		if !ok {
			return nil, valueError("must be an IP address")
		}
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil || ip.Zone() != "" {
			return nil, valueError(fmt.Sprintf("%q is not an IPv4 or IPv6 address", s))
		}
		return ip.Unmap().String(), nil
	}
	return nil, valueError("has an unknown type")
}

// scalarText reads text; numbers and booleans of a JSON import are written
// as text, so that a serial number given as 12345 is still a serial number.
func scalarText(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return strings.TrimSpace(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// refText reads an id or a name.
func refText(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return strings.TrimSpace(x), true
	case float64:
		if x != math.Trunc(x) || x <= 0 || x > math.MaxInt64/2 {
			return "", false
		}
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), x > 0
	}
	return "", false
}

func positiveID(ref, what string) (int64, error) {
	n, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || n <= 0 {
		return 0, valueError(fmt.Sprintf("%q is not the id of %s", ref, what))
	}
	return n, nil
}

// Restore turns attribute values read back from JSON into their normal Go
// types: ids, which JSON gives as float64, become int64 again.
func Restore(schema []SchemaAttribute, values map[string]any) map[string]any {
	if values == nil {
		return map[string]any{}
	}
	for _, a := range schema {
		if a.Type != AttrReference && a.Type != AttrPerson {
			continue
		}
		if f, ok := values[a.Key].(float64); ok {
			values[a.Key] = int64(f)
		}
	}
	return values
}

// Canonical is the form a value is compared in, for unique checks and for
// matching import rows: text in lower case, numbers in their shortest form.
func Canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.ToLower(strings.TrimSpace(x))
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return strings.ToLower(fmt.Sprint(v))
}

// SameValue reports whether two normalized values are equal. Text compares
// exactly, so that a change of letter case is a change.
func SameValue(a, b any) bool {
	if sa, ok := a.(string); ok {
		sb, ok := b.(string)
		return ok && sa == sb
	}
	if _, ok := b.(string); ok {
		return false
	}
	if (a == nil) != (b == nil) {
		return false
	}
	return Canonical(a) == Canonical(b)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func unionKeys(a, b map[string]any) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var out []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}
