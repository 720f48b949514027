//! Cheap, bounded, blocking probes of an engine process: a TCP connect and a
//! minimal HTTP/1.1 GET over a std `TcpStream` (no client library, no
//! runtime), as `observe` is synchronous and called often.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long a probe may wait to connect.
pub const CONNECT: Duration = Duration::from_millis(300);
/// How long a probe may wait for a whole answer.
pub const ANSWER: Duration = Duration::from_millis(1500);

/// True if something accepts TCP connections on `addr:port`.
pub fn connects(addr: Ipv4Addr, port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from((addr, port)), CONNECT).is_ok()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// `GET path` on `addr:port`; None if nothing answered with HTTP in time.
pub fn get(addr: Ipv4Addr, port: u16, path: &str) -> Option<Response> {
    get_within(addr, port, path, ANSWER)
}

/// `get` with its own bound on the whole answer.
pub fn get_within(addr: Ipv4Addr, port: u16, path: &str, answer: Duration) -> Option<Response> {
    let started = Instant::now();
    let mut s = TcpStream::connect_timeout(&SocketAddr::from((addr, port)), CONNECT).ok()?;
    let _ = s.set_write_timeout(Some(answer));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}:{port}\r\nAccept: application/json\r\nConnection: close\r\nUser-Agent: strato\r\n\r\n"
    );
    s.write_all(request.as_bytes()).ok()?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let left = answer.checked_sub(started.elapsed()).filter(|d| !d.is_zero())?;
        let _ = s.set_read_timeout(Some(left));
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
        if complete(&raw) {
            break;
        }
    }
    parse(&raw)
}

/// The header block's end, if it has arrived.
fn header_end(raw: &[u8]) -> Option<usize> {
    raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// True once the whole response is in `raw` (by Content-Length or the last chunk).
fn complete(raw: &[u8]) -> bool {
    let Some(end) = header_end(raw) else { return false };
    let head = String::from_utf8_lossy(&raw[..end]);
    if let Some(len) = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        return raw.len() >= end + len;
    }
    if header(&head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        return dechunk(&raw[end..]).is_some();
    }
    false
}

/// The body of a chunked transfer, if its last chunk has arrived.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        if rest.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// Parses a raw HTTP/1.x response (the body may be cut short if the peer closed early).
pub fn parse(raw: &[u8]) -> Option<Response> {
    let end = header_end(raw)?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut status_line = head.lines().next()?.split_whitespace();
    if !status_line.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let status = status_line.next()?.parse::<u16>().ok()?;
    let rest = &raw[end..];
    let body = if header(&head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(rest).unwrap_or_default()
    } else {
        match header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
            Some(len) => rest[..len.min(rest.len())].to_vec(),
            None => rest.to_vec(),
        }
    };
    Some(Response { status, body: String::from_utf8_lossy(&body).into_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_chunked_responses() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"status\":\"green\"}extra";
        assert!(complete(plain));
        assert_eq!(parse(plain), Some(Response { status: 200, body: "{\"status\":\"green\"".into() }));
        let chunked = b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        assert!(complete(chunked));
        assert_eq!(parse(chunked), Some(Response { status: 503, body: "hello world".into() }));
        assert!(!complete(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"));
        assert!(!complete(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"));
        assert_eq!(parse(b"SSH-2.0-OpenSSH\r\n\r\n"), None);
        assert_eq!(parse(b"HTTP/1.0 200 OK\r\n\r\nto the end").unwrap().body, "to the end");
    }

    #[test]
    fn talks_to_a_real_socket() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("GET /_cluster/health HTTP/1.1\r\n"));
            // Answer in two writes and keep the connection open: Content-Length ends the read.
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n").unwrap();
            s.write_all(b"{}").unwrap();
            std::thread::sleep(Duration::from_millis(500));
        });
        let started = Instant::now();
        assert_eq!(get(Ipv4Addr::LOCALHOST, port, "/_cluster/health").map(|r| r.status), Some(200));
        assert!(started.elapsed() < Duration::from_millis(400), "did not wait for the close");
        server.join().unwrap();
        assert!(!connects(Ipv4Addr::LOCALHOST, port));
    }
}
