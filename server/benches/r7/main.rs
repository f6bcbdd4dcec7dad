//! R7: the headline read (R1: 1000 random keys x 10 float32 columns of the canonical table,
//! docs/WORKLOAD.md) in process (`Db::read`), over HTTP + Arrow IPC (`POST .../fetch`, one
//! keep-alive connection, the answer decoded into a RecordBatch), over Arrow Flight
//! (`do_get`, decoded), and Redis MGET of the same keys over loopback (values packed as 10
//! little-endian float32, decoded), alternating batch by batch in one process, so that
//! every system meets the caches the others left.
//!
//! `cargo bench -p murr-server --bench r7 -- [--rows N] [--batches B]`
//!
//! Redis: `MURR_REDIS=host:port` (scripts/bench.sh starts one), else a `redis-server` on
//! PATH is started on a free port for the run, else Redis is left out (said in the output).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{Array, Float32Array, RecordBatch, StringArray};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use murr_core::db::{Db, Options, SyncPolicy};
use murr_server::{Config, Server};
use murr_workload as workload;

const TABLE: &str = "features";
const WIDTH: usize = 10;
const KEYS: usize = 1000;
const WARMUP: usize = 50;

struct Args {
    rows: u64,
    batches: usize,
}

fn args() -> Args {
    let mut a = Args {
        rows: 1_000_000,
        batches: 1000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rows" => a.rows = it.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--batches" => a.batches = it.next().and_then(|v| v.parse().ok()).expect("--batches B"),
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// The HTTP client: one keep-alive connection.
struct Http {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    addr: SocketAddr,
}

impl Http {
    async fn connect(addr: SocketAddr) -> Http {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        Http { sender, addr }
    }

    /// `GET /health`: the HTTP round trip with no database call.
    async fn health(&mut self) {
        let req = hyper::Request::get("/health")
            .header("host", self.addr.to_string())
            .body(Full::new(Bytes::new()))
            .unwrap();
        let resp = self.sender.send_request(req).await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.into_body().collect().await.unwrap();
    }

    async fn fetch(&mut self, body: Bytes) -> Vec<RecordBatch> {
        let req = hyper::Request::post(format!("/api/v1/table/{TABLE}/fetch"))
            .header("host", self.addr.to_string())
            .header("content-type", "application/json")
            .header("accept", "application/vnd.apache.arrow.stream")
            .body(Full::new(body))
            .unwrap();
        let resp = self.sender.send_request(req).await.unwrap();
        assert_eq!(resp.status(), 200);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let reader =
            arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None).unwrap();
        reader.collect::<Result<Vec<_>, _>>().unwrap()
    }
}

/// The keys of each batch: `KEYS` distinct random rows, seeded.
fn key_batches(rows: u64, batches: usize) -> Vec<Vec<u64>> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..batches)
        .map(|_| {
            let mut seen = std::collections::HashSet::with_capacity(KEYS);
            let mut keys = Vec::with_capacity(KEYS);
            while keys.len() < KEYS.min(rows as usize) {
                let k = next() % rows;
                if seen.insert(k) {
                    keys.push(k);
                }
            }
            keys
        })
        .collect()
}

/// Checks an answer's `f0..f9` for `rows`: every key found, values as written.
fn check(rows: &[u64], f0: &[f32]) {
    assert_eq!(rows.len(), f0.len());
    for (&i, &v) in rows.iter().zip(f0) {
        assert_eq!(v, workload::value(i, 0), "row {i}");
    }
}

fn first_column(batches: &[RecordBatch]) -> Vec<f32> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column(0).as_any().downcast_ref::<Float32Array>().unwrap();
            assert_eq!(a.null_count(), 0);
            a.values().to_vec()
        })
        .collect()
}

