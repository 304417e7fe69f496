//! Prometheus metrics of the real server (docs/RELIABILITY.md, "Metrics"):
//! with `--metrics-listen` a scrape of `/metrics` over plain HTTP shows the
//! calls by method and code, their latency histograms, the writer, the
//! readers, sessions and streams, the mail outbox and the last backup;
//! without it nothing listens but the gRPC port.

use std::collections::HashSet;
use std::time::Duration;

use anyhow::Context as _;
use portal_e2e::{TestServer, demo, expect_code};
use portal_proto::pb;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tonic::Code;

/// The body of `GET url` (plain HTTP/1.1); fails unless 200.
async fn scrape(url: &str) -> anyhow::Result<String> {
    let rest = url.strip_prefix("http://").context("not an http URL")?;
    let (host, path) = rest.split_once('/').context("no path")?;
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response.split_once("\r\n\r\n").context("no header end")?;
    anyhow::ensure!(head.starts_with("HTTP/1.1 200"), "{head}");
    anyhow::ensure!(head.contains("text/plain"), "{head}");
    Ok(body.to_owned())
}

/// The values of the series named `name` that carry every label of
/// `labels` (they may carry more).
fn values(text: &str, name: &str, labels: &[(&str, &str)]) -> Vec<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((n, rest)) => (n, rest.strip_suffix('}')?),
                None => (series, ""),
            };
            let found: Vec<(&str, &str)> = series_labels
                .split(',')
                .filter_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    Some((k, v.trim_matches('"')))
                })
                .collect();
            (series_name == name && labels.iter().all(|want| found.contains(want)))
                .then(|| value.parse().ok())?
        })
        .collect()
}

/// The value of the one series `name` with `labels`.
#[track_caller]
fn one(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found = values(text, name, labels);
    assert_eq!(found.len(), 1, "{name} {labels:?}: {found:?} in\n{text}");
    found[0]
}

/// The value of the one series `name` with `labels`, a count.
#[track_caller]
fn count(text: &str, name: &str, labels: &[(&str, &str)]) -> u64 {
    let value = one(text, name, labels);
    assert!(
        value >= 0.0 && value.fract().abs() < f64::EPSILON,
        "{name}: {value}"
    );
    value as u64
}

#[track_caller]
fn handled(text: &str, service: &str, method: &str, code: &str) -> u64 {
    count(
        text,
        "grpc_server_handled_total",
        &[
            ("grpc_service", service),
            ("grpc_method", method),
            ("grpc_code", code),
        ],
    )
}

