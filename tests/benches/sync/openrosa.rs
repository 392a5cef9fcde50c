//! The baseline: the same questionnaires sent as ODK Collect sends them to an OpenRosa server
//! (ODK Central, KoboToolbox). For each one, a `HEAD /submission` (Collect asks before every
//! submission unless the server's answer redirects it), then a multipart `POST /submission`
//! of the XForms instance, over one kept-alive connection. A small endpoint on loopback
//! answers as such a server does; the client writes every request byte for byte and reads
//! every answer, through a proxy that counts the bytes as it counts Simpul's.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use chrono::{DateTime, Utc};
use simpul_e2e::{Rng, UNIT};

use crate::fill::Response;

/// What ODK Collect 2024.3 on a common Android phone says it is.
const USER_AGENT: &str = "org.odk.collect.android/v2024.3.5 Dalvik/2.1.0 \
                          (Linux; U; Android 13; SM-A135F Build/TP1A.220624.014)";
/// What the endpoint accepts per submission, as ODK Central announces it.
const ACCEPT_LENGTH: &str = "104857600";
const SUCCESS: &str = "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">\
                       <message nature=\"submit_success\">full submission upload was successful!\
                       </message></OpenRosaResponse>";
/// The most a request head or body may take on either side.
const MAX_MESSAGE: usize = 1 << 20;
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// Bytes and requests the client moved, split by kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sent {
    pub submissions: u64,
    pub heads: u64,
    pub posts: u64,
    pub head_up: u64,
    pub head_down: u64,
    pub post_up: u64,
    pub post_down: u64,
    /// The XForms instances alone, as files on the phone.
    pub xml: u64,
}

impl Sent {
    pub fn up(&self) -> u64 {
        self.head_up + self.post_up
    }

    pub fn down(&self) -> u64 {
        self.head_down + self.post_down
    }

    pub fn requests(&self) -> u64 {
        self.heads + self.posts
    }
}

/// Submits every response through `via` (a proxy in front of an [`Endpoint`]) and returns what
/// moved.
pub fn submit_all(responses: &[Response], via: SocketAddr, seed: u64) -> Result<Sent> {
    let mut rng = Rng::new(seed);
    let device_id: String = (0..16).map(|_| *rng.pick(&ALPHANUMERIC) as char).collect();
    let path = format!("/submission?deviceID=collect%3A{device_id}");
    let mut auth = Digest::new(&mut rng, &path);
    let host = via.to_string();

    let mut stream = TcpStream::connect_timeout(&via, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let mut reader = Answers::default();
    let mut sent = Sent::default();
    for response in responses {
        let head = format!(
            "HEAD {path} HTTP/1.1\r\n{}Host: {host}\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\n\r\n",
            common_headers(&mut auth)
        );
        stream.write_all(head.as_bytes())?;
        let (status, read) = reader.next(&mut stream, true)?;
        ensure!(status == 204, "HEAD answered {status}");
        sent.heads += 1;
        sent.head_up += head.len() as u64;
        sent.head_down += read as u64;

        let xml = instance(response);
        let body = multipart(&mut rng, response, &xml);
        let post = format!(
            "POST {path} HTTP/1.1\r\n{}Content-Type: multipart/form-data; boundary={}\r\nContent-Length: {}\r\nHost: {host}\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\n\r\n",
            common_headers(&mut auth),
            body.boundary,
            body.bytes.len()
        );
        stream.write_all(post.as_bytes())?;
        stream.write_all(&body.bytes)?;
        let (status, read) = reader.next(&mut stream, false)?;
        ensure!(status == 201, "POST answered {status}");
        sent.posts += 1;
        sent.post_up += (post.len() + body.bytes.len()) as u64;
        sent.post_down += read as u64;
        sent.xml += xml.len() as u64;
        sent.submissions += 1;
    }
    Ok(sent)
}

const ALPHANUMERIC: [u8; 62] = *b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `X-OpenRosa-Version`, `Date`, `User-Agent` and `Authorization`: what Collect's OpenRosa
/// client adds to every request before OkHttp adds the rest.
fn common_headers(auth: &mut Digest) -> String {
    format!(
        "X-OpenRosa-Version: 1.0\r\nDate: {}\r\nUser-Agent: {USER_AGENT}\r\nAuthorization: {}\r\n",
        http_date(Utc::now()),
        auth.next_line()
    )
}

fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// HTTP Digest credentials as OkHttp's digest authenticator sends them once it has the
/// server's challenge: the same nonce, a counter that goes up, a fresh client nonce and
/// response hash each time. The hashes are random hex of the right length; the endpoint does
/// not check them.
struct Digest {
    rng: Rng,
    nonce: String,
    opaque: String,
    uri: String,
    count: u32,
}

impl Digest {
    fn new(rng: &mut Rng, uri: &str) -> Digest {
        let mut rng = rng.fork(1);
        Digest {
            nonce: hex(&mut rng, 32),
            opaque: hex(&mut rng, 32),
            rng,
            uri: uri.to_string(),
            count: 0,
        }
    }

    fn next_line(&mut self) -> String {
        self.count += 1;
        format!(
            "Digest username=\"enumerator01\", realm=\"skm\", nonce=\"{}\", uri=\"{}\", \
             response=\"{}\", qop=auth, nc={:08x}, cnonce=\"{}\", algorithm=MD5, opaque=\"{}\"",
            self.nonce,
            self.uri,
            hex(&mut self.rng, 32),
            self.count,
            hex(&mut self.rng, 16),
            self.opaque
        )
    }
}

fn hex(rng: &mut Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0'))
        .collect()
}

struct Multipart {
    boundary: String,
    bytes: Vec<u8>,
}

/// The request body OkHttp's `MultipartBody` writes for one `xml_submission_file` part, named
/// as Collect names instance files.
fn multipart(rng: &mut Rng, response: &Response, xml: &str) -> Multipart {
    let boundary =
        uuid::Uuid::from_u128(u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()))
            .to_string();
    let file = response.sheet.at.format("skm_2017_%Y-%m-%d_%H-%M-%S.xml");
    let mut body = String::with_capacity(xml.len() + 256);
    let _ = write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"{file}\"\r\n\
         Content-Type: text/xml\r\nContent-Length: {}\r\n\r\n{xml}\r\n--{boundary}--\r\n",
        xml.len()
    );
    Multipart {
        boundary,
        bytes: body.into_bytes(),
    }
}

