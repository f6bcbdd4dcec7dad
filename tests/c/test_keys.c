/* The key descriptor (murr_keys_t and its murr_keys_* helpers) through murr_db_read_keys,
 * murr_db_read_f32 and murr_db_delete_keys: every kind on utf8, int64 and uint64 tables,
 * mismatched kinds, NULL and invalid descriptors, keys with NUL bytes (MURR_KEYS_UTF8), and
 * the grown murr_error_t (MURR_ERROR_INIT). */
#include <string.h>

#include "common.h"

/* Table `name` keyed by `k` of Arrow format `key_format`, one float32 column `v`. */
static void kv_table(murr_db_t *db, const char *name, const char *key_format) {
    const char *const names[] = {"k", "v"};
    const char *const formats[] = {key_format, "f"};
    struct ArrowSchema schema;
    au_schema_struct(&schema, 2, names, formats);
    CHECK_OK(murr_db_create_table(db, name, &schema, "k", &ERR));
    schema.release(&schema);
}

/* Writes `n` rows of keys `keys` (a plain array, moved) and values 10, 11, ... */
static void kv_write(murr_db_t *db, const char *name, const char *key_format, struct ArrowArray *keys,
                     int64_t n) {
    const char *const names[] = {"k", "v"};
    const char *const formats[] = {key_format, "f"};
    float vals[8];
    for (int64_t i = 0; i < n; i++) vals[i] = 10.0f + (float)i;
    struct ArrowArray children[2], batch;
    struct ArrowSchema schema;
    children[0] = *keys;
    keys->release = NULL;
    au_array_f32(&children[1], vals, NULL, n);
    au_array_struct(&batch, n, children, 2);
    au_schema_struct(&schema, 2, names, formats);
    CHECK_OK(murr_db_write(db, name, &batch, &schema, NULL, &ERR));
    schema.release(&schema);
}

/* Reads `keys` three ways (Arrow, dense, found masks) and checks key i holds `expect[i]`
 * (-1: absent). */
static void check_keys(murr_db_t *db, const char *table, const murr_keys_t *keys, size_t n, const float *expect) {
    const char *const cols[] = {"v"};
    float out[8];
    uint8_t found[8], found2[8];
    memset(found, 0xee, sizeof found);
    CHECK_OK(murr_db_read_f32(db, NULL, table, keys, cols, 1, -1.0f, out, found, &ERR));
    struct ArrowArray arr;
    struct ArrowSchema sch;
    CHECK_OK(murr_db_read_keys(db, NULL, table, keys, cols, 1, &arr, &sch, found2, &ERR));
    CHECK(arr.length == (int64_t)n);
    for (size_t i = 0; i < n; i++) {
        if (out[i] != expect[i]) FAIL("%s key %zu: %g, expected %g", table, i, (double)out[i], (double)expect[i]);
        CHECK(found[i] == (expect[i] >= 0));
        CHECK(found2[i] == found[i]);
        CHECK(au_is_valid(arr.children[0], (int64_t)i) == (expect[i] >= 0));
        if (expect[i] >= 0) CHECK(au_get_f32(arr.children[0], (int64_t)i) == expect[i]);
    }
    arr.release(&arr);
    sch.release(&sch);
}

