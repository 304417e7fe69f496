//! The SLA end to end (docs/TICKETS.md, "SLA"): the clock stopping while a
//! ticket waits on the client, what counts as a response, the next
//! deadline and whose move it is on lists and the detail, the Triage order
//! and its breached filter, and the provider Admin's SLA settings applying
//! to open tickets' deadlines not yet reached. Times are compared with the
//! server's own timestamps only.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code};
use portal_proto::pb;
use tonic::Code;

const MIN: i64 = 60_000;

/// Makes one field of the settings wrong.
type Spoil = fn(&mut pb::SlaSettings);

async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<Session> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    Session::new(server.channel().await?, &login.token)
}

fn ms(t: Option<&prost_types::Timestamp>) -> Option<i64> {
    t.map(|t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000)
}

/// An emergency ticket raised by `s`: priority 1, on the 24×7 clock.
async fn emergency(s: &Session, title: &str) -> anyhow::Result<pb::Ticket> {
    let service_type_id = s.service_type("Other").await?.id;
    Ok(s.tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: title.into(),
            description: "Nobody can work.".into(),
            service_type_id,
            emergency: true,
            ..Default::default()
        })
        .await?
        .into_inner())
}

async fn ticket(s: &Session, number: i64) -> anyhow::Result<pb::Ticket> {
    Ok(s.tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await?
        .into_inner()
        .ticket
        .unwrap_or_default())
}

/// Moves a ticket; returns the time the server recorded for the move.
async fn move_to(
    s: &Session,
    number: i64,
    to: pb::TicketStatus,
    note: &str,
) -> anyhow::Result<i64> {
    let t = s
        .tickets()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: to.into(),
            note: note.into(),
        })
        .await?
        .into_inner();
    ms(t.updated_at.as_ref()).ok_or_else(|| anyhow::anyhow!("no update time"))
}

#[tokio::test]
async fn waiting_on_the_client_stops_the_clock_and_only_staff_respond() -> anyhow::Result<()> {
    use pb::TicketStatus::{Completed, InProgress, WaitingOnClient};
    let server = TestServer::demo().await?;
    let uma = sign_in(&server, demo::CLIENT_USER).await?;
    let dina = sign_in(&server, demo::DISPATCHER).await?;

    let t = emergency(&uma, "Server room is dark").await?;
    let created = ms(t.created_at.as_ref()).unwrap_or_default();
    assert_eq!(t.priority, 1);
    assert_eq!(t.whose_move(), pb::WhoseMove::Provider);
    assert_eq!(t.next_due_kind(), pb::SlaDeadline::Response);
    assert_eq!(ms(t.next_due_at.as_ref()), Some(created + 60 * MIN));
    assert_eq!(ms(t.next_risk_at.as_ref()), Some(created + 45 * MIN));
    assert_eq!(t.sla_state(), pb::SlaState::OnTime);

    // Staff ask the client: not a response, and the clock stops.
    let asked = move_to(&dina, t.number, WaitingOnClient, "").await?;
    let seen = ticket(&uma, t.number).await?;
    assert_eq!(seen.whose_move(), pb::WhoseMove::Client);
    assert_eq!(seen.next_due_kind(), pb::SlaDeadline::Response);
    assert_eq!(
        seen.next_due_at, None,
        "no due time while the clock is stopped"
    );
    assert_eq!(seen.sla_state(), pb::SlaState::None);
    assert!(seen.responded_at.is_none());

    // Completed from there, then the client rejects it: still no response,
    // and the time stopped is not counted.
    move_to(&dina, t.number, Completed, "").await?;
    let back = move_to(&uma, t.number, InProgress, "Still dark.").await?;
    let seen = ticket(&dina, t.number).await?;
    assert!(seen.responded_at.is_none(), "a rejection is no response");
    assert_eq!(seen.whose_move(), pb::WhoseMove::Provider);
    let used = asked - created;
    assert_eq!(
        ms(seen.next_due_at.as_ref()),
        Some(back + 60 * MIN - used),
        "the response is due what was left of the hour after the client's move"
    );

    // Staff moving it to In Progress is the response: the resolution is next.
    let asked_again = move_to(&dina, t.number, WaitingOnClient, "").await?;
    let resumed = move_to(&dina, t.number, InProgress, "").await?;
    let seen = ticket(&uma, t.number).await?;
    assert_eq!(ms(seen.responded_at.as_ref()), Some(resumed));
    assert_eq!(seen.next_due_kind(), pb::SlaDeadline::Resolution);
    let running = (asked - created) + (asked_again - back);
    assert_eq!(
        ms(seen.next_due_at.as_ref()),
        Some(resumed + 240 * MIN - running)
    );
    // The list carries the same.
    let listed = uma
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            number: t.number,
            ..Default::default()
        })
        .await?
        .into_inner()
        .tickets;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].next_due_at, seen.next_due_at);
    assert_eq!(listed[0].whose_move(), pb::WhoseMove::Provider);
    Ok(())
}

