package cmdb

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Record is one row of an import file. Empty cells and absent keys are
// "not given": an import sets what it names and leaves the rest as it is.
type Record struct {
	Row         int // CSV: the line the row starts on; JSON: its position in the list, from 1
	Type        string
	Name        string
	Description *string
	Status      string
	Criticality string
	OwnerTeam   string // a team's id or name
	Attributes  map[string]any
	Err         error // the row could not be read; the other fields may be empty
}

// MaxImportRows is the most rows one import takes.
const MaxImportRows = 500_000

// The import formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// DetectFormat tells an import file's format from its media type, its file
// name or, failing both, its first byte.
func DetectFormat(mediaType, filename string, head []byte) string {
	mediaType = strings.ToLower(mediaType)
	switch {
	case strings.Contains(mediaType, "json"):
		return FormatJSON
	case strings.Contains(mediaType, "csv"):
		return FormatCSV
	case strings.HasSuffix(strings.ToLower(filename), ".json"):
		return FormatJSON
	case strings.HasSuffix(strings.ToLower(filename), ".csv"):
		return FormatCSV
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(head) > 0 && (head[0] == '[' || head[0] == '{') {
		return FormatJSON
	}
	return FormatCSV
}

// ReadImport reads an import file in the given format. A file that cannot
// be read as a whole fails; a row that cannot be read is returned with Err
// set, so that the other rows can still be imported.
func ReadImport(r io.Reader, format string) ([]Record, error) {
	switch format {
	case FormatCSV:
		return ReadCSV(r)
	case FormatJSON:
		return ReadJSON(r)
	}
	return nil, errs.Invalid("format", "must be csv or json")
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// The columns of a CSV file (and keys of a JSON row) that are a CI's own
// fields; every other column is an attribute, by its key. A column may also
// be written "attributes.<key>".
const (
	colType        = "type"
	colName        = "name"
	colDescription = "description"
	colStatus      = "status"
	colCriticality = "criticality"
	colOwnerTeam   = "owner_team"
	colAttributes  = "attributes"
)

func fileError(format string, args ...any) error {
	return &errs.Error{Kind: errs.KindInvalid, Code: "invalid_file", Field: "file", Message: fmt.Sprintf(format, args...)}
}

func rowError(format string, args ...any) error {
	return &errs.Error{Kind: errs.KindInvalid, Code: "invalid_row", Message: fmt.Sprintf(format, args...)}
}

// ReadCSV reads a CSV file whose first line names the columns. The
// separator is a comma, a semicolon or a tab, whichever the header line
// holds most of. Letter case and spaces in column names are ignored
// ("Serial Number" is serial_number).
func ReadCSV(r io.Reader) ([]Record, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	head, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	cr.Comma = sniffComma(head)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fileError("the file is empty; the first line must name the columns")
	}
	if err != nil {
		return nil, fileError("the header cannot be read: %v", err)
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		c := columnKey(h)
		if c == "" {
			return nil, fileError("column %d has no name", i+1)
		}
		if seen[c] {
			return nil, fileError("column %q appears twice", c)
		}
		if !utf8.ValidString(c) {
			return nil, fileError("column %d's name is not UTF-8", i+1)
		}
		seen[c] = true
		cols[i] = c
	}
	var out []Record
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				// A broken quote can swallow the rest of the file: stop
				// rather than guess where the next row starts.
				return nil, fileError("line %d: %v", pe.Line, pe.Err)
			}
			return nil, fileError("after row %d: %v", len(out), err)
		}
		line, _ := cr.FieldPos(0)
		if len(out) >= MaxImportRows {
			return nil, fileError("the file has more than %d rows; split it", MaxImportRows)
		}
		rec := Record{Row: line, Attributes: map[string]any{}}
		if len(cells) != len(cols) {
			if blank(cells) {
				continue
			}
			rec.Err = rowError("the row has %d cells, the header %d", len(cells), len(cols))
			out = append(out, rec)
			continue
		}
		if blank(cells) {
			continue
		}
		for i, v := range cells {
			if !utf8.ValidString(v) {
				rec.Err = errs.Invalid(cols[i], "is not valid UTF-8 text")
				break
			}
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			switch cols[i] {
			case colType:
				rec.Type = v
			case colName:
				rec.Name = v
			case colDescription:
				rec.Description = &v
			case colStatus:
				rec.Status = v
			case colCriticality:
				rec.Criticality = v
			case colOwnerTeam:
				rec.OwnerTeam = v
			default:
				rec.Attributes[cols[i]] = v
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

// columnKey turns a column name into a field or attribute key.
func columnKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.NewReplacer(" ", "_", "-", "_").Replace(h)
	if rest, ok := strings.CutPrefix(h, colAttributes+"."); ok {
		return rest
	}
	return h
}

func sniffComma(head []byte) rune {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(line, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ReadJSON reads a JSON list of rows, or an object whose "cis" key holds
// one. Each row is an object with the CI's fields (type, name, description,
// status, criticality, owner_team) and its attributes, at the top level or
// in an "attributes" object.
func ReadJSON(r io.Reader) ([]Record, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, fileError("the file is empty; send a JSON list of CIs")
	}
	if err != nil {
		return nil, fileError("not valid JSON: %v", err)
	}
	wrapped := false
	switch tok {
	case json.Delim('['):
	case json.Delim('{'):
		wrapped = true
		found := false
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return nil, fileError("not valid JSON: %v", err)
			}
			if key == "cis" {
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fileError("not valid JSON: %v", err)
			}
		}
		if !found {
			return nil, fileError(`the object has no "cis" list`)
		}
		if tok, err = dec.Token(); err != nil || tok != json.Delim('[') {
			return nil, fileError(`"cis" must be a list`)
		}
	default:
		return nil, fileError("send a JSON list of CIs, or an object with a \"cis\" list")
	}
	var out []Record
	for n := 1; dec.More(); n++ {
		if len(out) >= MaxImportRows {
			return nil, fileError("the file has more than %d rows; split it", MaxImportRows)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fileError("row %d: not valid JSON: %v", n, err)
		}
		out = append(out, jsonRecord(n, raw))
	}
	if _, err := dec.Token(); err != nil {
		return nil, fileError("not valid JSON after row %d: %v", len(out), err)
	}
	if tok == json.Delim('[') && wrapped {
		// The rest of the wrapping object.
		for dec.More() {
			var skip json.RawMessage
			if _, err := dec.Token(); err != nil {
				return nil, fileError("not valid JSON after the list: %v", err)
			}
			if err := dec.Decode(&skip); err != nil {
				return nil, fileError("not valid JSON after the list: %v", err)
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, fileError("not valid JSON after the list: %v", err)
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fileError("the file goes on after the list of CIs")
	}
	return out, nil
}

func jsonRecord(n int, raw json.RawMessage) Record {
	rec := Record{Row: n, Attributes: map[string]any{}}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		rec.Err = rowError("the row is not a JSON object")
		return rec
	}
	text := func(key string, dst *string, idOK bool) bool {
		v, ok := obj[key]
		if !ok || v == nil {
			return true
		}
		switch x := v.(type) {
		case string:
			*dst = strings.TrimSpace(x)
			return true
		case float64:
			if idOK && x == math.Trunc(x) && x > 0 && x < 1<<53 {
				*dst = strconv.FormatInt(int64(x), 10)
				return true
			}
		}
		rec.Err = errs.Invalid(key, "must be a string")
		return false
	}
	var desc string
	if !text(colType, &rec.Type, true) || !text(colName, &rec.Name, false) || !text(colStatus, &rec.Status, false) ||
		!text(colCriticality, &rec.Criticality, false) || !text(colOwnerTeam, &rec.OwnerTeam, true) || !text(colDescription, &desc, false) {
		return rec
	}
	if v, ok := obj[colDescription]; ok && v != nil {
		rec.Description = &desc
	}
	if v, ok := obj[colAttributes]; ok && v != nil {
		attrs, ok := v.(map[string]any)
		if !ok {
			rec.Err = errs.Invalid(colAttributes, "must be an object")
			return rec
		}
		for k, v := range attrs {
			rec.Attributes[k] = v
		}
	}
	for k, v := range obj {
		switch k {
		case colType, colName, colDescription, colStatus, colCriticality, colOwnerTeam, colAttributes:
			continue
		}
		if _, dup := rec.Attributes[k]; dup {
			rec.Err = errs.Invalid("attributes."+k, "is given twice, at the top level and in attributes")
			return rec
		}
		rec.Attributes[k] = v
	}
	for k, v := range rec.Attributes {
		switch v.(type) {
		case map[string]any, []any:
			rec.Err = errs.Invalid("attributes."+k, "must be a single value, not a list or an object")
			return rec
		case nil:
			delete(rec.Attributes, k)
		}
	}
	return rec
}

// MatchRule is one way of recognising the CI an import row is about: the
// fields that must all be equal (letter case ignored): "name", "type" or
// attribute keys.
type MatchRule []string

func (m MatchRule) String() string { return strings.Join(m, "+") }

// DefaultMatch matches rows on name and type.
var DefaultMatch = []MatchRule{{colName, colType}}

// ParseMatch reads identification rules: rules separated by commas, tried
// in order; fields of one rule joined by "+". "serial_number,hostname+type"
// matches on the serial number when the row has one and a CI has it, and
// otherwise on host name and type. "" gives DefaultMatch.
func ParseMatch(s string) ([]MatchRule, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultMatch, nil
	}
	var out []MatchRule
	for _, part := range strings.Split(s, ",") {
		var rule MatchRule
		seen := map[string]bool{}
		for _, f := range strings.Split(part, "+") {
			f = columnKey(f)
			if f == "" {
				return nil, errs.Invalid("match", "%q has an empty field", strings.TrimSpace(part))
			}
			if f != colName && f != colType && !attrKey.MatchString(f) {
				return nil, errs.Invalid("match", "%q is not name, type or an attribute key", f)
			}
			if seen[f] {
				return nil, errs.Invalid("match", "%q names %s twice", strings.TrimSpace(part), f)
			}
			seen[f] = true
			rule = append(rule, f)
		}
		if len(rule) > 4 {
			return nil, errs.Invalid("match", "a rule has at most 4 fields")
		}
		out = append(out, rule)
	}
	if len(out) > 5 {
		return nil, errs.Invalid("match", "give at most 5 rules")
	}
	return out, nil
}

