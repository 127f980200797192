package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// MaxBody is the largest JSON body the API reads.
const MaxBody = 1 << 20

// errorBody is the one shape of every error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

var statusOf = map[errs.Kind]int{
	errs.KindInvalid:      http.StatusUnprocessableEntity,
	errs.KindNotFound:     http.StatusNotFound,
	errs.KindConflict:     http.StatusConflict,
	errs.KindForbidden:    http.StatusForbidden,
	errs.KindUnauthorized: http.StatusUnauthorized,
	errs.KindTooLarge:     http.StatusRequestEntityTooLarge,
}

// badRequest is for input that is not even the right shape (bad JSON,
// unknown fields): a 400 rather than the 422 of a failed rule.
func badRequest(code, field, format string, args ...any) *errs.Error {
	return &errs.Error{Kind: "bad_request", Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var body errorBody
	status := http.StatusInternalServerError
	if e, ok := errs.As(err); ok {
		body.Error.Code, body.Error.Message, body.Error.Field = e.Code, e.Message, e.Field
		if s, ok := statusOf[e.Kind]; ok {
			status = s
		} else if e.Kind == "bad_request" {
			status = http.StatusBadRequest
		}
	}
	if status == http.StatusInternalServerError {
		a.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		body.Error.Code, body.Error.Message, body.Error.Field = "internal", "internal error", ""
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cairn", Basic realm="cairn"`)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// decode reads exactly one JSON object into dst, refusing unknown fields,
// wrong types, trailing data and bodies over MaxBody, each with the field.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &errs.Error{Kind: "bad_request", Code: "unsupported_media_type", Message: "send the body as application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return badRequest("invalid_json", "", "the body must hold one JSON object and nothing after it")
		}
		return nil
	}
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &errs.Error{Kind: errs.KindTooLarge, Code: "too_large", Message: fmt.Sprintf("the body is larger than %d bytes", MaxBody)}
	case errors.Is(err, io.EOF):
		return badRequest("invalid_json", "", "the body is empty; send a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("invalid_json", "", "the body is not valid JSON: %v", err)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return badRequest("invalid_json", "", "the body must be a JSON object")
		}
		return &errs.Error{Kind: errs.KindInvalid, Code: "invalid_field", Field: field, Message: "must be " + jsonKind(typeErr.Type.String())}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest("unknown_field", field, "is not a field of this request")
	}
	var fe *errs.Error
	if errors.As(err, &fe) {
		return fe
	}
	return badRequest("invalid_json", "", "the body could not be read: %v", err)
}

func jsonKind(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasSuffix(goType, ".ref"):
		return "an id or a name"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "float"), strings.HasPrefix(goType, "uint"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "an object"
	}
	return "a value of another type"
}

// pathID reads a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFound("no %s %q", name, r.PathValue(name))
	}
	return id, nil
}

// ref is a reference by id or by name: a JSON number or string.
type ref string

func (x *ref) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*x = ref(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*x = ref(n.String())
		return nil
	}
	// A type error, so that decode answers 422 with the field's name.
	return &json.UnmarshalTypeError{Value: "non-reference value", Type: reflect.TypeFor[ref]()}
}

// id gives the reference as a number, if it is one.
func (x ref) id() (int64, bool) {
	n, err := strconv.ParseInt(string(x), 10, 64)
	return n, err == nil && n > 0
}

// optional is a field of a PATCH body: Set when present, Null when null.
type optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// ptr gives a pointer to the value when set and not null.
func (o optional[T]) ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	v := o.Value
	return &v
}
