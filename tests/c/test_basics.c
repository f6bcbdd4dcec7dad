/* Versions, status names, the error struct, options, and opening/closing a database:
 * murr_version, murr_status_name, murr_error_release, murr_options_default, murr_db_open,
 * murr_db_close, murr_db_free, murr_db_flush, murr_db_compact. */
#include <stddef.h>
#include <string.h>

#include "common.h"

static void versions(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", MURR_VERSION_MAJOR, MURR_VERSION_MINOR, MURR_VERSION_PATCH);
    CHECK(murr_version() != NULL);
    CHECK(strcmp(murr_version(), expected) == 0);
    CHECK(murr_version() == murr_version()); /* static */
}

static void status_names(void) {
    static const char *const names[] = {
        "MURR_OK", "MURR_INVALID_ARGUMENT", "MURR_UNKNOWN_TABLE", "MURR_UNKNOWN_COLUMN",
        "MURR_SCHEMA_MISMATCH", "MURR_TABLE_EXISTS", "MURR_IO", "MURR_CORRUPT", "MURR_UNSUPPORTED",
        "MURR_CLOSED", "MURR_LOCKED", "MURR_WRITES_STOPPED", "MURR_LIMIT_EXCEEDED",
        "MURR_BACKGROUND_FAILED", "MURR_ARROW", "MURR_INTERNAL", "MURR_UNKNOWN",
        "MURR_CHANGES_NOT_RETAINED"};
    static const murr_status_t codes[] = {
        MURR_OK, MURR_INVALID_ARGUMENT, MURR_UNKNOWN_TABLE, MURR_UNKNOWN_COLUMN, MURR_SCHEMA_MISMATCH,
        MURR_TABLE_EXISTS, MURR_IO, MURR_CORRUPT, MURR_UNSUPPORTED, MURR_CLOSED, MURR_LOCKED,
        MURR_WRITES_STOPPED, MURR_LIMIT_EXCEEDED, MURR_BACKGROUND_FAILED, MURR_ARROW, MURR_INTERNAL,
        MURR_UNKNOWN, MURR_CHANGES_NOT_RETAINED};
    for (int i = 0; i < 18; i++) {
        CHECK(codes[i] == i); /* never renumbered */
        if (strcmp(murr_status_name(codes[i]), names[i]) != 0)
            FAIL("murr_status_name(%d) is %s, expected %s", i, murr_status_name(codes[i]), names[i]);
    }
    CHECK(strcmp(murr_status_name(18), "MURR_UNKNOWN") == 0);
    CHECK(strcmp(murr_status_name(-1), "MURR_UNKNOWN") == 0);
    CHECK(strcmp(murr_status_name(INT32_MAX), "MURR_UNKNOWN") == 0);
}

static void error_struct(void) {
    murr_error_t e = MURR_ERROR_INIT;
    murr_db_t *db = (murr_db_t *)&e; /* garbage: must be set to NULL on entry */
    CHECK(e.status == 0 && e.message == NULL && e.release == NULL);
    /* The fields 0.2 added: libmurr's private data and reserved words, all zero, left so. */
    CHECK(e.private_data == NULL);
    for (int i = 0; i < 4; i++) CHECK(e.reserved[i] == 0);
    CHECK(offsetof(murr_error_t, private_data) > offsetof(murr_error_t, release));
    CHECK(offsetof(murr_error_t, reserved) > offsetof(murr_error_t, private_data));
    murr_error_release(NULL);
    murr_error_release(&e); /* nothing to release */
    CHECK(murr_db_open(NULL, NULL, &db, &e) == MURR_INVALID_ARGUMENT);
    CHECK(db == NULL);
    CHECK(e.status == MURR_INVALID_ARGUMENT && e.message != NULL && e.release != NULL);
    CHECK(strlen(e.message) > 0);
    CHECK(e.private_data == NULL && e.reserved[0] == 0 && e.reserved[3] == 0);
    murr_error_release(&e);
    CHECK(e.message == NULL && e.release == NULL);
    CHECK(e.private_data == NULL && e.reserved[0] == 0 && e.reserved[3] == 0);
    murr_error_release(&e); /* twice is fine */

    /* Re-used across failures without a release between: each failure releases the message
     * before (LeakSanitizer would report a leak otherwise). */
    for (int i = 0; i < 100; i++) {
        CHECK(murr_db_open(NULL, NULL, &db, &e) == MURR_INVALID_ARGUMENT);
        CHECK(murr_db_flush(NULL, &e) == MURR_INVALID_ARGUMENT);
    }
    CHECK(e.status == MURR_INVALID_ARGUMENT && e.message != NULL);
    /* The struct's own callback frees too. */
    e.release(&e);
    CHECK(e.message == NULL && e.release == NULL);

    /* NULL error: no detail, same status. */
    CHECK(murr_db_open(NULL, NULL, &db, NULL) == MURR_INVALID_ARGUMENT);
    CHECK(murr_db_flush(NULL, NULL) == MURR_INVALID_ARGUMENT);
    CHECK(murr_db_compact(NULL, NULL) == MURR_INVALID_ARGUMENT);
}

