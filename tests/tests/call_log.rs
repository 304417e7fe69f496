//! The call log of the real server (docs/RELIABILITY.md, "The call log"):
//! each call is logged once, with the request id it returned as
//! `x-request-id`, the method, the caller's id, the code and the latency;
//! plain text by default and JSON lines with `--log-format json`; never a
//! token or a password.

use std::time::Duration;

use anyhow::Context as _;
use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, login_over};
use portal_proto::pb;
use tonic::metadata::MetadataMap;

/// A wrong password that must not reach the log either.
const WRONG_PASSWORD: &str = "Wrong-Password-4711!";

fn request_id(metadata: &MetadataMap) -> anyhow::Result<String> {
    let id = metadata
        .get("x-request-id")
        .context("no x-request-id")?
        .to_str()?
        .to_owned();
    anyhow::ensure!(
        id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    Ok(id)
}

/// The server's log once every id in `ids` is in it (10 s at most).
async fn log_with(server: &TestServer, ids: &[&str]) -> anyhow::Result<Vec<String>> {
    for _ in 0..100 {
        let log = server.log_lines();
        if ids.iter().all(|id| log.iter().any(|l| l.contains(id))) {
            return Ok(log);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!(
        "not every call of {ids:?} was logged:\n{:#?}",
        server.log_lines()
    )
}

/// The one line of the log that carries `id`.
fn line_of<'a>(log: &'a [String], id: &str) -> &'a str {
    let lines: Vec<&String> = log.iter().filter(|l| l.contains(id)).collect();
    assert_eq!(
        lines.len(),
        1,
        "{id} is not logged exactly once: {lines:#?}"
    );
    lines[0]
}

/// Signs in as `email` (the caller's own call, for its request id).
async fn sign_in(
    server: &TestServer,
    email: &str,
    password: &str,
) -> Result<tonic::Response<pb::LoginResponse>, tonic::Status> {
    let channel = server
        .channel()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    login_over(channel, email, password).await
}

fn subject_id(server: &TestServer, table: &str, email: &str) -> anyhow::Result<i64> {
    let db = rusqlite::Connection::open_with_flags(
        &server.db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    Ok(db.query_row(
        &format!("SELECT id FROM {table} WHERE email = ?1"),
        [email],
        |r| r.get(0),
    )?)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_call_is_logged_once_with_its_request_id_caller_code_and_latency() -> anyhow::Result<()>
{
    let server = TestServer::demo_logged(&[], "warn,portal::call=info").await?;
    let uma_id = subject_id(&server, "contacts", demo::CLIENT_USER)?;

    let login = sign_in(&server, demo::CLIENT_USER, DEMO_PASSWORD).await?;
    let login_id = request_id(login.metadata())?;
    let token = login.into_inner().token;
    let refused = sign_in(&server, demo::CLIENT_USER, WRONG_PASSWORD)
        .await
        .expect_err("a wrong password");
    let refused_id = request_id(refused.metadata())?;
    let uma = Session::new(server.channel().await?, &token)?;
    let mine = uma
        .tickets()
        .list_tickets(pb::ListTicketsRequest::default())
        .await?
        .into_inner()
        .tickets;
    let number = mine.first().context("uma has tickets")?.number;
    let opened = uma
        .tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await?;
    let opened_id = request_id(opened.metadata())?;
    let missing = uma
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: 987_654 })
        .await
        .expect_err("no such ticket");
    let missing_id = request_id(missing.metadata())?;
    let ids = [&login_id, &refused_id, &opened_id, &missing_id];
    for (i, a) in ids.iter().enumerate() {
        assert!(
            ids[i + 1..].iter().all(|b| a != b),
            "request ids repeat: {ids:?}"
        );
    }

    let log = log_with(&server, &[&login_id, &refused_id, &opened_id, &missing_id]).await?;
    let uma_caller = format!("caller=contact:{uma_id} ");
    for (id, method, caller, code) in [
        (
            &login_id,
            "portal.v1.AuthService/Login",
            uma_caller.as_str(),
            "OK",
        ),
        (
            &refused_id,
            "portal.v1.AuthService/Login",
            "caller=- ",
            "UNAUTHENTICATED",
        ),
        (
            &opened_id,
            "portal.v1.TicketService/GetTicket",
            uma_caller.as_str(),
            "OK",
        ),
        (
            &missing_id,
            "portal.v1.TicketService/GetTicket",
            uma_caller.as_str(),
            "NOT_FOUND",
        ),
    ] {
        let line = line_of(&log, id);
        assert!(line.contains(" INFO portal::call: call "), "{line}");
        assert!(line.contains(&format!("request_id={id} ")), "{line}");
        assert!(line.contains(&format!("method={method} ")), "{line}");
        assert!(line.contains(caller), "{caller}: {line}");
        assert!(line.contains(&format!("code={code} ")), "{line}");
        let ms: f64 = line
            .rsplit_once("ms=")
            .and_then(|(_, ms)| ms.trim().parse().ok())
            .with_context(|| format!("no latency: {line}"))?;
        assert!(ms >= 0.0, "{line}");
        // Plain text for a file or a journal: no colour codes.
        assert!(!line.contains('\u{1b}'), "{line:?}");
    }
    // The list was logged too, once, and nothing else of the caller's.
    let lists = log.iter().filter(|l| l.contains("ListTickets")).count();
    assert_eq!(lists, 1, "{log:#?}");
    let all = log.join("\n");
    for secret in [token.as_str(), DEMO_PASSWORD, WRONG_PASSWORD] {
        assert!(!all.contains(secret), "the log holds a secret: {all}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn with_log_format_json_every_line_is_a_json_object() -> anyhow::Result<()> {
    let server = TestServer::demo_logged(&["--log-format", "json"], "info").await?;
    let tom_id = subject_id(&server, "staff", demo::TECHNICIAN)?;
    let login = sign_in(&server, demo::TECHNICIAN, DEMO_PASSWORD).await?;
    let token = login.into_inner().token;
    let tom = Session::new(server.channel().await?, &token)?;
    let listed = tom
        .tickets()
        .list_tickets(pb::ListTicketsRequest::default())
        .await?;
    let id = request_id(listed.metadata())?;

    let log = log_with(&server, &[&id]).await?;
    let mut call = None;
    for line in &log {
        let object: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("not JSON: {line}"))?;
        assert!(object.is_object(), "{line}");
        if object["request_id"] == id.as_str() {
            assert!(call.is_none(), "logged twice: {log:#?}");
            call = Some(object);
        }
    }
    let call = call.context("the call's line")?;
    assert_eq!(call["target"], "portal::call");
    assert_eq!(call["level"], "INFO");
    assert_eq!(call["message"], "call");
    assert_eq!(call["method"], "portal.v1.TicketService/ListTickets");
    assert_eq!(call["caller"], format!("staff:{tom_id}").as_str());
    assert_eq!(call["code"], "OK");
    assert!(call["ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{call}");
    let all = log.join("\n");
    assert!(
        !all.contains(&token) && !all.contains(DEMO_PASSWORD),
        "{all}"
    );
    Ok(())
}