// ImportAction is what an import did, or would do, with a row.
type ImportAction string

// The import actions.
const (
	ImportCreated   ImportAction = "created"
	ImportUpdated   ImportAction = "updated"
	ImportUnchanged ImportAction = "unchanged"
	ImportFailed    ImportAction = "failed"
)

// ImportError is why a row was not imported.
type ImportError struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ImportRow is the outcome of one row.
type ImportRow struct {
	Row       int          `json:"row"`
	Action    ImportAction `json:"action"`
	CIID      int64        `json:"ci_id,omitempty"` // absent for a CI a dry run would create
	Name      string       `json:"name,omitempty"`
	Type      string       `json:"type,omitempty"`
	MatchedBy string       `json:"matched_by,omitempty"` // the rule that found the CI
	Changes   []Change     `json:"changes,omitempty"`
	Error     *ImportError `json:"error,omitempty"`
}

// ImportReport is the outcome of an import: a count per action and every
// row in file order.
type ImportReport struct {
	DryRun    bool        `json:"dry_run"`
	Atomic    bool        `json:"atomic"`
	Applied   bool        `json:"applied"` // the changes were written
	Match     []string    `json:"match"`
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Failed    int         `json:"failed"`
	Rows      []ImportRow `json:"rows"`
}

// RowError turns an error into what a report says of a row.
func RowError(err error) *ImportError {
	if e, ok := errs.As(err); ok {
		return &ImportError{Code: e.Code, Field: e.Field, Message: e.Message}
	}
	return &ImportError{Code: "internal", Message: err.Error()}
}

