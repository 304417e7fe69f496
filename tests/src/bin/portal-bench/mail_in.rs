//! Mail in, from outside: replies to a ticket's notification sent into the
//! server's SMTP listener, one SMTP connection per message as a relay
//! delivers, each timed from connecting to the final 250 (by then the
//! reply is a post in the store), against a demo store. The client is a
//! few lines of SMTP with Nagle off: `lettre` leaves Nagle on, so its
//! final "." waits for the server's delayed ACK (40 ms a message), which
//! would be measured instead of the server.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use portal_e2e::smtp::{SmtpSink, free_port, mailing_through};
use portal_e2e::{TestServer, demo};
use portal_proto::pb;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::measure::{Latencies, Summary};

/// Replies sent.
const REPLIES: usize = 500;

pub async fn mail_in(summary: &mut Summary) -> anyhow::Result<()> {
    let sink = SmtpSink::start(free_port()?, "").await?;
    let mut flags = mailing_through(sink.port);
    flags.extend(["--mail-listen".into(), "127.0.0.1:0".into()]);
    let server =
        TestServer::demo_with(&flags.iter().map(String::as_str).collect::<Vec<_>>()).await?;
    let smtp = server.mail_in.clone().context("no mail-in address")?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let number = uma
        .tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Benchmark: replies by mail".into(),
            description: "Answered by portal-bench".into(),
            service_type_id: uma.service_type("Other").await?.id,
            ..Default::default()
        })
        .await?
        .into_inner()
        .number;
    let confirmation = loop {
        let got = sink.wait_for(1).await?;
        if let Some(m) = got.iter().find(|m| m.rcpt_tos == [demo::CLIENT_USER]) {
            break m.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let to = confirmation.reply_address().to_owned();
    let start = Instant::now();
    let mut times = Latencies::default();
    for i in 0..REPLIES {
        let body = format!(
            "From: {}\r\nTo: {to}\r\nSubject: Re: [#{number}] Received\r\n\
             Message-ID: <bench-{i}@client.example>\r\n\r\n\
             Reply {i} by mail.\r\n\r\nOn Tuesday, Keystone Desk wrote:\r\n> Received.\r\n",
            demo::CLIENT_USER
        );
        let at = Instant::now();
        let sent = deliver(&smtp, demo::CLIENT_USER, &to, &body).await;
        times.record(sent.map(|()| at.elapsed()));
    }
    let elapsed = start.elapsed();
    let mut posts = 0;
    let mut cursor = String::new();
    loop {
        let page = uma
            .tickets()
            .get_timeline(pb::GetTimelineRequest {
                number,
                page: Some(pb::PageRequest {
                    page_size: 200,
                    cursor: cursor.clone(),
                }),
            })
            .await?
            .into_inner();
        posts += page
            .entries
            .iter()
            .filter(|e| e.body.contains("by mail."))
            .count();
        if page.next_cursor.is_empty() {
            break;
        }
        cursor = page.next_cursor;
    }
    anyhow::ensure!(
        posts == REPLIES,
        "{posts} of {REPLIES} replies became posts"
    );
    #[allow(clippy::cast_precision_loss)] // a rate to one decimal
    let rate = REPLIES as f64 / elapsed.as_secs_f64();
    times.report(
        summary,
        &format!(
            "{REPLIES} replies by mail into the SMTP listener, each a post ({rate:.0}/s; \
             one connection per message, 1 sender)"
        ),
    );
    Ok(())
}

/// One message over a connection of its own: each command, then the
/// server's answer, which must be the code expected.
async fn deliver(addr: &str, from: &str, to: &str, message: &str) -> anyhow::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut expect = async |code: &str| -> anyhow::Result<()> {
        let mut line = String::new();
        loop {
            line.clear();
            read.read_line(&mut line).await?;
            // "250-…" continues a reply of several lines.
            if line.get(3..4) != Some("-") {
                break;
            }
        }
        anyhow::ensure!(line.starts_with(code), "expected {code}, got {line:?}");
        Ok(())
    };
    expect("220").await?;
    let dialogue = [
        ("EHLO bench.example\r\n".to_owned(), "250"),
        (format!("MAIL FROM:<{from}>\r\n"), "250"),
        (format!("RCPT TO:<{to}>\r\n"), "250"),
        ("DATA\r\n".to_owned(), "354"),
        (format!("{message}.\r\n"), "250"),
        ("QUIT\r\n".to_owned(), "221"),
    ];
    for (command, code) in dialogue {
        write.write_all(command.as_bytes()).await?;
        expect(code).await?;
    }
    Ok(())
}
