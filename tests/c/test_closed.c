/* Use after close (closed, not freed): every call on the handle, and reads on its snapshots,
 * return MURR_CLOSED; arrays and streams passed are still released; the data is there
 * after a reopen. */
#include <string.h>

#include "common.h"

int main(void) {
    const char *dir = temp_dir();
    murr_db_t *db = open_db(dir);
    create_test_table(db, "t");
    struct ArrowArray batch, out;
    struct ArrowSchema schema, os;
    t_batch(&batch, &schema, 0, 10, 1);
    CHECK_OK(murr_db_write(db, "t", &batch, &schema, NULL, &ERR));
    murr_snapshot_t *snap = NULL;
    CHECK_OK(murr_db_snapshot(db, &snap, &ERR));

    /* A scan stream opened before the close. */
    struct ArrowArrayStream open_stream;
    CHECK_OK(murr_db_scan(db, NULL, "t", NULL, 0, &open_stream, &ERR));

    CHECK_OK(murr_db_close(db, &ERR));

    /* Its next get_next fails, saying why. */
    struct ArrowArray next;
    memset(&next, 0, sizeof next);
    CHECK(open_stream.get_next(&open_stream, &next) != 0);
    CHECK(next.release == NULL);
    const char *why = open_stream.get_last_error(&open_stream);
    CHECK(why != NULL && strlen(why) > 0);
    open_stream.release(&open_stream);

    const int64_t ik[] = {1};
    const char *const sk[] = {"1"};
    const char *const cols[] = {"score", "count", "name"};
    float dense[3];
    uint8_t found[1];
    struct ArrowArrayStream stream;
    murr_string_list_t list;
    memset(&out, 0, sizeof out);
    memset(&os, 0, sizeof os);
    CHECK_STATUS(murr_db_close(db, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_flush(db, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_compact(db, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_tables(db, &list, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_create_table(db, "u", &schema, "id", &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_drop_table(db, "t", &ERR), MURR_CLOSED);
    struct ArrowSchema ts;
    CHECK_STATUS(murr_db_table_schema(db, "t", &ts, &ERR), MURR_CLOSED);
    struct ArrowSchema field;
    au_schema_field(&field, "extra", "l", true);
    CHECK_STATUS(murr_db_add_column(db, "t", &field, &ERR), MURR_CLOSED);
    field.release(&field);

    t_batch(&batch, NULL, 0, 2, 2);
    CHECK_STATUS(murr_db_write(db, "t", &batch, &schema, NULL, &ERR), MURR_CLOSED);
    CHECK(batch.release == NULL); /* moved even then */
    struct ArrowArray batches[1];
    struct ArrowSchema stream_schema;
    t_batch(&batches[0], &stream_schema, 0, 2, 2);
    au_stream_make(&stream, &stream_schema, batches, 1, -1);
    CHECK_STATUS(murr_db_write_stream(db, "t", &stream, NULL, &ERR), MURR_CLOSED);
    CHECK(stream.release == NULL);
    struct ArrowArray keys;
    struct ArrowSchema ks;
    au_array_i64(&keys, ik, NULL, 1);
    au_schema_field(&ks, "id", "l", false);
    CHECK_STATUS(murr_db_delete(db, "t", &keys, &ks, NULL, &ERR), MURR_CLOSED);
    CHECK(keys.release == NULL);
    CHECK_STATUS(murr_db_delete_i64(db, "t", ik, 1, NULL, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_delete_str(db, "t", sk, 1, NULL, &ERR), MURR_CLOSED);

    au_array_i64(&keys, ik, NULL, 1);
    CHECK_STATUS(murr_db_read(db, NULL, "t", &keys, &ks, cols, 3, &out, &os, found, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_read(db, snap, "t", &keys, &ks, cols, 3, &out, &os, found, &ERR), MURR_CLOSED);
    keys.release(&keys);
    ks.release(&ks);
    CHECK_STATUS(murr_db_read_i64(db, NULL, "t", ik, 1, cols, 3, &out, &os, found, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_read_i64(db, snap, "t", ik, 1, cols, 3, &out, &os, found, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_read_str(db, NULL, "t", sk, 1, cols, 3, &out, &os, found, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_read_f32_i64(db, NULL, "t", ik, 1, cols, 2, 0.0f, dense, found, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_read_f32_i64(db, snap, "t", ik, 1, cols, 2, 0.0f, dense, found, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_read_f32_str(db, NULL, "t", sk, 1, cols, 2, 0.0f, dense, found, &ERR), MURR_CLOSED);
    CHECK(out.release == NULL && os.release == NULL);
    murr_snapshot_t *snap2 = NULL;
    CHECK_STATUS(murr_db_snapshot(db, &snap2, &ERR), MURR_CLOSED);
    CHECK(snap2 == NULL);
    CHECK_STATUS(murr_db_scan(db, NULL, "t", NULL, 0, &stream, &ERR), MURR_CLOSED);
    CHECK_STATUS(murr_db_scan(db, snap, "t", NULL, 0, &stream, &ERR), MURR_CLOSED);
    CHECK(murr_snapshot_seq(snap) > 0); /* a plain number: still answers */

    murr_snapshot_free(snap); /* snapshots first, then the db */
    murr_db_free(db);
    schema.release(&schema);
    CHECK(au_live_arrays() == 0 && au_live_schemas() == 0 && au_live_streams() == 0);

    /* Close flushed: the rows are there after a reopen, the refused calls changed nothing. */
    db = open_db(dir);
    const int64_t keys10[] = {0, 1, 9};
    uint8_t f3[3];
    CHECK_OK(murr_db_read_i64(db, NULL, "t", keys10, 3, cols, 3, &out, &os, f3, &ERR));
    CHECK(f3[0] == 1 && f3[1] == 1 && f3[2] == 1);
    for (int i = 0; i < 3; i++) t_check_row(&out, &os, i, keys10[i], 1);
    out.release(&out);
    os.release(&os);
    CHECK_STATUS(murr_db_table_schema(db, "t", &ts, &ERR), MURR_OK);
    CHECK(ts.n_children == 4); /* add_column was refused */
    ts.release(&ts);
    murr_db_free(db);
    printf("test_closed: ok\n");
    return 0;
}
