/* murr.h coexists with other declarations of the Arrow C Data and Stream Interface structs
 * (Arrow C++'s abi.h, nanoarrow, DuckDB, arrow-go declare them verbatim under the same
 * guards): here they are declared first, then murr.h is included (twice: its include guard
 * holds), and libmurr is called with them. */
#include <stdint.h>
#include <string.h>

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};
struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};
#endif
#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};
#endif

#include "murr.h"
#include "murr.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
    murr_error_t e = MURR_ERROR_INIT;
    murr_db_t *db = NULL;
    struct ArrowArrayStream stream;
    memset(&stream, 0, sizeof stream);
    if (murr_db_scan(db, NULL, "t", NULL, 0, &stream, &e) != MURR_INVALID_ARGUMENT || stream.release != NULL) {
        fprintf(stderr, "test_header: murr_db_scan(NULL db) did not fail as expected\n");
        return 1;
    }
    murr_error_release(&e);
    printf("test_header: ok\n");
    return 0;
}
