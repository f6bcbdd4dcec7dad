/*
 * JNI glue of libmurr's Java binding: dev.murr.Native's static methods, each a thin
 * translation onto one murr_* call of include/murr.h.
 *
 * - Handles (murr_db_t *, murr_snapshot_t *) and Arrow C Data structs cross as jlong
 *   addresses; the Java classes own them (see MurrDb, Snapshot).
 * - Strings cross as UTF-8 byte[] (NUL-terminated, built by dev.murr.Utf8), lists of strings
 *   as one byte[] of NUL-terminated strings plus an int[] of their start offsets: the glue
 *   copies them into C memory for the call (never pinning Java arrays across a murr call,
 *   which may wait on locks).
 * - Every failing murr_* status becomes a thrown dev.murr.MurrException (status code and
 *   libmurr's message); allocation failures an OutOfMemoryError. After a throw the function
 *   returns at once. libmurr catches Rust panics at its own boundary (MURR_INTERNAL), so
 *   nothing unwinds into the JVM.
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "murr_jni.h"

static jclass murr_exception_class;
static jmethodID murr_exception_ctor;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    jclass local = (*env)->FindClass(env, "dev/murr/MurrException");
    if (local == NULL) {
        return JNI_ERR;
    }
    murr_exception_class = (jclass)(*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    if (murr_exception_class == NULL) {
        return JNI_ERR;
    }
    murr_exception_ctor = (*env)->GetMethodID(env, murr_exception_class, "<init>", "(I[B)V");
    if (murr_exception_ctor == NULL) {
        return JNI_ERR;
    }
    return JNI_VERSION_1_8;
}

void throw_oom(JNIEnv *env, const char *what) {
    jclass c = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
    if (c != NULL) {
        (*env)->ThrowNew(env, c, what);
    }
}

void throw_arg(JNIEnv *env, const char *what) {
    jclass c = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
    if (c != NULL) {
        (*env)->ThrowNew(env, c, what);
    }
}

/* Throws MurrException(status, message) and releases the message. */
void throw_murr(JNIEnv *env, murr_status_t status, murr_error_t *err) {
    jbyteArray msg = NULL;
    if (err->message != NULL) {
        size_t len = strlen(err->message);
        msg = (*env)->NewByteArray(env, (jsize)len);
        if (msg != NULL) {
            (*env)->SetByteArrayRegion(env, msg, 0, (jsize)len, (const jbyte *)err->message);
        }
    }
    murr_error_release(err);
    if ((*env)->ExceptionCheck(env)) {
        return;
    }
    jobject ex = (*env)->NewObject(env, murr_exception_class, murr_exception_ctor, (jint)status,
                                   msg);
    if (ex != NULL) {
        (*env)->Throw(env, (jthrowable)ex);
    }
}

/* Returns 1 when status is MURR_OK, else throws and returns 0. */
int check(JNIEnv *env, murr_status_t status, murr_error_t *err) {
    if (status == MURR_OK) {
        return 1;
    }
    throw_murr(env, status, err);
    return 0;
}

/* A copy of a Java byte[] in C memory (NULL array: NULL pointer). */
int copy_bytes(JNIEnv *env, jbyteArray array, char **out) {
    *out = NULL;
    if (array == NULL) {
        return 1;
    }
    jsize len = (*env)->GetArrayLength(env, array);
    char *buf = malloc((size_t)len + 1);
    if (buf == NULL) {
        throw_oom(env, "murr: no memory for a string");
        return 0;
    }
    (*env)->GetByteArrayRegion(env, array, 0, len, (jbyte *)buf);
    buf[len] = '\0'; /* Utf8 already ends each string with NUL: this guards a bad caller. */
    *out = buf;
    return 1;
}

void cstr_list_free(cstr_list *l) {
    free(l->blob);
    free((void *)l->items);
    l->blob = NULL;
    l->items = NULL;
    l->count = 0;
}

int cstr_list_init(JNIEnv *env, jbyteArray blob, jintArray offsets, cstr_list *out) {
    out->blob = NULL;
    out->items = NULL;
    out->count = 0;
    if (blob == NULL || offsets == NULL) {
        return 1;
    }
    jsize len = (*env)->GetArrayLength(env, blob);
    jsize n = (*env)->GetArrayLength(env, offsets);
    if (n == 0) {
        return 1;
    }
    if (!copy_bytes(env, blob, &out->blob)) {
        return 0;
    }
    out->items = malloc(sizeof(char *) * (size_t)n);
    jint *offs = malloc(sizeof(jint) * (size_t)n);
    if (out->items == NULL || offs == NULL) {
        free(offs);
        cstr_list_free(out);
        throw_oom(env, "murr: no memory for a string list");
        return 0;
    }
    (*env)->GetIntArrayRegion(env, offsets, 0, n, offs);
    for (jsize i = 0; i < n; i++) {
        if (offs[i] < 0 || offs[i] > len) {
            free(offs);
            cstr_list_free(out);
            throw_arg(env, "murr: string offset out of range");
            return 0;
        }
        out->items[i] = out->blob + offs[i];
    }
    free(offs);
    out->count = (size_t)n;
    return 1;
}

