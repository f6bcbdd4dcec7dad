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
    void (*free_fn)(murr_db_t *) = murr_db_free;
    (void)options;
    (void)free_fn;
    (void)list;
    (void)stream;
    (void)open_fn;
    (void)scan_fn;
    return error.status + (int)error.reserved[3] + (error.private_data == NULL) + MURR_OK + MURR_UNKNOWN + MURR_SYNC_EVERY_MILLIS +
           MURR_VERSION_MAJOR + MURR_VERSION_MINOR + MURR_VERSION_PATCH;
}
