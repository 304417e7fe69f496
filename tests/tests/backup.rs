//! Backup and restore (docs/RELIABILITY.md): a backup taken while 64
//! clients write is whole and holds every ticket acknowledged before it
//! began; the restore drill (back up, destroy, restore, serve) brings back
//! every ticket and attachment byte for byte; `restore` refuses a store a
//! server holds, a damaged copy and a newer schema.

use std::collections::HashSet;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, bin, demo};
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use portal_server::store::backup;
use sha2::{Digest, Sha256};
use tokio_stream::StreamExt;

/// Runs `portal-server ARGS` to its end.
async fn portal_server(args: &[&Path]) -> anyhow::Result<Output> {
    Ok(tokio::process::Command::new(bin("portal-server"))
        .args(args)
        .output()
        .await?)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The titles of the tickets in the store at `db` that start with `prefix`.
fn titles(db: &Path, prefix: &str) -> anyhow::Result<HashSet<String>> {
    let conn = rusqlite::Connection::open(db)?;
    let mut stmt = conn.prepare("SELECT title FROM tickets WHERE title LIKE ?1 || '%'")?;
    let rows = stmt.query_map([prefix], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_64_clients_write_holds_every_ticket_acknowledged_before_it()
-> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let other = server
        .as_demo(demo::CLIENT_USER)
        .await?
        .service_type("Other")
        .await?
        .id;
    let mut tokens = Vec::new();
    for email in [
        demo::CLIENT_USER,
        demo::CLIENT_ADMIN,
        demo::OTHER_USER,
        demo::OTHER_ADMIN,
    ] {
        tokens.push(server.login(email, DEMO_PASSWORD).await?.token);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut writers = Vec::new();
    for w in 0..64 {
        // One connection per client.
        let session = Session::new(server.channel().await?, &tokens[w % tokens.len()])?;
        let (tx, stop) = (tx.clone(), Arc::clone(&stop));
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let title = format!("backup-load {w}-{i}");
                i += 1;
                let created = session
                    .tickets()
                    .create_ticket(pb::CreateTicketRequest {
                        title: title.clone(),
                        description: "written during a backup".into(),
                        // Alderfinch requires one.
                        po_number: "PO-1".into(),
                        service_type_id: other,
                        ..Default::default()
                    })
                    .await;
                created.expect("every create succeeds");
                let _ = tx.send(title);
            }
        }));
    }
    drop(tx);

    let mut before = Vec::new();
    while before.len() < 200 {
        before.push(rx.recv().await.expect("writers run"));
    }
    while let Ok(title) = rx.try_recv() {
        before.push(title);
    }
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("copy.db");
    let out = portal_server(&[
        Path::new("backup"),
        Path::new("--db"),
        &server.db,
        Path::new("--to"),
        &copy,
    ])
    .await?;
    assert!(out.status.success(), "backup failed: {}", stderr(&out));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await?;
    }
    let mut after = 0;
    while rx.recv().await.is_some() {
        after += 1;
    }
    assert!(after > 0, "the writers went on during and after the backup");

    let facts = backup::check(&copy)?;
    let in_copy = titles(&copy, "backup-load ")?;
    let missing: Vec<_> = before.iter().filter(|t| !in_copy.contains(*t)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} tickets acknowledged before the backup are not in it: {missing:?}",
        missing.len(),
        before.len()
    );
    assert!(facts.tickets >= i64::try_from(before.len())?);
    Ok(())
}

/// An upload of `data` to ticket `number` as `file_name`.
async fn upload(
    session: &Session,
    number: i64,
    file_name: &str,
    data: &[u8],
) -> anyhow::Result<pb::Attachment> {
    let mut parts = vec![pb::UploadAttachmentRequest {
        part: Some(Part::Meta(pb::AttachmentMeta {
            number,
            title: file_name.into(),
            file_name: file_name.into(),
            content_type: String::new(),
        })),
    }];
    parts.extend(data.chunks(64 * 1024).map(|c| pb::UploadAttachmentRequest {
        part: Some(Part::Data(c.to_vec())),
    }));
    Ok(session
        .tickets()
        .upload_attachment(tokio_stream::iter(parts))
        .await?
        .into_inner())
}

/// The SHA-256 (hex) of attachment `id`'s bytes as the server sends them.
async fn download_sha256(session: &Session, attachment_id: i64) -> anyhow::Result<String> {
    let mut stream = session
        .tickets()
        .download_attachment(pb::DownloadAttachmentRequest { attachment_id })
        .await?
        .into_inner();
    let mut hash = Sha256::new();
    while let Some(piece) = stream.next().await {
        hash.update(piece?.data);
    }
    Ok(hex::encode(hash.finalize()))
}

/// Every ticket number, and every attachment's id and SHA-256, in a store.
type Inventory = (Vec<i64>, Vec<(i64, String)>);

