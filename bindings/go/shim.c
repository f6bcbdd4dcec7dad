/* C helpers of the Go binding: see shim.h. */
#include "shim.h"

#include <stdlib.h>
#include <string.h>

/* Arrays of up to this many pointers live on the stack; longer ones are malloc'ed. */
#define MURRGO_STACK_PTRS 1024

/* A pointer table for packed NUL-separated strings: on the stack when short. */
typedef struct {
    const char **items;
    const char *stack[MURRGO_STACK_PTRS];
} murrgo_ptrs_t;

/* Splits the `n` NUL-separated strings at `packed` into `p->items`. Returns 0 when out of
 * memory. */
static int murrgo_split(murrgo_ptrs_t *p, const char *packed, size_t n) {
    p->items = p->stack;
    if (n > MURRGO_STACK_PTRS) {
        p->items = malloc(n * sizeof *p->items);
        if (p->items == NULL) return 0;
    }
    for (size_t i = 0; i < n; i++) {
        p->items[i] = packed;
        packed += strlen(packed) + 1;
    }
    return 1;
}

static void murrgo_ptrs_free(murrgo_ptrs_t *p) {
    if (p->items != p->stack) free(p->items);
}

/* The release callback of the borrowed structures built here: libmurr never calls it
 * (borrowed inputs are not released), but a non-NULL release marks them valid. */
static void murrgo_noop_schema(struct ArrowSchema *s) { (void)s; }
static void murrgo_noop_array(struct ArrowArray *a) { (void)a; }

/* A valid address for empty buffers (Arrow wants non-NULL data buffers). */
static const int64_t murrgo_empty[1] = {0};

/* No memory for a pointer table: the Go side turns this into an error of its own (the
 * message struct is libmurr's to fill). */
static murr_status_t murrgo_oom(murr_error_t *error) {
    (void)error;
    return MURRGO_NO_MEMORY;
}

murr_status_t murrgo_read(murr_db_t *db, const murr_snapshot_t *snapshot, const char *table,
                          char key_type, int64_t length, int64_t offset, int64_t null_count,
                          const void *validity, const void *values, const void *data,
                          const char *columns, size_t n_columns, struct ArrowArray *out_array,
                          struct ArrowSchema *out_schema, uint8_t *found, murr_error_t *error) {
    char format[2] = {key_type, '\0'};
    struct ArrowSchema schema;
    memset(&schema, 0, sizeof schema);
    schema.format = format;
    schema.name = "keys";
    schema.flags = ARROW_FLAG_NULLABLE;
    schema.release = murrgo_noop_schema;

    const void *buffers[3];
    buffers[0] = validity;
    buffers[1] = values != NULL ? values : (const void *)murrgo_empty;
    buffers[2] = data != NULL ? data : (const void *)murrgo_empty;
    struct ArrowArray array;
    memset(&array, 0, sizeof array);
    array.length = length;
    array.offset = offset;
    array.null_count = null_count;
    array.n_buffers = key_type == 'u' ? 3 : 2;
    array.buffers = buffers;
    array.release = murrgo_noop_array;

    murrgo_ptrs_t cols;
    if (!murrgo_split(&cols, columns, n_columns)) return murrgo_oom(error);
    murr_keys_t keys = murr_keys_arrow(&array, &schema);
    murr_status_t status = murr_db_read_keys(db, snapshot, table, &keys, cols.items, n_columns,
                                             out_array, out_schema, found, error);
    murrgo_ptrs_free(&cols);
    return status;
}

murr_status_t murrgo_read_f32_str(murr_db_t *db, const murr_snapshot_t *snapshot,
                                  const char *table, const char *keys, size_t n_keys,
                                  const char *columns, size_t n_columns, float fill, float *out,
                                  uint8_t *found, murr_error_t *error) {
    murrgo_ptrs_t k, cols;
    if (!murrgo_split(&k, keys, n_keys)) return murrgo_oom(error);
    if (!murrgo_split(&cols, columns, n_columns)) {
        murrgo_ptrs_free(&k);
        return murrgo_oom(error);
    }
    murr_keys_t desc = murr_keys_cstr(k.items, n_keys);
    murr_status_t status = murr_db_read_f32(db, snapshot, table, &desc, cols.items, n_columns,
                                            fill, out, found, error);
    murrgo_ptrs_free(&cols);
    murrgo_ptrs_free(&k);
    return status;
}

