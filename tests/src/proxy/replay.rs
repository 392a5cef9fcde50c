//! Replaying: finding the complete HTTP/1.1 requests in what a client sent, and sending one
//! again with the answer thrown away.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::Shared;

/// How long a replay waits for the server's answer before dropping it.
const REPLAY_WAIT: Duration = Duration::from_secs(10);

/// Send `request` to the server at `upstream` on a fresh connection and read its answer
/// into nothing.
pub(super) fn send_again(shared: &Shared, upstream: SocketAddr, request: &[u8]) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&upstream, Duration::from_secs(2)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    if stream.write_all(request).is_err() {
        return false;
    }
    let deadline = Instant::now() + REPLAY_WAIT;
    let mut answer = Vec::new();
    let mut buf = [0; 4096];
    while Instant::now() < deadline && !shared.stopping() {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                if message_len(&answer).is_some_and(|len| answer.len() >= len) {
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    true
}

/// The complete HTTP/1.1 requests at the start of `bytes`, in order. Stops at the first one
/// that is cut short or not framed by `Content-Length`.
pub(super) fn split_requests(mut bytes: &[u8]) -> Vec<&[u8]> {
    let mut requests = Vec::new();
    while let Some(len) = message_len(bytes) {
        if len > bytes.len() {
            break;
        }
        let (request, rest) = bytes.split_at(len);
        requests.push(request);
        bytes = rest;
    }
    requests
}

/// The length of the HTTP/1.1 message starting `bytes` (head and body), once its head is
/// complete; `None` before that, or when its body is chunked.
fn message_len(bytes: &[u8]) -> Option<usize> {
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&bytes[..head_end]).ok()?;
    let mut body = 0;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return None;
        }
        if name.eq_ignore_ascii_case("content-length") {
            body = value.trim().parse().ok()?;
        }
    }
    Some(head_end + body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_split_by_content_length_and_a_cut_one_is_left_out() {
        let one = b"POST / HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc".as_slice();
        let two = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n".as_slice();
        let cut = b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc".as_slice();
        let stream = [one, two, cut].concat();

        assert_eq!(split_requests(&stream), [one, two]);
        assert!(split_requests(b"GET / HTTP/1.1\r\nhost").is_empty());
    }
}