/* ---- library ---------------------------------------------------------------------- */

JNIEXPORT jbyteArray JNICALL Java_dev_murr_Native_version(JNIEnv *env, jclass cls) {
    (void)cls;
    const char *v = murr_version();
    jsize len = (jsize)strlen(v);
    jbyteArray out = (*env)->NewByteArray(env, len);
    if (out != NULL) {
        (*env)->SetByteArrayRegion(env, out, 0, len, (const jbyte *)v);
    }
    return out;
}

JNIEXPORT jbyteArray JNICALL Java_dev_murr_Native_statusName(JNIEnv *env, jclass cls,
                                                             jint status) {
    (void)cls;
    const char *v = murr_status_name((murr_status_t)status);
    jsize len = (jsize)strlen(v);
    jbyteArray out = (*env)->NewByteArray(env, len);
    if (out != NULL) {
        (*env)->SetByteArrayRegion(env, out, 0, len, (const jbyte *)v);
    }
    return out;
}

/* ---- database lifecycle ------------------------------------------------------------ */

/* values[i] replaces the default of option i when bit i of set_mask is set (see Options). */
JNIEXPORT jlong JNICALL Java_dev_murr_Native_open(JNIEnv *env, jclass cls, jbyteArray path,
                                                  jlongArray values, jlong set_mask) {
    (void)cls;
    murr_options_t opts;
    murr_options_default(&opts);
    jlong v[12];
    if ((*env)->GetArrayLength(env, values) != 12) {
        throw_arg(env, "murr: options array must hold 12 values");
        return 0;
    }
    (*env)->GetLongArrayRegion(env, values, 0, 12, v);
#define MURR_SET(i, field, type) \
    if (set_mask & (1LL << (i))) opts.field = (type)v[i]
    MURR_SET(0, sync, int32_t);
    MURR_SET(1, sync_millis, uint32_t);
    MURR_SET(2, background_threads, uint32_t);
    MURR_SET(3, memtable_bytes, uint64_t);
    MURR_SET(4, create_if_missing, bool);
    MURR_SET(5, skip_corrupt, bool);
    MURR_SET(6, l0_compaction_trigger, uint32_t);
    MURR_SET(7, l0_slowdown_writes, uint32_t);
    MURR_SET(8, l0_stop_writes, uint32_t);
    MURR_SET(9, target_segment_bytes, uint64_t);
    MURR_SET(10, idle_compaction_millis, int64_t);
    MURR_SET(11, change_retention_bytes, uint64_t);
#undef MURR_SET
    char *p;
    if (!copy_bytes(env, path, &p)) {
        return 0;
    }
    murr_db_t *db = NULL;
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_open(p, &opts, &db, &err);
    free(p);
    if (!check(env, s, &err)) {
        return 0;
    }
    return (jlong)(intptr_t)db;
}