/// The TCP sockets process `pid` listens on.
fn listening_sockets(pid: u32) -> usize {
    let inodes: HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| {
            dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                .filter_map(|link| {
                    let link = link.to_str()?.to_owned();
                    Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    ["tcp", "tcp6"]
        .iter()
        .filter_map(|t| std::fs::read_to_string(format!("/proc/{pid}/net/{t}")).ok())
        .map(|table| {
            table
                .lines()
                .skip(1)
                .filter(|l| {
                    let f: Vec<&str> = l.split_whitespace().collect();
                    // st 0A is LISTEN; the 10th field is the socket's inode.
                    f.get(3) == Some(&"0A") && f.get(9).is_some_and(|i| inodes.contains(*i))
                })
                .count()
        })
        .sum()
}

/// Two sign-ins and a refused one, a list, two opens and a ticket that
/// does not exist, a post, and a live-update stream (returned, open).
async fn make_calls(server: &TestServer) -> anyhow::Result<tonic::Streaming<pb::Event>> {
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let tom = server.as_demo(demo::TECHNICIAN).await?;
    expect_code(
        server.login(demo::CLIENT_USER, "Not-Her-Password-1").await,
        Code::Unauthenticated,
    );
    let mine = uma
        .tickets()
        .list_tickets(pb::ListTicketsRequest::default())
        .await?
        .into_inner()
        .tickets;
    let number = mine.first().context("uma has tickets")?.number;
    for _ in 0..2 {
        uma.tickets()
            .get_ticket(pb::GetTicketRequest { number })
            .await?;
    }
    expect_code(
        uma.tickets()
            .get_ticket(pb::GetTicketRequest { number: 987_654 })
            .await,
        Code::NotFound,
    );
    uma.post(number, pb::PostKind::Discussion, "metrics check")
        .await?;
    let stream = tom
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    Ok(stream)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scrape_shows_calls_by_method_and_code_and_the_state_of_the_store() -> anyhow::Result<()>
{
    let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    let backups = tempfile::tempdir()?;
    let backup_dir = backups.path().to_string_lossy().into_owned();
    let server = TestServer::demo_with(&[
        "--metrics-listen",
        "127.0.0.1:0",
        "--backup-dir",
        &backup_dir,
    ])
    .await?;
    let url = server
        .metrics_url
        .clone()
        .context("no metrics address printed")?;
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/metrics"),
        "{url}"
    );
    let pid = server.pid().context("no server")?;
    assert_eq!(listening_sockets(pid), 2, "gRPC and metrics");

    let stream = make_calls(&server).await?;

    // The backup taken at start is reported once it is done.
    let mut text = scrape(&url).await?;
    for _ in 0..100 {
        if one(&text, "portal_last_backup_timestamp_seconds", &[]) > 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        text = scrape(&url).await?;
    }
    let db = rusqlite::Connection::open_with_flags(
        &server.db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let (pending, failed): (i64, i64) = db.query_row(
        "SELECT (SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL),
                (SELECT count(*) FROM mail_outbox WHERE failed_at IS NOT NULL)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;

    let tickets = "portal.v1.TicketService";
    let auth = "portal.v1.AuthService";
    assert_eq!(handled(&text, tickets, "GetTicket", "OK"), 2);
    assert_eq!(handled(&text, tickets, "GetTicket", "NOT_FOUND"), 1);
    assert_eq!(handled(&text, tickets, "ListTickets", "OK"), 1);
    assert_eq!(handled(&text, tickets, "AddPost", "OK"), 1);
    assert_eq!(handled(&text, auth, "Login", "OK"), 2);
    assert_eq!(handled(&text, auth, "Login", "UNAUTHENTICATED"), 1);
    // The open stream has no status yet: it is not counted.
    assert!(
        values(
            &text,
            "grpc_server_handled_total",
            &[("grpc_method", "Subscribe")]
        )
        .is_empty()
    );
    let get = [("grpc_service", tickets), ("grpc_method", "GetTicket")];
    assert_eq!(count(&text, "grpc_server_handling_seconds_count", &get), 3);
    let all = [get[0], get[1], ("le", "+Inf")];
    assert_eq!(count(&text, "grpc_server_handling_seconds_bucket", &all), 3);
    assert!(one(&text, "grpc_server_handling_seconds_sum", &get) > 0.0);
    assert!(text.contains("# HELP grpc_server_handled_total"), "{text}");
    assert!(
        text.contains("# TYPE grpc_server_handling_seconds histogram"),
        "{text}"
    );

    // The writer committed the sign-ins and the post; nothing waits now.
    assert!(count(&text, "portal_writer_batch_size_count", &[]) >= 1);
    assert!(count(&text, "portal_writer_batch_size_sum", &[]) >= 3);
    count(&text, "portal_writer_queue_depth", &[]);
    assert_eq!(count(&text, "portal_store_writable", &[]), 1);
    // The scrape itself read the store through the pool.
    assert!(count(&text, "portal_reader_wait_seconds_count", &[]) >= 1);
    assert_eq!(
        count(&text, "portal_calls_in_flight", &[("budget", "general")]),
        0
    );
    assert_eq!(count(&text, "portal_sessions_signed_in", &[]), 2);
    assert_eq!(count(&text, "portal_event_streams_open", &[]), 1);
    let outbox = "portal_mail_outbox_messages";
    assert_eq!(
        count(&text, outbox, &[("state", "pending")]),
        pending as u64
    );
    assert_eq!(count(&text, outbox, &[("state", "failed")]), failed as u64);
    let backup = one(&text, "portal_last_backup_timestamp_seconds", &[]);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    assert!(
        backup >= (started.as_secs() - 1) as f64 && backup <= now.as_secs() as f64,
        "{backup}"
    );

    // The stream closed by its client is no longer counted.
    drop(stream);
    let mut open = 1;
    for _ in 0..100 {
        open = count(&scrape(&url).await?, "portal_event_streams_open", &[]);
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(open, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_flag_nothing_listens_but_grpc() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    assert!(server.metrics_url.is_none());
    let pid = server.pid().context("no server")?;
    assert_eq!(listening_sockets(pid), 1);
    Ok(())
}