// Count fills the counts from the rows.
func (r *ImportReport) Count() {
	r.Created, r.Updated, r.Unchanged, r.Failed = 0, 0, 0, 0
	for _, row := range r.Rows {
		switch row.Action {
		case ImportCreated:
			r.Created++
		case ImportUpdated:
			r.Updated++
		case ImportUnchanged:
			r.Unchanged++
		case ImportFailed:
			r.Failed++
		}
	}
}

// KeysByLabel renames a row's values that a column names by an attribute's
// label rather than its key ("Host name", read as host_name, is hostname)
// for the type's schema. Other keys stay as they are.
func KeysByLabel(schema []SchemaAttribute, attrs map[string]any) (map[string]any, error) {
	byLabel := map[string]string{}
	inSchema := map[string]bool{}
	for _, a := range schema {
		inSchema[a.Key] = true
		byLabel[columnKey(a.Label)] = a.Key
	}
	out := make(map[string]any, len(attrs))
	for _, k := range sortedKeys(attrs) {
		key := k
		if !inSchema[k] {
			if by, ok := byLabel[k]; ok {
				key = by
			}
		}
		if _, dup := out[key]; dup {
			return nil, errs.Invalid("attributes."+key, "is given twice, by its key and by its label")
		}
		out[key] = attrs[k]
	}
	return out, nil
}