JNIEXPORT void JNICALL Java_dev_murr_Native_close(JNIEnv *env, jclass cls, jlong db) {
    (void)cls;
    murr_error_t err = MURR_ERROR_INIT;
    check(env, murr_db_close(db_of(db), &err), &err);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_free(JNIEnv *env, jclass cls, jlong db) {
    (void)env;
    (void)cls;
    murr_db_free(db_of(db));
}

JNIEXPORT void JNICALL Java_dev_murr_Native_flush(JNIEnv *env, jclass cls, jlong db) {
    (void)cls;
    murr_error_t err = MURR_ERROR_INIT;
    check(env, murr_db_flush(db_of(db), &err), &err);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_compact(JNIEnv *env, jclass cls, jlong db) {
    (void)cls;
    murr_error_t err = MURR_ERROR_INIT;
    check(env, murr_db_compact(db_of(db), &err), &err);
}

/* ---- tables ------------------------------------------------------------------------- */

JNIEXPORT void JNICALL Java_dev_murr_Native_createTable(JNIEnv *env, jclass cls, jlong db,
                                                        jbyteArray table, jlong schema,
                                                        jbyteArray key_column) {
    (void)cls;
    char *t, *k;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    if (!copy_bytes(env, key_column, &k)) {
        free(t);
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_create_table(db_of(db), t, ptr_of(schema), k, &err);
    free(t);
    free(k);
    check(env, s, &err);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_dropTable(JNIEnv *env, jclass cls, jlong db,
                                                      jbyteArray table) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_drop_table(db_of(db), t, &err);
    free(t);
    check(env, s, &err);
}

/* The statistics of a table as a long[6]: segments, level-0 segments, segment rows, segment
 * bytes, deleted rows, memtable bytes (each an unsigned 64-bit count). */
JNIEXPORT jlongArray JNICALL Java_dev_murr_Native_tableStats(JNIEnv *env, jclass cls, jlong db,
                                                            jbyteArray table) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return NULL;
    }
    murr_table_stats_t st = MURR_TABLE_STATS_INIT;
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_table_stats(db_of(db), t, &st, &err);
    free(t);
    if (!check(env, s, &err)) {
        return NULL;
    }
    const jlong values[6] = {(jlong)st.segments,       (jlong)st.level0_segments,
                             (jlong)st.segment_rows,   (jlong)st.segment_bytes,
                             (jlong)st.deleted_rows,   (jlong)st.memtable_bytes};
    jlongArray out = (*env)->NewLongArray(env, 6);
    if (out != NULL) {
        (*env)->SetLongArrayRegion(env, out, 0, 6, values);
    }
    return out;
}

/* The engine's metrics: the 31 scalar fields of murr_metrics_t after `size`, in order,
 * then the MURR_LATENCY_BUCKETS buckets (Metrics.of reads them so). */
JNIEXPORT jlongArray JNICALL Java_dev_murr_Native_metrics(JNIEnv *env, jclass cls, jlong db) {
    (void)cls;
    murr_metrics_t m = MURR_METRICS_INIT;
    murr_error_t err = MURR_ERROR_INIT;
    if (!check(env, murr_db_metrics(db_of(db), &m, &err), &err)) {
        return NULL;
    }
    const jlong scalars[31] = {
        (jlong)m.enabled,
        (jlong)m.reads,
        (jlong)m.read_keys,
        (jlong)m.read_misses,
        (jlong)m.read_bytes,
        (jlong)m.read_latency_p50_ns,
        (jlong)m.read_latency_p99_ns,
        (jlong)m.read_latency_p999_ns,
        (jlong)m.read_latency_sum_ns,
        (jlong)m.writes,
        (jlong)m.write_rows,
        (jlong)m.deletes,
        (jlong)m.delete_keys,
        (jlong)m.log_syncs,
        (jlong)m.log_bytes,
        (jlong)m.flushes,
        (jlong)m.flush_rows,
        (jlong)m.flush_bytes,
        (jlong)m.flush_ns,
        (jlong)m.compactions,
        (jlong)m.compaction_bytes_read,
        (jlong)m.compaction_bytes_written,
        (jlong)m.compaction_ns,
        (jlong)m.write_stalls,
        (jlong)m.write_stall_ns,
        (jlong)m.memtable_bytes,
        (jlong)m.memtable_rows,
        (jlong)m.segments,
        (jlong)m.level0_segments,
        (jlong)m.segment_bytes,
        (jlong)m.segment_rows};
    jlongArray out = (*env)->NewLongArray(env, 31 + MURR_LATENCY_BUCKETS);
    if (out != NULL) {
        jlong buckets[MURR_LATENCY_BUCKETS];
        for (size_t i = 0; i < MURR_LATENCY_BUCKETS; i++) {
            buckets[i] = (jlong)m.read_latency_buckets[i];
        }
        (*env)->SetLongArrayRegion(env, out, 0, 31, scalars);
        (*env)->SetLongArrayRegion(env, out, 31, MURR_LATENCY_BUCKETS, buckets);
    }
    return out;
}

/* The engine's metrics as Prometheus text, UTF-8 bytes (decoded in Java). */
JNIEXPORT jbyteArray JNICALL Java_dev_murr_Native_metricsPrometheus(JNIEnv *env, jclass cls,
                                                                   jlong db) {
    (void)cls;
    char *text = NULL;
    murr_error_t err = MURR_ERROR_INIT;
    if (!check(env, murr_db_metrics_prometheus(db_of(db), &text, &err), &err)) {
        return NULL;
    }
    jsize len = (jsize)strlen(text);
    jbyteArray out = (*env)->NewByteArray(env, len);
    if (out != NULL) {
        (*env)->SetByteArrayRegion(env, out, 0, len, (const jbyte *)text);
    }
    murr_string_free(text);
    return out;
}

/* The table names as UTF-8 byte arrays (decoded in Java). */
JNIEXPORT jobjectArray JNICALL Java_dev_murr_Native_tables(JNIEnv *env, jclass cls, jlong db) {
    (void)cls;
    murr_string_list_t list = {0, NULL};
    murr_error_t err = MURR_ERROR_INIT;
    if (!check(env, murr_db_tables(db_of(db), &list, &err), &err)) {
        return NULL;
    }
    jclass bytes_class = (*env)->FindClass(env, "[B");
    jobjectArray out = NULL;
    if (bytes_class != NULL) {
        out = (*env)->NewObjectArray(env, (jsize)list.count, bytes_class, NULL);
    }
    for (size_t i = 0; out != NULL && i < list.count; i++) {
        jsize len = (jsize)strlen(list.items[i]);
        jbyteArray b = (*env)->NewByteArray(env, len);
        if (b == NULL) {
            out = NULL;
            break;
        }
        (*env)->SetByteArrayRegion(env, b, 0, len, (const jbyte *)list.items[i]);
        (*env)->SetObjectArrayElement(env, out, (jsize)i, b);
        (*env)->DeleteLocalRef(env, b);
    }
    murr_string_list_free(&list);
    return out;
}

JNIEXPORT void JNICALL Java_dev_murr_Native_tableSchema(JNIEnv *env, jclass cls, jlong db,
                                                        jbyteArray table, jlong out_schema) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_table_schema(db_of(db), t, ptr_of(out_schema), &err);
    free(t);
    check(env, s, &err);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_addColumn(JNIEnv *env, jclass cls, jlong db,
                                                      jbyteArray table, jlong field) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_add_column(db_of(db), t, ptr_of(field), &err);
    free(t);
    check(env, s, &err);
}

