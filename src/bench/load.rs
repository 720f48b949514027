//! A small HTTP/1.1 load generator for the read benchmark: `connections`
//! connections each send the same request back to back for a while, keeping
//! the connection alive unless the server closes it, and every answer's
//! latency is recorded. Raw sockets: it costs the shared 2 cores a fraction
//! of what a client library would, so the server gets most of them.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One request, ready to send as it is.
#[derive(Debug, Clone)]
pub struct Request {
    pub addr: SocketAddr,
    pub bytes: Vec<u8>,
}

impl Request {
    /// `method path` with `headers` and an optional body.
    pub fn new(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> anyhow::Result<Request> {
        let host = base.trim_start_matches("http://").trim_end_matches('/');
        let addr: SocketAddr = host.parse().with_context(|| format!("`{base}` is not http://IP:PORT"))?;
        let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in headers {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        text.push_str("\r\n");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(body);
        Ok(Request { addr, bytes })
    }
}

/// What a run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Answers with a 2xx status.
    pub ok: u64,
    /// Other answers and broken connections.
    pub errors: u64,
    pub elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile latency (0 < p ≤ 100), in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let mut l = self.latencies.clone();
        l.sort_unstable();
        let i = ((p / 100.0) * l.len() as f64).ceil() as usize;
        l[i.clamp(1, l.len()) - 1].as_secs_f64() * 1000.0
    }
}

/// Sends `req` over `connections` connections for `duration`.
pub async fn run(req: &Request, connections: usize, duration: Duration) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections.max(1) {
        let req = req.clone();
        tasks.spawn(async move { connection(&req, deadline).await });
    }
    let mut total = Outcome::default();
    while let Some(done) = tasks.join_next().await {
        let one = done.context("a load connection panicked")??;
        total.ok += one.ok;
        total.errors += one.errors;
        total.latencies.extend(one.latencies);
    }
    total.elapsed = started.elapsed();
    if total.ok == 0 {
        bail!("no request to {} succeeded ({} errors)", req.addr, total.errors);
    }
    Ok(total)
}

async fn connection(req: &Request, deadline: Instant) -> anyhow::Result<Outcome> {
    let mut out = Outcome::default();
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut stream: Option<TcpStream> = None;
    while Instant::now() < deadline {
        let s = match stream.as_mut() {
            Some(s) => s,
            None => match TcpStream::connect(req.addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    stream.insert(s)
                }
                Err(_) => {
                    out.errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let t = Instant::now();
        match exchange(s, &req.bytes, &mut buf).await {
            Ok((status, keep)) => {
                out.latencies.push(t.elapsed());
                if (200..300).contains(&status) {
                    out.ok += 1;
                } else {
                    out.errors += 1;
                }
                if !keep {
                    stream = None;
                }
            }
            Err(_) => {
                out.errors += 1;
                stream = None;
            }
        }
    }
    Ok(out)
}

/// Writes the request and reads one whole response: (status, whether the connection stays open).
async fn exchange(s: &mut TcpStream, request: &[u8], buf: &mut Vec<u8>) -> std::io::Result<(u16, bool)> {
    s.write_all(request).await?;
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            // Closed: a response without a length ends here.
            return parse_head(buf).map(|(status, _, _, _)| (status, false)).ok_or_else(broken);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some((status, head_len, length, keep)) = parse_head(buf) {
            match length {
                Some(len) if buf.len() >= head_len + len => return Ok((status, keep)),
                _ => {}
            }
        }
    }
}

fn broken() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the connection closed mid-response")
}

/// (status, head length, Content-Length, keep-alive) once the head has arrived.
fn parse_head(buf: &[u8]) -> Option<(u16, usize, Option<usize>, bool)> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let mut keep = status_line.starts_with("HTTP/1.1");
    let mut length = None;
    for line in lines {
        let Some((k, v)) = line.split_once(':') else { continue };
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("content-length") {
            length = v.parse().ok();
        } else if k.eq_ignore_ascii_case("connection") {
            keep = !v.eq_ignore_ascii_case("close") && (keep || v.eq_ignore_ascii_case("keep-alive"));
        }
    }
    Some((status, end, length, keep && length.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_give_status_length_and_keep_alive() {
        let h = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(parse_head(h), Some((200, h.len() - 5, Some(5), true)));
        let closing = b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 2\r\n\r\nok";
        assert_eq!(parse_head(closing).map(|p| p.3), Some(false));
        let close = b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(parse_head(close).map(|p| (p.0, p.3)), Some((404, false)));
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Len"), None);
    }

    #[test]
    fn percentiles_come_from_recorded_latencies() {
        let o = Outcome { ok: 4, errors: 0, elapsed: Duration::from_secs(2), latencies: (1..=4).map(Duration::from_millis).collect() };
        assert_eq!(o.per_second(), 2.0);
        assert_eq!(o.percentile_ms(50.0), 2.0);
        assert_eq!(o.percentile_ms(99.0), 4.0);
    }
}
