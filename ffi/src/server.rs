//! `murr_server_t`: the HTTP and Arrow Flight server of `murr serve` (docs/SERVER.md),
//! started inside the application on a database it has open, as Murr's
//! `start_local(http_port=...)` does. The server runs on threads of its own; the database
//! stays the caller's (stopping the server does not close it).

use std::ffi::c_char;
use std::mem::{offset_of, size_of};

use crate::error::{Failure, Result, murr_error_t};
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t};
use crate::status::murr_status_t;

/// How `murr_server_start` listens. Fill it with `murr_server_options_default`, then change
/// fields. Caller-allocated, read only during `murr_server_start`. The struct may grow
/// (fields only appended): `size` says which fields the caller knows; fields past it take
/// their defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct murr_server_options {
    /// `sizeof(murr_server_options_t)` as the caller compiled it; set by
    /// `murr_server_options_default`.
    pub size: usize,
    /// The address to bind, NUL-terminated (an IP address, e.g. "0.0.0.0" to listen on
    /// every interface). NULL (the default): "127.0.0.1", this machine only.
    pub host: *const c_char,
    /// The HTTP port; 0 (the default): any free port (`murr_server_http_port` tells which).
    pub http_port: i32,
    /// The Arrow Flight port; 0: any free port; < 0 (the default -1): no Flight server.
    pub flight_port: i32,
    /// The bearer token every route but `/health` requires, NUL-terminated; NULL (the
    /// default): none.
    pub token: *const c_char,
    /// The largest request body accepted (larger: 413); 0 (the default): 256 MiB.
    pub max_body_bytes: u64,
    /// Threads serving requests (database calls run on a pool of their own besides);
    /// 0 (the default): 2.
    pub threads: u32,
}

/// How `murr_server_start` listens (`struct murr_server_options`).
#[allow(non_camel_case_types)]
pub type murr_server_options_t = murr_server_options;

/// A running server (opaque). Created by `murr_server_start`, stopped and freed by
/// `murr_server_stop`. The port functions are thread-safe.
pub struct murr_server {
    #[cfg(feature = "server")]
    running: Option<running::Running>,
    http_port: i32,
    flight_port: i32,
}

/// A running server (opaque).
#[allow(non_camel_case_types)]
pub type murr_server_t = murr_server;

/// Fills `*out` with the default server options (`size` included). NULL-safe (does
/// nothing). Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `murr_server_options_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_server_options_default(out: *mut murr_server_options_t) {
    crate::guard::guard_void(|| {
        if !out.is_null() {
            // SAFETY: not NULL, writable by the caller's contract.
            unsafe { out.write(defaults()) };
        }
    });
}

fn defaults() -> murr_server_options {
    murr_server_options {
        size: size_of::<murr_server_options>(),
        host: std::ptr::null(),
        http_port: 0,
        flight_port: -1,
        token: std::ptr::null(),
        max_body_bytes: 0,
        threads: 0,
    }
}

/// Starts serving database `db` over HTTP (Murr's routes, docs/SERVER.md) and, if asked,
/// Arrow Flight, on threads of the server's own, and returns once the ports are bound.
///
/// - `db`: borrowed; the server keeps the database alive until it stops, but does not own
///   the handle: stop every server of a handle before `murr_db_free`. Requests that come
///   after `murr_db_close` are answered with an error.
/// - `options`: borrowed, NULL for the defaults (127.0.0.1, any free HTTP port, no Flight).
/// - `out`: set to NULL on entry; on success the server, owned by the caller, who stops
///   and frees it with `murr_server_stop`.
///
/// `MURR_IO` if a port cannot be bound (in use, no permission); `MURR_INVALID_ARGUMENT` for
/// a bad host or port; `MURR_UNSUPPORTED` if this libmurr was built without its server
/// (cargo feature `server` of murr-ffi: off in the C library's default build, on in the
/// Python wheel's). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `options->host` and `options->token` NULL or
/// NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_server_start(
    db: *const murr_db_t,
    options: *const murr_server_options_t,
    out: *mut *mut murr_server_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            crate::args::out_arg(out, "out")?;
            out.write(std::ptr::null_mut());
            let handle = crate::args::ref_arg(db, "db")?;
            db_arg(db)?;
            let options = read_options(options)?;
            let server = start(handle, &options)?;
            out.write(Box::into_raw(Box::new(server)));
            Ok(())
        })
    }
}