/* ---- writes ------------------------------------------------------------------------- */

JNIEXPORT jlong JNICALL Java_dev_murr_Native_write(JNIEnv *env, jclass cls, jlong db,
                                                   jbyteArray table, jlong array,
                                                   jlong schema) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return 0;
    }
    uint64_t seq = 0;
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_write(db_of(db), t, ptr_of(array), ptr_of(schema), &seq, &err);
    free(t);
    check(env, s, &err);
    return (jlong)seq;
}

JNIEXPORT jlong JNICALL Java_dev_murr_Native_writeStream(JNIEnv *env, jclass cls, jlong db,
                                                         jbyteArray table, jlong stream) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return 0;
    }
    uint64_t seq = 0;
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_write_stream(db_of(db), t, ptr_of(stream), &seq, &err);
    free(t);
    check(env, s, &err);
    return (jlong)seq;
}

JNIEXPORT void JNICALL Java_dev_murr_Native_ingestStream(JNIEnv *env, jclass cls, jlong db,
                                                         jbyteArray table, jlong stream) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    /* Moved: libmurr releases the stream whatever happens. */
    murr_status_t s = murr_db_ingest_stream(db_of(db), t, ptr_of(stream), &err);
    free(t);
    check(env, s, &err);
}

JNIEXPORT void JNICALL Java_dev_murr_Native_ingestFile(JNIEnv *env, jclass cls, jlong db,
                                                       jbyteArray table, jbyteArray path) {
    (void)cls;
    char *t;
    char *p;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    if (!copy_bytes(env, path, &p)) {
        free(t);
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_ingest_file(db_of(db), t, p, &err);
    free(t);
    free(p);
    check(env, s, &err);
}

JNIEXPORT jlong JNICALL Java_dev_murr_Native_delete(JNIEnv *env, jclass cls, jlong db,
                                                    jbyteArray table, jlong keys,
                                                    jlong keys_schema) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return 0;
    }
    uint64_t seq = 0;
    murr_error_t err = MURR_ERROR_INIT;
    /* Borrowed by libmurr; the Java side releases the exported array after the call. */
    murr_keys_t k = murr_keys_arrow(ptr_of(keys), ptr_of(keys_schema));
    murr_status_t s = murr_db_delete_keys(db_of(db), t, &k, &seq, &err);
    free(t);
    check(env, s, &err);
    return (jlong)seq;
}

JNIEXPORT jlong JNICALL Java_dev_murr_Native_deleteStr(JNIEnv *env, jclass cls, jlong db,
                                                       jbyteArray table, jbyteArray keys,
                                                       jintArray key_offsets) {
    (void)cls;
    char *t;
    cstr_list k;
    if (!copy_bytes(env, table, &t)) {
        return 0;
    }
    if (!cstr_list_init(env, keys, key_offsets, &k)) {
        free(t);
        return 0;
    }
    uint64_t seq = 0;
    murr_error_t err = MURR_ERROR_INIT;
    murr_keys_t desc = murr_keys_cstr(k.items, k.count);
    murr_status_t s = murr_db_delete_keys(db_of(db), t, &desc, &seq, &err);
    free(t);
    cstr_list_free(&k);
    check(env, s, &err);
    return (jlong)seq;
}

