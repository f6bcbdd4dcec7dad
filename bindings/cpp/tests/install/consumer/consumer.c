/* A program using an installed libmurr from C: built with find_package(murr) (linked to
 * murr::murr and to murr::murr_static) and with pkg-config. */
#include <murr.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void no_release(struct ArrowSchema *s) { s->release = NULL; }

#define CHECK(expr)                                                              \
    do {                                                                         \
        murr_status_t st_ = (expr);                                              \
        if (st_ != MURR_OK) {                                                    \
            fprintf(stderr, "%s: %s (%s)\n", #expr, murr_status_name(st_),       \
                    err.message ? err.message : "");                             \
            return 1;                                                            \
        }                                                                        \
    } while (0)

int main(int argc, char **argv) {
    murr_error_t err = MURR_ERROR_INIT;
    murr_db_t *db = NULL;
    if (argc != 2) return 2;
    if (strcmp(murr_version(), "0.2.0") != 0) return 3;
    struct ArrowSchema id = {"l", "id", NULL, 0, 0, NULL, NULL, no_release, NULL};
    struct ArrowSchema x = {"f", "x", NULL, ARROW_FLAG_NULLABLE, 0, NULL, NULL, no_release, NULL};
    struct ArrowSchema *children[] = {&id, &x};
    struct ArrowSchema schema = {"+s", "", NULL, 0, 2, children, NULL, no_release, NULL};
    CHECK(murr_db_open(argv[1], NULL, &db, &err));
    CHECK(murr_db_create_table(db, "t", &schema, "id", &err));
    const int64_t keys[] = {1, 2};
    const char *const cols[] = {"x"};
    float out[2];
    uint8_t found[2];
    CHECK(murr_db_delete_i64(db, "t", keys, 2, NULL, &err));
    CHECK(murr_db_read_f32_i64(db, NULL, "t", keys, 2, cols, 1, 7.0f, out, found, &err));
    CHECK(murr_db_close(db, &err));
    murr_db_free(db);
    if (out[0] != 7.0f || found[0] != 0) return 4;
    printf("consumer (C) ok: libmurr %s\n", murr_version());
    return 0;
}
