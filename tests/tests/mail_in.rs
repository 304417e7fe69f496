//! Mail in against real SMTP on both sides (docs/MAIL.md, "Replies by
//! e-mail"): Portal mails through an `aiosmtpd` server, and a client's
//! mail program (Python's `smtplib`, a process of its own) answers into
//! Portal's SMTP listener. A reply becomes the contact's post with its
//! files, live for staff; mail to the support address opens a ticket;
//! forged, mismatched, automatic and unknown mail is dropped and audited.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use std::time::Duration;

use anyhow::Context as _;
use portal_e2e::smtp::{Outgoing, Received, SmtpSink, free_port, mailing_through, send};
use portal_e2e::{Session, TestServer, demo, require_tool};
use portal_proto::pb;
use tokio_stream::StreamExt as _;

const SUPPORT: &str = "desk@keystone.example";

/// A demo server mailing through a sink of its own and taking mail in,
/// with the sink and the address it takes mail on.
async fn server() -> anyhow::Result<(SmtpSink, TestServer, String)> {
    let sink = SmtpSink::start(free_port()?, "").await?;
    let mut flags = mailing_through(sink.port);
    flags.extend(["--mail-listen".into(), "127.0.0.1:0".into()]);
    let server =
        TestServer::demo_with(&flags.iter().map(String::as_str).collect::<Vec<_>>()).await?;
    let smtp = server.mail_in.clone().context("no mail-in address")?;
    Ok((sink, server, smtp))
}

async fn raise(s: &Session, title: &str) -> anyhow::Result<i64> {
    Ok(s.tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: title.into(),
            description: "Details to follow.".into(),
            service_type_id: s.service_type("Other").await?.id,
            ..Default::default()
        })
        .await?
        .into_inner()
        .number)
}

async fn detail(s: &Session, number: i64) -> anyhow::Result<pb::TicketDetail> {
    Ok(s.tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await?
        .into_inner())
}

/// The message to `to` among `got`.
fn to<'a>(got: &'a [Received], to: &str) -> anyhow::Result<&'a Received> {
    got.iter()
        .rev()
        .find(|m| m.rcpt_tos.iter().any(|r| r == to))
        .with_context(|| format!("no mail to {to} in {got:?}"))
}

async fn audit_drops(s: &Session) -> anyhow::Result<Vec<pb::AuditEntry>> {
    Ok(s.staff()
        .list_audit_log(pb::ListAuditLogRequest {
            action: "mail.dropped".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .entries)
}

#[tokio::test]
#[cfg_attr(
    missing_aiosmtpd,
    ignore = "aiosmtpd is not installed (under CI=true this test runs and fails)"
)]
async fn a_reply_by_mail_becomes_the_contacts_post_with_its_files() -> anyhow::Result<()> {
    require_tool("aiosmtpd");
    let (sink, server, smtp) = server().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let dina = server.as_demo(demo::DISPATCHER).await?;
    let number = raise(&uma, "Label printer jams").await?;
    dina.post(
        number,
        pb::PostKind::Discussion,
        "Does it jam on every label?",
    )
    .await?;
    // The confirmation to Uma and Mark, then the reply to both.
    let got = sink.wait_for(4).await?;
    let mail = to(&got[2..], demo::CLIENT_USER)?;
    let reply_to = mail.reply_address().to_owned();
    assert!(
        reply_to.starts_with(&format!("desk+{number}.")) && reply_to.ends_with("@keystone.example"),
        "{reply_to}"
    );
    assert!(
        mail.body.starts_with("## Reply above this line"),
        "{}",
        mail.body
    );
    assert_ne!(
        to(&got[2..], demo::CLIENT_MANAGER)?.reply_address(),
        reply_to,
        "each contact has a reply address of their own"
    );

    let mut live = dina
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    let answer = Outgoing {
        from: format!("Uma User <{}>", demo::CLIENT_USER),
        to: reply_to.clone(),
        subject: format!("Re: {}", mail.subject),
        body: format!(
            "Only on the wide labels.\n\nOn Tue, 1 Dec 2026, Keystone Desk wrote:\n> {}",
            mail.body.lines().take(3).collect::<Vec<_>>().join("\n> ")
        ),
        headers: vec![("In-Reply-To".into(), mail.message_id.clone())],
        files: vec![("jam.jpg".into(), vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])],
        ..Outgoing::default()
    };
    assert_eq!(send(&smtp, &answer).await?, 250);
    let event = loop {
        let e = tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .context("no live event for the reply")?
            .context("stream ended")??;
        if e.kind == pb::EventKind::PostAdded as i32 {
            break e;
        }
    };
    assert_eq!(event.ticket_number, number);
    assert!(event.summary.contains("by e-mail"), "{}", event.summary);

    let d = detail(&dina, number).await?;
    let post = d
        .timeline
        .iter()
        .find(|e| e.body == "Only on the wide labels.")
        .with_context(|| format!("no post in {:?}", d.timeline))?;
    assert_eq!(post.author_name, "Uma Vasquez-Orr");
    assert!(!post.author_is_staff);
    let file = d
        .attachments
        .iter()
        .find(|a| a.file_name == "jam.jpg")
        .context("no attachment")?;
    assert_eq!(
        (file.size, file.uploaded_by.as_str()),
        (7, "Uma Vasquez-Orr")
    );

    // The same message delivered again (a sending server retrying) is
    // taken, but posted once.
    let mut again = answer.clone();
    again
        .headers
        .push(("Message-ID".into(), "<same@client.example>".into()));
    assert_eq!(send(&smtp, &again).await?, 250);
    assert_eq!(send(&smtp, &again).await?, 250);
    let d = detail(&dina, number).await?;
    let posts = d
        .timeline
        .iter()
        .filter(|e| e.body == "Only on the wide labels.")
        .count();
    assert_eq!(posts, 2, "the first answer and the resent one, once");

    // A reply sent to the support address instead of the reply address is
    // still recognised by the Message-ID it answers.
    let to_desk = Outgoing {
        to: SUPPORT.into(),
        body: "Also the narrow ones, since today.".into(),
        files: Vec::new(),
        ..answer.clone()
    };
    assert_eq!(send(&smtp, &to_desk).await?, 250);
    let d = detail(&uma, number).await?;
    assert!(
        d.timeline
            .iter()
            .any(|e| e.body == "Also the narrow ones, since today."),
        "{:?}",
        d.timeline
    );
    Ok(())
}