/// The HTTP port `server` listens on (the one bound when 0 was asked); -1 if `server` is
/// NULL. Thread-safe.
///
/// # Safety
/// `server` is NULL or a server from `murr_server_start` not yet stopped.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_server_http_port(server: *const murr_server_t) -> i32 {
    // SAFETY: NULL or valid, by the caller's contract.
    unsafe { server.as_ref() }.map_or(-1, |s| s.http_port)
}

/// The Arrow Flight port `server` listens on; -1 if it serves no Flight or `server` is
/// NULL. Thread-safe.
///
/// # Safety
/// `server` is NULL or a server from `murr_server_start` not yet stopped.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_server_flight_port(server: *const murr_server_t) -> i32 {
    // SAFETY: NULL or valid, by the caller's contract.
    unsafe { server.as_ref() }.map_or(-1, |s| s.flight_port)
}

/// Stops `server`: stops accepting connections, waits for the requests under way, stops
/// its threads and frees it (also when the return is an error, which reports how serving
/// ended). The database stays open. NULL: does nothing, `MURR_OK`. Not concurrent with
/// other calls on `server`.
///
/// # Safety
/// `server` is NULL or a server from `murr_server_start` not yet stopped; it is invalid
/// afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_server_stop(
    server: *mut murr_server_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: as documented.
    unsafe {
        guard(error, || {
            if server.is_null() {
                return Ok(());
            }
            let server = Box::from_raw(server);
            stop(*server)
        })
    }
}

/// The caller's options (NULL: the defaults), as [`read_options`] in options.rs reads
/// `murr_options_t`: only the first `size` bytes.
///
/// # Safety
/// `ptr` is NULL or points to at least `(*ptr).size` readable bytes.
unsafe fn read_options(ptr: *const murr_server_options) -> Result<Settings> {
    let mut c = defaults();
    if !ptr.is_null() {
        // SAFETY: `size` is always there.
        let size = unsafe { ptr.cast::<usize>().read_unaligned() };
        if size < size_of::<usize>() {
            return Err(Failure::invalid(format!(
                "options->size is {size}; set it with murr_server_options_default"
            )));
        }
        let base = ptr.cast::<u8>();
        macro_rules! field {
            ($name:ident, $ty:ty) => {
                if offset_of!(murr_server_options, $name) + size_of::<$ty>() <= size {
                    // SAFETY: within the caller's `size` bytes.
                    c.$name = unsafe {
                        base.add(offset_of!(murr_server_options, $name))
                            .cast::<$ty>()
                            .read_unaligned()
                    };
                }
            };
        }
        field!(host, *const c_char);
        field!(http_port, i32);
        field!(flight_port, i32);
        field!(token, *const c_char);
        field!(max_body_bytes, u64);
        field!(threads, u32);
    }
    let text = |p: *const c_char, name: &str| -> Result<Option<String>> {
        if p.is_null() {
            return Ok(None);
        }
        // SAFETY: NUL-terminated by the caller's contract.
        unsafe { crate::args::str_arg(p, name) }.map(|s| Some(s.to_owned()))
    };
    let port = |p: i32, name: &str| {
        u16::try_from(p)
            .map_err(|_| Failure::invalid(format!("options->{name} is {p}; expected 0 to 65535")))
    };
    let host = text(c.host, "options->host")?.unwrap_or_else(|| "127.0.0.1".to_owned());
    let ip: std::net::IpAddr = host.parse().map_err(|_| {
        Failure::invalid(format!(
            "options->host \"{host}\" is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)"
        ))
    })?;
    Ok(Settings {
        ip,
        http_port: port(c.http_port, "http_port")?,
        flight_port: if c.flight_port < 0 {
            None
        } else {
            Some(port(c.flight_port, "flight_port")?)
        },
        token: text(c.token, "options->token")?,
        max_body_bytes: usize::try_from(c.max_body_bytes).map_err(|_| {
            Failure::invalid(format!(
                "options->max_body_bytes ({}) does not fit in size_t",
                c.max_body_bytes
            ))
        })?,
        threads: if c.threads == 0 {
            2
        } else {
            c.threads as usize
        },
    })
}

