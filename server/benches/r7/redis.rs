//! Redis for R7: MSET to load `key -> 10 packed little-endian float32`, MGET to read, over
//! one RESP2 connection; a `redis-server` started for the run when none is given.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use murr_workload as workload;

/// A connection, and the server if this run started it (killed on drop).
pub struct Redis {
    pub addr: String,
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    child: Option<(Child, tempfile::TempDir)>,
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some((child, _dir)) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Redis {
    /// `MURR_REDIS`, else a new `redis-server` on a free port, else None.
    pub fn start_or_connect() -> Option<Redis> {
        if let Ok(addr) = std::env::var("MURR_REDIS") {
            return Some(Redis::connect(addr, None));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let dir = tempfile::tempdir().ok()?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..100 {
            if TcpStream::connect(&addr).is_ok() {
                return Some(Redis::connect(addr, Some((child, dir))));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    fn connect(addr: String, child: Option<(Child, tempfile::TempDir)>) -> Redis {
        let s = TcpStream::connect(&addr).unwrap();
        s.set_nodelay(true).unwrap();
        Redis {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: BufWriter::new(s),
            addr,
            child,
        }
    }

    fn send(&mut self, args: &[&[u8]]) {
        write!(self.writer, "*{}\r\n", args.len()).unwrap();
        for a in args {
            write!(self.writer, "${}\r\n", a.len()).unwrap();
            self.writer.write_all(a).unwrap();
            self.writer.write_all(b"\r\n").unwrap();
        }
        self.writer.flush().unwrap();
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        self.reader.read_line(&mut l).unwrap();
        l.trim_end().to_owned()
    }

    /// Rows `0..rows`, 1000 per MSET.
    pub fn load(&mut self, rows: u64, width: usize) {
        let mut start = 0;
        while start < rows {
            let end = (start + 1000).min(rows);
            let keys: Vec<String> = (start..end).map(workload::key).collect();
            let vals: Vec<Vec<u8>> = (start..end)
                .map(|i| {
                    (0..width)
                        .flat_map(|c| workload::value(i, c).to_le_bytes())
                        .collect()
                })
                .collect();
            let mut args: Vec<&[u8]> = vec![b"MSET"];
            for (k, v) in keys.iter().zip(&vals) {
                args.push(k.as_bytes());
                args.push(v);
            }
            self.send(&args);
            assert_eq!(self.line(), "+OK");
            start = end;
        }
    }

    /// MGET of `keys`; every value decoded into `width` floats; the first of each returned.
    pub fn mget_first(&mut self, keys: &[String], width: usize) -> Vec<f32> {
        let mut args: Vec<&[u8]> = Vec::with_capacity(keys.len() + 1);
        args.push(b"MGET");
        args.extend(keys.iter().map(|k| k.as_bytes()));
        self.send(&args);
        let head = self.line();
        let n: usize = head.trim_start_matches('*').parse().unwrap();
        let mut values = vec![0f32; n * width];
        let mut buf = vec![0u8; width * 4 + 2];
        for row in values.chunks_mut(width) {
            let len: usize = self.line().trim_start_matches('$').parse().unwrap();
            assert_eq!(len, width * 4);
            self.reader.read_exact(&mut buf).unwrap();
            for (v, b) in row.iter_mut().zip(buf.chunks_exact(4)) {
                *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
        values.chunks(width).map(|r| r[0]).collect()
    }
}