static void options(void) {
    murr_options_t o;
    memset(&o, 0xab, sizeof o);
    murr_options_default(&o);
    CHECK(o.size == sizeof(murr_options_t));
    CHECK(o.sync == MURR_SYNC_ALWAYS);
    CHECK(o.create_if_missing == true);
    CHECK(o.skip_corrupt == false);
    CHECK(o.background_threads == 1);
    CHECK(o.memtable_bytes == (uint64_t)256 << 20);
    CHECK(o.l0_compaction_trigger == 4 && o.l0_slowdown_writes == 8 && o.l0_stop_writes == 12);
    CHECK(o.target_segment_bytes == (uint64_t)64 << 20);
    CHECK(o.idle_compaction_millis == 1000);
    murr_options_default(NULL); /* no crash */
}

static void open_close(void) {
    const char *dir = temp_dir();
    murr_db_t *db = NULL, *second = (murr_db_t *)&db;

    CHECK_STATUS(murr_db_open(dir, NULL, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_open("\xff\xfe/not-utf8", NULL, &db, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(db == NULL);

    /* Bad options. */
    murr_options_t o;
    murr_options_default(&o);
    o.sync = 99;
    CHECK_STATUS(murr_db_open(dir, &o, &db, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(db == NULL);

    /* create_if_missing = false on a missing directory fails (with a message). */
    char missing[512];
    snprintf(missing, sizeof missing, "%s/missing", dir);
    murr_options_default(&o);
    o.create_if_missing = false;
    murr_status_t st = murr_db_open(missing, &o, &db, &ERR);
    CHECK(st != MURR_OK && db == NULL);
    check_error_filled(&ERR, st, "open of a missing directory", __FILE__, __LINE__);

    /* Defaults (NULL options), then a second open of the same directory: locked. */
    CHECK_OK(murr_db_open(dir, NULL, &db, &ERR));
    CHECK(db != NULL);
    CHECK_STATUS(murr_db_open(dir, NULL, &second, &ERR), MURR_LOCKED);
    CHECK(second == NULL);
    /* On success the error struct is left untouched (it still holds the last failure). */
    char *held = ERR.message;
    CHECK(held != NULL && ERR.status == MURR_LOCKED);
    CHECK_OK(murr_db_flush(db, &ERR));
    CHECK_OK(murr_db_compact(db, &ERR));
    CHECK(ERR.message == held && ERR.status == MURR_LOCKED);
    CHECK_OK(murr_db_close(db, &ERR));
    CHECK_STATUS(murr_db_close(db, &ERR), MURR_CLOSED); /* second close */
    CHECK_STATUS(murr_db_flush(db, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_compact(db, &ERR), MURR_CLOSED);
    murr_db_free(db);

    /* Closing unlocked the directory. An older caller's options (a smaller size): the
     * fields past it take their defaults. */
    murr_options_default(&o);
    o.size = offsetof(murr_options_t, memtable_bytes);
    o.sync = MURR_SYNC_NEVER;
    o.background_threads = 0;
    CHECK_OK(murr_db_open(dir, &o, &db, &ERR));
    murr_db_free(db); /* free without close closes first */

    CHECK_OK(murr_db_open(dir, NULL, &db, NULL));
    murr_db_free(db);

    murr_db_free(NULL);
    st = murr_db_close(NULL, &ERR); /* close accepts NULL (no crash) */
    CHECK(st == MURR_OK || st == MURR_INVALID_ARGUMENT);
}

int main(void) {
    versions();
    status_names();
    error_struct();
    options();
    open_close();
    printf("test_basics: ok\n");
    return 0;
}