fn inventory(db: &Path) -> anyhow::Result<Inventory> {
    let conn = rusqlite::Connection::open(db)?;
    let tickets = conn
        .prepare("SELECT id FROM tickets ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let attachments = conn
        .prepare("SELECT id, sha256 FROM attachments ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((tickets, attachments))
}

/// The drill of docs/RELIABILITY.md: back up, destroy, restore, serve.
#[tokio::test]
async fn the_restore_drill_brings_back_every_ticket_and_attachment_intact() -> anyhow::Result<()> {
    let mut server = TestServer::demo().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let other = uma.service_type("Other").await?.id;
    let mut uploaded = Vec::new();
    for i in 0..3u8 {
        let ticket = uma
            .tickets()
            .create_ticket(pb::CreateTicketRequest {
                title: format!("drill {i}"),
                description: "with a file".into(),
                service_type_id: other,
                ..Default::default()
            })
            .await?
            .into_inner();
        // Distinct bytes per file, past one upload piece.
        let data: Vec<u8> = (0..200_000u32)
            .map(|n| (n.wrapping_mul(31) as u8) ^ i)
            .collect();
        let sent = upload(&uma, ticket.number, &format!("drill-{i}.bin"), &data).await?;
        assert_eq!(sent.sha256, hex::encode(Sha256::digest(&data)));
        uploaded.push(sent.id);
    }
    let (tickets, attachments) = inventory(&server.db)?;
    assert!(
        uploaded
            .iter()
            .all(|id| attachments.iter().any(|(a, _)| a == id))
    );

    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("portal-backup.db");
    let out = portal_server(&[
        Path::new("backup"),
        Path::new("--db"),
        &server.db,
        Path::new("--to"),
        &copy,
    ])
    .await?;
    assert!(out.status.success(), "backup failed: {}", stderr(&out));

    // Destroy: the server dies and its store, WAL and all, is gone.
    server.kill().await?;
    for suffix in ["", "-wal", "-shm"] {
        let mut path = server.db.clone().into_os_string();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }
    let out = portal_server(&[
        Path::new("restore"),
        Path::new("--from"),
        &copy,
        Path::new("--db"),
        &server.db,
    ])
    .await?;
    assert!(out.status.success(), "restore failed: {}", stderr(&out));

    server.start().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    for &number in &tickets {
        let detail = paula
            .tickets()
            .get_ticket(pb::GetTicketRequest { number })
            .await?
            .into_inner();
        assert_eq!(detail.ticket.map(|t| t.number), Some(number));
    }
    for (id, sha256) in &attachments {
        assert_eq!(
            &download_sha256(&paula, *id).await?,
            sha256,
            "attachment {id}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn restore_refuses_a_store_in_use_a_damaged_copy_and_a_newer_schema() -> anyhow::Result<()> {
    let mut server = TestServer::demo().await?;
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("copy.db");
    let out = portal_server(&[
        Path::new("backup"),
        Path::new("--db"),
        &server.db,
        Path::new("--to"),
        &copy,
    ])
    .await?;
    assert!(out.status.success(), "backup failed: {}", stderr(&out));
    let db = server.db.clone();
    let restore = |from: &Path| {
        let from = from.to_path_buf();
        let db = db.clone();
        async move {
            portal_server(&[
                Path::new("restore"),
                Path::new("--from"),
                &from,
                Path::new("--db"),
                &db,
            ])
            .await
        }
    };

    let refused = restore(&copy).await?;
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("in use"), "{}", stderr(&refused));
    // Nor does a second server start on it.
    let second = tokio::process::Command::new(bin("portal-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&server.db)
        .output()
        .await?;
    assert!(!second.status.success());
    assert!(stderr(&second).contains("in use"), "{}", stderr(&second));

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x5a; 64 * 1024])?;
    let newer = dir.path().join("newer.db");
    std::fs::copy(&copy, &newer)?;
    rusqlite::Connection::open(&newer)?.pragma_update(None, "user_version", 999)?;
    let live = inventory(&server.db)?;
    server.kill().await?;
    for (from, says) in [(&junk, "not a database"), (&newer, "schema version 999")] {
        let out = restore(from).await?;
        assert!(!out.status.success(), "{} was restored", from.display());
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        assert_eq!(inventory(&server.db)?, live, "the store is unchanged");
    }

    // Once the server is gone (even killed), the lock is free.
    let out = restore(&copy).await?;
    assert!(out.status.success(), "restore failed: {}", stderr(&out));
    server.start().await?;
    server.as_demo(demo::CLIENT_USER).await?;
    Ok(())
}

/// The finished scheduled backups in `dir`, oldest first.
fn scheduled_in(dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut found: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    found.sort();
    Ok(found)
}

#[tokio::test]
async fn scheduled_backups_are_checked_rotated_and_shown_to_the_provider_admin()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let backups = dir.path().join("backups");
    let backups_arg = backups.to_string_lossy().into_owned();
    // Every 1.8 s, keeping 2.
    let mut server = TestServer::demo_with(&[
        "--backup-dir",
        &backups_arg,
        "--backup-every-hours",
        "0.0005",
        "--backup-keep",
        "2",
    ])
    .await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let status = || async {
        anyhow::Ok(
            paula
                .staff()
                .get_backup_status(pb::Empty {})
                .await?
                .into_inner(),
        )
    };
    let first = status().await?;
    assert!(first.scheduled);
    assert_eq!(first.directory, backups_arg);
    assert_eq!(first.keep, 2);

    // Wait for four different backups to be reported.
    let mut seen = HashSet::new();
    for _ in 0..600 {
        if let Some(at) = status().await?.last_backup_at {
            seen.insert((at.seconds, at.nanos));
        }
        if seen.len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen.len() >= 4, "backups reported: {seen:?}");
    let kept = scheduled_in(&backups)?;
    assert!(
        kept.len() <= 2 && !kept.is_empty(),
        "kept: {kept:?} (a third may be in progress)"
    );
    for path in &kept {
        if path.extension().is_some_and(|e| e == "db") {
            backup::check(path)?;
        }
    }

    // A restarted server reports a backup at once (the newest it finds, or
    // the one it takes at start).
    server.kill().await?;
    server.start().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let after = paula
        .staff()
        .get_backup_status(pb::Empty {})
        .await?
        .into_inner();
    assert!(after.last_backup_at.is_some());
    Ok(())
}
