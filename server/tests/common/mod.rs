//! The test harness: a server on an ephemeral port over a temporary database, and a
//! minimal HTTP client (hyper, one connection per request).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::Arc;

use arrow_array::RecordBatch;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use murr_core::db::{Db, Options};
use murr_server::{Config, Server};
use serde_json::Value;

/// A running server and its database directory.
pub struct TestServer {
    pub server: Option<Server>,
    pub addr: SocketAddr,
    pub flight_addr: SocketAddr,
    pub dir: tempfile::TempDir,
    pub token: Option<String>,
}

/// An answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Resp {
    /// The body as JSON (panics with the body otherwise).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The `{"error": ...}` message of an error answer.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .expect("an error message")
            .to_owned()
    }

    /// The body as one Arrow IPC stream batch.
    pub fn batch(&self) -> RecordBatch {
        let mut reader =
            arrow_ipc::reader::StreamReader::try_new(Cursor::new(self.body.to_vec()), None)
                .expect("an IPC stream");
        let batch = reader.next().expect("one batch").expect("a good batch");
        assert!(reader.next().is_none());
        batch
    }
}

impl TestServer {
    /// Starts a server on a fresh database.
    pub async fn start() -> TestServer {
        Self::with(None, murr_server::DEFAULT_MAX_BODY_BYTES).await
    }

    /// Starts a server with a token and a body limit.
    pub async fn with(token: Option<&str>, max_body_bytes: usize) -> TestServer {
        Self::with_options(token, max_body_bytes, Options::default()).await
    }

    /// Starts a server with a token, a body limit and database options.
    pub async fn with_options(
        token: Option<&str>,
        max_body_bytes: usize,
        options: Options,
    ) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(dir.path(), options).unwrap());
        let config = Config {
            http_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            flight_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            token: token.map(str::to_owned),
            max_body_bytes,
        };
        let server = Server::start(db, config).await.unwrap();
        TestServer {
            addr: server.http_addr(),
            flight_addr: server.flight_addr().unwrap(),
            server: Some(server),
            dir,
            token: token.map(str::to_owned),
        }
    }

    /// Sends a request with the server's token (if any) and `headers`.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Resp {
        let mut all: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(t) = &self.token {
            all.push(("authorization".into(), format!("Bearer {t}")));
        }
        request(self.addr, method, path, &all, body.into()).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send("GET", path, &[], Bytes::new()).await
    }

    /// A JSON request.
    pub async fn json(&self, method: &str, path: &str, body: &Value) -> Resp {
        self.send(
            method,
            path,
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await
    }

    /// A JSON request answered as JSON.
    pub async fn json_json(&self, method: &str, path: &str, body: &Value) -> Resp {
        self.send(
            method,
            path,
            &[
                ("content-type", "application/json"),
                ("accept", "application/json"),
            ],
            body.to_string(),
        )
        .await
    }

    /// Creates `table` from a JSON schema (text: serde_json's `json!` sorts the columns);
    /// asserts 201.
    pub async fn create(&self, table: &str, schema: &str) {
        let r = self
            .send(
                "PUT",
                &format!("/api/v1/table/{table}"),
                &[("content-type", "application/json")],
                schema.to_owned(),
            )
            .await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    }

    /// Stops the server and closes the database.
    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await.unwrap();
        }
    }
}

/// One HTTP/1.1 request on a new connection.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Bytes,
) -> Resp {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let resp = sender
        .send_request(req.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Resp {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// The schema most tests use: utf8 key `id`, float32 `score`, int64 `clicks`, utf8 `tag`
/// (as text, to keep the column order).
pub const USERS: &str = r#"{"key": "id", "columns": {
    "id": {"dtype": "utf8", "nullable": false},
    "score": {"dtype": "float32", "nullable": true},
    "clicks": {"dtype": "int64", "nullable": true},
    "tag": {"dtype": "utf8", "nullable": true}}}"#;

/// [`USERS`] as JSON (member order lost).
pub fn users_schema() -> Value {
    serde_json::from_str(USERS).unwrap()
}

/// An Arrow IPC stream of `batches`.
pub fn ipc(batches: &[RecordBatch]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batches[0].schema()).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
    drop(w);
    out
}

/// A Parquet file of `batches`.
pub fn parquet(batches: &[RecordBatch]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batches[0].schema(), None).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.close().unwrap();
    out
}

/// A request whose body is sent chunked (no Content-Length), in `chunks`.
pub async fn request_chunked(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    chunks: Vec<Vec<u8>>,
) -> Resp {
    use http_body_util::StreamBody;
    use hyper::body::Frame;
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let frames = futures::stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from(c)))),
    );
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(StreamBody::new(frames)).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Resp {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}
