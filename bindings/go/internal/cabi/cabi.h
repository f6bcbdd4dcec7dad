/* The benchmark's baseline: libmurr's C ABI called from Go with everything prepared in C
 * memory beforehand, so that a call costs the C ABI plus one cgo transition and nothing of
 * the Go binding. */
#ifndef MURR_GO_CABI_H
#define MURR_GO_CABI_H

#include <stddef.h>
#include <stdint.h>

#include <murr.h>

/* A batch of utf8 keys in C memory: NUL-terminated copies, their pointers, and the same
 * keys as an Arrow utf8 array (schema + array, borrowed by reads). */
typedef struct cabi_keys cabi_keys_t;

/* Copies `n` keys packed NUL-separated in `packed`. NULL when out of memory. */
cabi_keys_t *cabi_keys_new(const char *packed, size_t n);
void cabi_keys_free(cabi_keys_t *k);

/* murr_db_read_keys with the Arrow keys, the result released before returning. */
murr_status_t cabi_read(murr_db_t *db, const cabi_keys_t *k, const char *const *columns,
                        size_t n_columns, uint8_t *found);

/* murr_db_read_f32 with the C-string keys (MURR_KEYS_CSTR). */
murr_status_t cabi_read_f32_str(murr_db_t *db, const cabi_keys_t *k, const char *const *columns,
                                size_t n_columns, float *out, uint8_t *found);

#endif
