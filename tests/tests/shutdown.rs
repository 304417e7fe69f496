//! SIGTERM stops the real server while clients hold live-update streams
//! and writes are under way (docs/CONFIG.md, "Stopping"): health says
//! NOT_SERVING, the streams end with UNAVAILABLE, the process exits 0, and
//! every acknowledged write is in the store afterwards.

use std::time::Duration;

use portal_e2e::{Session, TestServer, demo};
use portal_proto::pb;
use tokio_stream::StreamExt;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

/// Long enough for any machine; the grace period is far shorter.
const EXIT_LIMIT: Duration = Duration::from_mins(1);

/// Posts on ticket `number` until the server stops taking calls; returns the
/// bodies of the posts it acknowledged.
async fn keep_posting(session: Session, number: i64, writer: usize) -> Vec<String> {
    let mut acknowledged = Vec::new();
    for i in 0.. {
        let body = format!("shutdown check {writer}-{i}");
        let posted = session
            .tickets()
            .add_post(pb::AddPostRequest {
                number,
                kind: pb::PostKind::InternalNote.into(),
                body: body.clone(),
                chat: false,
            })
            .await;
        // Refused or cut once the server stops taking calls.
        if posted.is_err() {
            break;
        }
        acknowledged.push(body);
    }
    acknowledged
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_ends_streams_finishes_writes_and_exits_zero() -> anyhow::Result<()> {
    let mut server =
        TestServer::demo_with(&["--shutdown-grace-seconds", "5", "--readers", "2"]).await?;
    let db = server.db.clone();

    // Clients holding live-update streams, as the terminal client does.
    let mut streams = Vec::new();
    for who in [demo::CLIENT_ADMIN, demo::TECHNICIAN, demo::DISPATCHER] {
        let session = server.as_demo(who).await?;
        streams.push(
            session
                .events()
                .subscribe(pb::SubscribeRequest::default())
                .await?
                .into_inner(),
        );
    }
    let mut health = HealthClient::new(server.channel().await?)
        .watch(HealthCheckRequest::default())
        .await?
        .into_inner();
    let first = health.next().await.transpose()?.map(|r| r.status);
    assert_eq!(first, Some(ServingStatus::Serving.into()));

    // Writers busy on an open ticket.
    let tom = server.as_demo(demo::TECHNICIAN).await?;
    let open = tom
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            status: pb::TicketStatus::InProgress.into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .tickets
        .into_iter()
        .next()
        .expect("the demo has a ticket in progress");
    let writers: Vec<_> = (0..4)
        .map(|w| tokio::spawn(keep_posting(tom.clone(), open.number, w)))
        .collect();
    // Let every writer get some writes acknowledged.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let exit = server.terminate(EXIT_LIMIT);
    let watched = async {
        let mut last = None;
        while let Some(Ok(reply)) = health.next().await {
            last = Some(reply.status);
            if last == Some(ServingStatus::NotServing.into()) {
                break;
            }
        }
        drop(health);
        last
    };
    let (exit, health_said) = tokio::join!(exit, watched);
    let exit = exit?;
    assert!(exit.success(), "the server ended with {exit}");
    assert_eq!(health_said, Some(ServingStatus::NotServing.into()));

    for mut stream in streams {
        let ended = loop {
            match stream.next().await {
                Some(Ok(_)) => {}
                Some(Err(status)) => break status,
                None => panic!("a stream ended without a status"),
            }
        };
        assert_eq!(ended.code(), tonic::Code::Unavailable, "{ended:?}");
        assert_eq!(ended.message(), "the server is shutting down");
    }

    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await?);
    }
    assert!(!acknowledged.is_empty(), "no write was acknowledged");
    let conn = rusqlite::Connection::open(&db)?;
    for body in &acknowledged {
        let found: i64 = conn.query_row(
            "SELECT count(*) FROM timeline WHERE body = ?1",
            [body],
            |row| row.get(0),
        )?;
        assert_eq!(found, 1, "acknowledged write {body:?} is not in the store");
    }
    Ok(())
}
