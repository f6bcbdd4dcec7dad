/* C helpers of the Go binding (package murr). cgo may pass Go pointers to C only as call
 * arguments, to memory holding no Go pointers, and C may keep them only during the call;
 * it cannot call C function pointers either. These helpers take such arguments (packed
 * NUL-separated names, the raw buffers of a Go Arrow key array) and build the C structures
 * libmurr wants on the C stack, for the duration of one libmurr call. Nothing they build
 * outlives the call. */
#ifndef MURR_GO_SHIM_H
#define MURR_GO_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include <murr.h>

/* What a helper returns when it cannot allocate its pointer table (not a libmurr status). */
#define MURRGO_NO_MEMORY (-1)

/* murr_db_read_keys with a borrowed key array (MURR_KEYS_ARROW) described by its raw Arrow
 * buffers, and the `n_columns` names packed NUL-separated in `columns`. `key_type` is 'u' (utf8: `values`
 * holds the int32 offsets, `data` the bytes), 'l' (int64) or 'L' (uint64) (`values` holds
 * the keys; `data` unused). `validity` may be NULL; empty buffers may be NULL. The buffers
 * are passed one by one (not in a struct) so that Go may pass its own memory. */
murr_status_t murrgo_read(murr_db_t *db, const murr_snapshot_t *snapshot, const char *table,
                          char key_type, int64_t length, int64_t offset, int64_t null_count,
                          const void *validity, const void *values, const void *data,
                          const char *columns, size_t n_columns, struct ArrowArray *out_array,
                          struct ArrowSchema *out_schema, uint8_t *found, murr_error_t *error);

/* murr_db_read_f32 with the `n_keys` keys packed NUL-separated in `keys` (MURR_KEYS_CSTR). */
murr_status_t murrgo_read_f32_str(murr_db_t *db, const murr_snapshot_t *snapshot,
                                  const char *table, const char *keys, size_t n_keys,
                                  const char *columns, size_t n_columns, float fill, float *out,
                                  uint8_t *found, murr_error_t *error);

/* murr_db_read_f32 with `n_keys` integer keys at `keys`: int64 (`kind` MURR_KEYS_INT64) or
 * uint64 (MURR_KEYS_UINT64), and packed column names. */
murr_status_t murrgo_read_f32_int(murr_db_t *db, const murr_snapshot_t *snapshot,
                                  const char *table, int32_t kind, const void *keys,
                                  size_t n_keys, const char *columns, size_t n_columns,
                                  float fill, float *out, uint8_t *found, murr_error_t *error);

/* murr_db_delete_keys with the keys of `array` (MURR_KEYS_ARROW: borrowed, not released
 * here; the caller releases it). */
murr_status_t murrgo_delete_arrow(murr_db_t *db, const char *table, const struct ArrowArray *array,
                                  const struct ArrowSchema *schema, uint64_t *seq_out,
                                  murr_error_t *error);

/* murr_db_scan with packed column names (`n_columns` 0: every column). */
murr_status_t murrgo_scan(murr_db_t *db, const murr_snapshot_t *snapshot, const char *table,
                          const char *columns, size_t n_columns, struct ArrowArrayStream *out,
                          murr_error_t *error);

/* Writes into `buf` (`cap` bytes) a byte string that identifies `schema` whole: every
 * node's format, name, flags, metadata, children and dictionary, in order. Two schemas
 * with equal strings import to equal Arrow schemas. Returns the string's length, which is
 * more than `cap` when `buf` was too small (nothing useful is in it then). */
size_t murrgo_schema_fingerprint(const struct ArrowSchema *schema, uint8_t *buf, size_t cap);

/* Calls `schema->release` when set (cgo cannot call function pointers). */
void murrgo_release_schema(struct ArrowSchema *schema);

/* Calls `array->release` when set. */
void murrgo_release_array(struct ArrowArray *array);

#endif /* MURR_GO_SHIM_H */
