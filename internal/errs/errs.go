// Package errs defines the error kinds that every layer of Cairn shares, so
// that a rule broken deep in the domain reaches the caller as the right HTTP
// status with the field that caused it.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the transports.
type Kind string

// The kinds of error a command can fail with.
const (
	KindInvalid      Kind = "invalid"      // bad input: names a field
	KindNotFound     Kind = "not_found"    // absent, or hidden from the caller
	KindConflict     Kind = "conflict"     // state does not allow it (duplicate, not allowed now)
	KindForbidden    Kind = "forbidden"    // the caller may see it but not do this
	KindUnauthorized Kind = "unauthorized" // no or bad credentials
	KindTooLarge     Kind = "too_large"    // body or upload over the limit
	KindInternal     Kind = "internal"     // a bug or an outage
)

// Error is an error with a kind, a machine-readable code, a message meant for
// people and, for invalid input, the field at fault.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Invalid reports bad input in field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_field", Field: field, Message: fmt.Sprintf(format, args...)}
}

// Required reports a required field that is missing.
func Required(field string) *Error {
	return &Error{Kind: KindInvalid, Code: "required_field", Field: field, Message: "is required"}
}

// NotFound reports that what was asked for does not exist or is hidden.
func NotFound(format string, args ...any) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

// Conflict reports that the current state forbids the command.
func Conflict(code, format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Forbidden reports that the caller's role may not do this.
func Forbidden(format string, args ...any) *Error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Message: fmt.Sprintf(format, args...)}
}

// As returns the *Error inside err, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Is reports whether err carries the given kind.
func Is(err error, kind Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == kind
}
