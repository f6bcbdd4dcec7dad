//! `murr_server_start` / `murr_server_stop`: the HTTP server inside the application serves
//! the database the handle has open, answers over a real socket, stops without closing
//! the database, and refuses bad options with named statuses.
//! Built without the feature `server`, the functions answer MURR_UNSUPPORTED (the first test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr;

use common::*;
use murr::*;

#[cfg(not(feature = "server"))]
#[test]
fn unsupported_without_the_feature() {
    let db = open_db();
    let mut err = MURR_ERROR_INIT();
    let mut server = ptr::null_mut();
    // SAFETY: valid pointers.
    let s = unsafe { murr_server_start(db.db, ptr::null(), &mut server, &mut err) };
    expect_status(s, &mut err, MURR_UNSUPPORTED, "feature `server`");
    assert!(server.is_null());
}

#[cfg(feature = "server")]
mod served {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn default_options() -> murr_server_options_t {
        let mut o = std::mem::MaybeUninit::<murr_server_options_t>::uninit();
        // SAFETY: fills the whole struct.
        unsafe {
            murr_server_options_default(o.as_mut_ptr());
            o.assume_init()
        }
    }

    /// One HTTP/1.1 request over a new connection; the status code and the body.
    fn http(port: i32, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nAccept: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let status = answer[9..12].parse().unwrap();
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
        (status, body)
    }

    /// `ctr` of `key`, read through the handle.
    fn ctr(db: &TestDb, key: &str) -> f32 {
        let mut err = MURR_ERROR_INIT();
        let (status, batch, found) = read_str(db, ptr::null(), "users", &[key], &["ctr"], &mut err);
        check(status, &mut err);
        assert_eq!(found, vec![1]);
        column::<arrow_array::Float32Array>(&batch.unwrap(), 0).value(0)
    }

    fn start(db: &TestDb, options: &murr_server_options_t) -> *mut murr_server_t {
        let mut server = ptr::null_mut();
        let mut err = MURR_ERROR_INIT();
        // SAFETY: valid pointers.
        let status = unsafe { murr_server_start(db.db, options, &mut server, &mut err) };
        check(status, &mut err);
        assert!(!server.is_null());
        server
    }

    fn stop(server: *mut murr_server_t) {
        let mut err = MURR_ERROR_INIT();
        // SAFETY: a running server, stopped once.
        let status = unsafe { murr_server_stop(server, &mut err) };
        check(status, &mut err);
    }

    #[test]
    fn serves_the_open_database_and_stops_without_closing_it() {
        let db = open_db();
        create_users(&db);
        write_ok(&db, "users", &users_batch());
        let server = start(&db, &default_options());
        // SAFETY: a running server.
        let (port, flight) = unsafe {
            (
                murr_server_http_port(server),
                murr_server_flight_port(server),
            )
        };
        assert!(port > 0, "bound port {port}");
        assert_eq!(flight, -1, "no Flight unless asked");

        assert_eq!(http(port, "GET", "/health", "").0, 200);
        let (status, body) = http(
            port,
            "POST",
            "/api/v1/table/users/fetch",
            r#"{"keys": ["bob", "zed", "ann"], "columns": ["ctr"]}"#,
        );
        assert_eq!(status, 200, "{body}");
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["columns"]["ctr"], serde_json::json!([0.25, null, 0.5]));
        // A write over HTTP is visible to the handle's own reads.
        let (status, body) = http(
            port,
            "PUT",
            "/api/v1/table/users/write",
            r#"{"columns": {"user": ["dan"], "ctr": [0.75]}}"#,
        );
        assert!(status == 200 || status == 201, "{status} {body}");
        assert_eq!(ctr(&db, "dan"), 0.75);

        stop(server);
        assert!(
            TcpStream::connect(("127.0.0.1", port as u16)).is_err(),
            "still listening"
        );
        // The database is still open and usable.
        assert_eq!(ctr(&db, "ann"), 0.5);
        // Stopping NULL is a no-op.
        stop(ptr::null_mut());
    }

    #[test]
    fn flight_port_and_token() {
        let db = open_db();
        create_users(&db);
        let token = cstr("s3cret");
        let mut o = default_options();
        o.flight_port = 0;
        o.token = token.as_ptr();
        let server = start(&db, &o);
        // SAFETY: a running server.
        let (port, flight) = unsafe {
            (
                murr_server_http_port(server),
                murr_server_flight_port(server),
            )
        };
        assert!(flight > 0 && flight != port);
        assert!(TcpStream::connect(("127.0.0.1", flight as u16)).is_ok());
        assert_eq!(http(port, "GET", "/health", "").0, 200);
        assert_eq!(http(port, "GET", "/api/v1/table", "").0, 401);
        stop(server);
    }

    #[test]
    fn bad_options_are_named() {
        let db = open_db();
        let mut err = MURR_ERROR_INIT();
        let mut server = ptr::null_mut();
        let host = cstr("not an address");
        let mut o = default_options();
        o.host = host.as_ptr();
        // SAFETY: valid pointers.
        let s = unsafe { murr_server_start(db.db, &o, &mut server, &mut err) };
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "not an IP address");
        assert!(server.is_null());

        let mut o = default_options();
        o.http_port = 70000;
        // SAFETY: valid pointers.
        let s = unsafe { murr_server_start(db.db, &o, &mut server, &mut err) };
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "http_port");

        // A port in use: MURR_IO, and the first server keeps serving.
        let first = start(&db, &default_options());
        // SAFETY: a running server.
        let port = unsafe { murr_server_http_port(first) };
        let mut o = default_options();
        o.http_port = port;
        // SAFETY: valid pointers.
        let s = unsafe { murr_server_start(db.db, &o, &mut server, &mut err) };
        expect_status(s, &mut err, MURR_IO, "");
        assert_eq!(http(port, "GET", "/health", "").0, 200);
        stop(first);

        // NULL db; a closed db.
        // SAFETY: valid pointers.
        let s = unsafe { murr_server_start(ptr::null(), ptr::null(), &mut server, &mut err) };
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "db is NULL");
        // SAFETY: a live handle.
        unsafe { murr_db_close(db.db, ptr::null_mut()) };
        // SAFETY: valid pointers.
        let s = unsafe { murr_server_start(db.db, ptr::null(), &mut server, &mut err) };
        expect_status(s, &mut err, MURR_CLOSED, "closed");
        // SAFETY: NULL ports.
        unsafe {
            assert_eq!(murr_server_http_port(ptr::null()), -1);
            assert_eq!(murr_server_flight_port(ptr::null()), -1);
        }
    }
}