JNIEXPORT jlong JNICALL Java_dev_murr_Native_deleteInt(JNIEnv *env, jclass cls, jlong db,
                                                       jbyteArray table, jlongArray keys,
                                                       jboolean is_unsigned) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return 0;
    }
    jsize n = (*env)->GetArrayLength(env, keys);
    int64_t *k = malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    if (k == NULL) {
        free(t);
        throw_oom(env, "murr: no memory for keys");
        return 0;
    }
    (*env)->GetLongArrayRegion(env, keys, 0, n, (jlong *)k);
    uint64_t seq = 0;
    murr_error_t err = MURR_ERROR_INIT;
    murr_keys_t desc = int_keys(k, (size_t)n, is_unsigned);
    murr_status_t s = murr_db_delete_keys(db_of(db), t, &desc, &seq, &err);
    free(t);
    free(k);
    check(env, s, &err);
    return (jlong)seq;
}

/* ---- snapshots ---------------------------------------------------------------------- */

JNIEXPORT jlong JNICALL Java_dev_murr_Native_snapshot(JNIEnv *env, jclass cls, jlong db) {
    (void)cls;
    murr_snapshot_t *snap = NULL;
    murr_error_t err = MURR_ERROR_INIT;
    if (!check(env, murr_db_snapshot(db_of(db), &snap, &err), &err)) {
        return 0;
    }
    return (jlong)(intptr_t)snap;
}

JNIEXPORT jlong JNICALL Java_dev_murr_Native_snapshotSeq(JNIEnv *env, jclass cls, jlong snap) {
    (void)env;
    (void)cls;
    return (jlong)murr_snapshot_seq(snap_of(snap));
}

JNIEXPORT void JNICALL Java_dev_murr_Native_snapshotFree(JNIEnv *env, jclass cls, jlong snap) {
    (void)env;
    (void)cls;
    murr_snapshot_free(snap_of(snap));
}

/* ---- scans -------------------------------------------------------------------------- */

JNIEXPORT void JNICALL Java_dev_murr_Native_scan(JNIEnv *env, jclass cls, jlong db, jlong snap,
                                                 jbyteArray table, jbyteArray columns,
                                                 jintArray column_offsets, jlong out_stream) {
    (void)cls;
    char *t;
    cstr_list c;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    if (!cstr_list_init(env, columns, column_offsets, &c)) {
        free(t);
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s = murr_db_scan(db_of(db), snap_of(snap), t, c.items, c.count,
                                   ptr_of(out_stream), &err);
    free(t);
    cstr_list_free(&c);
    check(env, s, &err);
}

/* ---- the change feed ---------------------------------------------------------------- */

JNIEXPORT void JNICALL Java_dev_murr_Native_changes(JNIEnv *env, jclass cls, jlong db,
                                                    jbyteArray table, jlong since_seq,
                                                    jlong out_stream) {
    (void)cls;
    char *t;
    if (!copy_bytes(env, table, &t)) {
        return;
    }
    murr_error_t err = MURR_ERROR_INIT;
    murr_status_t s =
        murr_db_changes(db_of(db), t, (uint64_t)since_seq, ptr_of(out_stream), &err);
    free(t);
    check(env, s, &err);
}

JNIEXPORT jlong JNICALL Java_dev_murr_Native_changesOldestSince(JNIEnv *env, jclass cls,
                                                               jlong db) {
    (void)cls;
    uint64_t out = 0;
    murr_error_t err = MURR_ERROR_INIT;
    check(env, murr_db_changes_oldest_since(db_of(db), &out, &err), &err);
    return (jlong)out;
}

/* ---- tests ------------------------------------------------------------------------- */

/* libmurr's hidden test hook (ffi/src/testing.rs, not in murr.h): panics inside its guard. */
murr_status_t murr_test_panic(murr_error_t *error);

/* Makes libmurr panic inside its boundary guard: must throw MurrException(MURR_INTERNAL). */
JNIEXPORT void JNICALL Java_dev_murr_Native_testPanic(JNIEnv *env, jclass cls) {
    (void)cls;
    murr_error_t err = MURR_ERROR_INIT;
    check(env, murr_test_panic(&err), &err);
}
