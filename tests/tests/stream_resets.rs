//! Streams a client resets before the server has accepted them (its
//! deadlines expired while the calls waited, under overload) must not close
//! the connection and fail its other calls; a flood of them beyond one
//! connection's worth (the HTTP/2 "rapid reset" attack) still closes it.
//! docs/RELIABILITY.md, "Overload".

use std::time::Duration;

use portal_e2e::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const ENHANCE_YOUR_CALM: u32 = 0xb;

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).expect("small frame");
    let mut out = len.to_be_bytes()[1..].to_vec();
    out.extend([kind, flags]);
    out.extend(stream.to_be_bytes());
    out.extend(payload);
    out
}

/// What the server answered to `resets` streams opened and reset at once,
/// followed by a PING: `Ok(())` when the PING came back, the GOAWAY's
/// error code when the connection was closed instead.
async fn open_and_reset(server: &TestServer, resets: u32) -> Result<(), u32> {
    let host = server.addr.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut out = PREFACE.to_vec();
    out.extend(frame(SETTINGS, 0, 0, &[]));
    for i in 0..resets {
        let stream = 2 * i + 1;
        // :method GET, :scheme http, :path / from HPACK's static table;
        // END_HEADERS | END_STREAM.
        out.extend(frame(HEADERS, 0x5, stream, &[0x82, 0x86, 0x84]));
        out.extend(frame(RST_STREAM, 0, stream, &8u32.to_be_bytes())); // CANCEL
    }
    out.extend(frame(PING, 0, 0, b"portal!!"));
    tcp.write_all(&out).await.expect("write");

    let mut seen = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        // Frames read so far: a PING ack, or a GOAWAY.
        let mut at = 0;
        while seen.len() >= at + 9 {
            let len = u32::from_be_bytes([0, seen[at], seen[at + 1], seen[at + 2]]) as usize;
            if seen.len() < at + 9 + len {
                break;
            }
            let (kind, flags, payload) = (seen[at + 3], seen[at + 4], &seen[at + 9..at + 9 + len]);
            if kind == PING && flags & 0x1 != 0 {
                return Ok(());
            }
            if kind == GOAWAY {
                return Err(u32::from_be_bytes(payload[4..8].try_into().expect("code")));
            }
            at += 9 + len;
        }
        let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buf))
            .await
            .expect("the server answers within 10 s")
            .expect("read");
        assert!(n > 0, "the connection closed without a GOAWAY");
        seen.extend(&buf[..n]);
    }
}

#[tokio::test]
async fn a_hundred_calls_reset_before_acceptance_leave_the_connection_open() {
    let server = TestServer::demo().await.expect("server");
    assert_eq!(Box::pin(open_and_reset(&server, 100)).await, Ok(()));
}

#[tokio::test]
async fn a_flood_of_reset_streams_still_closes_the_connection() {
    let server = TestServer::demo().await.expect("server");
    assert_eq!(
        Box::pin(open_and_reset(&server, 2_000)).await,
        Err(ENHANCE_YOUR_CALM)
    );
    // And the server goes on serving everyone else.
    assert_eq!(Box::pin(open_and_reset(&server, 1)).await, Ok(()));
}
