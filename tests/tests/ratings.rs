//! Customer satisfaction against the real server (docs/TICKETS.md,
//! "Ratings"; docs/REPORTS.md, "Satisfaction"): the requester rates a
//! closed ticket once, staff see it live, on the ticket, in the list and in
//! the reports.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use std::time::Duration;

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code};
use portal_proto::pb;
use tokio_stream::StreamExt;
use tonic::Code;

async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<(Session, pb::Identity)> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    Ok((
        Session::new(server.channel().await?, &login.token)?,
        login.identity.unwrap_or_default(),
    ))
}

async fn next(s: &mut tonic::Streaming<pb::Event>) -> anyhow::Result<pb::Event> {
    match tokio::time::timeout(Duration::from_secs(10), s.next()).await {
        Ok(Some(Ok(e))) => Ok(e),
        other => Err(anyhow::anyhow!("no event: {other:?}")),
    }
}

/// A ticket of `who`'s raised by `dina`, assigned to `staff_id`, and
/// completed; signed off by its requester when `close`.
async fn ticket(
    dina: &Session,
    who: &(Session, pb::Identity),
    staff_id: i64,
    close: bool,
) -> anyhow::Result<i64> {
    let (s, me) = who;
    let t = dina.tickets();
    let number = t
        .clone()
        .create_ticket(pb::CreateTicketRequest {
            title: "Laptop will not start".into(),
            description: "x".into(),
            service_type_id: s.service_type("Other").await?.id,
            contact_id: me.id,
            company_id: me.company_id,
            po_number: "PO-1".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .number;
    t.clone()
        .assign(pb::AssignRequest {
            number,
            staff_id,
            board: String::new(),
        })
        .await?;
    t.clone()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: pb::TicketStatus::Completed.into(),
            note: String::new(),
        })
        .await?;
    if close {
        s.work()
            .sign_off(pb::SignOffRequest {
                number,
                full_name: me.display_name.clone(),
                comment: String::new(),
            })
            .await?;
    }
    Ok(number)
}

fn rate(number: i64, score: u32, comment: &str) -> pb::RateTicketRequest {
    pb::RateTicketRequest {
        number,
        score,
        comment: comment.into(),
    }
}

async fn awaiting(s: &Session) -> anyhow::Result<u64> {
    Ok(s.reports()
        .ticket_stats(pb::TicketStatsRequest::default())
        .await?
        .into_inner()
        .awaiting_rating)
}

