//! Writes over HTTP: Arrow IPC, Parquet and JSON bodies cast to the table's types; bad
//! bodies answered 4xx with a message and nothing applied.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::{TestServer, USERS, ipc, parquet};
use serde_json::{Value, json};

const IPC: &str = "application/vnd.apache.arrow.stream";
const PARQUET: &str = "application/vnd.apache.parquet";

/// A batch of `id` (utf8), `score` (float64: cast to float32), `clicks` (int32: cast to
/// int64).
fn batch(ids: &[&str], base: f64) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("score", DataType::Float64, true),
        Field::new("clicks", DataType::Int32, true),
    ]));
    let n = ids.len();
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(ids.to_vec())) as ArrayRef,
            Arc::new(Float64Array::from_iter_values(
                (0..n).map(|i| base + i as f64),
            )),
            Arc::new(Int32Array::from_iter_values((0..n).map(|i| i as i32 * 10))),
        ],
    )
    .unwrap()
}

async fn fetch(s: &TestServer, keys: Value) -> Value {
    let r = s
        .json_json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": keys, "columns": ["score", "clicks", "tag"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

async fn write(s: &TestServer, content_type: &str, body: Vec<u8>) -> common::Resp {
    s.send(
        "PUT",
        "/api/v1/table/users/write",
        &[("content-type", content_type)],
        body,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipc_parquet_and_json_bodies() {
    let mut s = TestServer::start().await;
    s.create("users", USERS).await;

    // IPC, two batches, cast to the table's types.
    let r = write(&s, IPC, ipc(&[batch(&["a", "b"], 1.0), batch(&["c"], 7.0)])).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let seq1 = r.json()["seq"].as_u64().unwrap();
    // Parquet.
    let r = write(&s, PARQUET, parquet(&[batch(&["d", "e"], 3.0)])).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let seq2 = r.json()["seq"].as_u64().unwrap();
    assert!(seq2 > seq1);
    // JSON, columns form (a partial upsert: only tag).
    let r = s
        .json(
            "PUT",
            "/api/v1/table/users/write",
            &json!({"columns": {"id": ["a", "e"], "tag": ["x", "y"]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // JSON, rows form; POST also writes.
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/write",
            &json!([{"id": "f", "score": 9.5}, {"id": "g", "clicks": 4}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    let got = fetch(&s, json!(["a", "b", "c", "d", "e", "f", "g", "z"])).await;
    assert_eq!(
        got,
        json!({
            "columns": {
                "score": [1.0, 2.0, 7.0, 3.0, 4.0, 9.5, null, null],
                "clicks": [0, 10, 0, 0, 10, null, 4, null],
                "tag": ["x", null, null, null, "y", null, null, null],
            },
            "found": [true, true, true, true, true, true, true, false],
        })
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_apply_nothing() {
    let mut s = TestServer::with(None, 64 * 1024).await;
    s.create("users", USERS).await;
    let good = ipc(&[batch(&["a", "b"], 1.0), batch(&["c"], 2.0)]);

    // (content type, body, status, words of the message)
    let mut bad_type = batch(&["a"], 1.0);
    bad_type = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("score", DataType::Utf8, true),
        ])),
        vec![
            bad_type.column(0).clone(),
            Arc::new(StringArray::from(vec!["not a number"])),
        ],
    )
    .unwrap();
    let unknown_col = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("nope", DataType::Int32, true),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["a"])) as ArrayRef,
            Arc::new(Int32Array::from(vec![1])),
        ],
    )
    .unwrap();
    let no_key = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            "clicks",
            DataType::Int32,
            true,
        )])),
        vec![Arc::new(Int32Array::from(vec![1])) as ArrayRef],
    )
    .unwrap();
    let null_key = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, true)])),
        vec![Arc::new(StringArray::from(vec![Some("a"), None])) as ArrayRef],
    )
    .unwrap();
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (IPC, good[..good.len() - 20].to_vec(), 400, "IPC"),
        (IPC, b"garbage".to_vec(), 400, "IPC"),
        (PARQUET, parquet(&[bad_type]), 400, "score"),
        (PARQUET, parquet(&[unknown_col]), 400, "nope"),
        (PARQUET, good.clone(), 400, "Parquet"),
        (IPC, ipc(&[no_key]), 400, "key"),
        (IPC, ipc(&[null_key]), 400, "null"),
        (
            "application/json",
            b"{\"columns\": {\"id\": [\"a\"".to_vec(),
            400,
            "malformed",
        ),
        (
            "application/json",
            br#"{"columns": {"id": ["a"], "score": ["x"]}}"#.to_vec(),
            400,
            "JSON",
        ),
        (
            "application/json",
            br#"{"columns": {"id": ["a", "b"], "score": [1]}}"#.to_vec(),
            400,
            "values",
        ),
        (
            "application/json",
            br#"{"columns": {"id": ["a"], "nope": [1]}}"#.to_vec(),
            400,
            "nope",
        ),
        (
            "application/json",
            br#"{"rows": []}"#.to_vec(),
            400,
            "columns",
        ),
        ("text/csv", b"id\na\n".to_vec(), 415, "Content-Type"),
        (IPC, vec![0u8; 64 * 1024 + 1], 413, "limit"),
    ];
    for (ct, body, status, words) in cases {
        let r = write(&s, ct, body).await;
        assert_eq!(
            r.status,
            status,
            "{ct} {words}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let msg = r.error();
        assert!(msg.contains(words), "{ct}: '{msg}' does not say '{words}'");
    }
    // A good first batch, then one cut short: the whole stream is refused. (Cutting only
    // the 8-byte end-of-stream marker is accepted: arrow reads the stream to EOF.)
    let mixed = ipc(&[batch(&["a"], 1.0), batch(&["b"], 2.0)]);
    let mut cut = mixed.clone();
    cut.truncate(mixed.len() - 30);
    assert_eq!(write(&s, IPC, cut).await.status, 400);
    // A chunked body (no Content-Length) over the limit: 413 too; a chunked body within
    // it is read whole.
    let r = common::request_chunked(
        s.addr,
        "PUT",
        "/api/v1/table/users/write",
        &[("content-type", IPC)],
        vec![vec![0u8; 40 * 1024], vec![0u8; 40 * 1024]],
    )
    .await;
    assert_eq!(r.status, 413, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.error().contains("limit"));
    let body = ipc(&[batch(&["chunked"], 1.0)]);
    let (a, b) = body.split_at(body.len() / 2);
    let r = common::request_chunked(
        s.addr,
        "PUT",
        "/api/v1/table/users/write",
        &[("content-type", IPC)],
        vec![a.to_vec(), b.to_vec()],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(fetch(&s, json!(["chunked"])).await["found"], json!([true]));
    // Unknown table.
    let r = s
        .send(
            "PUT",
            "/api/v1/table/ghost/write",
            &[("content-type", IPC)],
            good.clone(),
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(r.error().contains("ghost"));
    // Nothing was applied by any of them.
    let got = fetch(&s, json!(["a", "b", "c"])).await;
    assert_eq!(got["found"], json!([false, false, false]), "{got}");
    let stats = s.get("/metrics").await;
    let text = String::from_utf8(stats.body.to_vec()).unwrap();
    assert!(text.contains("status=\"413\""), "{text}");
    // And the server still writes.
    assert_eq!(write(&s, IPC, good).await.status, 200);
    assert_eq!(fetch(&s, json!(["c"])).await["found"], json!([true]));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_survive_shutdown_and_reopen() {
    let mut s = TestServer::start().await;
    s.create("users", USERS).await;
    let r = write(&s, IPC, ipc(&[batch(&["k1", "k2"], 5.0)])).await;
    assert_eq!(r.status, 200);
    s.stop().await;
    let db = murr_core::db::Db::open(s.dir.path(), murr_core::db::Options::default()).unwrap();
    let (b, found) = db
        .read("users", &StringArray::from(vec!["k2"]), &["score"])
        .unwrap();
    assert_eq!(found, [true]);
    assert_eq!(b.num_rows(), 1);
    db.close().unwrap();
}
