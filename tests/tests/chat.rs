//! Chat on a ticket against the real server (docs/TICKETS.md, "Chat"): a
//! client opens one from Home (no type named: the default), its messages
//! are posts that reach staff live and make the chat wait; staff find the
//! waiting chats with the Triage filter and any public post of theirs
//! answers it; closing ends the wait; another company sees none of it.

use std::time::Duration;

use anyhow::Context as _;
use portal_e2e::{Session, TestServer, demo, expect_code};
use portal_proto::pb;
use tokio_stream::StreamExt as _;
use tonic::Code;

async fn waiting(s: &Session) -> anyhow::Result<Vec<pb::Ticket>> {
    Ok(s.tickets()
        .list_tickets(pb::ListTicketsRequest {
            chat_waiting: true,
            ..Default::default()
        })
        .await?
        .into_inner()
        .tickets)
}

async fn chat(s: &Session, number: i64, body: &str) -> Result<(), tonic::Status> {
    s.tickets()
        .add_post(pb::AddPostRequest {
            number,
            kind: pb::PostKind::Discussion.into(),
            body: body.into(),
            chat: true,
        })
        .await
        .map(drop)
}

#[tokio::test]
async fn a_chat_waits_for_staff_reaches_them_live_and_is_kept_as_posts() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let dina = server.as_demo(demo::DISPATCHER).await?;
    let una = server.as_demo(demo::OTHER_USER).await?;
    let before = waiting(&dina).await?.len();

    // "Chat with us" from Home: no service type named.
    let opened = uma
        .tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Chat: my screen flickers".into(),
            description: "My screen flickers since the update.".into(),
            chat: true,
            ..Default::default()
        })
        .await?
        .into_inner();
    let number = opened.number;
    assert_eq!(opened.service_type_name, "Other");
    assert!(opened.chat_waiting_since.is_some());
    let list = waiting(&dina).await?;
    assert_eq!(list.len(), before + 1);
    assert!(list.iter().any(|t| t.number == number));
    assert!(
        waiting(&una).await?.iter().all(|t| t.number != number),
        "another company never sees it"
    );

    // Staff's answer reaches the client live and ends the wait.
    let mut uma_live = uma
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    chat(&dina, number, "Which monitor model?").await?;
    let e = tokio::time::timeout(Duration::from_secs(10), uma_live.next())
        .await
        .context("no live event")?
        .context("stream ended")??;
    assert_eq!(
        (e.kind, e.ticket_number),
        (pb::EventKind::PostAdded as i32, number)
    );
    assert!(e.summary.contains("chat message"), "{}", e.summary);
    assert!(waiting(&dina).await?.iter().all(|t| t.number != number));

    // The client's next message waits again, from its own time on.
    let mut dina_live = dina
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    chat(&uma, number, "A Dell P2419H.").await?;
    let e = tokio::time::timeout(Duration::from_secs(10), dina_live.next())
        .await
        .context("no live event")?
        .context("stream ended")??;
    assert_eq!(e.ticket_number, number);
    let since = waiting(&dina)
        .await?
        .into_iter()
        .find(|t| t.number == number)
        .context("waiting again")?
        .chat_waiting_since;
    chat(&uma, number, "It is the left one.").await?;
    let still = waiting(&dina)
        .await?
        .into_iter()
        .find(|t| t.number == number)
        .context("still waiting")?
        .chat_waiting_since;
    assert_eq!(since, still, "a second message does not move the wait");

    // Another company cannot join in.
    expect_code(chat(&una, number, "hello?").await, Code::NotFound);

    // Kept as the ticket's posts.
    let detail = uma
        .tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await?
        .into_inner();
    let bodies: Vec<&str> = detail
        .timeline
        .iter()
        .rev()
        .filter(|e| e.kind == pb::TimelineKind::Discussion as i32)
        .map(|e| e.body.as_str())
        .collect();
    assert_eq!(
        bodies,
        [
            "Which monitor model?",
            "A Dell P2419H.",
            "It is the left one."
        ]
    );

    // The client cancelling the ticket ends the wait.
    uma.tickets()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: pb::TicketStatus::Cancelled.into(),
            note: String::new(),
        })
        .await?;
    assert!(waiting(&dina).await?.iter().all(|t| t.number != number));
    Ok(())
}

#[tokio::test]
async fn a_staff_chat_post_does_not_wait_and_a_form_still_needs_its_type() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let dina = server.as_demo(demo::DISPATCHER).await?;
    let status = expect_code(
        uma.tickets()
            .create_ticket(pb::CreateTicketRequest {
                title: "No type".into(),
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
    );
    assert!(
        status.message().starts_with("service_type_id:"),
        "{}",
        status.message()
    );
    let number = uma
        .tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Printer".into(),
            service_type_id: uma.service_type("Other").await?.id,
            ..Default::default()
        })
        .await?
        .into_inner()
        .number;
    chat(&dina, number, "I can help here.").await?;
    assert!(waiting(&dina).await?.iter().all(|t| t.number != number));
    Ok(())
}
