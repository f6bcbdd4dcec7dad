/* Helpers shared by the JNI glue's files (murr_jni.c, murr_jni_read.c). Internal. */
#ifndef MURR_JNI_H
#define MURR_JNI_H

#include <jni.h>
#include <stdint.h>

#include "murr.h"

/* A list of NUL-terminated strings copied out of a Java (blob, offsets) pair. */
typedef struct {
    char *blob;
    const char **items;
    size_t count;
} cstr_list;

/* Throws java.lang.OutOfMemoryError(what). */
void throw_oom(JNIEnv *env, const char *what);
/* Throws java.lang.IllegalArgumentException(what). */
void throw_arg(JNIEnv *env, const char *what);
/* Throws dev.murr.MurrException(status, err->message) and releases the message. */
void throw_murr(JNIEnv *env, murr_status_t status, murr_error_t *err);
/* 1 when status is MURR_OK; else throws (throw_murr) and returns 0. */
int check(JNIEnv *env, murr_status_t status, murr_error_t *err);
/* Copies a byte[] (NULL: *out NULL) into malloc'ed memory, NUL-terminated; 0 after a throw. */
int copy_bytes(JNIEnv *env, jbyteArray array, char **out);
/* Copies (blob, offsets) into *out (both NULL: an empty list); 0 after a throw. */
int cstr_list_init(JNIEnv *env, jbyteArray blob, jintArray offsets, cstr_list *out);
/* Frees what cstr_list_init allocated; safe on an empty list. */
void cstr_list_free(cstr_list *l);

static inline murr_db_t *db_of(jlong h) { return (murr_db_t *)(intptr_t)h; }
static inline murr_snapshot_t *snap_of(jlong h) { return (murr_snapshot_t *)(intptr_t)h; }
static inline void *ptr_of(jlong a) { return (void *)(intptr_t)a; }
/* The descriptor of `n` integer keys copied out of a long[]: int64, or uint64 (`is_unsigned`:
 * each long's 64 bits are the unsigned key, as Long.toUnsignedString reads them). */
static inline murr_keys_t int_keys(const int64_t *keys, size_t n, jboolean is_unsigned) {
    return is_unsigned ? murr_keys_u64((const uint64_t *)(const void *)keys, n)
                       : murr_keys_i64(keys, n);
}

#endif /* MURR_JNI_H */
