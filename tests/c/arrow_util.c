/* See arrow_util.h. Allocation failures abort: these are tests. */
#include "arrow_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long live_arrays, live_schemas, live_streams;

long au_live_arrays(void) { return __atomic_load_n(&live_arrays, __ATOMIC_SEQ_CST); }
long au_live_schemas(void) { return __atomic_load_n(&live_schemas, __ATOMIC_SEQ_CST); }
long au_live_streams(void) { return __atomic_load_n(&live_streams, __ATOMIC_SEQ_CST); }

static void *xcalloc(size_t n, size_t size) {
    /* Never 0 bytes: a buffer of an empty array is still a valid pointer. */
    void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
    if (p == NULL) {
        fprintf(stderr, "arrow_util: out of memory\n");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = xcalloc(n, 1);
    memcpy(p, s, n);
    return p;
}

/* ------------------------------------------------------------------ schemas */

struct schema_private {
    char *format, *name, *metadata;
    struct ArrowSchema *child_structs; /* n_children structs */
    struct ArrowSchema **child_ptrs;
};

static void schema_release(struct ArrowSchema *s) {
    struct schema_private *p = s->private_data;
    for (int64_t i = 0; i < s->n_children; i++) {
        if (p->child_structs[i].release != NULL) p->child_structs[i].release(&p->child_structs[i]);
    }
    free(p->child_structs);
    free(p->child_ptrs);
    free(p->format);
    free(p->name);
    free(p->metadata);
    free(p);
    s->release = NULL;
    s->private_data = NULL;
    __atomic_fetch_sub(&live_schemas, 1, __ATOMIC_SEQ_CST);
}

static void schema_init(struct ArrowSchema *out, const char *format, const char *name,
                        const char *metadata, size_t metadata_len, int64_t flags, int64_t n_children) {
    struct schema_private *p = xcalloc(1, sizeof *p);
    p->format = xstrdup(format);
    p->name = name != NULL ? xstrdup(name) : NULL;
    if (metadata != NULL) {
        p->metadata = xcalloc(metadata_len, 1);
        memcpy(p->metadata, metadata, metadata_len);
    }
    p->child_structs = xcalloc((size_t)n_children, sizeof(struct ArrowSchema));
    p->child_ptrs = xcalloc((size_t)n_children, sizeof(struct ArrowSchema *));
    for (int64_t i = 0; i < n_children; i++) p->child_ptrs[i] = &p->child_structs[i];
    out->format = p->format;
    out->name = p->name;
    out->metadata = p->metadata;
    out->flags = flags;
    out->n_children = n_children;
    out->children = n_children > 0 ? p->child_ptrs : NULL;
    out->dictionary = NULL;
    out->release = schema_release;
    out->private_data = p;
    __atomic_fetch_add(&live_schemas, 1, __ATOMIC_SEQ_CST);
}

void au_schema_field(struct ArrowSchema *out, const char *name, const char *format, bool nullable) {
    schema_init(out, format, name, NULL, 0, nullable ? ARROW_FLAG_NULLABLE : 0, 0);
}

void au_schema_struct(struct ArrowSchema *out, int64_t n, const char *const *names,
                      const char *const *formats) {
    schema_init(out, "+s", "", NULL, 0, 0, n);
    for (int64_t i = 0; i < n; i++) au_schema_field(out->children[i], names[i], formats[i], true);
}

static size_t metadata_len(const char *m) {
    int32_t n, len;
    size_t at = 4;
    if (m == NULL) return 0;
    memcpy(&n, m, 4);
    for (int32_t i = 0; i < n; i++) {
        memcpy(&len, m + at, 4); /* key */
        at += 4 + (size_t)len;
        memcpy(&len, m + at, 4); /* value */
        at += 4 + (size_t)len;
    }
    return at;
}

const char *au_metadata_get(const char *m, const char *key, int32_t *len) {
    int32_t n, klen, vlen;
    size_t at = 4;
    if (m == NULL) return NULL;
    memcpy(&n, m, 4);
    for (int32_t i = 0; i < n; i++) {
        memcpy(&klen, m + at, 4);
        const char *k = m + at + 4;
        at += 4 + (size_t)klen;
        memcpy(&vlen, m + at, 4);
        const char *v = m + at + 4;
        at += 4 + (size_t)vlen;
        if ((size_t)klen == strlen(key) && memcmp(k, key, (size_t)klen) == 0) {
            if (len != NULL) *len = vlen;
            return v;
        }
    }
    return NULL;
}

int au_schema_copy(struct ArrowSchema *dst, const struct ArrowSchema *src) {
    if (src == NULL || src->release == NULL || src->format == NULL || src->dictionary != NULL) return -1;
    schema_init(dst, src->format, src->name, src->metadata, metadata_len(src->metadata), src->flags,
                src->n_children);
    for (int64_t i = 0; i < src->n_children; i++) {
        if (au_schema_copy(dst->children[i], src->children[i]) != 0) {
            dst->release(dst);
            return -1;
        }
    }
    return 0;
}

int64_t au_schema_child_index(const struct ArrowSchema *schema, const char *name) {
    for (int64_t i = 0; i < schema->n_children; i++) {
        if (schema->children[i]->name != NULL && strcmp(schema->children[i]->name, name) == 0) return i;
    }
    return -1;
}

/* ------------------------------------------------------------------- arrays */

struct array_private {
    void *buffers[3];
    const void *buffer_ptrs[3];
    struct ArrowArray *child_structs;
    struct ArrowArray **child_ptrs;
};

static void array_release(struct ArrowArray *a) {
    struct array_private *p = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++) {
        if (p->child_structs[i].release != NULL) p->child_structs[i].release(&p->child_structs[i]);
    }
    free(p->child_structs);
    free(p->child_ptrs);
    for (int i = 0; i < 3; i++) free(p->buffers[i]);
    free(p);
    a->release = NULL;
    a->private_data = NULL;
    __atomic_fetch_sub(&live_arrays, 1, __ATOMIC_SEQ_CST);
}

