/* Header hygiene only (scripts/test.sh compiles it as C99 and C++17 with -Werror, links
 * nothing): murr.h is self-contained, warning-free, and coexists with another declaration
 * of the Arrow C Data / C Stream structs (as Arrow C++, nanoarrow or DuckDB headers make).
 * The behaviour tests of the C ABI live elsewhere. */
#ifdef MURR_ARROW_FIRST
#include <stdint.h>
#define ARROW_C_DATA_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};
#endif

#include "murr.h"
#include "murr.h" /* twice: the include guard */

int murr_header_hygiene(void);

int murr_header_hygiene(void) {
    murr_error_t error = MURR_ERROR_INIT;
    murr_options_t options;
    murr_string_list_t list = {0, NULL};
    struct ArrowArrayStream stream;
    murr_status_t (*open_fn)(const char *, const murr_options_t *, murr_db_t **, murr_error_t *) =
        murr_db_open;
    murr_status_t (*scan_fn)(const murr_db_t *, const murr_snapshot_t *, const char *,
                             const char *const *, size_t, struct ArrowArrayStream *,
                             murr_error_t *) = murr_db_scan;
    murr_status_t (*read_fn)(const murr_db_t *, const murr_snapshot_t *, const char *,
                             const murr_keys_t *, const char *const *, size_t,
                             struct ArrowArray *, struct ArrowSchema *, uint8_t *,
                             murr_error_t *) = murr_db_read_keys;
    murr_status_t (*dense_fn)(const murr_db_t *, const murr_snapshot_t *, const char *,
                              const murr_keys_t *, const char *const *, size_t, float, float *,
                              uint8_t *, murr_error_t *) = murr_db_read_f32;
    murr_status_t (*delete_fn)(const murr_db_t *, const char *, const murr_keys_t *, uint64_t *,
                               murr_error_t *) = murr_db_delete_keys;
    murr_status_t (*write_f32_fn)(const murr_db_t *, const char *, const murr_keys_t *,
                                  const char *const *, size_t, const float *, uint64_t *,
                                  murr_error_t *) = murr_db_write_f32;
    murr_status_t (*stats_fn)(const murr_db_t *, const char *, murr_table_stats_t *,
                              murr_error_t *) = murr_db_table_stats;
    murr_table_stats_t stats = MURR_TABLE_STATS_INIT;
    murr_status_t (*metrics_fn)(const murr_db_t *, murr_metrics_t *, murr_error_t *) = murr_db_metrics;
    murr_status_t (*prometheus_fn)(const murr_db_t *, char **, murr_error_t *) = murr_db_metrics_prometheus;
    void (*string_free_fn)(char *) = murr_string_free;
    murr_metrics_t metrics = MURR_METRICS_INIT;
    void (*free_fn)(murr_db_t *) = murr_db_free;
    static const char *const names[] = {"a", "b"};
    static const size_t lengths[] = {1, 1};
    static const int64_t ints[] = {-1};
    static const uint64_t uints[] = {UINT64_MAX};
    murr_keys_t keys[5];
    keys[0] = murr_keys_cstr(names, 2);
    keys[1] = murr_keys_utf8(names, lengths, 2);
    keys[2] = murr_keys_i64(ints, 1);
    keys[3] = murr_keys_u64(uints, 1);
    keys[4] = murr_keys_arrow(NULL, NULL);
    (void)options;
    (void)read_fn;
    (void)dense_fn;
    (void)delete_fn;
    (void)free_fn;
    (void)write_f32_fn;
    (void)stats_fn;
    (void)metrics_fn;
    (void)prometheus_fn;
    (void)string_free_fn;
    (void)list;
    (void)stream;
    (void)open_fn;
    (void)scan_fn;
    return error.status + (int)error.reserved[3] + (int)stats.size + (int)stats.memtable_bytes + (int)metrics.size + (int)metrics.read_latency_buckets[MURR_LATENCY_BUCKETS - 1] + (error.private_data == NULL) + keys[0].kind +
           keys[1].kind + keys[2].kind + keys[3].kind + keys[4].kind + MURR_KEYS_ARROW + MURR_OK + MURR_UNKNOWN + MURR_SYNC_EVERY_MILLIS +
           MURR_VERSION_MAJOR + MURR_VERSION_MINOR + MURR_VERSION_PATCH;
}