fn load(dir: &std::path::Path, rows: u64) -> Db {
    let db = Db::open(
        dir,
        Options::default()
            .with_sync(SyncPolicy::Never)
            .with_background_threads(0)
            .with_idle_compaction_after(None),
    )
    .unwrap();
    db.create_table(TABLE, &workload::schema(WIDTH), "key")
        .unwrap();
    for batch in workload::batches(rows, WIDTH) {
        db.write(TABLE, &batch.unwrap()).unwrap();
    }
    db.compact().unwrap();
    db
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

fn main() {
    let a = args();
    let dir = tempfile::tempdir().unwrap();
    eprintln!("r7: loading {} rows ...", a.rows);
    let db = Arc::new(load(dir.path(), a.rows));
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = server_rt
        .block_on(Server::start(
            Arc::clone(&db),
            Config {
                http_addr: "127.0.0.1:0".parse().unwrap(),
                flight_addr: Some("127.0.0.1:0".parse().unwrap()),
                ..Config::default()
            },
        ))
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut http = client_rt.block_on(Http::connect(server.http_addr()));
    let flight_addr = server.flight_addr().unwrap();
    let mut flight = client_rt.block_on(async {
        let channel = tonic::transport::Channel::from_shared(format!("http://{flight_addr}"))
            .unwrap()
            .tcp_nodelay(true)
            .connect()
            .await
            .unwrap();
        arrow_flight::FlightClient::new(channel)
    });
    let mut redis = redis::Redis::start_or_connect();
    if let Some(r) = redis.as_mut() {
        eprintln!("r7: loading {} rows into Redis at {} ...", a.rows, r.addr);
        r.load(a.rows, WIDTH);
    }

    let columns: Vec<String> = (0..WIDTH).map(|c| format!("f{c}")).collect();
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    let batches = key_batches(a.rows, a.batches + WARMUP);
    let mut labels = vec![
        "in process (Db::read)",
        "HTTP + Arrow IPC (fetch, keep-alive)",
        "Arrow Flight (do_get)",
        "HTTP GET /health (the round trip alone, no read)",
    ];
    if redis.is_some() {
        labels.push("Redis MGET (loopback, packed values)");
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); labels.len()];
    eprintln!("r7: reading ...");
    for (b, rows) in batches.iter().enumerate() {
        let names: Vec<String> = rows.iter().map(|&i| workload::key(i)).collect();
        let keys = StringArray::from(names.iter().map(String::as_str).collect::<Vec<_>>());
        let json = Bytes::from(
            serde_json::to_vec(&serde_json::json!({"keys": names, "columns": cols})).unwrap(),
        );
        let ticket = serde_json::to_vec(
            &serde_json::json!({"table": TABLE, "keys": names, "columns": cols}),
        )
        .unwrap();
        // Rotate which system goes first, so none always follows the same one.
        for s in 0..labels.len() {
            let system = (s + b) % labels.len();
            let start = Instant::now();
            let f0 = match system {
                0 => {
                    let (batch, found) = db.read(TABLE, &keys, &cols).unwrap();
                    assert!(found.iter().all(|&f| f));
                    first_column(&[batch])
                }
                1 => first_column(&client_rt.block_on(http.fetch(json.clone()))),
                2 => {
                    let got: Vec<RecordBatch> = client_rt.block_on(async {
                        use futures::TryStreamExt;
                        flight
                            .do_get(arrow_flight::Ticket::new(ticket.clone()))
                            .await
                            .unwrap()
                            .try_collect()
                            .await
                            .unwrap()
                    });
                    first_column(&got)
                }
                3 => {
                    client_rt.block_on(http.health());
                    rows.iter().map(|&i| workload::value(i, 0)).collect()
                }
                _ => redis
                    .as_mut()
                    .map(|r| r.mget_first(&names, WIDTH))
                    .unwrap_or_default(),
            };
            let t = start.elapsed();
            check(rows, &f0);
            if b >= WARMUP {
                times[system].push(t);
            }
        }
    }
    for t in &mut times {
        t.sort();
    }
    let base = percentile(&times[0], 0.5);
    println!(
        "\n### R7: R1 over the network, {} rows, {KEYS} random keys x {WIDTH} float32, {} batches \
         (alternating)\n",
        a.rows, a.batches
    );
    println!("| system | median us | p99 us | median - in process |");
    println!("|---|---:|---:|---:|");
    for (label, t) in labels.iter().zip(&times) {
        let median = percentile(t, 0.5);
        println!(
            "| {label} | {median:.1} | {:.1} | {:+.1} us |",
            percentile(t, 0.99),
            median - base
        );
    }
    if redis.is_none() {
        println!("\n(Redis left out: no MURR_REDIS and no redis-server on PATH.)");
    }
    // The clients' connections close first: the server waits for them when it stops.
    client_rt.block_on(async {
        drop(flight);
        drop(http);
    });
    drop(client_rt);
    server_rt.block_on(server.stop()).unwrap();
    drop(redis);
}