#[tokio::test]
#[cfg_attr(
    missing_aiosmtpd,
    ignore = "aiosmtpd is not installed (under CI=true this test runs and fails)"
)]
async fn mail_to_the_support_address_from_a_contact_opens_a_ticket() -> anyhow::Result<()> {
    require_tool("aiosmtpd");
    let (sink, server, smtp) = server().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let me_id = uma
        .accounts()
        .get_my_profile(pb::Empty {})
        .await?
        .into_inner()
        .contact
        .context("no contact")?
        .id;
    let new = Outgoing {
        from: demo::CLIENT_USER.into(),
        to: SUPPORT.into(),
        subject: "Projector in room 4 shows no picture".into(),
        body: "Since this morning.\n\n-- \nUma User\nHarbor Logistics".into(),
        files: vec![("cable.txt".into(), b"HDMI".to_vec())],
        ..Outgoing::default()
    };
    assert_eq!(send(&smtp, &new).await?, 250);
    let list = uma
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            text: "projector".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .tickets;
    let ticket = list
        .iter()
        .find(|t| t.title == "Projector in room 4 shows no picture")
        .with_context(|| format!("no ticket in {list:?}"))?;
    let d = detail(&uma, ticket.number).await?;
    let t = d.ticket.context("no ticket")?;
    assert_eq!(t.description, "Since this morning.", "the signature is cut");
    assert_eq!(t.contact_id, me_id);
    assert_eq!(d.attachments.len(), 1);
    // Confirmed by mail like any new ticket, with a reply address.
    let got = sink.wait_for(1).await?;
    let confirmation = to(&got, demo::CLIENT_USER)?;
    assert!(confirmation.subject.contains("Projector in room 4"));
    assert!(
        confirmation
            .reply_address()
            .starts_with(&format!("desk+{}.", t.number))
    );
    Ok(())
}

