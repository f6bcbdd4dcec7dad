package murr

// #include <stdlib.h>
// #include "shim.h"
import "C"

import "fmt"

// Status is a libmurr status code (murr_status_t): 0 is success, the others name a
// failure. Values are libmurr's and never renumbered.
type Status int32

// The status codes of include/murr.h.
const (
	StatusOK               Status = C.MURR_OK
	StatusInvalidArgument  Status = C.MURR_INVALID_ARGUMENT
	StatusUnknownTable     Status = C.MURR_UNKNOWN_TABLE
	StatusUnknownColumn    Status = C.MURR_UNKNOWN_COLUMN
	StatusSchemaMismatch   Status = C.MURR_SCHEMA_MISMATCH
	StatusTableExists      Status = C.MURR_TABLE_EXISTS
	StatusIO               Status = C.MURR_IO
	StatusCorrupt          Status = C.MURR_CORRUPT
	StatusUnsupported      Status = C.MURR_UNSUPPORTED
	StatusClosed           Status = C.MURR_CLOSED
	StatusLocked           Status = C.MURR_LOCKED
	StatusWritesStopped    Status = C.MURR_WRITES_STOPPED
	StatusLimitExceeded    Status = C.MURR_LIMIT_EXCEEDED
	StatusBackgroundFailed Status = C.MURR_BACKGROUND_FAILED
	StatusArrow            Status = C.MURR_ARROW
	StatusInternal         Status = C.MURR_INTERNAL
	StatusUnknown          Status = C.MURR_UNKNOWN
	// StatusChangesNotRetained: DB.Changes was asked for changes older than the
	// write-ahead logs kept (see Options.ChangeRetentionBytes).
	StatusChangesNotRetained Status = C.MURR_CHANGES_NOT_RETAINED
)

// String is the status's name in murr.h ("MURR_UNKNOWN_TABLE"); "MURR_UNKNOWN" for a value
// this libmurr does not know.
func (s Status) String() string {
	return C.GoString(C.murr_status_name(C.murr_status_t(s)))
}

// Error is a failed libmurr call (or a misuse the binding refuses before calling libmurr):
// the status code and the message, which names the table, column, key or file involved.
//
// errors.Is(err, murr.ErrUnknownTable) matches any *Error of that status.
type Error struct {
	Status  Status
	Message string
}

// Error returns "MURR_STATUS_NAME: message".
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Status.String()
	}
	return e.Status.String() + ": " + e.Message
}

// Is matches a target *Error without a message (the Err* sentinels) by status alone, and
// one with a message by both.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Status == e.Status && (t.Message == "" || t.Message == e.Message)
}

// Sentinels for errors.Is, one per failure status.
var (
	ErrInvalidArgument  = &Error{Status: StatusInvalidArgument}
	ErrUnknownTable     = &Error{Status: StatusUnknownTable}
	ErrUnknownColumn    = &Error{Status: StatusUnknownColumn}
	ErrSchemaMismatch   = &Error{Status: StatusSchemaMismatch}
	ErrTableExists      = &Error{Status: StatusTableExists}
	ErrIO               = &Error{Status: StatusIO}
	ErrCorrupt          = &Error{Status: StatusCorrupt}
	ErrUnsupported      = &Error{Status: StatusUnsupported}
	ErrClosed           = &Error{Status: StatusClosed}
	ErrLocked           = &Error{Status: StatusLocked}
	ErrWritesStopped    = &Error{Status: StatusWritesStopped}
	ErrLimitExceeded    = &Error{Status: StatusLimitExceeded}
	ErrBackgroundFailed = &Error{Status: StatusBackgroundFailed}
	ErrArrow            = &Error{Status: StatusArrow}
	ErrInternal         = &Error{Status: StatusInternal}
	// ErrChangesNotRetained: DB.Changes from a start older than the logs kept.
	ErrChangesNotRetained = &Error{Status: StatusChangesNotRetained}
)

// newError is an error of the binding itself, with libmurr's status codes.
func newError(status Status, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// call holds the murr_error_t of one libmurr call.
type call struct {
	e C.murr_error_t
}

// check turns a status into nil or an *Error with libmurr's message, and frees the
// message.
func (c *call) check(status C.murr_status_t) error {
	if status == C.MURR_OK {
		return nil
	}
	if status == C.MURRGO_NO_MEMORY {
		return newError(StatusInternal, "out of memory in the Go binding's C helper")
	}
	msg := ""
	if c.e.message != nil {
		msg = C.GoString(c.e.message)
	}
	C.murr_error_release(&c.e)
	return &Error{Status: Status(status), Message: msg}
}

// Version is libmurr's version at run time ("major.minor.patch").
func Version() string {
	return C.GoString(C.murr_version())
}
