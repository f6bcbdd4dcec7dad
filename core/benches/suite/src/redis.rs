//! A minimal Redis client (RESP2 over one TCP connection) for the benchmark: MSET/HSET
//! pipelines to load, MGET and pipelined HMGET to read, FLUSHALL to leave nothing behind,
//! INFO for its memory.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::TcpStream;

use crate::query::Answer;

/// One reply.
enum Reply {
    Ok,
    Int,
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

/// A connection.
pub struct Conn {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

impl Conn {
    pub fn connect(addr: &str) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            reader: BufReader::with_capacity(1 << 20, stream.try_clone()?),
            writer: BufWriter::with_capacity(1 << 20, stream),
        })
    }

    /// Queues one command.
    fn send(&mut self, args: &[&[u8]]) -> io::Result<()> {
        write!(self.writer, "*{}\r\n", args.len())?;
        for a in args {
            write!(self.writer, "${}\r\n", a.len())?;
            self.writer.write_all(a)?;
            self.writer.write_all(b"\r\n")?;
        }
        Ok(())
    }

    fn line(&mut self) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        self.reader.read_until(b'\n', &mut line)?;
        if !line.ends_with(b"\r\n") {
            return Err(bad("truncated reply"));
        }
        line.truncate(line.len() - 2);
        Ok(line)
    }

    fn number(text: &[u8]) -> io::Result<i64> {
        std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("bad number"))
    }

    fn reply(&mut self) -> io::Result<Reply> {
        let line = self.line()?;
        let (kind, rest) = line.split_first().ok_or_else(|| bad("empty reply"))?;
        match kind {
            b'+' => Ok(Reply::Ok),
            b':' => Ok(Reply::Int),
            b'-' => Err(bad(String::from_utf8_lossy(rest).into_owned())),
            b'$' => {
                let n = Self::number(rest)?;
                if n < 0 {
                    return Ok(Reply::Bulk(None));
                }
                let mut v = vec![0u8; n as usize + 2];
                self.reader.read_exact(&mut v)?;
                v.truncate(n as usize);
                Ok(Reply::Bulk(Some(v)))
            }
            b'*' => {
                let n = Self::number(rest)?;
                (0..n.max(0))
                    .map(|_| self.reply())
                    .collect::<io::Result<_>>()
                    .map(Reply::Array)
            }
            _ => Err(bad("unknown reply type")),
        }
    }

    /// Loads rows `0..rows`: `key -> packed(i)` (MSET) and, when `hashes` is given, a hash
    /// `h:key` with `hashes` fields `f0..` holding the values as text (HSET), 1000 rows per
    /// round trip.
    pub fn load(
        &mut self,
        rows: u64,
        packed: &dyn Fn(u64) -> Vec<u8>,
        hashes: Option<usize>,
        value: &dyn Fn(u64, usize) -> f32,
    ) -> io::Result<()> {
        let fields: Vec<String> = (0..hashes.unwrap_or(0)).map(|c| format!("f{c}")).collect();
        let mut start = 0;
        while start < rows {
            let end = (start + 1000).min(rows);
            let keys: Vec<String> = (start..end).map(murr_workload::key).collect();
            let vals: Vec<Vec<u8>> = (start..end).map(packed).collect();
            let mut args: Vec<&[u8]> = vec![b"MSET"];
            for (k, v) in keys.iter().zip(&vals) {
                args.push(k.as_bytes());
                args.push(v);
            }
            self.send(&args)?;
            let hashes: Vec<(String, Vec<String>)> = if fields.is_empty() {
                Vec::new()
            } else {
                (start..end)
                    .map(|i| {
                        let k = format!("h:{}", murr_workload::key(i));
                        (
                            k,
                            (0..fields.len()).map(|c| value(i, c).to_string()).collect(),
                        )
                    })
                    .collect()
            };
            for (k, vs) in &hashes {
                let mut args: Vec<&[u8]> = vec![b"HSET", k.as_bytes()];
                for (f, v) in fields.iter().zip(vs) {
                    args.push(f.as_bytes());
                    args.push(v.as_bytes());
                }
                self.send(&args)?;
            }
            self.writer.flush()?;
            for _ in 0..=hashes.len() {
                match self.reply()? {
                    Reply::Ok | Reply::Int => {}
                    _ => return Err(bad("unexpected reply to MSET/HSET")),
                }
            }
            start = end;
        }
        Ok(())
    }

    /// MGET of `keys`.
    pub fn mget(&mut self, keys: &[String]) -> io::Result<Vec<Option<Vec<u8>>>> {
        let mut args: Vec<&[u8]> = Vec::with_capacity(keys.len() + 1);
        args.push(b"MGET");
        args.extend(keys.iter().map(|k| k.as_bytes()));
        self.send(&args)?;
        self.writer.flush()?;
        match self.reply()? {
            Reply::Array(items) => items
                .into_iter()
                .map(|r| match r {
                    Reply::Bulk(v) => Ok(v),
                    _ => Err(bad("MGET item not a bulk string")),
                })
                .collect(),
            _ => Err(bad("MGET reply not an array")),
        }
    }

    /// One HMGET per key of the hash `h:key` asking `fields`, pipelined; the values parsed
    /// as f32 into one vector per field (a key whose fields are all nil was not found).
    pub fn hmget(&mut self, keys: &[String], fields: &[String]) -> io::Result<Answer> {
        for k in keys {
            let h = format!("h:{k}");
            let mut args: Vec<&[u8]> = vec![b"HMGET", h.as_bytes()];
            args.extend(fields.iter().map(|f| f.as_bytes()));
            self.send(&args)?;
        }
        self.writer.flush()?;
        let mut cols: Vec<Vec<f32>> = fields
            .iter()
            .map(|_| Vec::with_capacity(keys.len()))
            .collect();
        let mut found = Vec::with_capacity(keys.len());
        for _ in keys {
            let Reply::Array(items) = self.reply()? else {
                return Err(bad("HMGET reply not an array"));
            };
            let mut any = false;
            for (col, r) in cols.iter_mut().zip(items) {
                let v = match r {
                    Reply::Bulk(Some(v)) => {
                        any = true;
                        std::str::from_utf8(&v)
                            .ok()
                            .and_then(|s| s.parse::<f32>().ok())
                            .ok_or_else(|| bad("HMGET value not a float"))?
                    }
                    Reply::Bulk(None) => 0.0,
                    _ => return Err(bad("HMGET item not a bulk string")),
                };
                col.push(v);
            }
            found.push(any);
        }
        Ok(Answer::Cols(cols, found))
    }

    /// The server's `INFO memory` field `used_memory` (bytes).
    pub fn used_memory(&mut self) -> io::Result<u64> {
        self.send(&[b"INFO", b"memory"])?;
        self.writer.flush()?;
        let Reply::Bulk(Some(text)) = self.reply()? else {
            return Err(bad("INFO reply not a bulk string"));
        };
        String::from_utf8_lossy(&text)
            .lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| bad("no used_memory in INFO"))
    }

    /// Empties the server.
    pub fn flushall(&mut self) -> io::Result<()> {
        self.send(&[b"FLUSHALL"])?;
        self.writer.flush()?;
        self.reply().map(|_| ())
    }
}