#[tokio::test]
async fn the_requester_rates_a_closed_ticket_once_and_staff_see_it_live() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = sign_in(&server, demo::CLIENT_USER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let (tom, tom_id) = sign_in(&server, demo::TECHNICIAN).await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let (u, uma_id) = (&uma.0, uma.1.clone());

    // Completed is not closed yet: refused, and nothing to rate on Home.
    let number = ticket(&dina, &uma, tom_id.id, false).await?;
    let before = awaiting(u).await?;
    let s = expect_code(
        u.tickets().rate_ticket(rate(number, 5, "")).await,
        Code::FailedPrecondition,
    );
    assert!(
        s.message().contains("only a Closed ticket"),
        "{}",
        s.message()
    );

    u.work()
        .sign_off(pb::SignOffRequest {
            number,
            full_name: uma_id.display_name.clone(),
            comment: String::new(),
        })
        .await?;
    assert_eq!(awaiting(u).await?, before + 1, "Home asks Uma to rate it");
    let detail = u
        .tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await?
        .into_inner();
    assert!(detail.permissions.unwrap_or_default().can_rate);
    assert_eq!(detail.rating, None);

    let s = expect_code(
        u.tickets().rate_ticket(rate(number, 6, "")).await,
        Code::InvalidArgument,
    );
    assert!(s.message().starts_with("score: "), "{}", s.message());

    let mut staff_events = dina
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    let mut uma_events = u
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    let rated = u
        .tickets()
        .rate_ticket(rate(number, 4, "Fixed in an hour"))
        .await?
        .into_inner();
    assert_eq!(
        (rated.score, rated.comment.as_str(), rated.staff_id),
        (4, "Fixed in an hour", tom_id.id)
    );
    let e = next(&mut staff_events).await?;
    assert_eq!(
        (e.kind, e.ticket_number),
        (pb::EventKind::TicketRated as i32, number)
    );
    assert!(e.summary.contains("4/5"), "{}", e.summary);

    // Once only.
    let s = expect_code(
        u.tickets()
            .rate_ticket(rate(number, 1, "changed my mind"))
            .await,
        Code::AlreadyExists,
    );
    assert!(s.message().contains("rated already"), "{}", s.message());
    assert_eq!(awaiting(u).await?, before);

    // Staff see it on the ticket, in its timeline and in the list.
    let detail = tom
        .tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await?
        .into_inner();
    let r = detail.rating.unwrap_or_default();
    assert_eq!(
        (r.score, r.contact_name.as_str()),
        (4, uma_id.display_name.as_str())
    );
    let entry = detail
        .timeline
        .iter()
        .find(|e| e.kind == pb::TimelineKind::Rating as i32)
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (entry.to_value.as_str(), entry.body.as_str()),
        ("4/5", "Fixed in an hour")
    );
    assert!(!detail.permissions.unwrap_or_default().can_rate);
    for req in [
        pb::ListRatingsRequest {
            company_id: uma_id.company_id,
            ..Default::default()
        },
        pb::ListRatingsRequest {
            staff_id: tom_id.id,
            ..Default::default()
        },
    ] {
        let list = tom.tickets().list_ratings(req).await?.into_inner().ratings;
        assert_eq!(
            list.first().map(|r| (r.ticket_number, r.score)),
            Some((number, 4))
        );
    }
    let audit = paula
        .staff()
        .list_audit_log(pb::ListAuditLogRequest {
            action: "ticket.rated".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .entries;
    assert_eq!(
        audit.first().map(|a| a.subject.as_str()),
        Some(format!("#{number}").as_str())
    );

    // Only staff hear of the rating: Uma's next event is a later post.
    tom.post(number, pb::PostKind::Discussion, "Thanks for the rating")
        .await?;
    let e = next(&mut uma_events).await?;
    assert_eq!(e.kind, pb::EventKind::PostAdded as i32);
    Ok(())
}

#[tokio::test]
async fn ratings_list_in_pages_newest_first() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = sign_in(&server, demo::CLIENT_USER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let (_, tom) = sign_in(&server, demo::TECHNICIAN).await?;
    let mut numbers = Vec::new();
    for score in [3, 4, 5] {
        let n = ticket(&dina, &uma, tom.id, true).await?;
        uma.0.tickets().rate_ticket(rate(n, score, "")).await?;
        numbers.push(n);
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = dina
            .tickets()
            .list_ratings(pb::ListRatingsRequest {
                company_id: uma.1.company_id,
                staff_id: 0,
                page: Some(pb::PageRequest {
                    page_size: 2,
                    cursor: cursor.clone(),
                }),
            })
            .await?
            .into_inner();
        seen.extend(page.ratings.iter().map(|r| {
            let at = r.rated_at.unwrap_or_default();
            ((at.seconds, at.nanos), r.ticket_number)
        }));
        if page.next_cursor.is_empty() {
            break;
        }
        cursor = page.next_cursor;
    }
    // The three just rated first, then the demo's own, each once, newest first.
    numbers.reverse();
    let tickets: Vec<i64> = seen.iter().map(|(_, n)| *n).collect();
    assert_eq!(tickets[..3], numbers);
    assert!(seen.windows(2).all(|w| w[0] >= w[1]), "{seen:?}");
    let mut unique = tickets.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), tickets.len(), "no rating twice");
    Ok(())
}

