//! A contact related to another company (docs/ROLES.md, "Related
//! contacts"): being related shows it nothing; subscribed by staff to one
//! of that company's tickets, it sees that ticket and gets its mail and
//! live events, and nothing else of the company; unrelated again, it loses
//! the ticket too.

use std::time::Duration;

use portal_e2e::{Session, TestServer, demo, expect_code};
use portal_proto::pb;
use rusqlite::{Connection, OpenFlags};
use tokio_stream::StreamExt;
use tonic::Code;

use super::sign_in;

async fn relate(admin: &Session, contact_id: i64, ids: Vec<i64>) -> anyhow::Result<pb::Contact> {
    Ok(admin
        .accounts()
        .set_related_companies(pb::SetRelatedCompaniesRequest {
            contact_id,
            related_company_ids: ids,
        })
        .await?
        .into_inner())
}

/// The numbers of `company_id`'s tickets `s` lists.
async fn listed(s: &Session, company_id: i64) -> anyhow::Result<Vec<i64>> {
    let page = s
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            company_id,
            page: Some(pb::PageRequest {
                page_size: 200,
                cursor: String::new(),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(page.total, page.tickets.len() as u64);
    Ok(page.tickets.iter().map(|t| t.number).collect())
}

/// How many mails about ticket `number` wait for `email`, read from the store.
fn mails(server: &TestServer, email: &str, number: i64) -> anyhow::Result<i64> {
    let conn = Connection::open_with_flags(&server.db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row(
        "SELECT count(*) FROM mail_outbox WHERE recipient = ?1 AND ticket_id = ?2",
        rusqlite::params![email, number],
        |r| r.get(0),
    )?)
}

#[tokio::test]
async fn a_related_contact_sees_only_the_tickets_staff_subscribe_it_to() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let (_, alice) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let (una, una_id) = sign_in(&server, demo::OTHER_USER).await?;
    let harbor = alice.company_id;
    let new_ticket = |title: &str| pb::CreateTicketRequest {
        title: title.into(),
        description: "Details follow.".into(),
        company_id: harbor,
        contact_id: alice.id,
        service_type_id: 0,
        ..Default::default()
    };
    let service_type_id = dina.service_type("Other").await?.id;
    let mut numbers = Vec::new();
    for title in ["Followed by Una", "Not for Una"] {
        let t = dina
            .tickets()
            .create_ticket(pb::CreateTicketRequest {
                service_type_id,
                ..new_ticket(title)
            })
            .await?
            .into_inner();
        numbers.push(t.number);
    }
    let (followed, other) = (numbers[0], numbers[1]);
    // Una wants mail of staff replies.
    let mut me = una
        .accounts()
        .get_my_profile(pb::Empty {})
        .await?
        .into_inner();
    let mut details = me
        .contact
        .take()
        .and_then(|c| c.details)
        .unwrap_or_default();
    details.notifications.get_or_insert_default().staff_reply = true;
    una.accounts()
        .update_my_profile(pb::UpdateMyProfileRequest {
            details: Some(details),
        })
        .await?;

    // Related, but subscribed to nothing: nothing of Harbor shows.
    let contact = relate(&paula, una_id.id, vec![harbor]).await?;
    assert_eq!(contact.related_company_ids, vec![harbor]);
    assert!(listed(&una, harbor).await?.is_empty());
    for number in [followed, other] {
        expect_code(
            una.tickets()
                .get_ticket(pb::GetTicketRequest { number })
                .await,
            Code::NotFound,
        );
    }
    expect_code(
        una.accounts()
            .get_company(pb::GetCompanyRequest { company_id: harbor })
            .await,
        Code::NotFound,
    );
    expect_code(
        una.accounts()
            .list_users(pb::ListUsersRequest {
                company_id: harbor,
                ..Default::default()
            })
            .await,
        Code::NotFound,
    );

    // Staff subscribe Una to one ticket: she sees it, and only it.
    dina.tickets()
        .add_subscriber(pb::SubscriberRequest {
            number: followed,
            contact_id: una_id.id,
        })
        .await?;
    dina.post(followed, pb::PostKind::InternalNote, "between us")
        .await?;
    assert_eq!(listed(&una, harbor).await?, vec![followed]);
    let seen = una
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: followed })
        .await?
        .into_inner();
    assert!(
        seen.timeline
            .iter()
            .all(|e| e.kind != pb::TimelineKind::InternalNote as i32)
    );
    let p = seen.permissions.unwrap_or_default();
    assert!(p.allowed_statuses.is_empty() && !p.can_manage_subscribers);
    expect_code(
        una.tickets()
            .get_ticket(pb::GetTicketRequest { number: other })
            .await,
        Code::NotFound,
    );

    // Its live events and mail reach her; the other ticket's do not.
    let mut events = una
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    dina.post(other, pb::PostKind::Discussion, "not for Una")
        .await?;
    dina.post(followed, pb::PostKind::Discussion, "for Una")
        .await?;
    loop {
        let event = match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
            Ok(Some(Ok(e))) => e,
            other => anyhow::bail!("no event: {other:?}"),
        };
        assert_ne!(event.ticket_number, other, "{event:?}");
        if event.ticket_number == followed {
            break;
        }
    }
    assert!(mails(&server, demo::OTHER_USER, followed)? >= 1);
    assert_eq!(mails(&server, demo::OTHER_USER, other)?, 0);

    // No longer related: the subscription goes with it.
    let contact = relate(&paula, una_id.id, vec![]).await?;
    assert!(contact.related_company_ids.is_empty());
    assert!(listed(&una, harbor).await?.is_empty());
    expect_code(
        una.tickets()
            .get_ticket(pb::GetTicketRequest { number: followed })
            .await,
        Code::NotFound,
    );
    let stored = dina
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: followed })
        .await?
        .into_inner();
    assert!(stored.subscribers.iter().all(|s| s.contact_id != una_id.id));
    Ok(())
}
