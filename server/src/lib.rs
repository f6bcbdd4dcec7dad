//! # murr-server
//!
//! libmurr over the network: an embedded [`Db`] served over HTTP with Murr's routes
//! (table schemas as JSON; writes as Arrow IPC streams, Parquet or JSON; fetches answered
//! as Arrow IPC streams or JSON), plus a dense float32 fetch, deletes, Prometheus
//! metrics and an OpenAPI document; and, on a second port, Arrow Flight (`do_get`, `do_put`,
//! `get_flight_info`, `get_schema`, `list_flights`). The routes, bodies and errors are described in
//! `docs/SERVER.md`; `murr serve DB` runs it.
//!
//! This is the only crate of libmurr with an async runtime (tokio); the core stays
//! blocking, and every database call runs on tokio's blocking pool but small keyed reads
//! (request bodies up to 64 KiB, about 100 us), which run on the async worker itself.
//!
//! ```no_run
//! use std::sync::Arc;
//! use murr_core::db::{Db, Options};
//! use murr_server::{Config, Server};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let db = Arc::new(Db::open("/tmp/db", Options::default())?);
//! let server = Server::start(db, Config::default()).await?;
//! println!("listening on {}", server.http_addr());
//! server.shutdown().await?; // stops serving, then closes the database
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod data;
mod error;
mod flight;
mod http;
mod metrics;
mod ordered;
mod routes;
mod schema;
mod snapshots;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use murr_core::db::{Db, Options};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use error::ApiError;

/// The OpenAPI 3 document of the HTTP routes (`GET /openapi.json`).
pub const OPENAPI: &str = include_str!("openapi.json");

/// The default `--max-body-bytes`: 256 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 << 20;

/// How a server listens.
#[derive(Debug, Clone)]
pub struct Config {
    /// The HTTP address (port 0: any free port; see [`Server::http_addr`]).
    pub http_addr: SocketAddr,
    /// The Arrow Flight (gRPC) address, if Flight is served (port 0: any free port; see
    /// [`Server::flight_addr`]).
    pub flight_addr: Option<SocketAddr>,
    /// The bearer token every route but `/health` requires, if any.
    pub token: Option<String>,
    /// The largest request body accepted; larger ones are answered 413.
    pub max_body_bytes: usize,
}