#[tokio::test]
#[cfg_attr(
    missing_aiosmtpd,
    ignore = "aiosmtpd is not installed (under CI=true this test runs and fails)"
)]
async fn forged_mismatched_automatic_and_unknown_mail_is_dropped_and_audited() -> anyhow::Result<()>
{
    require_tool("aiosmtpd");
    let (sink, server, smtp) = server().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let dina = server.as_demo(demo::DISPATCHER).await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let number = raise(&uma, "VPN drops").await?;
    dina.post(number, pb::PostKind::Discussion, "Which client version?")
        .await?;
    let got = sink.wait_for(4).await?;
    let reply_to = to(&got[2..], demo::CLIENT_USER)?.reply_address().to_owned();
    let (token, _) = reply_to
        .strip_prefix("desk+")
        .and_then(|t| t.split_once('@'))
        .context("reply address")?;
    let mac = token.rsplit('.').next().context("mac")?;
    let before = detail(&dina, number).await?.timeline.len();

    let base = Outgoing {
        from: demo::CLIENT_USER.into(),
        to: reply_to.clone(),
        subject: "Re: VPN drops".into(),
        body: "Version 5.1".into(),
        ..Outgoing::default()
    };
    let cases: Vec<(Outgoing, &str)> = vec![
        (
            // Another company's contact answering with Uma's address.
            Outgoing {
                from: demo::OTHER_USER.into(),
                ..base.clone()
            },
            "the sender is not the contact",
        ),
        (
            // Uma's MAC on another ticket number.
            Outgoing {
                to: format!("desk+{}.{}@keystone.example", number - 1, mac),
                ..base.clone()
            },
            "a reply address the server did not make",
        ),
        (
            Outgoing {
                headers: vec![("Auto-Submitted".into(), "auto-replied".into())],
                ..base.clone()
            },
            "sent automatically",
        ),
        (
            Outgoing {
                envelope_from: Some(String::new()),
                ..base.clone()
            },
            "a bounce",
        ),
        (
            Outgoing {
                from: "stranger@elsewhere.example".into(),
                to: SUPPORT.into(),
                ..base.clone()
            },
            "unknown sender",
        ),
        (
            Outgoing {
                from: SUPPORT.into(),
                to: SUPPORT.into(),
                ..base.clone()
            },
            "sent by ourselves",
        ),
    ];
    for (mail, _) in &cases {
        assert_eq!(send(&smtp, mail).await?, 250, "dropped quietly: {mail:?}");
    }
    let unknown_box = Outgoing {
        to: "sales@keystone.example".into(),
        ..base.clone()
    };
    assert_eq!(send(&smtp, &unknown_box).await?, 550);

    assert_eq!(
        detail(&dina, number).await?.timeline.len(),
        before,
        "nothing was posted"
    );
    let drops = audit_drops(&paula).await?;
    for (mail, reason) in &cases {
        assert!(
            drops
                .iter()
                .any(|e| e.detail.starts_with(reason) && e.actor == mail.from),
            "no drop for {reason:?} in {drops:?}"
        );
    }
    // Nothing was opened either: Uma's company has no new ticket.
    let open = uma
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            text: "VPN".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .tickets;
    assert_eq!(open.len(), 1, "{open:?}");
    Ok(())
}

/// With a certificate the listener offers STARTTLS: a mail program that
/// insists on it (trusting only that certificate) delivers over TLS, and
/// lines sent ahead of the handshake end the connection instead of being
/// taken as sent over TLS.
#[tokio::test]
#[cfg_attr(
    missing_aiosmtpd,
    ignore = "aiosmtpd is not installed (under CI=true this test runs and fails)"
)]
async fn mail_in_offers_starttls_with_the_servers_certificate() -> anyhow::Result<()> {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

    require_tool("aiosmtpd");
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])?;
    let dir = tempfile::tempdir()?;
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem())?;
    std::fs::write(&key_path, cert.signing_key.serialize_pem())?;
    let sink = SmtpSink::start(free_port()?, "").await?;
    let mut flags = mailing_through(sink.port);
    flags.extend(["--mail-listen".into(), "127.0.0.1:0".into()]);
    flags.extend(["--tls-cert".into(), cert_path.display().to_string()]);
    flags.extend(["--tls-key".into(), key_path.display().to_string()]);
    let server =
        TestServer::demo_with(&flags.iter().map(String::as_str).collect::<Vec<_>>()).await?;
    let smtp = server.mail_in.clone().context("no mail-in address")?;

    let title = "Scanner on the front desk is offline";
    let code = send(
        &smtp,
        &Outgoing {
            from: demo::CLIENT_USER.into(),
            to: SUPPORT.into(),
            subject: title.into(),
            body: "It shows a red light.".into(),
            starttls_ca: Some(cert_path.clone()),
            ..Outgoing::default()
        },
    )
    .await?;
    assert_eq!(code, 250);
    let opened: i64 = rusqlite::Connection::open(&server.db)?.query_row(
        "SELECT count(*) FROM tickets WHERE title = ?1",
        [title],
        |r| r.get(0),
    )?;
    assert_eq!(opened, 1);

    // STARTTLS with a command behind it in the same packet: the go-ahead,
    // then the connection ends; nothing is read as sent over TLS.
    let mut conn = BufReader::new(tokio::net::TcpStream::connect(&smtp).await?);
    let mut line = String::new();
    conn.read_line(&mut line).await?;
    assert!(line.starts_with("220"), "{line}");
    conn.write_all(b"EHLO client.example\r\n").await?;
    let mut offered = Vec::new();
    loop {
        line.clear();
        conn.read_line(&mut line).await?;
        offered.push(line.clone());
        if line.starts_with("250 ") || line.is_empty() {
            break;
        }
    }
    assert!(
        offered.iter().any(|l| l.contains("STARTTLS")),
        "{offered:?}"
    );
    conn.write_all(b"STARTTLS\r\nMAIL FROM:<a@b.example>\r\n")
        .await?;
    line.clear();
    conn.read_line(&mut line).await?;
    assert!(line.starts_with("220"), "{line}");
    line.clear();
    let rest = tokio::time::timeout(Duration::from_secs(10), conn.read_line(&mut line)).await??;
    assert_eq!(rest, 0, "the connection ends, not {line:?}");
    Ok(())
}