static void utf8_table(murr_db_t *db) {
    const char *const written[] = {"alpha", "beta", "", "\xc3\xa9t\xc3\xa9"};
    struct ArrowArray keys;
    kv_table(db, "s", "u");
    au_array_utf8(&keys, written, 4);
    kv_write(db, "s", "u", &keys, 4);

    const char *const ask[] = {"beta", "zeta", "\xc3\xa9t\xc3\xa9", "", "alpha"};
    const float expect[] = {11.0f, -1.0f, 13.0f, 12.0f, 10.0f};
    murr_keys_t k = murr_keys_cstr(ask, 5);
    check_keys(db, "s", &k, 5, expect);

    /* Pointer + length: "alphaX" cut to "alpha"; "a\0b" is not "a"; a NULL pointer of
     * length 0 is the empty key. */
    const char *const ptrs[] = {"alphaX", "beta", "a\0b", NULL};
    const size_t lengths[] = {5, 4, 3, 0};
    const float expect_utf8[] = {10.0f, 11.0f, -1.0f, 12.0f};
    k = murr_keys_utf8(ptrs, lengths, 4);
    check_keys(db, "s", &k, 4, expect_utf8);

    struct ArrowArray arrow_keys;
    struct ArrowSchema arrow_schema;
    const char *const arrow_ask[] = {"nope", "beta"};
    const float expect_arrow[] = {-1.0f, 11.0f};
    au_array_utf8(&arrow_keys, arrow_ask, 2);
    au_schema_field(&arrow_schema, "k", "u", false);
    k = murr_keys_arrow(&arrow_keys, &arrow_schema);
    check_keys(db, "s", &k, 2, expect_arrow);
    /* Borrowed: still the caller's. */
    CHECK(arrow_keys.release != NULL && arrow_schema.release != NULL);

    /* Deletes, each kind. */
    const char *const gone_c[] = {"alpha"};
    k = murr_keys_cstr(gone_c, 1);
    uint64_t seq = 0;
    CHECK_OK(murr_db_delete_keys(db, "s", &k, &seq, &ERR));
    CHECK(seq > 0);
    const char *const gone_u[] = {"beta!"};
    const size_t gone_len[] = {4};
    k = murr_keys_utf8(gone_u, gone_len, 1);
    CHECK_OK(murr_db_delete_keys(db, "s", &k, NULL, &ERR));
    k = murr_keys_arrow(&arrow_keys, &arrow_schema); /* "nope", "beta": absent keys are fine */
    CHECK_OK(murr_db_delete_keys(db, "s", &k, NULL, &ERR));
    CHECK(arrow_keys.release != NULL);
    arrow_keys.release(&arrow_keys);
    arrow_schema.release(&arrow_schema);
    const float after[] = {-1.0f, -1.0f, 13.0f, 12.0f, -1.0f};
    k = murr_keys_cstr(ask, 5);
    check_keys(db, "s", &k, 5, after);

    /* Integer keys for a utf8 key column. */
    const int64_t ints[] = {1};
    const uint64_t uints[] = {1};
    const char *const cols[] = {"v"};
    float out[1];
    k = murr_keys_i64(ints, 1);
    CHECK_STATUS(murr_db_read_f32(db, NULL, "s", &k, cols, 1, 0.0f, out, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(strstr(ERR.message, "int64 keys given for a utf8 key column") != NULL);
    k = murr_keys_u64(uints, 1);
    CHECK_STATUS(murr_db_delete_keys(db, "s", &k, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(strstr(ERR.message, "uint64 keys given for a utf8 key column") != NULL);
    /* Invalid UTF-8, by either string kind. */
    const char *const bad[] = {"ok", "b\xff"};
    const size_t bad_len[] = {2, 2};
    k = murr_keys_cstr(bad, 2);
    CHECK_STATUS(murr_db_read_f32(db, NULL, "s", &k, cols, 1, 0.0f, out, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys[1] is not valid UTF-8") != NULL);
    k = murr_keys_utf8(bad, bad_len, 2);
    CHECK_STATUS(murr_db_delete_keys(db, "s", &k, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys[1] is not valid UTF-8") != NULL);
}

static void int_tables(murr_db_t *db) {
    /* int64 */
    const int64_t ikeys[] = {-5, 0, 7, INT64_MAX};
    struct ArrowArray keys;
    kv_table(db, "i", "l");
    au_array_i64(&keys, ikeys, NULL, 4);
    kv_write(db, "i", "l", &keys, 4);
    const int64_t iask[] = {INT64_MAX, 1, -5};
    const float iexpect[] = {13.0f, -1.0f, 10.0f};
    murr_keys_t k = murr_keys_i64(iask, 3);
    check_keys(db, "i", &k, 3, iexpect);

    /* uint64, keys past 2^63 */
    const uint64_t ukeys[] = {0, (1ull << 63) - 1, 1ull << 63, UINT64_MAX};
    kv_table(db, "u", "L");
    au_array_u64(&keys, ukeys, NULL, 4);
    kv_write(db, "u", "L", &keys, 4);
    const uint64_t uask[] = {UINT64_MAX, 1ull << 63, 5, 0, (1ull << 63) - 1};
    const float uexpect[] = {13.0f, 12.0f, -1.0f, 10.0f, 11.0f};
    k = murr_keys_u64(uask, 5);
    check_keys(db, "u", &k, 5, uexpect);
    struct ArrowArray arrow_keys;
    struct ArrowSchema arrow_schema;
    au_array_u64(&arrow_keys, uask, NULL, 2);
    au_schema_field(&arrow_schema, "k", "L", false);
    k = murr_keys_arrow(&arrow_keys, &arrow_schema);
    check_keys(db, "u", &k, 2, uexpect);
    CHECK_OK(murr_db_delete_keys(db, "u", &k, NULL, &ERR));
    arrow_keys.release(&arrow_keys);
    arrow_schema.release(&arrow_schema);
    const uint64_t gone[] = {0};
    k = murr_keys_u64(gone, 1);
    CHECK_OK(murr_db_delete_keys(db, "u", &k, NULL, &ERR));
    const float uafter[] = {-1.0f, -1.0f, -1.0f, -1.0f, 11.0f};
    k = murr_keys_u64(uask, 5);
    check_keys(db, "u", &k, 5, uafter);

    /* int64 and uint64 keys do not look up each other's key column; strings neither. */
    const char *const cols[] = {"v"};
    float out[3];
    k = murr_keys_i64(iask, 1);
    CHECK_STATUS(murr_db_read_f32(db, NULL, "u", &k, cols, 1, 0.0f, out, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(strstr(ERR.message, "int64 keys given for a uint64 key column") != NULL);
    k = murr_keys_u64(uask, 1);
    CHECK_STATUS(murr_db_delete_keys(db, "i", &k, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(strstr(ERR.message, "uint64 keys given for an int64 key column") != NULL);
    const char *const strs[] = {"1"};
    k = murr_keys_cstr(strs, 1);
    struct ArrowArray arr;
    struct ArrowSchema sch;
    CHECK_STATUS(murr_db_read_keys(db, NULL, "i", &k, cols, 1, &arr, &sch, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    CHECK(strstr(ERR.message, "utf8 keys given for a") != NULL);
    CHECK(arr.release == NULL && sch.release == NULL);
}

static void bad_descriptors(murr_db_t *db) {
    const char *const cols[] = {"v"};
    float out[2];
    struct ArrowArray arr;
    struct ArrowSchema sch;
    /* NULL descriptor */
    CHECK_STATUS(murr_db_read_f32(db, NULL, "i", NULL, cols, 1, 0.0f, out, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys is NULL") != NULL);
    CHECK_STATUS(murr_db_read_keys(db, NULL, "i", NULL, cols, 1, &arr, &sch, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK_STATUS(murr_db_delete_keys(db, "i", NULL, NULL, &ERR), MURR_INVALID_ARGUMENT);
    /* Unknown kind */
    const int64_t ints[] = {1};
    murr_keys_t k = murr_keys_i64(ints, 1);
    k.kind = 5;
    CHECK_STATUS(murr_db_read_f32(db, NULL, "i", &k, cols, 1, 0.0f, out, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys->kind is 5") != NULL);
    k.kind = -1;
    CHECK_STATUS(murr_db_delete_keys(db, "i", &k, NULL, &ERR), MURR_INVALID_ARGUMENT);
    /* NULL data with keys; NULL data without is no keys. */
    k = murr_keys_i64(NULL, 2);
    CHECK_STATUS(murr_db_read_keys(db, NULL, "i", &k, cols, 1, &arr, &sch, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys->data is NULL") != NULL);
    k = murr_keys_u64(NULL, 0);
    CHECK_OK(murr_db_read_keys(db, NULL, "u", &k, cols, 1, &arr, &sch, NULL, &ERR));
    CHECK(arr.length == 0);
    arr.release(&arr);
    sch.release(&sch);
    k = murr_keys_cstr(NULL, 0);
    CHECK_OK(murr_db_delete_keys(db, "s", &k, NULL, &ERR));
    /* NULL lengths; a NULL string with a length; a NULL C string. */
    const char *const two[] = {"a", NULL};
    const size_t two_len[] = {1, 1};
    k = murr_keys_utf8(two, NULL, 2);
    CHECK_STATUS(murr_db_read_f32(db, NULL, "s", &k, cols, 1, 0.0f, out, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys->lengths is NULL") != NULL);
    k = murr_keys_utf8(two, two_len, 2);
    CHECK_STATUS(murr_db_read_f32(db, NULL, "s", &k, cols, 1, 0.0f, out, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys[1] is NULL") != NULL);
    k = murr_keys_cstr(two, 2);
    CHECK_STATUS(murr_db_delete_keys(db, "s", &k, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys[1] is NULL") != NULL);
    /* Arrow: NULL array, NULL schema, a released array; a null key refused by a delete. */
    struct ArrowArray keys;
    struct ArrowSchema schema;
    const uint64_t u[] = {1, 2};
    const uint8_t valid[] = {1, 0};
    au_array_u64(&keys, u, valid, 2);
    au_schema_field(&schema, "k", "L", true);
    k = murr_keys_arrow(NULL, &schema);
    CHECK_STATUS(murr_db_read_f32(db, NULL, "u", &k, cols, 1, 0.0f, out, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys->array is NULL") != NULL);
    k = murr_keys_arrow(&keys, NULL);
    CHECK_STATUS(murr_db_read_f32(db, NULL, "u", &k, cols, 1, 0.0f, out, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys->schema is NULL") != NULL);
    k = murr_keys_arrow(&keys, &schema);
    k.count = 99; /* ignored */
    CHECK_OK(murr_db_read_f32(db, NULL, "u", &k, cols, 1, -1.0f, out, NULL, &ERR));
    CHECK(out[0] == -1.0f && out[1] == -1.0f); /* 1 absent, the null key not found */
    CHECK_STATUS(murr_db_delete_keys(db, "u", &k, NULL, &ERR), MURR_SCHEMA_MISMATCH);
    keys.release(&keys);
    schema.release(&schema);
    struct ArrowArray released;
    memset(&released, 0, sizeof released);
    au_schema_field(&schema, "k", "L", false);
    k = murr_keys_arrow(&released, &schema);
    CHECK_STATUS(murr_db_delete_keys(db, "u", &k, NULL, &ERR), MURR_INVALID_ARGUMENT);
    CHECK(strstr(ERR.message, "keys->array is released") != NULL);
    schema.release(&schema);
}

/* MURR_ERROR_INIT fills every field, the grown ones included; a failure fills status and
 * message only; a release clears the message and leaves the rest. */
static void error_init(murr_db_t *db) {
    murr_error_t e = MURR_ERROR_INIT;
    CHECK(e.status == 0 && e.message == NULL && e.release == NULL && e.private_data == NULL);
    for (int i = 0; i < 4; i++) CHECK(e.reserved[i] == 0);
    CHECK(sizeof e.reserved == 4 * sizeof(uint64_t));
    CHECK(offsetof(murr_error_t, private_data) > offsetof(murr_error_t, release));
    CHECK(offsetof(murr_error_t, reserved) > offsetof(murr_error_t, private_data));
    CHECK(murr_db_delete_keys(db, "i", NULL, NULL, &e) == MURR_INVALID_ARGUMENT);
    CHECK(e.status == MURR_INVALID_ARGUMENT && e.message != NULL && e.release != NULL);
    CHECK(e.private_data == NULL);
    for (int i = 0; i < 4; i++) CHECK(e.reserved[i] == 0);
    murr_error_release(&e);
    CHECK(e.message == NULL && e.release == NULL && e.private_data == NULL);
    murr_error_release(&e);
    /* A zeroed struct is as good as MURR_ERROR_INIT. */
    murr_error_t z;
    memset(&z, 0, sizeof z);
    CHECK(murr_db_delete_keys(db, "nope", NULL, NULL, &z) == MURR_INVALID_ARGUMENT);
    murr_error_release(&z);
}

int main(void) {
    murr_db_t *db = open_db(temp_dir());
    utf8_table(db);
    int_tables(db);
    bad_descriptors(db);
    error_init(db);
    murr_db_free(db);
    return 0;
}
