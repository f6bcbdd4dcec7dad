/* Shared by libmurr's C tests: CHECK macros, a temporary database directory, and the test
 * table ("id" int64 key, "score" float32, "count" int64, "name" utf8) with its batches. */
#ifndef MURR_TESTS_COMMON_H
#define MURR_TESTS_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "arrow_util.h"
#include "murr.h"

/* The error struct the tests pass; re-used across failures without a release in between
 * (libmurr must release the old message first; LeakSanitizer checks). */
extern murr_error_t ERR;

#define FAIL(...)                                                     \
    do {                                                              \
        fprintf(stderr, "%s:%d: FAILED: ", __FILE__, __LINE__);       \
        fprintf(stderr, __VA_ARGS__);                                 \
        fprintf(stderr, "\n");                                        \
        exit(1);                                                      \
    } while (0)

#define CHECK(cond)                                        \
    do {                                                   \
        if (!(cond)) FAIL("CHECK(%s)", #cond);             \
    } while (0)

/* expr returns `expected`; on failure, when expected != OK, ERR carries that status and a
 * message. */
#define CHECK_STATUS(expr, expected)                                                           \
    do {                                                                                       \
        murr_status_t st_ = (expr);                                                            \
        murr_status_t ex_ = (expected);                                                        \
        if (st_ != ex_)                                                                        \
            FAIL("%s returned %s, expected %s (last error: %s)", #expr, murr_status_name(st_), \
                 murr_status_name(ex_), ERR.message ? ERR.message : "(none)");                \
        if (ex_ != MURR_OK) check_error_filled(&ERR, ex_, #expr, __FILE__, __LINE__);         \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, MURR_OK)

void check_error_filled(const murr_error_t *e, murr_status_t status, const char *what, const char *file,
                        int line);

/* A fresh empty directory under $TMPDIR (removed by cleanup_dirs at exit). */
const char *temp_dir(void);
/* Opens `dir` with sync never, manual background work (0 threads), idle compaction off. */
murr_db_t *open_db(const char *dir);
/* Options as open_db uses them. */
murr_options_t test_options(void);

/* The test table "t": id (int64 key), score (float32), count (int64), name (utf8). */
extern const char *const T_NAMES[4];
extern const char *const T_FORMATS[4];
void create_test_table(murr_db_t *db, const char *table);
/* Row values for key k at version v; some are null (score when k % 7 == 3, name when
 * k % 5 == 4). */
float t_score(int64_t k, int v);
int64_t t_count(int64_t k, int v);
void t_name(int64_t k, int v, char *buf, size_t size);
bool t_score_valid(int64_t k);
bool t_name_valid(int64_t k);
/* A batch of keys first..first+n-1 at version v, and its schema. */
void t_batch(struct ArrowArray *array, struct ArrowSchema *schema, int64_t first, int64_t n, int v);
/* Checks row `row` of a read result (columns score, count, name in that order, children
 * 0..2) holds key k at version v. */
void t_check_row(const struct ArrowArray *out, const struct ArrowSchema *schema, int64_t row, int64_t k,
                 int v);

#endif