/// The client's answer hands a waiting ticket back: the system moves it to
/// In Progress, the clock runs again from the answer, and the answer is no
/// response. A staff post leaves a waiting ticket waiting.
#[tokio::test]
async fn the_clients_answer_hands_a_waiting_ticket_back() -> anyhow::Result<()> {
    use pb::TicketStatus::{InProgress, WaitingOnClient};
    let server = TestServer::demo().await?;
    let uma = sign_in(&server, demo::CLIENT_USER).await?;
    let dina = sign_in(&server, demo::DISPATCHER).await?;
    let t = emergency(&uma, "Tills are offline").await?;
    let created = ms(t.created_at.as_ref()).unwrap_or_default();
    let asked = move_to(&dina, t.number, WaitingOnClient, "").await?;

    let post = |s: &Session, body: &str, kind: pb::PostKind| {
        let mut tickets = s.tickets();
        let request = pb::AddPostRequest {
            number: t.number,
            kind: kind.into(),
            body: body.into(),
            ..Default::default()
        };
        async move { tickets.add_post(request).await }
    };
    post(
        &dina,
        "Which till shows the error?",
        pb::PostKind::Discussion,
    )
    .await?;
    post(&dina, "Asked the store.", pb::PostKind::InternalNote).await?;
    assert_eq!(ticket(&uma, t.number).await?.status(), WaitingOnClient);

    let answer = post(
        &uma,
        "Till 3, the one by the door.",
        pb::PostKind::Discussion,
    )
    .await?
    .into_inner();
    let answered = ms(answer.at.as_ref()).unwrap_or_default();
    let seen = ticket(&uma, t.number).await?;
    assert_eq!(seen.status(), InProgress);
    assert_eq!(seen.whose_move(), pb::WhoseMove::Provider);
    assert!(
        seen.responded_at.is_some(),
        "Dina's public post answered it"
    );
    assert_eq!(seen.next_due_kind(), pb::SlaDeadline::Resolution);
    let used = asked - created;
    assert_eq!(
        ms(seen.next_due_at.as_ref()),
        Some(answered + 240 * MIN - used),
        "the clock runs again from the answer"
    );
    let timeline = dina
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: t.number })
        .await?
        .into_inner()
        .timeline;
    let moved = timeline
        .iter()
        .filter(|e| e.kind() == pb::TimelineKind::StatusChange)
        .max_by_key(|e| e.id)
        .expect("a status change");
    assert_eq!(
        (
            moved.author_name.as_str(),
            moved.from_value.as_str(),
            moved.to_value.as_str()
        ),
        ("Portal", "Waiting on Client", "In Progress")
    );
    Ok(())
}