murr_status_t murrgo_read_f32_int(murr_db_t *db, const murr_snapshot_t *snapshot,
                                  const char *table, int32_t kind, const void *keys,
                                  size_t n_keys, const char *columns, size_t n_columns,
                                  float fill, float *out, uint8_t *found, murr_error_t *error) {
    murrgo_ptrs_t cols;
    if (!murrgo_split(&cols, columns, n_columns)) return murrgo_oom(error);
    murr_keys_t desc = kind == MURR_KEYS_UINT64 ? murr_keys_u64((const uint64_t *)keys, n_keys)
                                                : murr_keys_i64((const int64_t *)keys, n_keys);
    /* Any other kind reaches libmurr as it is, which refuses it. */
    desc.kind = kind;
    murr_status_t status = murr_db_read_f32(db, snapshot, table, &desc, cols.items, n_columns,
                                            fill, out, found, error);
    murrgo_ptrs_free(&cols);
    return status;
}

murr_status_t murrgo_delete_arrow(murr_db_t *db, const char *table, const struct ArrowArray *array,
                                  const struct ArrowSchema *schema, uint64_t *seq_out,
                                  murr_error_t *error) {
    murr_keys_t keys = murr_keys_arrow(array, schema);
    return murr_db_delete_keys(db, table, &keys, seq_out, error);
}

murr_status_t murrgo_scan(murr_db_t *db, const murr_snapshot_t *snapshot, const char *table,
                          const char *columns, size_t n_columns, struct ArrowArrayStream *out,
                          murr_error_t *error) {
    murrgo_ptrs_t cols;
    if (!murrgo_split(&cols, columns, n_columns)) return murrgo_oom(error);
    murr_status_t status =
        murr_db_scan(db, snapshot, table, n_columns > 0 ? cols.items : NULL, n_columns, out, error);
    murrgo_ptrs_free(&cols);
    return status;
}

/* Appends `n` bytes to the fingerprint (counting them even past `cap`). */
static void fp_put(uint8_t *buf, size_t cap, size_t *len, const void *bytes, size_t n) {
    if (*len + n <= cap) memcpy(buf + *len, bytes, n);
    *len += n;
}

/* The byte length of an Arrow metadata blob (int32 count, then length-prefixed keys and
 * values). */
static size_t fp_metadata_len(const char *m) {
    if (m == NULL) return 0;
    int32_t n, len;
    size_t at = 4;
    memcpy(&n, m, 4);
    for (int32_t i = 0; i < 2 * n; i++) {
        memcpy(&len, m + at, 4);
        at += 4 + (size_t)len;
    }
    return at;
}

static void fp_node(const struct ArrowSchema *s, uint8_t *buf, size_t cap, size_t *len) {
    const char *format = s->format != NULL ? s->format : "";
    const char *name = s->name != NULL ? s->name : "";
    fp_put(buf, cap, len, format, strlen(format) + 1);
    fp_put(buf, cap, len, name, strlen(name) + 1);
    fp_put(buf, cap, len, &s->flags, sizeof s->flags);
    size_t mlen = fp_metadata_len(s->metadata);
    uint64_t mlen64 = mlen;
    fp_put(buf, cap, len, &mlen64, sizeof mlen64);
    if (mlen > 0) fp_put(buf, cap, len, s->metadata, mlen);
    fp_put(buf, cap, len, &s->n_children, sizeof s->n_children);
    for (int64_t i = 0; i < s->n_children; i++) fp_node(s->children[i], buf, cap, len);
    uint8_t dict = s->dictionary != NULL;
    fp_put(buf, cap, len, &dict, 1);
    if (dict) fp_node(s->dictionary, buf, cap, len);
}

size_t murrgo_schema_fingerprint(const struct ArrowSchema *schema, uint8_t *buf, size_t cap) {
    size_t len = 0;
    fp_node(schema, buf, cap, &len);
    return len;
}

void murrgo_release_schema(struct ArrowSchema *schema) {
    if (schema != NULL && schema->release != NULL) schema->release(schema);
}

void murrgo_release_array(struct ArrowArray *array) {
    if (array != NULL && array->release != NULL) array->release(array);
}