/// The values of the report's row labelled `label`.
fn row(report: &pb::Report, label: &str) -> Vec<i64> {
    report
        .rows
        .iter()
        .find(|r| r.labels.first().map(String::as_str) == Some(label))
        .map(|r| r.values.clone())
        .unwrap_or_default()
}

/// What rating added to `label`'s row between `before` and `after`: the
/// count and how many of each score (the average is checked on its own).
fn added(before: &pb::Report, after: &pb::Report, label: &str) -> Vec<i64> {
    let (b, a) = (row(before, label), row(after, label));
    let b = if b.is_empty() { vec![0; a.len()] } else { b };
    a.iter()
        .zip(&b)
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, (a, b))| a - b)
        .collect()
}

/// The row's average ×100 is its scores' mean, rounded half up.
fn average_agrees(report: &pb::Report, label: &str) {
    let r = row(report, label);
    let sum: i64 = (1..=5).map(|s| s * r[1 + s as usize]).sum();
    assert_eq!(r[1], (sum * 200 + r[0]) / (2 * r[0]), "{label}: {r:?}");
}

#[tokio::test]
async fn satisfaction_reports_count_average_and_spread_by_month_technician_and_company()
-> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = sign_in(&server, demo::CLIENT_USER).await?;
    let una = sign_in(&server, demo::OTHER_USER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let (mark, me) = sign_in(&server, demo::CLIENT_MANAGER).await?;
    let (_, tom) = sign_in(&server, demo::TECHNICIAN).await?;
    let get = |s: &Session, kind: pb::ReportKind| {
        let mut r = s.reports();
        async move {
            anyhow::Ok(
                r.get_report(pb::ReportRequest {
                    kind: kind.into(),
                    ..Default::default()
                })
                .await?
                .into_inner(),
            )
        }
    };
    let kinds = [
        pb::ReportKind::SatisfactionByMonth,
        pb::ReportKind::SatisfactionByTechnician,
        pb::ReportKind::SatisfactionByCompany,
    ];
    let mut before = Vec::new();
    for kind in kinds {
        before.push(get(&dina, kind).await?);
    }
    let own_before = get(&mark, pb::ReportKind::SatisfactionByMonth).await?;
    // The demo's own ratings are there already: its requesters rated about
    // half of the tickets they signed off.
    assert!(
        before[0].rows.iter().any(|r| r.values[0] > 0),
        "the demo has ratings"
    );
    for (who, score) in [(&uma, 5), (&uma, 4), (&una, 2)] {
        let n = ticket(&dina, who, tom.id, true).await?;
        who.0.tickets().rate_ticket(rate(n, score, "")).await?;
    }
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    // Count, then how many of each score; the average ×100 agrees.
    let by_month = get(&dina, pb::ReportKind::SatisfactionByMonth).await?;
    assert_eq!(by_month.rows.len(), 12, "the last twelve months");
    assert_eq!(added(&before[0], &by_month, &month), [3, 0, 1, 0, 1, 1]);
    average_agrees(&by_month, &month);
    assert_eq!(
        by_month.columns[2].unit(),
        pb::ReportUnit::Hundredths,
        "{:?}",
        by_month.columns
    );
    // A client Manager sees its own company's only.
    let own = get(&mark, pb::ReportKind::SatisfactionByMonth).await?;
    assert_eq!(added(&own_before, &own, &month), [2, 0, 0, 0, 1, 1]);
    average_agrees(&own, &month);
    let by_tech = get(&dina, pb::ReportKind::SatisfactionByTechnician).await?;
    assert_eq!(
        added(&before[1], &by_tech, &tom.display_name),
        [3, 0, 1, 0, 1, 1]
    );
    let by_company = get(&dina, pb::ReportKind::SatisfactionByCompany).await?;
    assert_eq!(
        added(&before[2], &by_company, &me.company_name),
        [2, 0, 0, 0, 1, 1]
    );
    average_agrees(&by_company, &me.company_name);
    Ok(())
}
