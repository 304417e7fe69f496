//! Save and print, and mail: a ticket's PDF export over gRPC, and how fast
//! the mail sender drains a full outbox into a local SMTP server.

use std::path::Path;
use std::time::{Duration, Instant};

use portal_e2e::smtp::{SmtpSink, free_port};
use portal_e2e::{Session, TestServer};
use portal_proto::pb;
use portal_server::domain::mail::{MailKind, OutgoingMail};
use portal_server::store::{Store, StoreOptions, now_ms, outbox};
use tokio_stream::StreamExt;

use super::measure::{Latencies, Summary, Tally};

/// Timeline entries of the exported ticket.
const ENTRIES: usize = 200;
/// Messages queued for the sender.
const MESSAGES: usize = 1000;

/// A ticket with `ENTRIES` timeline entries, then its PDF exported
/// `samples` times, one call after the other.
pub async fn export(
    summary: &mut Summary,
    staff: &Session,
    client: &Session,
    samples: usize,
) -> anyhow::Result<()> {
    let number = client
        .tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Benchmark export".into(),
            description: "A ticket with a long timeline, exported by portal-bench".into(),
            service_type_id: free_type(client).await?,
            po_number: "PO-BENCH".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .number;
    for i in 0..ENTRIES {
        let who = if i % 2 == 0 { staff } else { client };
        who.tickets()
            .add_post(pb::AddPostRequest {
                number,
                kind: pb::PostKind::Discussion.into(),
                body: format!(
                    "Update {i}: checked the switch, the cabling and the printer queue; \
                     the next step follows after lunch."
                ),
                chat: false,
            })
            .await?;
    }
    let mut times = Latencies::default();
    let mut size = 0;
    for _ in 0..samples {
        times
            .time(async {
                let mut stream = client
                    .tickets()
                    .export_ticket(pb::ExportTicketRequest {
                        number,
                        format: pb::ExportFormat::Pdf.into(),
                        document: pb::ExportDocument::Ticket.into(),
                    })
                    .await?
                    .into_inner();
                size = 0;
                while let Some(piece) = stream.next().await {
                    size += piece?.data.len();
                }
                Ok::<_, tonic::Status>(None)
            })
            .await;
    }
    times.report(
        summary,
        &format!(
            "PDF export of a ticket with {ENTRIES} timeline entries, {} KiB (gRPC, 1 client)",
            size / 1024
        ),
    );
    Ok(())
}

async fn free_type(s: &Session) -> anyhow::Result<i64> {
    let types = s
        .tickets()
        .list_service_types(pb::ListServiceTypesRequest::default())
        .await?
        .into_inner();
    Ok(types
        .service_types
        .iter()
        .find(|t| t.fields.iter().all(|f| !f.required))
        .map_or(0, |t| t.id))
}

/// Queues `MESSAGES` messages in the store at `db`, then starts the server
/// with a local SMTP server (Python's aiosmtpd) and times until the last
/// one arrived. Run with no other server over the store.
pub async fn mail(summary: &mut Summary, db: &Path) -> anyhow::Result<()> {
    let store = Store::open(db, &StoreOptions::default())?;
    let now = now_ms();
    store
        .write(move |c| {
            for i in 0..MESSAGES {
                let mail = OutgoingMail {
                    kind: MailKind::StaffReply,
                    recipient: format!("reader{i}@bench.example"),
                    subject: format!("[#{i}] Reply: benchmark"),
                    body: "A reply from the benchmark.\n".repeat(20),
                    ticket_number: None,
                    contact_id: None,
                };
                outbox::enqueue(c, &mail, now)?;
            }
            Ok(())
        })
        .await?;
    drop(store);
    let sink = SmtpSink::start(free_port()?, "").await?;
    let port = sink.port.to_string();
    let start = Instant::now();
    let _server = TestServer::over(
        db,
        &[
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-tls",
            "none",
        ],
    )
    .await?;
    let mut tally = Tally::default();
    let mut received = 0;
    while start.elapsed() < Duration::from_mins(5) {
        received = sink.received()?.len();
        if received >= MESSAGES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    for _ in 0..received {
        tally.record::<String>(Ok(None));
    }
    for _ in received..MESSAGES {
        tally.record(Err("not delivered within 300 s"));
    }
    summary.line(
        &format!("mail sender: {MESSAGES} queued messages to a local SMTP server"),
        &format!(
            "{received} delivered in {elapsed:.1} s, {:.0} a minute",
            received as f64 / elapsed * 60.0
        ),
        &tally,
    );
    Ok(())
}