impl Default for Config {
    /// HTTP on `127.0.0.1:8080`, no Flight, no token, 256 MiB bodies.
    fn default() -> Self {
        Config {
            http_addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            flight_addr: None,
            token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    db: Arc<Db>,
    token: Option<String>,
    max_body_bytes: usize,
    metrics: metrics::Metrics,
    snapshots: snapshots::Snapshots,
}

/// Why a server could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding or serving a socket failed.
    #[error("{what} {addr}: {source}")]
    Io {
        /// What was being done ("bind", "serve").
        what: &'static str,
        /// The address.
        addr: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The database failed (to open, or to close).
    #[error(transparent)]
    Db(#[from] murr_core::Error),
    /// A server task failed.
    #[error("server task failed: {0}")]
    Task(String),
}

/// A running server: it serves until [`Server::shutdown`].
#[derive(Debug)]
pub struct Server {
    db: Arc<Db>,
    http_addr: SocketAddr,
    flight_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    http: JoinHandle<std::io::Result<()>>,
    flight: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
}

impl Server {
    /// Binds `config`'s address and starts serving `db` on the current tokio runtime
    /// (which must be multi-threaded, since database calls block a pool thread).
    pub async fn start(db: Arc<Db>, config: Config) -> Result<Server, ServerError> {
        let listener = TcpListener::bind(config.http_addr)
            .await
            .map_err(|source| ServerError::Io {
                what: "cannot bind",
                addr: config.http_addr.to_string(),
                source,
            })?;
        let http_addr = listener.local_addr().map_err(|source| ServerError::Io {
            what: "cannot read the address of",
            addr: config.http_addr.to_string(),
            source,
        })?;
        let state = Arc::new(AppState {
            db: Arc::clone(&db),
            token: config.token.clone(),
            max_body_bytes: config.max_body_bytes,
            metrics: metrics::Metrics::default(),
            snapshots: snapshots::Snapshots::default(),
        });
        let (stop, mut stopped) = watch::channel(false);
        let (flight, flight_addr) = match config.flight_addr {
            None => (None, None),
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .map_err(|source| ServerError::Io {
                        what: "cannot bind",
                        addr: addr.to_string(),
                        source,
                    })?;
                let bound = listener.local_addr().map_err(|source| ServerError::Io {
                    what: "cannot read the address of",
                    addr: addr.to_string(),
                    source,
                })?;
                let service = arrow_flight::flight_service_server::FlightServiceServer::new(
                    flight::FlightHandler::new(
                        Arc::clone(&db),
                        config.token.clone(),
                        config.max_body_bytes,
                    ),
                )
                .max_decoding_message_size(config.max_body_bytes)
                .max_encoding_message_size(usize::MAX);
                let mut stopped = stop.subscribe();
                let task = tokio::spawn(async move {
                    tonic::transport::Server::builder()
                        .add_service(service)
                        .serve_with_incoming_shutdown(
                            tonic::transport::server::TcpIncoming::from(listener)
                                .with_nodelay(Some(true)),
                            async move {
                                let _ = stopped.wait_for(|s| *s).await;
                            },
                        )
                        .await
                });
                (Some(task), Some(bound))
            }
        };
        let app = http::router(state);
        let http = tokio::spawn(async move {
            // Answers go out at once: without TCP_NODELAY a response written in two parts
            // waits for the client's delayed ACK (40 ms on Linux).
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await
        });
        Ok(Server {
            db,
            http_addr,
            flight_addr,
            stop,
            http,
            flight,
        })
    }

    /// The address the HTTP server listens on.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The address the Flight server listens on, if it runs.
    pub fn flight_addr(&self) -> Option<SocketAddr> {
        self.flight_addr
    }

    /// Stops accepting connections, waits for the requests under way, then closes the
    /// database (flushing it).
    pub async fn shutdown(self) -> Result<(), ServerError> {
        let db = Arc::clone(&self.db);
        let stopped = self.stop().await;
        let closed = tokio::task::spawn_blocking(move || db.close())
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?;
        stopped?;
        Ok(closed?)
    }

    /// Stops accepting connections and waits for the requests under way, leaving the
    /// database open: for a server started beside other users of the same database (an
    /// application that embeds libmurr and serves it too, as `murr_server_start` does).
    pub async fn stop(self) -> Result<(), ServerError> {
        let _ = self.stop.send(true);
        let served = finish(self.http).await?;
        let flight_served = match self.flight {
            Some(task) => finish(task).await?,
            None => None,
        };
        if let Some(served) = served {
            served.map_err(|source| ServerError::Io {
                what: "serving",
                addr: self.http_addr.to_string(),
                source,
            })?;
        }
        if let Some(flight_served) = flight_served {
            flight_served.map_err(|e| ServerError::Task(format!("Flight: {e}")))?;
        }
        Ok(())
    }
}

/// How long a stopping server waits for its connections to finish before closing them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Waits for a serving task that was told to stop, at most [`SHUTDOWN_GRACE`]: then it is
/// aborted (clients that keep idle connections open, or stopped reading, hold it up) and
/// `None` returned.
async fn finish<T>(task: JoinHandle<T>) -> Result<Option<T>, ServerError> {
    let abort = task.abort_handle();
    match tokio::time::timeout(SHUTDOWN_GRACE, task).await {
        Ok(joined) => joined
            .map(Some)
            .map_err(|e| ServerError::Task(e.to_string())),
        Err(_) => {
            abort.abort();
            Ok(None)
        }
    }
}

/// What `murr serve` runs: opens the database in `dir` (creating it when `create`), serves
/// it with `config` until SIGTERM or SIGINT, then shuts down and closes the database.
/// `on_listening` is called with the server once bound (its addresses).
pub fn serve_until_signal(
    dir: &Path,
    create: bool,
    config: Config,
    on_listening: impl FnOnce(&Server),
) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServerError::Io {
            what: "cannot start the runtime for",
            addr: config.http_addr.to_string(),
            source,
        })?;
    let db = Arc::new(Db::open(
        dir,
        Options::default().with_create_if_missing(create),
    )?);
    runtime.block_on(async move {
        let server = Server::start(db, config).await?;
        on_listening(&server);
        wait_for_signal().await?;
        server.shutdown().await
    })
}

/// Waits for SIGTERM or SIGINT.
async fn wait_for_signal() -> Result<(), ServerError> {
    use tokio::signal::unix::{SignalKind, signal};
    let io = |source| ServerError::Io {
        what: "cannot install a signal handler for",
        addr: "SIGTERM/SIGINT".to_owned(),
        source,
    };
    let mut term = signal(SignalKind::terminate()).map_err(io)?;
    let mut int = signal(SignalKind::interrupt()).map_err(io)?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}
