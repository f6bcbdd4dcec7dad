/* Tables: murr_db_create_table, murr_db_drop_table, murr_db_tables, murr_string_list_free,
 * murr_db_table_schema, murr_db_add_column, and their misuse. */
#include <string.h>

#include "common.h"

static void check_tables(murr_db_t *db, size_t n, const char *const *names) {
    murr_string_list_t list;
    memset(&list, 0xab, sizeof list);
    CHECK_OK(murr_db_tables(db, &list, &ERR));
    if (list.count != n) FAIL("%zu tables, expected %zu", list.count, n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list.items[i], names[i]) != 0) FAIL("table %zu is %s, expected %s", i, list.items[i], names[i]);
    }
    murr_string_list_free(&list);
    CHECK(list.count == 0 && list.items == NULL);
    murr_string_list_free(&list); /* twice: nothing left */
}

static void create_and_list(murr_db_t *db) {
    static const char *const none[1] = {NULL};
    check_tables(db, 0, none);
    create_test_table(db, "t");
    create_test_table(db, "t"); /* same schema: nothing to do */

    /* A string-keyed table. */
    static const char *const names[] = {"k", "v"};
    static const char *const formats[] = {"u", "g"};
    struct ArrowSchema s;
    au_schema_struct(&s, 2, names, formats);
    CHECK_OK(murr_db_create_table(db, "strings", &s, "k", &ERR));
    CHECK(s.release != NULL); /* borrowed */
    s.release(&s);
    static const char *const both[] = {"t", "strings"};
    check_tables(db, 2, both);

    /* Another schema under an existing name. */
    static const char *const other[] = {"id", "score"};
    static const char *const other_formats[] = {"l", "g"};
    au_schema_struct(&s, 2, other, other_formats);
    CHECK_STATUS(murr_db_create_table(db, "t", &s, "id", &ERR), MURR_TABLE_EXISTS);
    /* Key not among the columns, a key type libmurr cannot key by, invalid names. */
    CHECK_STATUS(murr_db_create_table(db, "u", &s, "nope", &ERR), MURR_UNKNOWN_COLUMN);
    CHECK_STATUS(murr_db_create_table(db, "u", &s, "score", &ERR), MURR_UNSUPPORTED);
    CHECK_STATUS(murr_db_create_table(db, "\xc3\x28", &s, "id", &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_create_table(db, "u", &s, "\xff", &ERR), MURR_INVALID_ARGUMENT);
    /* NULL pointers. */
    CHECK_STATUS(murr_db_create_table(NULL, "u", &s, "id", &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_create_table(db, NULL, &s, "id", &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_create_table(db, "u", NULL, "id", &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_create_table(db, "u", &s, NULL, &ERR), MURR_INVALID_ARGUMENT);
    s.release(&s);
    /* A released schema. */
    CHECK_STATUS(murr_db_create_table(db, "u", &s, "id", &ERR), MURR_INVALID_ARGUMENT);

    /* A column type libmurr does not store (date64) and duplicate column names. */
    static const char *const dates[] = {"id", "when"};
    static const char *const date_formats[] = {"l", "tdm"};
    au_schema_struct(&s, 2, dates, date_formats);
    CHECK_STATUS(murr_db_create_table(db, "u", &s, "id", &ERR), MURR_UNSUPPORTED);
    s.release(&s);
    static const char *const dup[] = {"id", "x", "x"};
    static const char *const dup_formats[] = {"l", "l", "f"};
    au_schema_struct(&s, 3, dup, dup_formats);
    CHECK_STATUS(murr_db_create_table(db, "u", &s, "id", &ERR), MURR_SCHEMA_MISMATCH);
    s.release(&s);
    check_tables(db, 2, both);

    CHECK_STATUS(murr_db_tables(NULL, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_tables(db, NULL, &ERR), MURR_INVALID_ARGUMENT);
    murr_string_list_free(NULL);
}

static void schemas(murr_db_t *db) {
    struct ArrowSchema s;
    memset(&s, 0, sizeof s);
    CHECK_OK(murr_db_table_schema(db, "t", &s, &ERR));
    CHECK(s.release != NULL);
    CHECK(strcmp(s.format, "+s") == 0);
    CHECK(s.n_children == 4);
    for (int i = 0; i < 4; i++) {
        if (strcmp(s.children[i]->name, T_NAMES[i]) != 0 || strcmp(s.children[i]->format, T_FORMATS[i]) != 0)
            FAIL("column %d is %s:%s, expected %s:%s", i, s.children[i]->name, s.children[i]->format, T_NAMES[i],
                 T_FORMATS[i]);
    }
    CHECK((s.children[0]->flags & ARROW_FLAG_NULLABLE) == 0); /* the key is not nullable */
    CHECK((s.children[1]->flags & ARROW_FLAG_NULLABLE) != 0);
    int32_t len = 0;
    const char *key = au_metadata_get(s.metadata, "murr.key", &len);
    CHECK(key != NULL && len == 2 && memcmp(key, "id", 2) == 0);
    s.release(&s);
    CHECK(s.release == NULL);

    CHECK_STATUS(murr_db_table_schema(db, "nope", &s, &ERR), MURR_UNKNOWN_TABLE);
    CHECK(s.release == NULL);
    CHECK_STATUS(murr_db_table_schema(db, "\xe2\x82", &s, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_table_schema(NULL, "t", &s, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_table_schema(db, NULL, &s, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_table_schema(db, "t", NULL, &ERR), MURR_INVALID_ARGUMENT);
}

static void add_column(murr_db_t *db) {
    struct ArrowSchema f, s;
    au_schema_field(&f, "extra", "g", true);
    CHECK_OK(murr_db_add_column(db, "t", &f, &ERR));
    CHECK(f.release != NULL); /* borrowed */
    /* Again: the table has that name now. */
    CHECK(murr_db_add_column(db, "t", &f, &ERR) != MURR_OK);
    check_error_filled(&ERR, ERR.status, "a second add_column", __FILE__, __LINE__);
    CHECK_STATUS(murr_db_add_column(db, "nope", &f, &ERR), MURR_UNKNOWN_TABLE);
    CHECK_STATUS(murr_db_add_column(NULL, "t", &f, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_add_column(db, NULL, &f, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_add_column(db, "t", NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_add_column(db, "\xff", &f, &ERR), MURR_INVALID_ARGUMENT);
    f.release(&f);
    CHECK_STATUS(murr_db_add_column(db, "t", &f, &ERR), MURR_INVALID_ARGUMENT); /* released */

    au_schema_field(&f, "required", "l", false); /* not nullable: rows written have no value */
    CHECK_STATUS(murr_db_add_column(db, "t", &f, &ERR), MURR_SCHEMA_MISMATCH);
    f.release(&f);
    au_schema_field(&f, "when", "tdm", true);
    CHECK_STATUS(murr_db_add_column(db, "t", &f, &ERR), MURR_UNSUPPORTED);
    f.release(&f);

    CHECK_OK(murr_db_table_schema(db, "t", &s, &ERR));
    CHECK(s.n_children == 5);
    CHECK(strcmp(s.children[4]->name, "extra") == 0 && strcmp(s.children[4]->format, "g") == 0);
    s.release(&s);

    /* Rows written before read null in the new column. */
    struct ArrowArray batch;
    struct ArrowSchema bs;
    t_batch(&batch, &bs, 0, 3, 1);
    CHECK_OK(murr_db_write(db, "t", &batch, &bs, NULL, &ERR));
    bs.release(&bs);
    const int64_t keys[] = {0, 1};
    const char *const cols[] = {"extra", "count"};
    struct ArrowArray out;
    CHECK_OK(murr_db_read_i64(db, NULL, "t", keys, 2, cols, 2, &out, &s, NULL, &ERR));
    CHECK(out.length == 2 && out.n_children == 2);
    CHECK(!au_is_valid(out.children[0], 0) && !au_is_valid(out.children[0], 1));
    CHECK(au_get_i64(out.children[1], 1) == t_count(1, 1));
    out.release(&out);
    s.release(&s);
}

static void drop(murr_db_t *db) {
    CHECK_OK(murr_db_drop_table(db, "t", &ERR));
    static const char *const left[] = {"strings"};
    check_tables(db, 1, left);
    CHECK_STATUS(murr_db_drop_table(db, "t", &ERR), MURR_UNKNOWN_TABLE);
    CHECK_STATUS(murr_db_drop_table(db, "\x80", &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_drop_table(NULL, "t", &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_drop_table(db, NULL, &ERR), MURR_INVALID_ARGUMENT);
    struct ArrowSchema s;
    CHECK_STATUS(murr_db_table_schema(db, "t", &s, &ERR), MURR_UNKNOWN_TABLE);
    /* A dropped name can be created again, empty. */
    create_test_table(db, "t");
    const int64_t keys[] = {0};
    struct ArrowArray out;
    uint8_t found[1] = {9};
    CHECK_OK(murr_db_read_i64(db, NULL, "t", keys, 1, T_NAMES + 1, 1, &out, &s, found, &ERR));
    CHECK(found[0] == 0);
    out.release(&out);
    s.release(&s);
}

int main(void) {
    const char *dir = temp_dir();
    murr_db_t *db = open_db(dir);
    create_and_list(db);
    schemas(db);
    add_column(db);
    drop(db);
    CHECK_OK(murr_db_close(db, &ERR));
    murr_db_free(db);

    /* Tables survive a reopen. */
    db = open_db(dir);
    murr_string_list_t list;
    CHECK_OK(murr_db_tables(db, &list, &ERR));
    CHECK(list.count == 2);
    murr_string_list_free(&list);
    murr_db_free(db);
    CHECK(au_live_arrays() == 0 && au_live_schemas() == 0);
    printf("test_tables: ok\n");
    return 0;
}