static struct array_private *array_init(struct ArrowArray *out, int64_t length, int64_t n_buffers,
                                        int64_t n_children) {
    struct array_private *p = xcalloc(1, sizeof *p);
    p->child_structs = xcalloc((size_t)n_children, sizeof(struct ArrowArray));
    p->child_ptrs = xcalloc((size_t)n_children, sizeof(struct ArrowArray *));
    for (int64_t i = 0; i < n_children; i++) p->child_ptrs[i] = &p->child_structs[i];
    memset(out, 0, sizeof *out);
    out->length = length;
    out->n_buffers = n_buffers;
    out->n_children = n_children;
    out->buffers = p->buffer_ptrs;
    out->children = n_children > 0 ? p->child_ptrs : NULL;
    out->release = array_release;
    out->private_data = p;
    __atomic_fetch_add(&live_arrays, 1, __ATOMIC_SEQ_CST);
    return p;
}

static void set_buffer(struct array_private *p, int i, void *buffer) {
    p->buffers[i] = buffer;
    p->buffer_ptrs[i] = buffer;
}

/* Builds the validity bitmap (buffer 0) and sets null_count. No bitmap when all are valid. */
static void set_validity(struct ArrowArray *a, struct array_private *p, const uint8_t *valid, int64_t n) {
    int64_t nulls = 0;
    if (valid != NULL) {
        for (int64_t i = 0; i < n; i++) nulls += valid[i] == 0;
    }
    a->null_count = nulls;
    if (nulls == 0) return;
    uint8_t *bits = xcalloc((size_t)(n + 7) / 8, 1);
    for (int64_t i = 0; i < n; i++) {
        if (valid[i]) bits[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    set_buffer(p, 0, bits);
}

static void array_fixed(struct ArrowArray *out, const void *values, size_t width, const uint8_t *valid,
                        int64_t n) {
    struct array_private *p = array_init(out, n, 2, 0);
    set_validity(out, p, valid, n);
    void *data = xcalloc((size_t)n, width);
    if (n > 0) memcpy(data, values, (size_t)n * width);
    set_buffer(p, 1, data);
}

void au_array_i64(struct ArrowArray *out, const int64_t *values, const uint8_t *valid, int64_t n) {
    array_fixed(out, values, sizeof(int64_t), valid, n);
}
void au_array_u64(struct ArrowArray *out, const uint64_t *values, const uint8_t *valid, int64_t n) {
    array_fixed(out, values, sizeof(uint64_t), valid, n);
}
void au_array_f32(struct ArrowArray *out, const float *values, const uint8_t *valid, int64_t n) {
    array_fixed(out, values, sizeof(float), valid, n);
}
void au_array_f64(struct ArrowArray *out, const double *values, const uint8_t *valid, int64_t n) {
    array_fixed(out, values, sizeof(double), valid, n);
}

void au_array_bool(struct ArrowArray *out, const bool *values, const uint8_t *valid, int64_t n) {
    struct array_private *p = array_init(out, n, 2, 0);
    set_validity(out, p, valid, n);
    uint8_t *bits = xcalloc((size_t)(n + 7) / 8, 1);
    for (int64_t i = 0; i < n; i++) {
        if (values[i]) bits[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    set_buffer(p, 1, bits);
}

void au_array_utf8(struct ArrowArray *out, const char *const *values, int64_t n) {
    struct array_private *p = array_init(out, n, 3, 0);
    uint8_t *valid = xcalloc((size_t)n, 1);
    size_t total = 0;
    for (int64_t i = 0; i < n; i++) {
        valid[i] = values[i] != NULL;
        if (values[i] != NULL) total += strlen(values[i]);
    }
    set_validity(out, p, valid, n);
    free(valid);
    int32_t *offsets = xcalloc((size_t)n + 1, sizeof(int32_t));
    char *data = xcalloc(total, 1);
    int32_t at = 0;
    for (int64_t i = 0; i < n; i++) {
        offsets[i] = at;
        if (values[i] != NULL) {
            size_t len = strlen(values[i]);
            memcpy(data + at, values[i], len);
            at += (int32_t)len;
        }
    }
    offsets[n] = at;
    set_buffer(p, 1, offsets);
    set_buffer(p, 2, data);
}

void au_array_struct(struct ArrowArray *out, int64_t n, struct ArrowArray *children, int64_t k) {
    struct array_private *p = array_init(out, n, 1, k);
    out->null_count = 0;
    for (int64_t i = 0; i < k; i++) {
        p->child_structs[i] = children[i]; /* move */
        children[i].release = NULL;
    }
}

/* ------------------------------------------------------------------- stream */

struct stream_private {
    struct ArrowSchema schema;
    struct ArrowArray *batches;
    int n, next, fail_at;
    char error[64];
};

static int stream_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out) {
    struct stream_private *p = s->private_data;
    return au_schema_copy(out, &p->schema) == 0 ? 0 : EINVAL;
}

static int stream_get_next(struct ArrowArrayStream *s, struct ArrowArray *out) {
    struct stream_private *p = s->private_data;
    if (p->next == p->fail_at) {
        snprintf(p->error, sizeof p->error, "arrow_util: batch %d fails on purpose", p->next);
        return EIO;
    }
    if (p->next >= p->n) {
        memset(out, 0, sizeof *out); /* the end: release NULL */
        return 0;
    }
    *out = p->batches[p->next]; /* move */
    p->batches[p->next].release = NULL;
    p->next++;
    return 0;
}

static const char *stream_last_error(struct ArrowArrayStream *s) {
    struct stream_private *p = s->private_data;
    return p->error[0] != 0 ? p->error : NULL;
}

static void stream_release(struct ArrowArrayStream *s) {
    struct stream_private *p = s->private_data;
    for (int i = 0; i < p->n; i++) {
        if (p->batches[i].release != NULL) p->batches[i].release(&p->batches[i]);
    }
    free(p->batches);
    if (p->schema.release != NULL) p->schema.release(&p->schema);
    free(p);
    s->release = NULL;
    s->private_data = NULL;
    __atomic_fetch_sub(&live_streams, 1, __ATOMIC_SEQ_CST);
}

void au_stream_make(struct ArrowArrayStream *out, struct ArrowSchema *schema, struct ArrowArray *batches,
                    int n, int fail_at) {
    struct stream_private *p = xcalloc(1, sizeof *p);
    p->schema = *schema;
    schema->release = NULL;
    p->batches = xcalloc((size_t)n, sizeof(struct ArrowArray));
    for (int i = 0; i < n; i++) {
        p->batches[i] = batches[i];
        batches[i].release = NULL;
    }
    p->n = n;
    p->fail_at = fail_at;
    out->get_schema = stream_get_schema;
    out->get_next = stream_get_next;
    out->get_last_error = stream_last_error;
    out->release = stream_release;
    out->private_data = p;
    __atomic_fetch_add(&live_streams, 1, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------ reading */

bool au_is_valid(const struct ArrowArray *a, int64_t i) {
    const uint8_t *bits = a->n_buffers > 0 ? a->buffers[0] : NULL;
    if (a->null_count == 0 || bits == NULL) return true;
    int64_t j = a->offset + i;
    return (bits[j / 8] >> (j % 8)) & 1;
}

int64_t au_get_i64(const struct ArrowArray *a, int64_t i) {
    return ((const int64_t *)a->buffers[1])[a->offset + i];
}
uint64_t au_get_u64(const struct ArrowArray *a, int64_t i) {
    return ((const uint64_t *)a->buffers[1])[a->offset + i];
}
float au_get_f32(const struct ArrowArray *a, int64_t i) {
    return ((const float *)a->buffers[1])[a->offset + i];
}
double au_get_f64(const struct ArrowArray *a, int64_t i) {
    return ((const double *)a->buffers[1])[a->offset + i];
}
bool au_get_bool(const struct ArrowArray *a, int64_t i) {
    int64_t j = a->offset + i;
    return (((const uint8_t *)a->buffers[1])[j / 8] >> (j % 8)) & 1;
}

const char *au_get_utf8(const struct ArrowArray *a, const char *format, int64_t i, int64_t *len) {
    int64_t j = a->offset + i;
    if (strcmp(format, "u") == 0) {
        const int32_t *offsets = a->buffers[1];
        *len = offsets[j + 1] - offsets[j];
        return *len == 0 ? "" : (const char *)a->buffers[2] + offsets[j];
    }
    if (strcmp(format, "U") == 0) {
        const int64_t *offsets = a->buffers[1];
        *len = offsets[j + 1] - offsets[j];
        return *len == 0 ? "" : (const char *)a->buffers[2] + offsets[j];
    }
    if (strcmp(format, "vu") == 0) {
        /* 16-byte views: length, then the inline bytes (<= 12) or prefix, buffer, offset. */
        const uint8_t *view = (const uint8_t *)a->buffers[1] + 16 * j;
        int32_t length, buffer, offset;
        memcpy(&length, view, 4);
        *len = length;
        if (length <= 12) return (const char *)view + 4;
        memcpy(&buffer, view + 8, 4);
        memcpy(&offset, view + 12, 4);
        return (const char *)a->buffers[2 + buffer] + offset;
    }
    fprintf(stderr, "arrow_util: format '%s' is not a string format\n", format);
    abort();
}

bool au_utf8_eq(const struct ArrowArray *a, const char *format, int64_t i, const char *s) {
    int64_t len;
    if (!au_is_valid(a, i)) return false;
    const char *v = au_get_utf8(a, format, i, &len);
    return (size_t)len == strlen(s) && memcmp(v, s, (size_t)len) == 0;
}