/// The XForms instance an ODK or Kobo form with the same fields submits: the form's items in
/// order (unanswered ones as empty elements), who asked, where and how, and the instance id.
pub fn instance(response: &Response) -> String {
    let sheet = &response.sheet;
    let mut xml = String::with_capacity(1024);
    xml.push_str(
        "<?xml version='1.0' ?><data id=\"skm_2017\" version=\"1\" \
         xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\">",
    );
    let start = (sheet.at + chrono::Duration::hours(7)).format("%Y-%m-%dT%H:%M:%S%.3f+07:00");
    let _ = write!(xml, "<start>{start}</start>");
    element(&mut xml, "enumerator", sheet.by);
    element(&mut xml, "unit", UNIT);
    element(&mut xml, "channel", sheet.channel.code());
    element(&mut xml, "serial", sheet.serial.as_deref().unwrap_or(""));
    for (item, value) in &sheet.answers {
        element(&mut xml, item, value);
    }
    let _ = write!(
        xml,
        "<meta><instanceID>uuid:{}</instanceID></meta></data>",
        response.id
    );
    xml
}

fn element(xml: &mut String, name: &str, value: &str) {
    if value.is_empty() {
        let _ = write!(xml, "<{name}/>");
        return;
    }
    let _ = write!(xml, "<{name}>");
    for c in value.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            c => xml.push(c),
        }
    }
    let _ = write!(xml, "</{name}>");
}

/// Reads HTTP/1.1 answers one at a time off a kept-alive connection.
#[derive(Default)]
struct Answers {
    buffer: Vec<u8>,
}

impl Answers {
    /// The status of the next answer and how many bytes it took. An answer to `HEAD` has no
    /// body whatever its headers say.
    fn next(&mut self, stream: &mut TcpStream, to_head: bool) -> Result<(u16, usize)> {
        let (head_len, body_len) = read_message(&mut self.buffer, stream, !to_head)?;
        let head = std::str::from_utf8(&self.buffer[..head_len])?;
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("not an HTTP answer: {head:?}"))?;
        let len = head_len + body_len;
        self.buffer.drain(..len);
        Ok((status, len))
    }
}