#[tokio::test]
async fn triage_puts_breached_first_and_filters_them() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = sign_in(&server, demo::CLIENT_USER).await?;
    let dina = sign_in(&server, demo::DISPATCHER).await?;
    let fresh = emergency(&uma, "Phones are down").await?;
    let triage = |breached| pb::ListTicketsRequest {
        status_group: pb::StatusGroup::Open.into(),
        sort: pb::TicketSort::NextDue.into(),
        breached,
        page: Some(pb::PageRequest {
            page_size: 200,
            cursor: String::new(),
        }),
        ..Default::default()
    };
    let all = dina
        .tickets()
        .list_tickets(triage(false))
        .await?
        .into_inner();
    let dues: Vec<i64> = all
        .tickets
        .iter()
        .map(|t| ms(t.next_due_at.as_ref()).unwrap_or(i64::MAX))
        .collect();
    assert!(dues.is_sorted(), "by next deadline, none last: {dues:?}");
    let rank = |s: pb::SlaState| match s {
        pb::SlaState::Breached => 0,
        pb::SlaState::AtRisk | pb::SlaState::OnTime => 1,
        pb::SlaState::None => 2,
    };
    let ranks: Vec<i32> = all.tickets.iter().map(|t| rank(t.sla_state())).collect();
    assert!(ranks.is_sorted(), "breached first: {ranks:?}");
    assert!(all.tickets.iter().any(|t| t.number == fresh.number));

    let breached = dina
        .tickets()
        .list_tickets(triage(true))
        .await?
        .into_inner();
    assert!(breached.total > 0, "the demo history has breached tickets");
    assert!(
        breached
            .tickets
            .iter()
            .all(|t| t.sla_state() == pb::SlaState::Breached)
    );
    let first: Vec<i64> = all.tickets.iter().map(|t| t.number).collect();
    let only: Vec<i64> = breached.tickets.iter().map(|t| t.number).collect();
    assert_eq!(&first[..only.len()], only.as_slice());
    Ok(())
}

#[tokio::test]
async fn new_settings_apply_to_deadlines_not_yet_reached() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = sign_in(&server, demo::CLIENT_USER).await?;
    let paula = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let fresh = emergency(&uma, "Mail is down").await?;
    let created = ms(fresh.created_at.as_ref()).unwrap_or_default();
    let mut settings = paula
        .staff()
        .get_sla_settings(pb::Empty {})
        .await?
        .into_inner();
    assert_eq!(settings.targets.len(), 5);
    assert_eq!(settings.at_risk_percent, 25);

    // Each bad field is named, and nothing changes.
    let bad: [(&str, Spoil); 6] = [
        ("targets", |s| s.targets.truncate(4)),
        ("targets[0].response_minutes", |s| {
            s.targets[0].response_minutes = -1;
        }),
        ("time_zone", |s| s.time_zone = "Mars/Olympus".into()),
        ("business_days", |s| s.business_days = vec![8]),
        ("business_end_minute", |s| {
            s.business_end_minute = s.business_start_minute;
        }),
        ("at_risk_percent", |s| s.at_risk_percent = 100),
    ];
    for (field, spoil) in bad {
        let mut sent = settings.clone();
        spoil(&mut sent);
        let refused = paula.staff().update_sla_settings(sent).await;
        let status = expect_code(refused, Code::InvalidArgument);
        assert!(
            status.message().starts_with(field),
            "{field}: {}",
            status.message()
        );
    }
    assert_eq!(
        paula
            .staff()
            .get_sla_settings(pb::Empty {})
            .await?
            .into_inner(),
        settings
    );

    // Critical answers within two hours now: the open ticket's response,
    // not yet due, moves; its clock on the 24×7 clock makes it exactly two
    // hours after creation.
    settings.targets[0].response_minutes = 120;
    settings.at_risk_percent = 50;
    let saved = paula
        .staff()
        .update_sla_settings(settings.clone())
        .await?
        .into_inner();
    assert_eq!(saved, settings);
    let seen = ticket(&uma, fresh.number).await?;
    assert_eq!(ms(seen.next_due_at.as_ref()), Some(created + 120 * MIN));
    assert_eq!(ms(seen.next_risk_at.as_ref()), Some(created + 60 * MIN));
    Ok(())
}