/// The options, checked.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
struct Settings {
    ip: std::net::IpAddr,
    http_port: u16,
    flight_port: Option<u16>,
    token: Option<String>,
    max_body_bytes: usize,
    threads: usize,
}

#[cfg(feature = "server")]
mod running {
    //! The server proper: a tokio runtime of its own running `murr_server::Server`.

    use std::net::SocketAddr;
    use std::sync::Arc;

    use ::murr_server::{Config, DEFAULT_MAX_BODY_BYTES, Server, ServerError};

    use super::{Settings, murr_server};
    use crate::error::{Failure, Result};
    use crate::handles::murr_db;
    use crate::status::{MURR_INTERNAL, MURR_IO};

    /// The runtime and the server on it.
    pub(super) struct Running {
        runtime: tokio::runtime::Runtime,
        server: Server,
    }

    fn failure(e: ServerError) -> Failure {
        match e {
            ServerError::Db(e) => e.into(),
            e @ ServerError::Io { .. } => Failure::new(MURR_IO, e.to_string()),
            e => Failure::new(MURR_INTERNAL, e.to_string()),
        }
    }

    pub(super) fn start(db: &murr_db, s: &Settings) -> Result<murr_server> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(s.threads)
            .thread_name("murr-server")
            .enable_all()
            .build()
            .map_err(|e| {
                Failure::new(MURR_IO, format!("cannot start the server's threads: {e}"))
            })?;
        let config = Config {
            http_addr: SocketAddr::new(s.ip, s.http_port),
            flight_addr: s.flight_port.map(|p| SocketAddr::new(s.ip, p)),
            token: s.token.clone(),
            max_body_bytes: if s.max_body_bytes == 0 {
                DEFAULT_MAX_BODY_BYTES
            } else {
                s.max_body_bytes
            },
        };
        let server = runtime
            .block_on(Server::start(Arc::clone(&db.db), config))
            .map_err(failure)?;
        let http_port = i32::from(server.http_addr().port());
        let flight_port = server.flight_addr().map_or(-1, |a| i32::from(a.port()));
        Ok(murr_server {
            running: Some(Running { runtime, server }),
            http_port,
            flight_port,
        })
    }

    pub(super) fn stop(mut server: murr_server) -> Result<()> {
        let Some(Running { runtime, server }) = server.running.take() else {
            return Ok(());
        };
        let stopped = runtime.block_on(server.stop());
        runtime.shutdown_timeout(std::time::Duration::from_secs(10));
        stopped.map_err(failure)
    }
}

#[cfg(feature = "server")]
fn start(db: &crate::handles::murr_db, s: &Settings) -> Result<murr_server> {
    running::start(db, s)
}

#[cfg(feature = "server")]
fn stop(server: murr_server) -> Result<()> {
    running::stop(server)
}

#[cfg(not(feature = "server"))]
fn start(_: &crate::handles::murr_db, _: &Settings) -> Result<murr_server> {
    Err(Failure::new(
        crate::status::MURR_UNSUPPORTED,
        "this libmurr was built without its server (cargo feature `server` of murr-ffi)",
    ))
}

#[cfg(not(feature = "server"))]
fn stop(_: murr_server) -> Result<()> {
    Ok(())
}
