/*
 * The read half of the JNI glue: Arrow reads (keys as an exported Arrow array, as UTF-8
 * strings or as int64/uint64 in a long[]; each described by a murr_keys_t) into
 * caller-allocated ArrowArray/ArrowSchema structs, and dense float reads into a float[] or a
 * direct FloatBuffer. `snap` 0 reads the latest state.
 * `found` is NULL or a byte[] of at least as many entries as keys (checked in Java).
 */
#include <stdlib.h>
#include <string.h>

#include "murr_jni.h"

/* A C buffer of n found flags (NULL when the caller passed no array). */
static int found_alloc(JNIEnv *env, jbyteArray found, size_t n, uint8_t **out) {
    *out = NULL;
    if (found == NULL) {
        return 1;
    }
    *out = malloc(n > 0 ? n : 1);
    if (*out == NULL) {
        throw_oom(env, "murr: no memory for found flags");
        return 0;
    }
    return 1;
}

/* Copies the flags back to Java after a successful read, then frees them. */
static void found_finish(JNIEnv *env, jbyteArray found, uint8_t *buf, size_t n, int ok) {
    if (buf != NULL && ok) {
        (*env)->SetByteArrayRegion(env, found, 0, (jsize)n, (const jbyte *)buf);
    }
    free(buf);
}

/* Copies n int64 keys out of a long[]. */
static int copy_longs(JNIEnv *env, jlongArray keys, int64_t **out, size_t *n) {
    jsize len = (*env)->GetArrayLength(env, keys);
    *n = (size_t)len;
    *out = malloc(sizeof(int64_t) * (size_t)(len > 0 ? len : 1));
    if (*out == NULL) {
        throw_oom(env, "murr: no memory for keys");
        return 0;
    }
    (*env)->GetLongArrayRegion(env, keys, 0, len, (jlong *)*out);
    return 1;
}

