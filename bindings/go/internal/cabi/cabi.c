#include "cabi.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

struct cabi_keys {
    size_t n;
    char *bytes;          /* NUL-terminated keys, back to back */
    const char **ptrs;    /* n pointers into bytes */
    int32_t *offsets;     /* n + 1 Arrow offsets into data */
    char *data;           /* the keys without NULs */
    const void *buffers[3];
    struct ArrowArray array;
    struct ArrowSchema schema;
};

static void noop_array(struct ArrowArray *a) { (void)a; }
static void noop_schema(struct ArrowSchema *s) { (void)s; }

cabi_keys_t *cabi_keys_new(const char *packed, size_t n) {
    cabi_keys_t *k = calloc(1, sizeof *k);
    if (k == NULL) return NULL;
    size_t total = 0;
    const char *p = packed;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(p) + 1;
        total += len;
        p += len;
    }
    k->n = n;
    k->bytes = malloc(total + 1);
    k->ptrs = malloc((n + 1) * sizeof *k->ptrs);
    k->offsets = malloc((n + 1) * sizeof *k->offsets);
    k->data = malloc(total + 1);
    if (k->bytes == NULL || k->ptrs == NULL || k->offsets == NULL || k->data == NULL) {
        cabi_keys_free(k);
        return NULL;
    }
    memcpy(k->bytes, packed, total);
    int32_t off = 0;
    p = k->bytes;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(p);
        k->ptrs[i] = p;
        k->offsets[i] = off;
        memcpy(k->data + off, p, len);
        off += (int32_t)len;
        p += len + 1;
    }
    k->offsets[n] = off;
    k->buffers[0] = NULL;
    k->buffers[1] = k->offsets;
    k->buffers[2] = k->data;
    k->array.length = (int64_t)n;
    k->array.n_buffers = 3;
    k->array.buffers = k->buffers;
    k->array.release = noop_array;
    k->schema.format = "u";
    k->schema.name = "keys";
    k->schema.flags = ARROW_FLAG_NULLABLE;
    k->schema.release = noop_schema;
    return k;
}

void cabi_keys_free(cabi_keys_t *k) {
    if (k == NULL) return;
    free(k->bytes);
    free(k->ptrs);
    free(k->offsets);
    free(k->data);
    free(k);
}

murr_status_t cabi_read(murr_db_t *db, const cabi_keys_t *k, const char *const *columns,
                        size_t n_columns, uint8_t *found) {
    struct ArrowArray out;
    struct ArrowSchema out_schema;
    murr_keys_t keys = murr_keys_arrow(&k->array, &k->schema);
    murr_status_t s = murr_db_read_keys(db, NULL, "features", &keys, columns, n_columns, &out,
                                        &out_schema, found, NULL);
    if (s == MURR_OK) {
        out.release(&out);
        out_schema.release(&out_schema);
    }
    return s;
}

murr_status_t cabi_read_f32_str(murr_db_t *db, const cabi_keys_t *k, const char *const *columns,
                                size_t n_columns, float *out, uint8_t *found) {
    murr_keys_t keys = murr_keys_cstr(k->ptrs, k->n);
    return murr_db_read_f32(db, NULL, "features", &keys, columns, n_columns, NAN, out, found, NULL);
}
