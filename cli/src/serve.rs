//! `murr serve`: the database over HTTP (the `murr-server` crate; docs/SERVER.md).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use murr_server::{Config, DEFAULT_MAX_BODY_BYTES, serve_until_signal};

use crate::error::{Failure, Result};
use crate::open;

/// Options of `murr serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// Create the database if the directory holds none.
    #[arg(long)]
    create: bool,
    /// The HTTP port (0: any free port; the address is printed on stdout).
    #[arg(long, default_value_t = 8080)]
    http_port: u16,
    /// Also serve Arrow Flight (gRPC) on this port (0: any free port; printed on stdout).
    #[arg(long)]
    flight_port: Option<u16>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// A bearer token every route but /health requires (`Authorization: Bearer TOKEN`).
    /// Also read from MURR_TOKEN.
    #[arg(long, env = "MURR_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The largest request body accepted, in bytes (413 beyond).
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
}

/// Serves the database until SIGTERM or SIGINT, then closes it.
pub fn run(args: &Args) -> Result {
    if !args.create {
        open::check_database(&args.db)?;
    }
    let config = Config {
        http_addr: SocketAddr::new(args.bind, args.http_port),
        flight_addr: args.flight_port.map(|p| SocketAddr::new(args.bind, p)),
        token: args.token.clone().filter(|t| !t.is_empty()),
        max_body_bytes: args.max_body_bytes,
    };
    serve_until_signal(&args.db, args.create, config, |server| {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "murr serve: http://{}", server.http_addr());
        if let Some(addr) = server.flight_addr() {
            let _ = writeln!(out, "murr serve: grpc://{addr} (Arrow Flight)");
        }
        let _ = out.flush();
    })
    .map_err(|e| Failure::new(e.to_string()))?;
    eprintln!("murr serve: stopped, database closed");
    Ok(())
}