JNIEXPORT void JNICALL Java_dev_murr_Native_read(JNIEnv *env, jclass cls, jlong db, jlong snap,
                                                 jbyteArray table, jlong keys,
                                                 jlong keys_schema, jbyteArray columns,
                                                 jintArray column_offsets, jlong out_array,
                                                 jlong out_schema, jbyteArray found,
                                                 jint n_keys) {
    (void)cls;
    char *t;
    cstr_list c;
    uint8_t *f;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    if (!cstr_list_init(env, columns, column_offsets, &c)) {
        free(t);
        return;
    }
    if (!found_alloc(env, found, (size_t)n_keys, &f)) {
        free(t);
        cstr_list_free(&c);
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_keys_t k = murr_keys_arrow(ptr_of(keys), ptr_of(keys_schema));
    murr_status_t s = murr_db_read_keys(db_of(db), snap_of(snap), t, &k, c.items, c.count,
                                        ptr_of(out_array), ptr_of(out_schema), f, &err);
    free(t);
    cstr_list_free(&c);
    found_finish(env, found, f, (size_t)n_keys, s == MURR_OK);
    check(env, s, &err);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_readStr(JNIEnv *env, jclass cls, jlong db,
                                                    jlong snap, jbyteArray table,
                                                    jbyteArray keys, jintArray key_offsets,
                                                    jbyteArray columns,
                                                    jintArray column_offsets, jlong out_array,
                                                    jlong out_schema, jbyteArray found) {
    (void)cls;
    char *t;
    cstr_list k, c;
    uint8_t *f;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    if (!cstr_list_init(env, keys, key_offsets, &k)) {
        free(t);
        return;
    }
    if (!cstr_list_init(env, columns, column_offsets, &c) ||
        !found_alloc(env, found, k.count, &f)) {
        free(t);
        cstr_list_free(&k);
        cstr_list_free(&c);
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_keys_t desc = murr_keys_cstr(k.items, k.count);
    murr_status_t s = murr_db_read_keys(db_of(db), snap_of(snap), t, &desc, c.items, c.count,
                                        ptr_of(out_array), ptr_of(out_schema), f, &err);
    free(t);
    found_finish(env, found, f, k.count, s == MURR_OK);
    cstr_list_free(&k);
    cstr_list_free(&c);
    check(env, s, &err);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_readInt(JNIEnv *env, jclass cls, jlong db,
                                                    jlong snap, jbyteArray table,
                                                    jlongArray keys, jboolean is_unsigned,
                                                    jbyteArray columns,
                                                    jintArray column_offsets, jlong out_array,
                                                    jlong out_schema, jbyteArray found) {
    (void)cls;
    char *t;
    cstr_list c;
    int64_t *k;
    size_t n;
    uint8_t *f;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    if (!copy_longs(env, keys, &k, &n)) {
        free(t);
        return;
    }
    if (!cstr_list_init(env, columns, column_offsets, &c) || !found_alloc(env, found, n, &f)) {
        free(t);
        free(k);
        cstr_list_free(&c);
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_keys_t desc = int_keys(k, n, is_unsigned);
    murr_status_t s = murr_db_read_keys(db_of(db), snap_of(snap), t, &desc, c.items, c.count,
                                        ptr_of(out_array), ptr_of(out_schema), f, &err);
    free(t);
    free(k);
    found_finish(env, found, f, n, s == MURR_OK);
    cstr_list_free(&c);
    check(env, s, &err);
}

/*
 * Where a dense read writes: a direct FloatBuffer's memory at float index `offset`, or a
 * malloc'ed buffer copied into the float[] at `offset` afterwards (never a pinned array
 * during the murr call).
 */
typedef struct {
    float *out;
    float *heap;
} dense_out;

static int dense_begin(JNIEnv *env, jobject out, jboolean direct, jint offset, size_t n,
                       dense_out *d) {
    d->heap = NULL;
    d->out = NULL;
    if (direct) {
        float *base = (*env)->GetDirectBufferAddress(env, out);
        if (base == NULL) {
            throw_arg(env, "murr: the FloatBuffer is not direct");
            return 0;
        }
        d->out = base + offset;
        return 1;
    }
    d->heap = malloc(sizeof(float) * (n > 0 ? n : 1));
    if (d->heap == NULL) {
        throw_oom(env, "murr: no memory for a dense read");
        return 0;
    }
    d->out = d->heap;
    return 1;
}

static void dense_end(JNIEnv *env, jobject out, jint offset, size_t n, int ok, dense_out *d) {
    if (d->heap != NULL && ok) {
        (*env)->SetFloatArrayRegion(env, (jfloatArray)out, offset, (jsize)n, d->heap);
    }
    free(d->heap);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_readF32Str(
    JNIEnv *env, jclass cls, jlong db, jlong snap, jbyteArray table, jbyteArray keys,
    jintArray key_offsets, jbyteArray columns, jintArray column_offsets, jfloat fill,
    jobject out, jboolean direct, jint offset, jbyteArray found) {
    (void)cls;
    char *t;
    cstr_list k, c;
    uint8_t *f;
    dense_out d;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    if (!cstr_list_init(env, keys, key_offsets, &k)) {
        free(t);
        return;
    }
    if (!cstr_list_init(env, columns, column_offsets, &c)) {
        free(t);
        cstr_list_free(&k);
        return;
    }
    size_t n = k.count * c.count;
    if (!found_alloc(env, found, k.count, &f)) {
        free(t);
        cstr_list_free(&k);
        cstr_list_free(&c);
        return;
    }
    if (!dense_begin(env, out, direct, offset, n, &d)) {
        free(t);
        free(f);
        cstr_list_free(&k);
        cstr_list_free(&c);
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_keys_t desc = murr_keys_cstr(k.items, k.count);
    murr_status_t s = murr_db_read_f32(db_of(db), snap_of(snap), t, &desc, c.items, c.count, fill,
                                       d.out, f, &err);
    free(t);
    dense_end(env, out, offset, n, s == MURR_OK, &d);
    found_finish(env, found, f, k.count, s == MURR_OK);
    cstr_list_free(&k);
    cstr_list_free(&c);
    check(env, s, &err);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_readF32Int(
    JNIEnv *env, jclass cls, jlong db, jlong snap, jbyteArray table, jlongArray keys,
    jboolean is_unsigned, jbyteArray columns, jintArray column_offsets, jfloat fill, jobject out,
    jboolean direct, jint offset, jbyteArray found) {
    (void)cls;
    char *t;
    cstr_list c;
    int64_t *k;
    size_t nk;
    uint8_t *f;
    dense_out d;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    if (!copy_longs(env, keys, &k, &nk)) {
        free(t);
        return;
    }
    if (!cstr_list_init(env, columns, column_offsets, &c)) {
        free(t);
        free(k);
        return;
    }
    size_t n = nk * c.count;
    if (!found_alloc(env, found, nk, &f)) {
        free(t);
        free(k);
        cstr_list_free(&c);
        return;
    }
    if (!dense_begin(env, out, direct, offset, n, &d)) {
        free(t);
        free(k);
        free(f);
        cstr_list_free(&c);
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_keys_t desc = int_keys(k, nk, is_unsigned);
    murr_status_t s = murr_db_read_f32(db_of(db), snap_of(snap), t, &desc, c.items, c.count, fill,
                                       d.out, f, &err);
    free(t);
    free(k);
    dense_end(env, out, offset, n, s == MURR_OK, &d);
    found_finish(env, found, f, nk, s == MURR_OK);
    cstr_list_free(&c);
    check(env, s, &err);
}
