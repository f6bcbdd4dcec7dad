/* Hand-built Arrow C Data Interface structures for libmurr's C tests (no Arrow C library is
 * available here): struct and plain arrays with validity bitmaps, schemas, a stream over
 * batches, and readers of result arrays. Everything built here carries a release callback
 * that frees what it allocated; live counters let tests check that libmurr released what it
 * was given (ownership moved) and nothing more.
 *
 * Formats handled: "l" int64, "L" uint64, "i" int32, "f" float32, "g" float64, "b" bool,
 * "u" utf8 (reading also "U" large utf8 and "vu" utf8 view), "+s" struct. */
#ifndef MURR_TESTS_ARROW_UTIL_H
#define MURR_TESTS_ARROW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "murr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Structures built here and not yet released (thread-safe counters). */
long au_live_arrays(void);
long au_live_schemas(void);
long au_live_streams(void);

/* ---- schemas ---- */
/* One field. nullable sets ARROW_FLAG_NULLABLE. */
void au_schema_field(struct ArrowSchema *out, const char *name, const char *format, bool nullable);
/* A struct schema ("+s", name "") of n nullable fields. */
void au_schema_struct(struct ArrowSchema *out, int64_t n, const char *const *names,
                      const char *const *formats);
/* Deep copy (format, name, metadata, flags, children). Returns 0, or -1 on bad input. */
int au_schema_copy(struct ArrowSchema *dst, const struct ArrowSchema *src);
/* Looks `key` up in Arrow-encoded metadata; returns the value (not NUL-terminated) and its
 * length in *len, or NULL. */
const char *au_metadata_get(const char *metadata, const char *key, int32_t *len);
/* The index of the child named `name`, or -1. */
int64_t au_schema_child_index(const struct ArrowSchema *schema, const char *name);

/* ---- arrays (valid: one byte per value, 0 = null; NULL = all valid) ---- */
void au_array_i64(struct ArrowArray *out, const int64_t *values, const uint8_t *valid, int64_t n);
void au_array_u64(struct ArrowArray *out, const uint64_t *values, const uint8_t *valid, int64_t n);
void au_array_f32(struct ArrowArray *out, const float *values, const uint8_t *valid, int64_t n);
void au_array_f64(struct ArrowArray *out, const double *values, const uint8_t *valid, int64_t n);
void au_array_bool(struct ArrowArray *out, const bool *values, const uint8_t *valid, int64_t n);
/* values[i] == NULL is a null. */
void au_array_utf8(struct ArrowArray *out, const char *const *values, int64_t n);
/* A struct array of length n (no validity) whose children are moved from children[0..k):
 * on return each children[i].release is NULL and the struct owns them. */
void au_array_struct(struct ArrowArray *out, int64_t n, struct ArrowArray *children, int64_t k);

/* ---- a stream over batches ---- */
/* Moves `schema` and the n `batches` into a new stream (their release set to NULL). When
 * fail_at >= 0, get_next returns EIO (with get_last_error) instead of batch fail_at. */
void au_stream_make(struct ArrowArrayStream *out, struct ArrowSchema *schema,
                    struct ArrowArray *batches, int n, int fail_at);

/* ---- reading result arrays ---- */
bool au_is_valid(const struct ArrowArray *a, int64_t i);
int64_t au_get_i64(const struct ArrowArray *a, int64_t i);
uint64_t au_get_u64(const struct ArrowArray *a, int64_t i);
float au_get_f32(const struct ArrowArray *a, int64_t i);
double au_get_f64(const struct ArrowArray *a, int64_t i);
bool au_get_bool(const struct ArrowArray *a, int64_t i);
/* The i-th string of a "u", "U" or "vu" array (format from its schema); *len its length. */
const char *au_get_utf8(const struct ArrowArray *a, const char *format, int64_t i, int64_t *len);
/* 1 if the i-th string equals s (and is valid). */
bool au_utf8_eq(const struct ArrowArray *a, const char *format, int64_t i, const char *s);

#ifdef __cplusplus
}
#endif

#endif
