package murr_test

import (
	"errors"
	"testing"

	murr "github.com/libmurr/libmurr/bindings/go"
)

// Every status code 0..17 has its constant and sentinel in the binding, named as the
// library names it (murr_status_name, through Status.String); one past the last is
// unknown. A binding whose numbers drifted from the library's fails here.
func TestStatusCodesMatchTheLibrary(t *testing.T) {
	codes := []struct {
		status   murr.Status
		name     string
		sentinel *murr.Error
	}{
		{murr.StatusOK, "MURR_OK", nil},
		{murr.StatusInvalidArgument, "MURR_INVALID_ARGUMENT", murr.ErrInvalidArgument},
		{murr.StatusUnknownTable, "MURR_UNKNOWN_TABLE", murr.ErrUnknownTable},
		{murr.StatusUnknownColumn, "MURR_UNKNOWN_COLUMN", murr.ErrUnknownColumn},
		{murr.StatusSchemaMismatch, "MURR_SCHEMA_MISMATCH", murr.ErrSchemaMismatch},
		{murr.StatusTableExists, "MURR_TABLE_EXISTS", murr.ErrTableExists},
		{murr.StatusIO, "MURR_IO", murr.ErrIO},
		{murr.StatusCorrupt, "MURR_CORRUPT", murr.ErrCorrupt},
		{murr.StatusUnsupported, "MURR_UNSUPPORTED", murr.ErrUnsupported},
		{murr.StatusClosed, "MURR_CLOSED", murr.ErrClosed},
		{murr.StatusLocked, "MURR_LOCKED", murr.ErrLocked},
		{murr.StatusWritesStopped, "MURR_WRITES_STOPPED", murr.ErrWritesStopped},
		{murr.StatusLimitExceeded, "MURR_LIMIT_EXCEEDED", murr.ErrLimitExceeded},
		{murr.StatusBackgroundFailed, "MURR_BACKGROUND_FAILED", murr.ErrBackgroundFailed},
		{murr.StatusArrow, "MURR_ARROW", murr.ErrArrow},
		{murr.StatusInternal, "MURR_INTERNAL", murr.ErrInternal},
		{murr.StatusUnknown, "MURR_UNKNOWN", nil},
		{murr.StatusChangesNotRetained, "MURR_CHANGES_NOT_RETAINED", murr.ErrChangesNotRetained},
	}
	for i, c := range codes {
		if int(c.status) != i {
			t.Errorf("%s is %d in the binding, listed at %d", c.name, int(c.status), i)
		}
		// The library's name of the number the binding uses.
		if got := murr.Status(i).String(); got != c.name {
			t.Errorf("status %d: the library names it %s, the binding %s", i, got, c.name)
		}
		e := &murr.Error{Status: c.status, Message: "m"}
		if e.Error() != c.name+": m" {
			t.Errorf("status %d: error text %q", i, e.Error())
		}
		if c.sentinel != nil && (c.sentinel.Status != c.status || !errors.Is(e, c.sentinel)) {
			t.Errorf("%s: the sentinel does not match", c.name)
		}
	}
	if got := murr.Status(len(codes)).String(); got != "MURR_UNKNOWN" {
		t.Errorf("status %d (one past the last): %s, want MURR_UNKNOWN", len(codes), got)
	}
}