/// Reads from `stream` into `buffer` until one whole message is there; returns the length of
/// its head and of its body (by `Content-Length`, when `with_body`).
fn read_message(
    buffer: &mut Vec<u8>,
    stream: &mut TcpStream,
    with_body: bool,
) -> Result<(usize, usize)> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(head_len) = buffer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| p + 4)
        {
            let body_len = if with_body {
                content_length(&buffer[..head_len])?
            } else {
                0
            };
            if buffer.len() >= head_len + body_len {
                return Ok((head_len, body_len));
            }
        }
        ensure!(
            buffer.len() <= MAX_MESSAGE,
            "a message over {MAX_MESSAGE} bytes"
        );
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            bail!("the connection closed mid-message");
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

fn content_length(head: &[u8]) -> Result<usize> {
    let head = std::str::from_utf8(head)?;
    for line in head.split("\r\n").skip(1) {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            return Ok(value.trim().parse()?);
        }
    }
    Ok(0)
}

/// What the endpoint saw.
#[derive(Default)]
struct Seen {
    heads: AtomicU64,
    submissions: AtomicU64,
}

/// An OpenRosa submission endpoint on 127.0.0.1: `204` to `HEAD /submission`, `201` with an
/// `OpenRosaResponse` to a multipart `POST /submission` carrying an instance. Stops when
/// dropped.
pub struct Endpoint {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    seen: Arc<Seen>,
    thread: Option<JoinHandle<()>>,
}

/// Connections served at once, at most.
const MAX_CONNECTIONS: usize = 8;

impl Endpoint {
    pub fn start() -> Result<Endpoint> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Seen::default());
        let thread = std::thread::Builder::new().name("openrosa".into()).spawn({
            let (stop, seen) = (stop.clone(), seen.clone());
            move || accept(&listener, &stop, &seen)
        })?;
        Ok(Endpoint {
            addr,
            stop,
            seen,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `HEAD` requests and complete submissions received so far.
    pub fn seen(&self) -> (u64, u64) {
        (
            self.seen.heads.load(Ordering::SeqCst),
            self.seen.submissions.load(Ordering::SeqCst),
        )
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept(listener: &TcpListener, stop: &AtomicBool, seen: &Seen) {
    std::thread::scope(|scope| {
        let mut served = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            served.retain(|t: &std::thread::ScopedJoinHandle<'_, ()>| !t.is_finished());
            match listener.accept() {
                Ok((stream, _)) if served.len() < MAX_CONNECTIONS => {
                    served.push(scope.spawn(move || {
                        let _ = serve(stream, stop, seen);
                    }));
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
}

fn serve(mut stream: TcpStream, stop: &AtomicBool, seen: &Seen) -> Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let mut buffer = Vec::new();
    let mut idle_since = Instant::now();
    let mut chunk = [0u8; 16 * 1024];
    while !stop.load(Ordering::SeqCst) && idle_since.elapsed() < IO_TIMEOUT {
        if let Some(head_len) = buffer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| p + 4)
        {
            let body_len = content_length(&buffer[..head_len])?;
            if buffer.len() >= head_len + body_len {
                let answer = answer(
                    &buffer[..head_len],
                    &buffer[head_len..head_len + body_len],
                    seen,
                )?;
                stream.write_all(answer.as_bytes())?;
                buffer.drain(..head_len + body_len);
                continue;
            }
        }
        ensure!(buffer.len() <= 2 * MAX_MESSAGE, "a request too large");
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                buffer.extend_from_slice(&chunk[..n]);
                idle_since = Instant::now();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The server's answer to one request.
fn answer(head: &[u8], body: &[u8], seen: &Seen) -> Result<String> {
    let head = std::str::from_utf8(head)?;
    let request_line = head.lines().next().unwrap_or_default();
    let date = http_date(Utc::now());
    let openrosa = format!(
        "X-OpenRosa-Version: 1.0\r\nX-OpenRosa-Accept-Content-Length: {ACCEPT_LENGTH}\r\nDate: {date}\r\n"
    );
    if request_line.starts_with("HEAD /submission") {
        seen.heads.fetch_add(1, Ordering::SeqCst);
        return Ok(format!("HTTP/1.1 204 No Content\r\n{openrosa}\r\n"));
    }
    let body = String::from_utf8_lossy(body);
    if request_line.starts_with("POST /submission")
        && body.contains("name=\"xml_submission_file\"")
        && body.contains("<instanceID>uuid:")
        && body.contains("</data>")
    {
        seen.submissions.fetch_add(1, Ordering::SeqCst);
        return Ok(format!(
            "HTTP/1.1 201 Created\r\n{openrosa}Content-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n\r\n{SUCCESS}",
            SUCCESS.len()
        ));
    }
    Ok("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_string())
}
