//! Replication with Litestream (docs/RELIABILITY.md, "Replication"), with
//! the config shipped in deploy/litestream.yml: replicate under write load
//! (past SQLite's automatic checkpoint, so the server's checkpoints run
//! beside Litestream's), destroy the store, `litestream restore`, serve the
//! restored store, and find every ticket acknowledged before the last
//! replicated position.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use portal_e2e::{Session, TestServer, demo, require_tool};
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use portal_server::store::backup;
use tokio::process::{Child, Command};

fn config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/litestream.yml")
}

/// `litestream SUBCOMMAND ARGS` with the shipped config and its variables.
fn litestream(db: &Path, replica: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("litestream");
    cmd.arg(args[0])
        .arg("-config")
        .arg(config())
        .args(&args[1..])
        .env("PORTAL_DB", db)
        .env("PORTAL_REPLICA", replica)
        .kill_on_drop(true);
    cmd
}

/// Restores the replica into `out` and returns the ticket titles there.
async fn restore(db: &Path, replica: &Path, out: &Path) -> anyhow::Result<HashSet<String>> {
    let _ = std::fs::remove_file(out);
    let done = litestream(db, replica, &["restore", "-o"])
        .arg(out)
        .arg(db)
        .output()
        .await?;
    anyhow::ensure!(
        done.status.success(),
        "litestream restore: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let conn = rusqlite::Connection::open(out)?;
    let mut stmt = conn.prepare("SELECT title FROM tickets")?;
    let titles = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(titles)
}

/// Writers creating tickets (each with a 64 KiB attachment every tenth, so
/// the WAL passes SQLite's checkpoint threshold) until `stop`.
fn write_load(
    session: &Session,
    service_type: i64,
    stop: &Arc<AtomicBool>,
) -> (
    Vec<tokio::task::JoinHandle<()>>,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let writers = (0..8)
        .map(|w| {
            let (session, tx, stop) = (session.clone(), tx.clone(), Arc::clone(stop));
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let title = format!("replicated {w}-{i}");
                    i += 1;
                    let Ok(t) = session
                        .tickets()
                        .create_ticket(pb::CreateTicketRequest {
                            title: title.clone(),
                            description: "under replication".into(),
                            service_type_id: service_type,
                            ..Default::default()
                        })
                        .await
                    else {
                        break; // the server is gone
                    };
                    let _ = tx.send(title);
                    if i % 10 == 0 {
                        let parts = vec![
                            pb::UploadAttachmentRequest {
                                part: Some(Part::Meta(pb::AttachmentMeta {
                                    number: t.into_inner().number,
                                    title: "load".into(),
                                    file_name: "load.bin".into(),
                                    content_type: String::new(),
                                })),
                            },
                            pb::UploadAttachmentRequest {
                                part: Some(Part::Data(
                                    (0..65_536u32).map(|n| (n ^ i ^ w) as u8).collect(),
                                )),
                            },
                        ];
                        if session
                            .tickets()
                            .upload_attachment(tokio_stream::iter(parts))
                            .await
                            .is_err()
                        {
                            break;
                        }
                    }
                }
            })
        })
        .collect();
    (writers, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    missing_litestream,
    ignore = "litestream is not installed (under CI=true this test runs and fails)"
)]
async fn a_litestream_replica_restores_every_ticket_acknowledged_before_its_last_position()
-> anyhow::Result<()> {
    require_tool("litestream");
    let mut server = TestServer::demo().await?;
    let dir = tempfile::tempdir()?;
    let replica = dir.path().join("replica");
    let mut replicating: Child = litestream(&server.db, &replica, &["replicate"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;

    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let other = uma.service_type("Other").await?.id;
    let stop = Arc::new(AtomicBool::new(false));
    let (writers, mut acked) = write_load(&uma, other, &stop);
    let mut before = Vec::new();
    while before.len() < 600 {
        before.push(acked.recv().await.expect("writers run"));
    }
    // A fence: once the replica holds it, it holds all acknowledged before.
    let fence = "replication fence".to_owned();
    uma.tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: fence.clone(),
            description: "the last position waited for".into(),
            service_type_id: other,
            ..Default::default()
        })
        .await?;
    while let Ok(title) = acked.try_recv() {
        before.push(title);
    }
    let probe = dir.path().join("probe.db");
    let mut probes = 0;
    while !restore(&server.db, &replica, &probe)
        .await
        .is_ok_and(|titles| titles.contains(&fence))
    {
        probes += 1;
        anyhow::ensure!(probes < 240, "the fence never reached the replica");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let wal_pages = std::fs::metadata(format!("{}-wal", server.db.display()))?.len() / 4096;

    // The machine is lost while writes go on: server, Litestream and store.
    server.kill().await?;
    replicating.start_kill()?;
    replicating.wait().await?;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await?;
    }
    let mut after_fence = 0;
    while acked.recv().await.is_some() {
        after_fence += 1;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", server.db.display()));
    }

    let restored = dir.path().join("restored.db");
    let titles = restore(&server.db, &replica, &restored).await?;
    let missing: Vec<_> = before.iter().filter(|t| !titles.contains(*t)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} tickets acknowledged before the fence are not in the replica: {missing:?}",
        missing.len(),
        before.len()
    );
    assert!(titles.contains(&fence));
    backup::check(&restored)?;
    println!(
        "{} tickets acknowledged before the fence, all restored; {after_fence} acknowledged \
         after it, of which {} reached the replica; WAL at {wal_pages} pages",
        before.len(),
        titles
            .iter()
            .filter(|t| t.starts_with("replicated "))
            .count()
            - before.len()
    );

    // Serve the restored store.
    let mut from_replica = TestServer::over(&restored, &[]).await?;
    let paula = from_replica.as_demo(demo::PROVIDER_ADMIN).await?;
    let found = paula
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            text: "fence".into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(found.tickets.iter().any(|t| t.title == fence));
    from_replica.kill().await?;
    Ok(())
}
