//! gRPC by hand over a raw HTTP/2 connection (the `h2` crate), so that
//! anything can be sent: any path, any headers, any framing of the body,
//! a body cut off by a reset.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use rand::Rng;
use rand::rngs::StdRng;
use tokio::net::{TcpSocket, TcpStream};

/// How long an answer may take before the call counts as unanswered.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);
/// A server stream still open after this long counts as a stream answered.
const STREAM_OPEN_AFTER: Duration = Duration::from_millis(50);

/// One request as it goes on the wire.
pub struct Call {
    pub method: http::Method,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    /// The DATA frames, in order.
    pub body: Vec<Bytes>,
    /// Reset the stream after the body instead of ending it.
    pub reset: bool,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A gRPC status (its code and message).
    Status(i32, String),
    /// An HTTP answer without a gRPC status.
    Http(u16),
    /// A server stream that was still sending; dropped by us.
    OpenStream,
    /// The stream was reset, or the connection lost, before an answer.
    Broken(String),
    /// No answer within `ANSWER_WITHIN`.
    TimedOut,
}

pub const OK: i32 = 0;
pub const CANCELLED: i32 = 1;
pub const DEADLINE_EXCEEDED: i32 = 4;
pub const INTERNAL: i32 = 13;
pub const UNKNOWN: i32 = 2;

impl Answer {
    /// A short name for the report.
    pub fn label(&self) -> String {
        match self {
            Answer::Status(code, _) => format!("{:?}", tonic::Code::from_i32(*code)),
            Answer::Http(status) => format!("HTTP {status}"),
            Answer::OpenStream => "stream open".into(),
            Answer::Broken(_) => "reset".into(),
            Answer::TimedOut => "timed out".into(),
        }
    }

    /// Whether the server may have carried the call out (and written):
    /// answered `OK`, or its outcome unknown. `CANCELLED` and
    /// `DEADLINE_EXCEEDED` (a `grpc-timeout` of `0n` gets them) say only
    /// that the answer was given up on: a write already handed to the
    /// store's writer still commits, as gRPC allows.
    pub fn may_have_written(&self) -> bool {
        match self {
            Answer::Status(code, _) => matches!(*code, OK | CANCELLED | DEADLINE_EXCEEDED),
            Answer::Http(_) => false,
            Answer::OpenStream | Answer::Broken(_) | Answer::TimedOut => true,
        }
    }

    /// Whether the call was cut short, so that its writes may land later.
    pub fn cut_short(&self) -> bool {
        match self {
            Answer::Status(code, _) => matches!(*code, CANCELLED | DEADLINE_EXCEEDED),
            Answer::Http(_) => false,
            Answer::OpenStream | Answer::Broken(_) | Answer::TimedOut => true,
        }
    }
}

/// A frame of a gRPC body: flag, length prefix, message.
pub fn frame(flag: u8, declared_len: u32, message: &[u8]) -> Bytes {
    let mut b = Vec::with_capacity(5 + message.len());
    b.push(flag);
    b.extend(declared_len.to_be_bytes());
    b.extend(message);
    Bytes::from(b)
}

/// An open HTTP/2 connection from a chosen local address.
pub struct Conn {
    server: SocketAddr,
    from: IpAddr,
    send: Option<h2::client::SendRequest<Bytes>>,
}

impl Conn {
    pub fn new(server: SocketAddr, from: IpAddr) -> Self {
        Self {
            server,
            from,
            send: None,
        }
    }

    async fn connect(&mut self) -> anyhow::Result<h2::client::SendRequest<Bytes>> {
        if let Some(send) = &self.send {
            return Ok(send.clone());
        }
        let tcp = tcp_from(self.from, self.server).await?;
        tcp.set_nodelay(true)?;
        let (send, connection) = h2::client::Builder::new()
            .initial_window_size(1 << 20)
            .max_send_buffer_size(8 << 20)
            .handshake(tcp)
            .await
            .context("HTTP/2 handshake")?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        self.send = Some(send.clone());
        Ok(send)
    }

