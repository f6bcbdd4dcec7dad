//! Every route of the HTTP face, its JSON and Arrow answers, and its errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use arrow_array::{Array, Float32Array, Int64Array, StringArray};
use common::{TestServer, USERS, users_schema};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_openapi_and_unknown_routes() {
    let mut s = TestServer::start().await;
    let r = s.get("/health").await;
    assert_eq!(r.status, 200);
    let doc = s.get("/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.0.3");
    for path in [
        "/health",
        "/openapi.json",
        "/metrics",
        "/api/v1/table",
        "/api/v1/table/{name}",
        "/api/v1/table/{name}/schema",
        "/api/v1/table/{name}/write",
        "/api/v1/table/{name}/fetch",
        "/api/v1/table/{name}/fetch_f32",
        "/api/v1/table/{name}/delete",
        "/api/v1/snapshot",
        "/api/v1/snapshot/{seq}",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from openapi.json"
        );
    }
    let r = s.get("/nope").await;
    assert_eq!(r.status, 404);
    assert!(r.error().contains("/nope"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_and_schemas() {
    let mut s = TestServer::start().await;
    assert_eq!(s.get("/api/v1/table").await.json(), json!({}));
    s.create("users", USERS).await;
    let emb = json!({"key": "item", "columns": {
        "item": {"dtype": "int64"},
        "vec": {"dtype": "embedding", "dim": 4},
        "at": {"dtype": "timestamp", "unit": "ms", "tz": "UTC"},
        "flag": {"dtype": "bool"},
    }});
    s.create("items", &emb.to_string()).await;

    let schema = s.get("/api/v1/table/users/schema").await;
    assert_eq!(schema.status, 200);
    assert_eq!(schema.json(), users_schema());
    // Column order is the schema's.
    let text = String::from_utf8(schema.body.to_vec()).unwrap();
    let pos = |c: &str| text.find(&format!("\"{c}\"")).unwrap();
    assert!(pos("id") < pos("score") && pos("score") < pos("clicks") && pos("clicks") < pos("tag"));

    let all = s.get("/api/v1/table").await.json();
    assert_eq!(all["users"], users_schema());
    assert_eq!(all["items"]["key"], "item");
    assert_eq!(
        all["items"]["columns"]["vec"],
        json!({"dtype": "embedding", "nullable": true, "dim": 4, "element": "float32"})
    );
    assert_eq!(all["items"]["columns"]["item"]["nullable"], false);
    assert_eq!(all["items"]["columns"]["at"]["unit"], "ms");

    // The same schema again: 200; another: 409; unknown: 404.
    let r = s.send("PUT", "/api/v1/table/users", &[], USERS).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let mut other = users_schema();
    other["columns"]["score"]["dtype"] = json!("float64");
    let r = s.json("PUT", "/api/v1/table/users", &other).await;
    assert_eq!(r.status, 409);
    assert!(r.error().contains("users"), "{}", r.error());
    let r = s.get("/api/v1/table/ghost/schema").await;
    assert_eq!(r.status, 404);
    assert!(r.error().contains("ghost"));

    // Bad schemas: 400, nothing created.
    for bad in [
        json!({"columns": {"id": {"dtype": "utf8"}}}),
        json!({"key": "id"}),
        json!({"key": "id", "columns": {"id": {"dtype": "complex128"}}}),
        json!({"key": "id", "columns": {"other": {"dtype": "utf8"}}}),
        json!({"key": "id", "columns": {"id": {"dtype": "float32"}}}),
        json!({"key": "id", "columns": {"id": {"dtype": "utf8"}, "e": {"dtype": "embedding"}}}),
    ] {
        let r = s.json("PUT", "/api/v1/table/bad", &bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", String::from_utf8_lossy(&r.body));
        assert!(!r.error().is_empty());
    }
    let r = s
        .send("PUT", "/api/v1/table/bad", &[], "{\"key\": \"id\", \"colu")
        .await;
    assert_eq!(r.status, 400);
    assert!(r.error().contains("malformed JSON"), "{}", r.error());
    let all = s.get("/api/v1/table").await.json();
    assert!(all.get("bad").is_none());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_json_ipc_dense_and_delete() {
    let mut s = TestServer::start().await;
    s.create("users", USERS).await;
    let w = s
        .json(
            "PUT",
            "/api/v1/table/users/write",
            &json!({"columns": {
                "id": ["ann", "bob", "cid"],
                "score": [0.5, 1.5, null],
                "clicks": [1, 2, 3],
                "tag": ["a", null, "c"],
            }}),
        )
        .await;
    assert_eq!(w.status, 200, "{}", String::from_utf8_lossy(&w.body));
    assert!(w.json()["seq"].as_u64().unwrap() > 0);

    // JSON answer: columns in the asked order, nulls for misses.
    let r = s
        .json_json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": ["bob", "zed", "ann"], "columns": ["score", "tag"]}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"columns": {"score": [1.5, null, 0.5], "tag": [null, null, "a"]}, "found": [true, false, true]})
    );

    // IPC answer, every column (key first) by default.
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": ["cid", "nope"]}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["content-type"],
        "application/vnd.apache.arrow.stream"
    );
    assert_eq!(r.headers["x-murr-found"], "10");
    let b = r.batch();
    let names: Vec<_> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["id", "score", "clicks", "tag"]);
    let clicks = b.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
    assert_eq!(clicks.value(0), 3);
    assert!(clicks.is_null(1));
    let score = b.column(1).as_any().downcast_ref::<Float32Array>().unwrap();
    assert!(score.is_null(0));
    let tag = b.column(3).as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(tag.value(0), "c");

    // Dense float32: values then one found byte per key.
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/fetch_f32",
            &json!({"keys": ["ann", "zed"], "columns": ["score", "clicks"], "fill": -1.0}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.headers["x-murr-shape"], "2,2");
    assert_eq!(r.body.len(), 4 * 4 + 2);
    let f: Vec<f32> = r.body[..16]
        .chunks(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(f, [0.5, 1.0, -1.0, -1.0]);
    assert_eq!(&r.body[16..], &[1, 0]);
    let r = s
        .json_json(
            "POST",
            "/api/v1/table/users/fetch_f32",
            &json!({"keys": ["bob"], "columns": ["clicks"]}),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"shape": [1, 1], "values": [2.0], "found": [true]})
    );
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/fetch_f32",
            &json!({"keys": ["bob"], "columns": ["tag"]}),
        )
        .await;
    assert_eq!(r.status, 400, "a utf8 column is not dense");

    // Delete.
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/delete",
            &json!({"keys": ["ann", "never"]}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.json()["seq"].as_u64().unwrap() > w.json()["seq"].as_u64().unwrap());
    let r = s
        .json_json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": ["ann", "bob"], "columns": ["clicks"]}),
        )
        .await;
    assert_eq!(r.json()["found"], json!([false, true]));

    // Errors: unknown table 404, unknown column 400, wrong key type 400, bad JSON 400.
    let r = s
        .json("POST", "/api/v1/table/ghost/fetch", &json!({"keys": ["a"]}))
        .await;
    assert_eq!(r.status, 404);
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": ["a"], "columns": ["nope"]}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.error().contains("nope"), "{}", r.error());
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": [1, 2]}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = s
        .send("POST", "/api/v1/table/users/fetch", &[], "{\"keys\": [")
        .await;
    assert_eq!(r.status, 400);
    let r = s
        .json("POST", "/api/v1/table/users/delete", &json!({"keys": [7]}))
        .await;
    assert_eq!(r.status, 400);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integer_keys() {
    let mut s = TestServer::start().await;
    for (table, dtype) in [("i", "int64"), ("u", "uint64")] {
        let schema =
            json!({"key": "k", "columns": {"k": {"dtype": dtype}, "v": {"dtype": "float64"}}});
        s.create(table, &schema.to_string()).await;
    }
    let big = u64::MAX - 1;
    let r = s
        .json(
            "PUT",
            "/api/v1/table/u/write",
            &json!({"columns": {"k": [big, 1], "v": [2.5, 3.5]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = s
        .json(
            "PUT",
            "/api/v1/table/i/write",
            &json!({"columns": {"k": [-5, 9], "v": [1.0, 2.0]}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .json_json(
            "POST",
            "/api/v1/table/u/fetch",
            &json!({"keys": [big, 2, "1"]}),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"columns": {"k": [big, null, 1], "v": [2.5, null, 3.5]}, "found": [true, false, true]})
    );
    let r = s
        .json_json(
            "POST",
            "/api/v1/table/i/fetch",
            &json!({"keys": [-5], "columns": ["v"]}),
        )
        .await;
    assert_eq!(r.json()["columns"]["v"], json!([1.0]));
    let r = s
        .json("POST", "/api/v1/table/i/fetch", &json!({"keys": ["x"]}))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.error().contains("int64"), "{}", r.error());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_token() {
    let mut s = TestServer::with(Some("s3cret"), 1 << 20).await;
    let addr = s.addr;
    let none: Vec<(String, String)> = Vec::new();
    let r = common::request(addr, "GET", "/health", &none, Default::default()).await;
    assert_eq!(r.status, 200, "health needs no token");
    for (path, auth) in [
        ("/api/v1/table", None),
        ("/metrics", None),
        ("/openapi.json", None),
        ("/api/v1/table", Some("Bearer wrong")),
        ("/api/v1/table", Some("s3cret")),
        ("/api/v1/table", Some("Bearer s3cret2")),
    ] {
        let headers: Vec<(String, String)> = auth
            .map(|a| vec![("authorization".to_owned(), a.to_owned())])
            .unwrap_or_default();
        let r = common::request(addr, "GET", path, &headers, Default::default()).await;
        assert_eq!(r.status, 401, "{path} with {auth:?}");
        assert!(r.error().contains("token"));
    }
    let r = common::request(
        addr,
        "PUT",
        "/api/v1/table/t",
        &[],
        users_schema().to_string().into(),
    )
    .await;
    assert_eq!(r.status, 401);
    // With the token (TestServer::send adds it).
    s.create("t", USERS).await;
    assert_eq!(s.get("/api/v1/table").await.json()["t"], users_schema());
    assert_eq!(s.get("/metrics").await.status, 200);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_keys_and_tables() {
    let mut s = TestServer::start().await;
    s.create("users", USERS).await;
    s.json(
        "PUT",
        "/api/v1/table/users/write",
        &json!({"columns": {"id": ["a"], "score": [1.0]}}),
    )
    .await;
    s.json(
        "POST",
        "/api/v1/table/users/fetch",
        &json!({"keys": ["a", "b", "c"]}),
    )
    .await;
    s.get("/api/v1/table/ghost/schema").await;
    let r = s.get("/metrics").await;
    assert_eq!(r.status, 200);
    let text = String::from_utf8(r.body.to_vec()).unwrap();
    for line in [
        "murr_http_requests_total{route=\"/api/v1/table/{name}/fetch\",method=\"POST\",status=\"200\"} 1",
        "murr_http_requests_total{route=\"/api/v1/table/{name}/schema\",method=\"GET\",status=\"404\"} 1",
        "murr_keys_fetched_total 3",
        "murr_key_misses_total 2",
        "murr_http_request_duration_seconds_count{route=\"/api/v1/table/{name}/fetch\"} 1",
        "murr_http_request_duration_seconds_bucket{route=\"/api/v1/table/{name}/fetch\",le=\"+Inf\"} 1",
        "murr_table_segments{table=\"users\"} 0",
        "# TYPE murr_table_memtable_bytes gauge",
        // The engine's metrics follow the server's.
        "murr_reads_total 1\n",
        "murr_read_keys_total 3\n",
        "murr_read_misses_total 2\n",
        "murr_write_rows_total 1\n",
        "murr_read_latency_seconds_count 1\n",
        "murr_table_memtable_rows{table=\"users\"} 1\n",
    ] {
        assert!(text.contains(line), "no line {line} in\n{text}");
    }
    assert!(!text.contains("murr_http_bytes_in_total 0\n"), "{text}");
    assert!(!text.contains("murr_http_bytes_out_total 0\n"), "{text}");
    // One family per name: no # TYPE line twice.
    let mut types: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE ")).collect();
    let n = types.len();
    types.sort_unstable();
    types.dedup();
    assert_eq!(types.len(), n, "{text}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edge_cases() {
    let mut s = TestServer::start().await;
    s.create("users", USERS).await;
    // No keys: an empty answer, in both forms.
    let r = s
        .json_json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": [], "columns": ["score"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json(), json!({"columns": {"score": []}, "found": []}));
    let r = s
        .json("POST", "/api/v1/table/users/fetch", &json!({"keys": []}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.batch().num_rows(), 0);
    // No columns.
    s.json(
        "PUT",
        "/api/v1/table/users/write",
        &json!({"columns": {"id": ["a"]}}),
    )
    .await;
    let r = s
        .json_json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": ["a", "b"], "columns": []}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json(), json!({"columns": {}, "found": [true, false]}));
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/fetch",
            &json!({"keys": ["a"], "columns": []}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.batch().num_columns(), 0);
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/fetch_f32",
            &json!({"keys": ["a"], "columns": []}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(&r.body[..], &[1]);
    // fetch_f32 needs columns; keys must be a list.
    let r = s
        .json(
            "POST",
            "/api/v1/table/users/fetch_f32",
            &json!({"keys": ["a"]}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.error().contains("columns"), "{}", r.error());
    let r = s
        .json("POST", "/api/v1/table/users/fetch", &json!({"keys": "a"}))
        .await;
    assert_eq!(r.status, 400);
    // Empty writes.
    for body in [
        json!({"columns": {}}),
        json!([]),
        json!({"columns": {"id": []}}),
    ] {
        let r = s.json("PUT", "/api/v1/table/users/write", &body).await;
        assert_eq!(r.status, 400, "{body}");
    }
    // A table name that needs escaping in the URL.
    s.create("with%20space", USERS).await;
    let all = s.get("/api/v1/table").await.json();
    assert!(all.get("with space").is_some(), "{all}");
    let r = s.get("/api/v1/table/with%20space/schema").await;
    assert_eq!(r.status, 200);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots() {
    let mut s = TestServer::start().await;
    s.create("users", USERS).await;
    let write = |clicks: i64| json!({"columns": {"id": ["a"], "clicks": [clicks]}});
    s.json("PUT", "/api/v1/table/users/write", &write(1)).await;
    let snap = s.json("POST", "/api/v1/snapshot", &json!({})).await;
    assert_eq!(snap.status, 200);
    let seq = snap.json()["seq"].as_u64().unwrap();
    s.json("PUT", "/api/v1/table/users/write", &write(2)).await;
    s.json(
        "POST",
        "/api/v1/table/users/delete",
        &json!({"keys": ["a"]}),
    )
    .await;

    let at = |snapshot: Value| json!({"keys": ["a"], "columns": ["clicks"], "snapshot": snapshot});
    let r = s
        .json_json("POST", "/api/v1/table/users/fetch", &at(json!(seq)))
        .await;
    assert_eq!(
        r.json(),
        json!({"columns": {"clicks": [1]}, "found": [true]})
    );
    let r = s
        .json_json("POST", "/api/v1/table/users/fetch", &at(Value::Null))
        .await;
    assert_eq!(r.json()["found"], json!([false]));
    let r = s
        .json_json("POST", "/api/v1/table/users/fetch_f32", &at(json!(seq)))
        .await;
    assert_eq!(r.json()["values"], json!([1.0]));

    // Released: gone. Unknown and malformed numbers.
    assert_eq!(
        s.send("DELETE", &format!("/api/v1/snapshot/{seq}"), &[], "")
            .await
            .status,
        200
    );
    let r = s
        .json("POST", "/api/v1/table/users/fetch", &at(json!(seq)))
        .await;
    assert_eq!(r.status, 404);
    assert!(r.error().contains("snapshot"), "{}", r.error());
    assert_eq!(
        s.send("DELETE", &format!("/api/v1/snapshot/{seq}"), &[], "")
            .await
            .status,
        404
    );
    let r = s.send("DELETE", "/api/v1/snapshot/x", &[], "").await;
    assert_eq!(r.status, 400);
    assert!(r.error().contains("sequence number"));
    let r = s
        .json("POST", "/api/v1/table/users/fetch", &at(json!("x")))
        .await;
    assert_eq!(r.status, 400);

    // At most 64 held.
    for _ in 0..64 {
        assert_eq!(
            s.send("POST", "/api/v1/snapshot", &[], "").await.status,
            200
        );
    }
    let r = s.send("POST", "/api/v1/snapshot", &[], "").await;
    assert_eq!(r.status, 400);
    assert!(r.error().contains("64"), "{}", r.error());
    s.stop().await;
}
