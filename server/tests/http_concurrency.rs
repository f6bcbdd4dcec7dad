//! Fetches and writes from 8 tasks at once for two seconds: no error, no lost write, and
//! every acknowledged write visible to the next fetch. Memtables of 32 KiB, so flushes and
//! compactions run in the background meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{TestServer, USERS};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_fetch_and_write() {
    let options = murr_core::db::Options::default()
        .with_memtable_bytes(32 << 10)
        .with_l0_triggers(2, 8, 12);
    let s = TestServer::with_options(None, 1 << 20, options).await;
    s.create("users", USERS).await;
    let s = Arc::new(s);
    let acked: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let until = Instant::now() + Duration::from_secs(2);
    let mut tasks = Vec::new();
    for t in 0..8 {
        let (s, acked) = (Arc::clone(&s), Arc::clone(&acked));
        tasks.push(tokio::spawn(async move {
            let mut n = 0i64;
            while Instant::now() < until {
                if t % 2 == 0 {
                    // Writer: a batch of 20 new keys, then the same keys read back.
                    let ids: Vec<String> = (0..20).map(|i| format!("w{t}-{n}-{i}")).collect();
                    let clicks: Vec<i64> = (0..20).map(|i| n * 100 + i).collect();
                    let r = s
                        .json(
                            "PUT",
                            "/api/v1/table/users/write",
                            &json!({"columns": {"id": ids, "clicks": clicks}}),
                        )
                        .await;
                    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
                    let r = s
                        .json_json(
                            "POST",
                            "/api/v1/table/users/fetch",
                            &json!({"keys": ids, "columns": ["clicks"]}),
                        )
                        .await;
                    assert_eq!(
                        r.json()["columns"]["clicks"],
                        json!(clicks),
                        "read-your-write"
                    );
                    let mut a = acked.lock().unwrap();
                    a.extend(ids.into_iter().zip(clicks));
                } else {
                    // Reader: the latest acknowledged keys (IPC answer) must all be found.
                    let keys: Vec<String> = {
                        let a = acked.lock().unwrap();
                        a.iter().rev().take(50).map(|(k, _)| k.clone()).collect()
                    };
                    if keys.is_empty() {
                        tokio::task::yield_now().await;
                        continue;
                    }
                    let r = s
                        .json(
                            "POST",
                            "/api/v1/table/users/fetch",
                            &json!({"keys": keys, "columns": ["clicks"]}),
                        )
                        .await;
                    assert_eq!(r.status, 200);
                    let found = r.headers["x-murr-found"].to_str().unwrap().to_owned();
                    assert!(found.chars().all(|c| c == '1'), "{found}");
                    assert_eq!(r.batch().num_rows(), keys.len());
                }
                n += 1;
            }
            n
        }));
    }
    let mut ops = 0;
    for t in tasks {
        ops += t.await.unwrap();
    }
    assert!(ops > 8, "only {ops} operations ran");
    eprintln!(
        "{ops} operations, {} keys written",
        acked.lock().unwrap().len()
    );
    let all = acked.lock().unwrap().clone();
    for chunk in all.chunks(500) {
        let keys: Vec<&str> = chunk.iter().map(|(k, _)| k.as_str()).collect();
        let want: Vec<i64> = chunk.iter().map(|(_, v)| *v).collect();
        let r = s
            .json_json(
                "POST",
                "/api/v1/table/users/fetch",
                &json!({"keys": keys, "columns": ["clicks"]}),
            )
            .await;
        assert_eq!(r.json()["columns"]["clicks"], json!(want), "a lost write");
    }
    let metrics = String::from_utf8(s.get("/metrics").await.body.to_vec()).unwrap();
    eprintln!(
        "{}",
        metrics
            .lines()
            .filter(|l| l.starts_with("murr_table"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        !metrics.contains("murr_table_segment_rows{table=\"users\"} 0\n"),
        "no flush ran during the test"
    );
    let mut s = Arc::into_inner(s).expect("every task is done");
    s.stop().await;
}