    /// Sends `call` and waits for its answer; a broken connection is
    /// dropped, so the next call opens a new one.
    pub async fn call(&mut self, call: &Call) -> Answer {
        match tokio::time::timeout(ANSWER_WITHIN, self.try_call(call)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => {
                self.send = None;
                Answer::Broken(format!("{e:#}"))
            }
            Err(_) => {
                self.send = None;
                Answer::TimedOut
            }
        }
    }

    async fn try_call(&mut self, call: &Call) -> anyhow::Result<Answer> {
        let send = self.connect().await?;
        let mut send = send.ready().await.context("connection not ready")?;
        let mut request = http::Request::builder()
            .method(call.method.clone())
            .uri(format!("http://{}{}", self.server, call.path));
        for (name, value) in &call.headers {
            request = request.header(*name, value.as_str());
        }
        let request = request.body(()).context("building the request")?;
        let (response, mut stream) = send
            .send_request(request, call.body.is_empty() && !call.reset)
            .context("sending the headers")?;
        let n = call.body.len();
        for (i, data) in call.body.iter().enumerate() {
            let last = i + 1 == n && !call.reset;
            stream
                .send_data(data.clone(), last)
                .context("sending the body")?;
        }
        if call.reset {
            stream.send_reset(h2::Reason::CANCEL);
        }
        let response = match response.await {
            Ok(r) => r,
            Err(e) => return Ok(Answer::Broken(e.to_string())),
        };
        if let Some(answer) = grpc_status(response.headers()) {
            return Ok(answer);
        }
        let http_status = response.status().as_u16();
        let mut body = response.into_body();
        let read = async {
            while let Some(chunk) = body.data().await {
                let chunk = chunk?;
                let _ = body.flow_control().release_capacity(chunk.len());
            }
            body.trailers().await
        };
        match tokio::time::timeout(STREAM_OPEN_AFTER, read).await {
            Err(_) => Ok(Answer::OpenStream),
            Ok(Err(e)) => Ok(Answer::Broken(e.to_string())),
            Ok(Ok(trailers)) => Ok(trailers
                .as_ref()
                .and_then(grpc_status)
                .unwrap_or(Answer::Http(http_status))),
        }
    }
}

fn grpc_status(headers: &http::HeaderMap) -> Option<Answer> {
    let code = headers.get("grpc-status")?.to_str().ok()?.parse().ok()?;
    let message = headers
        .get("grpc-message")
        .and_then(|m| m.to_str().ok())
        .map(|m| {
            percent_encoding::percent_decode_str(m)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    Some(Answer::Status(code, message))
}

/// A TCP connection to `server` from the local address `from`.
pub async fn tcp_from(from: IpAddr, server: SocketAddr) -> anyhow::Result<TcpStream> {
    let socket = match from {
        IpAddr::V4(_) => TcpSocket::new_v4()?,
        IpAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket
        .bind(SocketAddr::new(from, 0))
        .with_context(|| format!("binding to {from}"))?;
    Ok(socket.connect(server).await?)
}

/// Bytes that are not HTTP/2 at all, or a valid preface followed by
/// garbage, on a connection of their own; the server must just close it.
pub async fn garbage_connection(server: SocketAddr, from: IpAddr, rng: &mut StdRng) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut bytes = Vec::new();
    if rng.gen_bool(0.7) {
        bytes.extend(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        // A frame header announcing a huge frame of some type, then noise.
        bytes.extend([
            0xff,
            0xff,
            0xff,
            rng.gen_range(0..12),
            rng.r#gen(),
            0,
            0,
            0,
            1,
        ]);
    }
    let len = rng.gen_range(0..600);
    bytes.extend((0..len).map(|_| rng.r#gen::<u8>()));
    if let Ok(mut tcp) = tcp_from(from, server).await {
        let _ = tcp.write_all(&bytes).await;
        let mut buf = [0u8; 512];
        let _ = tokio::time::timeout(Duration::from_millis(50), tcp.read(&mut buf)).await;
    }
}
